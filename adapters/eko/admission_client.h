#ifndef EKO_ADAPTERS_EKO_ADMISSION_CLIENT_H_
#define EKO_ADAPTERS_EKO_ADMISSION_CLIENT_H_

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "absl/time/time.h"
#include "adapters/common/clock.h"
#include "adapters/eko/circuit_breaker.h"
#include "adapters/eko/rpc_traits.h"
#include "adapters/upstream_client.h"

namespace eko::adapter {

struct AdmissionOptions {
  // A call whose caller deadline is nearer than this is refused at once with
  // DEADLINE_EXCEEDED / DEADLINE_TOO_SHORT.
  absl::Duration min_deadline = absl::Milliseconds(100);
  // Calls allowed in flight at once; beyond: RESOURCE_EXHAUSTED /
  // GATEWAY_OVERLOADED.
  int64_t max_in_flight = 20000;
  // Circuit breaker: opens after this many consecutive failures that say
  // something about the upstream (0 disables it) and stays open this long
  // before one probe; refused calls get UNAVAILABLE / UPSTREAM_CIRCUIT_OPEN.
  int breaker_failures = 5;
  absl::Duration breaker_open_for = absl::Seconds(5);
};

// Which circuit breaker guards an RPC. Eko serves the customer profile and
// account paths and the DMT-Fino sender paths from different back ends (the
// sender flow goes on to Fino Payments Bank), so one failing must not stop
// the other: each scope has its own breaker. A failure that says the whole
// upstream is unreachable (connect, DNS or TLS failure) counts for every
// scope; HTTP 5xx, timeouts and broken responses count for the call's own.
enum class BreakerScope { kCustomer, kSender };
inline constexpr size_t kBreakerScopeCount = 2;
BreakerScope BreakerScopeOf(Rpc rpc);
std::string_view BreakerScopeName(BreakerScope scope);  // "customer", "sender"

// A decorator that decides whether a call may reach the client it wraps:
// deadline budget, circuit breaker and in-flight bound, checked in that
// order before anything is sent. It counts calls in flight until their
// completion and feeds the breaker of the call's scope from each call's
// CallSummary: transport failures, timeouts of the gateway's own budget,
// broken or cut-short responses and HTTP 5xx are failures; cancellations,
// timeouts of a caller's shorter deadline, oversized responses and local
// failures are neutral; any other answer is a success. Every change of a
// breaker's state is logged (event "breaker", with scope, state and, on
// opening, the cause). Thread-safe.
class AdmissionClient final : public UpstreamClient {
 public:
  // `inner` and `clock` must outlive this client.
  AdmissionClient(AdmissionOptions options, UpstreamClient* inner,
                  const Clock& clock = Clock::Real());

  EKO_ONBOARDING_RPCS(EKO_UPSTREAM_CALL_VIA_START_CALL)

  void Cancel(uint64_t call_id) override { inner_->Cancel(call_id); }

  int64_t in_flight() const { return in_flight_.load(); }
  // The most severe state over all scopes (open > half-open > closed).
  CircuitBreaker::State breaker_state() const;
  CircuitBreaker::Snapshot breaker(BreakerScope scope) const {
    return breakers_[static_cast<size_t>(scope)].snapshot(clock_.Now());
  }

 private:
  template <typename Request, typename Response>
  absl::StatusOr<uint64_t> StartCall(const Request& request, const CallOptions& options,
                                     UpstreamDone<Response> done);
  // Checks deadline, breaker and load for an `rpc` call; on success the call
  // counts as in flight.
  absl::Status Enter(Rpc rpc, absl::Time now, absl::Time caller_deadline);
  // Ends a call that Enter admitted.
  void Leave(Rpc rpc, const CallSummary& summary);

  const AdmissionOptions options_;
  UpstreamClient* const inner_;
  const Clock& clock_;
  std::atomic<int64_t> in_flight_{0};
  std::array<CircuitBreaker, kBreakerScopeCount> breakers_;
};

template <typename Request, typename Response>
absl::StatusOr<uint64_t> AdmissionClient::StartCall(const Request& request,
                                                    const CallOptions& options,
                                                    UpstreamDone<Response> done) {
  if (absl::Status admitted =
          Enter(RpcTraits<Request>::kRpc, clock_.Now(), options.caller_deadline);
      !admitted.ok()) {
    return admitted;
  }
  absl::StatusOr<uint64_t> started =
      CallUpstream(*inner_, request, options,
                   [this, done = std::move(done)](absl::StatusOr<Response> result,
                                                  const CallSummary& summary) mutable {
                     Leave(RpcTraits<Request>::kRpc, summary);
                     std::move(done)(std::move(result), summary);
                   });
  // Refused by the inner client: its `done` never runs.
  if (!started.ok()) Leave(RpcTraits<Request>::kRpc, CallSummary{});
  return started;
}

}  // namespace eko::adapter

#endif  // EKO_ADAPTERS_EKO_ADMISSION_CLIENT_H_
