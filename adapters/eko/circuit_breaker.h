#ifndef EKO_ADAPTERS_EKO_CIRCUIT_BREAKER_H_
#define EKO_ADAPTERS_EKO_CIRCUIT_BREAKER_H_

#include <mutex>
#include <optional>

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

  // A threshold <= 0 disables the breaker (Admit always allows).
  CircuitBreaker(int failure_threshold, absl::Duration open_for);

  // nullopt: the call may go ahead (and, when half-open, is the probe whose
  // result must be recorded). Otherwise the time until a probe is allowed.
  std::optional<absl::Duration> Admit(absl::Time now);

  // Records the outcome of an admitted call.
  void Record(Result result, absl::Time now);

  State state(absl::Time now) const;

 private:
  const int failure_threshold_;
  const absl::Duration open_for_;
  mutable std::mutex mu_;
  State state_ = State::kClosed;
  int consecutive_failures_ = 0;
  absl::Time opened_at_;
  bool probe_in_flight_ = false;
};

}  // namespace eko::adapter

#endif  // EKO_ADAPTERS_EKO_CIRCUIT_BREAKER_H_
