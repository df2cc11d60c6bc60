#include "adapters/eko/circuit_breaker.h"

namespace eko::adapter {

CircuitBreaker::CircuitBreaker(int failure_threshold, absl::Duration open_for)
    : failure_threshold_(failure_threshold), open_for_(open_for) {}

std::optional<absl::Duration> CircuitBreaker::Admit(absl::Time now) {
  if (failure_threshold_ <= 0) return std::nullopt;
  std::lock_guard<std::mutex> lock(mu_);
  switch (state_) {
    case State::kClosed:
      return std::nullopt;
    case State::kOpen:
      if (now < opened_at_ + open_for_) return opened_at_ + open_for_ - now;
      state_ = State::kHalfOpen;
      probe_in_flight_ = true;
      return std::nullopt;
    case State::kHalfOpen:
      if (!probe_in_flight_) {
        probe_in_flight_ = true;
        return std::nullopt;
      }
      // One probe at a time; others wait for its verdict.
      return absl::Milliseconds(100);
  }
  return std::nullopt;
}

void CircuitBreaker::Record(Result result, absl::Time now) {
  if (failure_threshold_ <= 0) return;
  std::lock_guard<std::mutex> lock(mu_);
  if (state_ == State::kHalfOpen) {
    probe_in_flight_ = false;
    if (result == Result::kSuccess) {
      state_ = State::kClosed;
      consecutive_failures_ = 0;
    } else if (result == Result::kFailure) {
      state_ = State::kOpen;
      opened_at_ = now;
    }
    return;
  }
  if (state_ == State::kOpen) return;  // late results of calls admitted before opening
  if (result == Result::kSuccess) {
    consecutive_failures_ = 0;
  } else if (result == Result::kFailure && ++consecutive_failures_ >= failure_threshold_) {
    state_ = State::kOpen;
    opened_at_ = now;
  }
}

CircuitBreaker::State CircuitBreaker::state(absl::Time now) const {
  std::lock_guard<std::mutex> lock(mu_);
  if (state_ == State::kOpen && now >= opened_at_ + open_for_) return State::kHalfOpen;
  return state_;
}

}  // namespace eko::adapter
