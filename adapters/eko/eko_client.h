#ifndef EKO_ADAPTERS_EKO_EKO_CLIENT_H_
#define EKO_ADAPTERS_EKO_EKO_CLIENT_H_

#include <atomic>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/functional/any_invocable.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "adapters/common/strings.h"
#include "adapters/eko/classifier.h"
#include "adapters/eko/endpoints.h"
#include "adapters/eko/envelope.h"
#include "adapters/eko/json_reader.h"
#include "adapters/eko/request_builder.h"
#include "adapters/eko/response_mapper.h"
#include "adapters/eko/rpc_traits.h"
#include "adapters/eko/transport.h"
#include "adapters/upstream_client.h"
#include "eko/onboarding/v1/onboarding_service.pb.h"

namespace eko::adapter {

struct EkoClientConfig {
  std::string base_url;  // e.g. https://staging.eko.in/ekoapi/v3 (no trailing '/')
  std::string developer_key;
  std::string access_key;
  std::string initiator_id;
  std::string default_user_code;  // used when a request names none
  EndpointTable endpoints;
  // Upstream budget when the caller set no deadline, and the cap otherwise.
  absl::Duration default_timeout = absl::Seconds(30);
  // Time kept back from the caller's deadline to answer before it expires.
  absl::Duration deadline_margin = absl::Milliseconds(50);
  // Retries of attempts that provably never left (connect/DNS/TLS failure).
  int max_retries = 2;
  absl::Duration retry_backoff = absl::Milliseconds(50);
  CurlTransportOptions transport;  // auth_headers is filled in by Create
};

// Classifies a finished transfer and, on success, builds the typed response:
// transport/HTTP errors, envelope parsing, business codes, then data. The
// paths of optional fields set aside as unusable are appended to *ignored
// when it is given.
template <typename Response>
absl::StatusOr<Response> InterpretReply(Rpc rpc, const HttpResponse& http,
                                        bool caller_deadline_passed, std::string_view client_ref_id,
                                        json::IgnoredFields* ignored = nullptr) {
  if (absl::Status status = ClassifyHttp(rpc, http, caller_deadline_passed); !status.ok()) {
    return status;
  }
  absl::StatusOr<Envelope> envelope = ParseEnvelope(http.body);
  if (!envelope.ok())
    return BadResponseError(rpc, http.http_status, ToStd(envelope.status().message()));
  json::IgnoredFields unusable = std::move(envelope->ignored);
  absl::StatusOr<onboarding::v1::NextStep> step =
      ClassifyEnvelope(rpc, *envelope, http.http_status);
  if (!step.ok()) return step.status();
  Response response;
  if (absl::Status filled = FillResponse(*envelope, *step, &response, &unusable); !filled.ok()) {
    return BadResponseError(rpc, http.http_status, ToStd(filled.message()));
  }
  if (ignored != nullptr) ignored->insert(ignored->end(), unusable.begin(), unusable.end());
  response.set_next_step(*step);
  auto* upstream = response.mutable_upstream();
  upstream->set_status(envelope->status);
  upstream->set_response_status_id(envelope->response_status_id.value_or(0));
  upstream->set_response_type_id(envelope->response_type_id);
  upstream->set_message(envelope->message);
  upstream->set_client_ref_id(std::string(client_ref_id));
  upstream->set_http_status(http.http_status);
  return response;
}

// The transport's outcome as the UpstreamClient seam reports it.
UpstreamOutcome ToUpstreamOutcome(TransportOutcome outcome);

// The Eko REST implementation of UpstreamClient: builds, signs (through the
// transport's auth hook), sends and interprets one Eko call per RPC,
// asynchronously. Admission (deadline budget, breaker, in-flight bound) is
// not its concern: wrap it in an AdmissionClient (admission_client.h).
class EkoClient final : public UpstreamClient {
 public:
  template <typename Response>
  using Done = UpstreamDone<Response>;

  // Creates the signer and a libcurl transport. Fails on an empty access key
  // or if the transport cannot start.
  static absl::StatusOr<std::unique_ptr<EkoClient>> Create(EkoClientConfig config);

  // For tests: uses `transport` as is (no authentication hook is installed).
  EkoClient(EkoClientConfig config, std::unique_ptr<Transport> transport);

  // Starts the call and returns an id for Cancel; `done` then runs exactly
  // once, on the transport thread. When the call cannot start the error is
  // returned here and `done` is never called.
  template <typename Request>
  absl::StatusOr<uint64_t> StartCall(const Request& request, const CallOptions& options,
                                     Done<typename RpcTraits<Request>::Response> done);

  // UpstreamClient: each RPC is StartCall() with its request type.
  EKO_ONBOARDING_RPCS(EKO_UPSTREAM_CALL_VIA_START_CALL)

  void Cancel(uint64_t call_id) override { transport_->Cancel(call_id); }

  const EkoClientConfig& config() const { return config_; }
  absl::Time transport_progress() const { return transport_->LastProgress(); }

 private:
  EkoClientConfig config_;
  std::unique_ptr<Transport> transport_;
};

template <typename Request>
absl::StatusOr<uint64_t> EkoClient::StartCall(const Request& request, const CallOptions& options,
                                              Done<typename RpcTraits<Request>::Response> done) {
  using Traits = RpcTraits<Request>;
  using Response = typename Traits::Response;
  const absl::Time now = absl::Now();

  CallIdentity identity;
  identity.initiator_id = config_.initiator_id;
  identity.user_code =
      request.user_code().empty() ? config_.default_user_code : request.user_code();
  if constexpr (Traits::kHasClientRefId) {
    identity.client_ref_id =
        request.client_ref_id().empty() ? GenerateClientRefId() : request.client_ref_id();
  }
  UpstreamRequest upstream = BuildUpstreamRequest(config_.endpoints, request, identity);

  const absl::Time cap = now + config_.default_timeout;
  const absl::Time from_caller = options.caller_deadline - config_.deadline_margin;
  const bool deadline_is_callers = from_caller < cap;

  HttpRequest http;
  http.method = upstream.method;
  http.url = config_.base_url + upstream.path_and_query;
  http.body = std::move(upstream.body);
  http.deadline = deadline_is_callers ? from_caller : cap;
  http.max_retries = config_.max_retries;
  http.retry_backoff = config_.retry_backoff;

  return transport_->Submit(
      std::move(http), [this, ref = identity.client_ref_id, deadline_is_callers,
                        done = std::move(done)](HttpResponse reply) mutable {
        CallSummary summary;
        summary.outcome = ToUpstreamOutcome(reply.outcome);
        summary.client_ref_id = ref;
        summary.http_status = reply.http_status;
        summary.upstream_elapsed = reply.elapsed;
        summary.attempts = reply.attempts;
        summary.deadline_was_callers = deadline_is_callers;
        absl::StatusOr<Response> result = InterpretReply<Response>(
            Traits::kRpc, reply, deadline_is_callers, ref, &summary.ignored_fields);
        std::move(done)(std::move(result), summary);
      });
}

}  // namespace eko::adapter

#endif  // EKO_ADAPTERS_EKO_EKO_CLIENT_H_
