#include "adapters/eko/circuit_breaker.h"

#include <utility>

namespace eko::adapter {

std::string_view CircuitBreaker::CauseName(Cause cause) {
  switch (cause) {
    case Cause::kUnspecified:
      return "unspecified";
    case Cause::kConnectFailed:
      return "connect_failed";
    case Cause::kConnectionLost:
      return "connection_lost";
    case Cause::kIncompleteResponse:
      return "incomplete_response";
    case Cause::kHttp5xx:
      return "http_5xx";
    case Cause::kTimedOut:
      return "timed_out";
  }
  return "unspecified";
}

std::string_view CircuitBreaker::StateName(State state) {
  switch (state) {
    case State::kClosed:
      return "closed";
    case State::kOpen:
      return "open";
    case State::kHalfOpen:
      return "half_open";
  }
  return "closed";
}

CircuitBreaker::CircuitBreaker(int failure_threshold, absl::Duration open_for, Listener listener)
    : failure_threshold_(failure_threshold), open_for_(open_for), listener_(std::move(listener)) {}

std::optional<absl::Duration> CircuitBreaker::Admit(absl::Time now) {
  if (failure_threshold_ <= 0) return std::nullopt;
  std::optional<Transition> transition;
  std::optional<absl::Duration> wait;
  {
    std::lock_guard<std::mutex> lock(mu_);
    switch (state_) {
      case State::kClosed:
        break;
      case State::kOpen:
        if (now < opened_at_ + open_for_) {
          wait = opened_at_ + open_for_ - now;
          break;
        }
        state_ = State::kHalfOpen;
        probe_in_flight_ = true;
        transition = Transition{.from = State::kOpen, .to = State::kHalfOpen};
        break;
      case State::kHalfOpen:
        if (!probe_in_flight_) {
          probe_in_flight_ = true;
          break;
        }
        // One probe at a time; others wait for its verdict.
        wait = absl::Milliseconds(100);
        break;
    }
  }
  if (transition && listener_) listener_(*transition);
  return wait;
}

void CircuitBreaker::Open(absl::Time now, Cause cause, Transition* transition) {
  *transition = Transition{.from = state_,
                           .to = State::kOpen,
                           .cause = cause,
                           .consecutive_failures = consecutive_failures_};
  state_ = State::kOpen;
  opened_at_ = now;
  probe_in_flight_ = false;
  last_cause_ = cause;
  ++times_opened_[static_cast<size_t>(cause)];
}

void CircuitBreaker::Record(Result result, absl::Time now, Cause cause) {
  if (failure_threshold_ <= 0) return;
  std::optional<Transition> transition;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (state_ == State::kHalfOpen) {
      probe_in_flight_ = false;
      if (result == Result::kSuccess) {
        transition = Transition{.from = State::kHalfOpen, .to = State::kClosed};
        state_ = State::kClosed;
        consecutive_failures_ = 0;
      } else if (result == Result::kFailure) {
        consecutive_failures_ = 1;
        Open(now, cause, &transition.emplace());
      }
    } else if (state_ == State::kClosed) {
      if (result == Result::kSuccess) {
        consecutive_failures_ = 0;
      } else if (result == Result::kFailure && ++consecutive_failures_ >= failure_threshold_) {
        Open(now, cause, &transition.emplace());
      }
    }
    // kOpen: late results of calls admitted before opening change nothing.
  }
  if (transition && listener_) listener_(*transition);
}

CircuitBreaker::State CircuitBreaker::state(absl::Time now) const { return snapshot(now).state; }

CircuitBreaker::Snapshot CircuitBreaker::snapshot(absl::Time now) const {
  std::lock_guard<std::mutex> lock(mu_);
  Snapshot snapshot;
  snapshot.state =
      state_ == State::kOpen && now >= opened_at_ + open_for_ ? State::kHalfOpen : state_;
  snapshot.last_cause = last_cause_;
  snapshot.times_opened = times_opened_;
  return snapshot;
}

}  // namespace eko::adapter
