#ifndef EKO_ADAPTERS_EKO_CIRCUIT_BREAKER_H_
#define EKO_ADAPTERS_EKO_CIRCUIT_BREAKER_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string_view>

#include "absl/time/time.h"

namespace eko::adapter {

// A classic closed / open / half-open breaker over upstream calls. It opens
// after `failure_threshold` consecutive failures (transport failures and HTTP
// 5xx only: business errors are successes for it), rejects calls while open,
// and after `open_for` lets exactly one probe through (half-open): a
// successful probe closes it, a failed one opens it again. Thread-safe.
class CircuitBreaker {
 public:
  enum class State { kClosed, kOpen, kHalfOpen };
  enum class Result { kSuccess, kFailure, kNeutral };  // neutral: e.g. cancelled

  // What a failure said about the upstream; the breaker remembers the one
  // that opened it and counts openings per cause.
  enum class Cause {
    kUnspecified,
    kConnectFailed,       // connect, DNS or TLS failure: nothing was sent
    kConnectionLost,      // the connection broke after sending
    kIncompleteResponse,  // the response was cut short
    kHttp5xx,             // the upstream answered with a server error
    kTimedOut,            // the gateway's own full upstream budget ran out
  };
  static constexpr size_t kCauseCount = 6;
  static std::string_view CauseName(Cause cause);  // e.g. "http_5xx"
  static std::string_view StateName(State state);  // "closed", "open", "half_open"

  // A change of state, reported to the listener after the breaker's lock
  // is released. `cause` is the failure that opened it (kOpen only);
  // `consecutive_failures` is the count that tripped it.
  struct Transition {
    State from = State::kClosed;
    State to = State::kClosed;
    Cause cause = Cause::kUnspecified;
    int consecutive_failures = 0;
  };
  using Listener = std::function<void(const Transition&)>;

  // What operators see of a breaker at one instant.
  struct Snapshot {
    State state = State::kClosed;
    // The cause of the latest opening (meaningful once times_opened > 0).
    Cause last_cause = Cause::kUnspecified;
    // Openings so far, by Cause (index = static_cast<size_t>(cause)).
    std::array<int64_t, kCauseCount> times_opened{};
  };

  // A threshold <= 0 disables the breaker (Admit always allows).
  // `listener` may be empty; it must not call back into the breaker.
  CircuitBreaker(int failure_threshold, absl::Duration open_for, Listener listener = {});

  // nullopt: the call may go ahead (and, when half-open, is the probe whose
  // result must be recorded). Otherwise the time until a probe is allowed.
  std::optional<absl::Duration> Admit(absl::Time now);

  // Records the outcome of an admitted call (or, for failures that say the
  // whole upstream is unreachable, of a call admitted by a sibling breaker).
  void Record(Result result, absl::Time now, Cause cause = Cause::kUnspecified);

  State state(absl::Time now) const;
  Snapshot snapshot(absl::Time now) const;

 private:
  void Open(absl::Time now, Cause cause, Transition* transition);

  const int failure_threshold_;
  const absl::Duration open_for_;
  const Listener listener_;
  mutable std::mutex mu_;
  State state_ = State::kClosed;
  int consecutive_failures_ = 0;
  absl::Time opened_at_;
  bool probe_in_flight_ = false;
  Cause last_cause_ = Cause::kUnspecified;
  std::array<int64_t, kCauseCount> times_opened_{};
};

}  // namespace eko::adapter

#endif  // EKO_ADAPTERS_EKO_CIRCUIT_BREAKER_H_
