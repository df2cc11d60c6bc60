#include "server/onboarding_service.h"

#include <chrono>
#include <iterator>
#include <mutex>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/strings/str_join.h"
#include "adapters/common/log.h"
#include "adapters/common/rich_status.h"
#include "adapters/eko/classifier.h"
#include "adapters/eko/error_table.h"
#include "adapters/eko/rpc_traits.h"
#include "server/request_parsing.h"
#include "server/status_conversion.h"
#include "server/trace_context.h"
#include "server/validation.h"

namespace eko::server {
namespace {

constexpr char kRequestIdHeader[] = "x-request-id";
constexpr size_t kMaxRequestIdChars = 64;

// The value of metadata `key` when the call carries it exactly once.
std::optional<std::string_view> SingleMetadataValue(const grpc::CallbackServerContext& context,
                                                    std::string_view key) {
  const auto [first, last] =
      context.client_metadata().equal_range(grpc::string_ref(key.data(), key.size()));
  if (first == last || std::next(first) != last) return std::nullopt;
  return std::string_view(first->second.data(), first->second.size());
}

absl::Time CallerDeadline(const grpc::CallbackServerContext& context) {
  const auto deadline = context.deadline();
  if (deadline == std::chrono::system_clock::time_point::max()) return absl::InfiniteFuture();
  return absl::FromChrono(deadline);
}

// The error for an RPC of `rpc` cut off by CutOffInFlight.
absl::Status CutOffError(adapter::Rpc rpc, bool after_sending) {
  return adapter::GatewayError(after_sending ? adapter::ErrorId::kShutdownCutOffAfterSending
                                             : adapter::ErrorId::kShutdownCutOffNotSent,
                               rpc, {});
}

}  // namespace

// The state of an RPC in flight that cancellation and CutOffInFlight act on,
// whatever its types; deletes itself in OnDone. The mutex orders
// StartUpstream (which records the upstream call id) before the call's
// completion, which may arrive on the client's thread before the client's
// method has even returned, and orders both against OnCancel and
// CutOffInFlight.
class OnboardingServiceImpl::InFlightRpc : public grpc::ServerUnaryReactor {
 public:
  enum class CutOff { kNo, kNotSent, kAfterSending };

  // Marks the RPC cut off, unless it was already, its caller cancelled it or
  // its result is being finished; sets `cancel` to its upstream call when
  // that had started (the caller must cancel it, with no lock held).
  CutOff MarkCutOff(std::optional<uint64_t>* cancel) {
    std::lock_guard<std::mutex> lock(mu_);
    if (cut_off_ || cancel_requested_ || completing_) return CutOff::kNo;
    cut_off_ = true;
    if (!call_started_) return CutOff::kNotSent;
    *cancel = call_id_;
    return CutOff::kAfterSending;
  }

  void OnCancel() override {
    std::lock_guard<std::mutex> lock(mu_);
    cancel_requested_ = true;
    if (call_started_) client_->Cancel(call_id_);
  }

  void OnDone() override {
    service_->Unregister(this);
    delete this;
  }

 protected:
  InFlightRpc(OnboardingServiceImpl* service, adapter::Rpc rpc)
      : service_(service), client_(service->deps_.client), rpc_(rpc) {}
  ~InFlightRpc() override = default;

  // Hands the call to the upstream client with `start` unless the RPC was
  // cut off. OK when the call started; else the error to finish with: the
  // cut-off (nothing sent) or the client's refusal (its `done` never runs).
  absl::Status StartUpstream(absl::FunctionRef<absl::StatusOr<uint64_t>()> start) {
    std::lock_guard<std::mutex> lock(mu_);
    if (cut_off_) return CutOffError(rpc_, /*after_sending=*/false);
    absl::StatusOr<uint64_t> call_id = start();
    if (!call_id.ok()) return call_id.status();
    call_id_ = *call_id;
    call_started_ = true;
    if (cancel_requested_) client_->Cancel(call_id_);
    return absl::OkStatus();
  }

  // `status` as the RPC ends with it: the cut-off when it is the
  // cancellation of an upstream call CutOffInFlight cancelled. From here on
  // CutOffInFlight leaves the RPC alone.
  absl::Status FinalStatus(absl::Status status) {
    std::lock_guard<std::mutex> lock(mu_);
    completing_ = true;
    if (cut_off_ && status.code() == absl::StatusCode::kCancelled) {
      return CutOffError(rpc_, /*after_sending=*/true);
    }
    return status;
  }

  OnboardingServiceImpl* const service_;
  adapter::UpstreamClient* const client_;
  const adapter::Rpc rpc_;

