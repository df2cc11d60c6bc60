#include "adapters/eko/circuit_breaker.h"

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

TEST(CircuitBreakerTest, DisabledWithZeroThreshold) {
  CircuitBreaker breaker(0, absl::Seconds(1));
  for (int i = 0; i < 100; ++i) breaker.Record(Result::kFailure, kT0);
  EXPECT_FALSE(breaker.Admit(kT0).has_value());
}

}  // namespace
}  // namespace eko::adapter
