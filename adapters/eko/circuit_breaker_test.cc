#include "adapters/eko/circuit_breaker.h"

#include <vector>

#include "gtest/gtest.h"

namespace eko::adapter {
namespace {

using Result = CircuitBreaker::Result;
using State = CircuitBreaker::State;

const absl::Time kT0 = absl::FromUnixSeconds(1700000000);

TEST(CircuitBreakerTest, OpensAfterConsecutiveFailuresOnly) {
  CircuitBreaker breaker(3, absl::Seconds(5));
  for (int i = 0; i < 2; ++i) {
    ASSERT_FALSE(breaker.Admit(kT0).has_value());
    breaker.Record(Result::kFailure, kT0);
  }
  ASSERT_FALSE(breaker.Admit(kT0).has_value());
  breaker.Record(Result::kSuccess, kT0);  // resets the count
  for (int i = 0; i < 2; ++i) breaker.Record(Result::kFailure, kT0);
  EXPECT_EQ(breaker.state(kT0), State::kClosed);
  breaker.Record(Result::kFailure, kT0);
  EXPECT_EQ(breaker.state(kT0), State::kOpen);
  auto wait = breaker.Admit(kT0 + absl::Seconds(2));
  ASSERT_TRUE(wait.has_value());
  EXPECT_EQ(*wait, absl::Seconds(3));
}

TEST(CircuitBreakerTest, HalfOpenAdmitsOneProbe) {
  CircuitBreaker breaker(1, absl::Seconds(5));
  breaker.Record(Result::kFailure, kT0);
  const absl::Time later = kT0 + absl::Seconds(5);
  EXPECT_EQ(breaker.state(later), State::kHalfOpen);
  EXPECT_FALSE(breaker.Admit(later).has_value());  // the probe
  EXPECT_TRUE(breaker.Admit(later).has_value());   // others wait for its verdict
  breaker.Record(Result::kFailure, later);
  EXPECT_EQ(breaker.state(later), State::kOpen);
  const absl::Time even_later = later + absl::Seconds(5);
  EXPECT_FALSE(breaker.Admit(even_later).has_value());
  breaker.Record(Result::kSuccess, even_later);
  EXPECT_EQ(breaker.state(even_later), State::kClosed);
  EXPECT_FALSE(breaker.Admit(even_later).has_value());
}

TEST(CircuitBreakerTest, NeutralProbeLetsTheNextOneThrough) {
  CircuitBreaker breaker(1, absl::Seconds(1));
  breaker.Record(Result::kFailure, kT0);
  const absl::Time later = kT0 + absl::Seconds(1);
  EXPECT_FALSE(breaker.Admit(later).has_value());
  breaker.Record(Result::kNeutral, later);
  EXPECT_FALSE(breaker.Admit(later).has_value());
}

TEST(CircuitBreakerTest, TellsItsListenerEveryChangeAndWhyItOpened) {
  std::vector<CircuitBreaker::Transition> seen;
  CircuitBreaker breaker(2, absl::Seconds(5),
                         [&seen](const CircuitBreaker::Transition& t) { seen.push_back(t); });
  breaker.Record(Result::kFailure, kT0, CircuitBreaker::Cause::kHttp5xx);
  EXPECT_TRUE(seen.empty());
  breaker.Record(Result::kFailure, kT0, CircuitBreaker::Cause::kConnectionLost);
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].from, State::kClosed);
  EXPECT_EQ(seen[0].to, State::kOpen);
  EXPECT_EQ(seen[0].cause, CircuitBreaker::Cause::kConnectionLost);
  EXPECT_EQ(seen[0].consecutive_failures, 2);

  const absl::Time later = kT0 + absl::Seconds(5);
  ASSERT_FALSE(breaker.Admit(later).has_value());  // the probe
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[1].to, State::kHalfOpen);
  breaker.Record(Result::kFailure, later, CircuitBreaker::Cause::kTimedOut);
  ASSERT_EQ(seen.size(), 3u);
  EXPECT_EQ(seen[2].from, State::kHalfOpen);
  EXPECT_EQ(seen[2].cause, CircuitBreaker::Cause::kTimedOut);

  const absl::Time much_later = later + absl::Seconds(5);
  ASSERT_FALSE(breaker.Admit(much_later).has_value());
  breaker.Record(Result::kSuccess, much_later);
  ASSERT_EQ(seen.size(), 5u);
  EXPECT_EQ(seen[4].to, State::kClosed);

  const CircuitBreaker::Snapshot snapshot = breaker.snapshot(much_later);
  EXPECT_EQ(snapshot.state, State::kClosed);
  EXPECT_EQ(snapshot.last_cause, CircuitBreaker::Cause::kTimedOut);
  EXPECT_EQ(snapshot.times_opened[static_cast<size_t>(CircuitBreaker::Cause::kConnectionLost)], 1);
  EXPECT_EQ(snapshot.times_opened[static_cast<size_t>(CircuitBreaker::Cause::kTimedOut)], 1);
  EXPECT_EQ(snapshot.times_opened[static_cast<size_t>(CircuitBreaker::Cause::kHttp5xx)], 0);
}

TEST(CircuitBreakerTest, NamesAreStable) {
  // Metric labels and log fields: renaming one breaks dashboards.
  EXPECT_EQ(CircuitBreaker::CauseName(CircuitBreaker::Cause::kConnectFailed), "connect_failed");
  EXPECT_EQ(CircuitBreaker::CauseName(CircuitBreaker::Cause::kHttp5xx), "http_5xx");
  EXPECT_EQ(CircuitBreaker::CauseName(CircuitBreaker::Cause::kTimedOut), "timed_out");
  EXPECT_EQ(CircuitBreaker::StateName(State::kHalfOpen), "half_open");
}

TEST(CircuitBreakerTest, DisabledWithZeroThreshold) {
  CircuitBreaker breaker(0, absl::Seconds(1));
  for (int i = 0; i < 100; ++i) breaker.Record(Result::kFailure, kT0);
  EXPECT_FALSE(breaker.Admit(kT0).has_value());
}

}  // namespace
}  // namespace eko::adapter
