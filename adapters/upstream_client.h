#ifndef EKO_ADAPTERS_UPSTREAM_CLIENT_H_
#define EKO_ADAPTERS_UPSTREAM_CLIENT_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/functional/any_invocable.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "adapters/rpc_registry.h"
#include "eko/onboarding/v1/onboarding_service.pb.h"

// The seam between the gRPC server and whatever answers its RPCs upstream:
// one typed, asynchronous call per RPC. The Eko REST client implements it
// (adapters/eko/eko_client.h); tests implement it with fakes. server/ depends
// only on this interface.
namespace eko::adapter {

// Per-call inputs besides the request itself.
struct CallOptions {
  absl::Time caller_deadline = absl::InfiniteFuture();
  // Who is calling, as the edge identified them; part of the duplicate
  // suppression key (deduplicating_client.h). Empty: not told apart.
  std::string caller;
};

// How the upstream exchange of a call ended, as the breaker and operators
// need to know it.
enum class UpstreamOutcome {
  kNone,            // no exchange happened (refused before sending, replayed)
  kAnswered,        // an HTTP response arrived (see CallSummary::http_status)
  kNotSent,         // connect, DNS or TLS failure: the request never left
  kTimedOut,        // no answer before the deadline, after sending
  kConnectionLost,  // the connection broke after sending
  kIncomplete,      // the response was cut short
  kTooLarge,        // the response exceeded the size limit
  kCancelled,       // the caller cancelled
  kFailed,          // a local failure of the HTTP client
};

// What the edge needs to know about a finished call, success or not.
struct CallSummary {
  UpstreamOutcome outcome = UpstreamOutcome::kNone;
  std::string client_ref_id;
  int http_status = 0;
  absl::Duration upstream_elapsed;
  int attempts = 0;
  // The call's upstream deadline was the caller's (shorter than the
  // gateway's own budget): a kTimedOut then says nothing about Eko's health.
  bool deadline_was_callers = false;
  // Answered without an upstream exchange of its own: from an earlier call
  // with the same client_ref_id (joined while it was in flight, or its
  // stored result), or, for a lookup, by joining an identical one in flight
  // (coalescing_client.h).
  bool replayed = false;
  // JSON paths of optional fields Eko sent with an unusable type or value,
  // left unset in the response (see eko/response_mapper.h). Never values.
  std::vector<std::string> ignored_fields;
};

// Completion of one call: runs exactly once, on a thread of the client's.
template <typename Response>
using UpstreamDone = absl::AnyInvocable<void(absl::StatusOr<Response>, const CallSummary&) &&>;

class UpstreamClient {
 public:
  virtual ~UpstreamClient() = default;

  // Each starts the call and returns an id for Cancel; `done` then runs
  // exactly once, on another thread, never inside the method (it may run
  // before the method has returned). When the call cannot start (deadline
  // too short, too many calls in flight, circuit open, client_ref_id reused
  // for another request) the error is returned here and `done` never runs.
  // Ids are below 2^63: the top bit is left to decorators that answer calls
  // themselves.
#define EKO_DECLARE_UPSTREAM_CALL(NAME, ...)                                          \
  virtual absl::StatusOr<uint64_t> NAME(const onboarding::v1::NAME##Request& request, \
                                        const CallOptions& options,                   \
                                        UpstreamDone<onboarding::v1::NAME##Response> done) = 0;
  EKO_ONBOARDING_RPCS(EKO_DECLARE_UPSTREAM_CALL)
#undef EKO_DECLARE_UPSTREAM_CALL

  // Asks for the call to end early; its `done` still runs once (CANCELLED
  // unless it had already finished). Unknown or finished ids are ignored.
  virtual void Cancel(uint64_t call_id) = 0;
};

// For implementations generic over the RPC: inside the class body,
// `EKO_ONBOARDING_RPCS(EKO_UPSTREAM_CALL_VIA_START_CALL)` overrides every
// call with `return StartCall(request, options, std::move(done));`.
#define EKO_UPSTREAM_CALL_VIA_START_CALL(NAME, ...)                                        \
  ::absl::StatusOr<uint64_t> NAME(                                                         \
      const ::eko::onboarding::v1::NAME##Request& request,                                 \
      const ::eko::adapter::CallOptions& options,                                          \
      ::eko::adapter::UpstreamDone<::eko::onboarding::v1::NAME##Response> done) override { \
    return StartCall(request, options, std::move(done));                                   \
  }

// Calls the method of `client` for `request`'s RPC, for code generic over
// the request type.
#define EKO_DEFINE_CALL_UPSTREAM(NAME, ...)                                            \
  inline absl::StatusOr<uint64_t> CallUpstream(                                        \
      UpstreamClient& client, const onboarding::v1::NAME##Request& request,            \
      const CallOptions& options, UpstreamDone<onboarding::v1::NAME##Response> done) { \
    return client.NAME(request, options, std::move(done));                             \
  }
EKO_ONBOARDING_RPCS(EKO_DEFINE_CALL_UPSTREAM)
#undef EKO_DEFINE_CALL_UPSTREAM

}  // namespace eko::adapter

#endif  // EKO_ADAPTERS_UPSTREAM_CLIENT_H_