 private:
  std::mutex mu_;
  uint64_t call_id_ = 0;
  bool call_started_ = false;
  bool cancel_requested_ = false;
  bool cut_off_ = false;
  bool completing_ = false;
};

namespace {

// One RPC in flight: parsing, validation, the upstream call, and Finish.
template <typename Request, typename Response>
class UpstreamReactor final : public OnboardingServiceImpl::InFlightRpc {
 public:
  UpstreamReactor(OnboardingServiceImpl* service, const OnboardingServiceImpl::Dependencies& deps,
                  grpc::CallbackServerContext* context, const grpc::ByteBuffer* request_bytes,
                  grpc::ByteBuffer* response_bytes)
      : InFlightRpc(service, adapter::RpcTraits<Request>::kRpc),
        has_default_user_code_(deps.has_default_user_code),
        metrics_(deps.metrics),
        clock_(*deps.clock),
        request_bytes_(request_bytes),
        response_bytes_(response_bytes),
        request_id_(RequestIdFor(*context)),
        trace_(TraceContextFor(SingleMetadataValue(*context, kTraceparentHeader))),
        caller_deadline_(CallerDeadline(*context)),
        started_(clock_.Now()) {
    context->AddTrailingMetadata(kRequestIdHeader, request_id_);
    context->AddTrailingMetadata(kTraceparentHeader, trace_.Traceparent());
  }

  // `caller` is the caller-authorisation verdict, checked first: the
  // authorised caller's name (CallerAuthorizer::AuthorizedCaller), which
  // keeps its duplicate-suppression keys apart from other callers'. Then the
  // request's bytes are parsed and validated.
  void Start(const absl::StatusOr<std::string>& caller) {
    if (!caller.ok()) {
      Complete(caller.status(), adapter::CallSummary{});
      return;
    }
    caller_ = *caller;
    if (!ParseRequest(*request_bytes_, &request_)) {
      Complete(MalformedRequestError(method(), Request::descriptor()->full_name()),
               adapter::CallSummary{});
      return;
    }
    ValidationContext validation;
    validation.has_default_user_code = has_default_user_code_;
    validation.now = started_;
    if (absl::Status invalid = Validate(request_, validation); !invalid.ok()) {
      Complete(invalid, adapter::CallSummary{});
      return;
    }
    adapter::CallOptions options;
    options.caller_deadline = caller_deadline_;
    options.caller = *caller;
    const absl::Status not_started = StartUpstream([&] {
      return adapter::CallUpstream(
          *client_, request_, options,
          [this](absl::StatusOr<Response> result, const adapter::CallSummary& summary) {
            if (result.ok()) response_ = *std::move(result);
            Complete(result.status(), summary);
          });
    });
    if (!not_started.ok()) Complete(not_started, adapter::CallSummary{});
  }

 private:
  std::string_view method() const { return adapter::RpcName(rpc_); }

  void Complete(const absl::Status& result, const adapter::CallSummary& summary) {
    absl::Status status = FinalStatus(result);
    if (status.ok()) status = SerializeResponse(response_, response_bytes_);
    google::rpc::ErrorInfo info;
    if (!status.ok()) rich::GetErrorInfo(status, &info);
    const std::string code = absl::StatusCodeToString(status.code());
    const absl::Duration latency = clock_.Now() - started_;
    LogCall(status, code, info.reason(), latency, summary);
    if (!summary.ignored_fields.empty()) ReportIgnoredFields(summary.ignored_fields);
    if (metrics_ != nullptr) {
      metrics_->RecordRpc(method(), code, info.reason(), latency);
      if (summary.attempts > 0 && !summary.replayed) {
        metrics_->RecordUpstream(method(), summary.http_status, summary.attempts,
                                 summary.upstream_elapsed);
      }
    }
    Finish(ToGrpcStatus(status, RequestIdentity{.request_id = request_id_,
                                                .client_ref_id = summary.client_ref_id,
                                                .trace_id = trace_.trace_id,
                                                .span_id = trace_.span_id}));
  }

  // Optional fields of Eko's reply that were left unset: counted, and logged
  // at warn by name only (their values may be personal data).
  void ReportIgnoredFields(const std::vector<std::string>& fields) const {
    if (metrics_ != nullptr) {
      for (const std::string& field : fields) metrics_->RecordIgnoredField(method(), field);
    }
    if (!log::Enabled(log::Level::kWarn)) return;
    const std::string names = absl::StrJoin(fields, ",");
    log::Write(
        log::Level::kWarn, "upstream_fields_ignored",
        {{"method", method()},
         {"request_id", request_id_},
         {"fields", names},
         {"message", "Eko sent optional fields with an unusable type or value; left unset"}});
  }

  void LogCall(const absl::Status& status, std::string_view code, std::string_view reason,
               absl::Duration latency, const adapter::CallSummary& summary) const {
    const log::Level level = status.ok() || status.code() == absl::StatusCode::kInvalidArgument ||
                                     status.code() == absl::StatusCode::kFailedPrecondition ||
                                     status.code() == absl::StatusCode::kNotFound ||
                                     status.code() == absl::StatusCode::kAlreadyExists
                                 ? log::Level::kInfo
                                 : log::Level::kWarn;
    if (!log::Enabled(level)) return;
    using log::As;
    const std::string latency_ms = log::Number(absl::ToDoubleMilliseconds(latency));
    const std::string http_status = log::Number(summary.http_status);
    const std::string attempts = log::Number(summary.attempts);
    const std::string customer = log::MaskMobile(request_.customer_id());
    log::Write(level, "rpc",
               {{"method", method()},
                {"code", code},
                {"reason", reason},
                {"latency_ms", latency_ms, As::kJson},
                {"request_id", request_id_},
                {"trace_id", trace_.trace_id},
                {"span_id", trace_.span_id},
                {"parent_span_id", trace_.parent_span_id},
                {"caller", caller_},
                {"customer", customer},
                {"client_ref_id", summary.client_ref_id},
                {"replayed", summary.replayed ? "true" : "false", As::kJson},
                {"upstream_attempts", attempts, As::kJson},
                {"upstream_http_status", http_status, As::kJson}});
  }

  const bool has_default_user_code_;
  GatewayMetrics* const metrics_;
  const Clock& clock_;
  const grpc::ByteBuffer* const request_bytes_;
  grpc::ByteBuffer* const response_bytes_;
  const std::string request_id_;
  const TraceContext trace_;
  std::string caller_;  // the authorised caller's name; "" without authorisation
  const absl::Time caller_deadline_;
  const absl::Time started_;
  Request request_;
  Response response_;
};

}  // namespace

std::string RequestIdFor(const grpc::CallbackServerContext& context) {
  const auto& metadata = context.client_metadata();
  auto it = metadata.find(kRequestIdHeader);
  if (it != metadata.end()) {
    const std::string_view value(it->second.data(), it->second.size());
    bool printable = !value.empty() && value.size() <= kMaxRequestIdChars;
    for (const char c : value) printable = printable && c > ' ' && c <= '~';
    if (printable) return std::string(value);
  }
  return RandomHexId(16);
}

OnboardingServiceImpl::OnboardingServiceImpl(Dependencies deps) : deps_(deps) {
  RouteProtobufLogToGatewayLog();
}

OnboardingServiceImpl::CutOffResult OnboardingServiceImpl::CutOffInFlight() {
  CutOffResult result;
  std::vector<uint64_t> to_cancel;
  {
    // Every RPC is marked before any upstream call is cancelled: a repeat
    // that joined another RPC's call sees that call's cancellation as its
    // own cut-off, not as a CANCELLED result.
    std::lock_guard<std::mutex> lock(in_flight_mu_);
    cut_off_ = true;
    for (InFlightRpc* rpc : in_flight_) {
      std::optional<uint64_t> cancel;
      switch (rpc->MarkCutOff(&cancel)) {
        case InFlightRpc::CutOff::kNo:
          break;
        case InFlightRpc::CutOff::kNotSent:
          ++result.not_sent;
          break;
        case InFlightRpc::CutOff::kAfterSending:
          ++result.after_sending;
          break;
      }
      if (cancel.has_value()) to_cancel.push_back(*cancel);
    }
  }
  // Outside the locks: an RPC may finish (and leave in_flight_) meanwhile,
  // and the client ignores ids of calls that have ended.
  for (const uint64_t call_id : to_cancel) deps_.client->Cancel(call_id);
  return result;
}

size_t OnboardingServiceImpl::InFlight() const {
  std::lock_guard<std::mutex> lock(in_flight_mu_);
  return in_flight_.size();
}

void OnboardingServiceImpl::Register(InFlightRpc* rpc) {
  std::lock_guard<std::mutex> lock(in_flight_mu_);
  in_flight_.insert(rpc);
  std::optional<uint64_t> no_call_yet;
  if (cut_off_) rpc->MarkCutOff(&no_call_yet);
}

void OnboardingServiceImpl::Unregister(InFlightRpc* rpc) {
  std::lock_guard<std::mutex> lock(in_flight_mu_);
  in_flight_.erase(rpc);
}

template <typename Request, typename Response>
grpc::ServerUnaryReactor* OnboardingServiceImpl::Handle(grpc::CallbackServerContext* context,
                                                        const grpc::ByteBuffer* request,
                                                        grpc::ByteBuffer* response) {
  auto* reactor = new UpstreamReactor<Request, Response>(this, deps_, context, request, response);
  Register(reactor);
  reactor->Start(deps_.authorizer == nullptr ? absl::StatusOr<std::string>(std::string())
                                             : deps_.authorizer->AuthorizedCaller(*context));
  return reactor;
}

#define EKO_DEFINE_HANDLER(NAME, ...)                                                         \
  grpc::ServerUnaryReactor* OnboardingServiceImpl::NAME(grpc::CallbackServerContext* context, \
                                                        const grpc::ByteBuffer* request,      \
                                                        grpc::ByteBuffer* response) {         \
    return Handle<v1::NAME##Request, v1::NAME##Response>(context, request, response);         \
  }
EKO_ONBOARDING_RPCS(EKO_DEFINE_HANDLER)
#undef EKO_DEFINE_HANDLER

}  // namespace eko::server
