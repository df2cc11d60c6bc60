// Tests of the retry decision and its jittered, doubling backoff.
#include "adapters/eko/retry_policy.h"

#include <vector>

#include "gtest/gtest.h"

namespace eko::adapter {
namespace {

HttpRequest Request(int max_retries, absl::Duration backoff) {
  HttpRequest request;
  request.max_retries = max_retries;
  request.retry_backoff = backoff;
  request.min_attempt_budget = absl::Milliseconds(100);
  return request;
}

TEST(RetryPolicyTest, WindowDoublesPerAttemptUpToAThousandTimes) {
  const HttpRequest request = Request(20, absl::Milliseconds(50));
  EXPECT_EQ(RetryBackoffWindow(request, 1), absl::Milliseconds(50));
  EXPECT_EQ(RetryBackoffWindow(request, 2), absl::Milliseconds(100));
  EXPECT_EQ(RetryBackoffWindow(request, 3), absl::Milliseconds(200));
  EXPECT_EQ(RetryBackoffWindow(request, 11), absl::Milliseconds(50 * 1024));
  EXPECT_EQ(RetryBackoffWindow(request, 15), absl::Milliseconds(50 * 1024));
  EXPECT_EQ(RetryBackoffWindow(Request(1, absl::ZeroDuration()), 1), absl::Microseconds(1));
}

TEST(RetryPolicyTest, WaitIsDrawnUniformlyOverTheWindow) {
  const HttpRequest request = Request(3, absl::Milliseconds(20));
  std::vector<int64_t> asked;
  const auto draw_max = [&asked](int64_t n) {
    asked.push_back(n);
    return n;
  };
  EXPECT_EQ(RetryDelay(request, 1, absl::Now(), draw_max), absl::Milliseconds(20));
  EXPECT_EQ(RetryDelay(request, 2, absl::Now(), draw_max), absl::Milliseconds(40));
  EXPECT_EQ(RetryDelay(request, 3, absl::Now(), [](int64_t) { return int64_t{0}; }),
            absl::ZeroDuration());
  EXPECT_EQ(asked, (std::vector<int64_t>{20000, 40000}));
}

TEST(RetryPolicyTest, NoRetryBeyondMaxRetries) {
  const auto draw = [](int64_t) { return int64_t{0}; };
  EXPECT_EQ(RetryDelay(Request(0, absl::Milliseconds(50)), 1, absl::Now(), draw), std::nullopt);
  EXPECT_NE(RetryDelay(Request(2, absl::Milliseconds(50)), 2, absl::Now(), draw), std::nullopt);
  EXPECT_EQ(RetryDelay(Request(2, absl::Milliseconds(50)), 3, absl::Now(), draw), std::nullopt);
}

TEST(RetryPolicyTest, TheWaitAndOneAttemptBudgetMustFitBeforeTheDeadline) {
  const absl::Time now = absl::FromUnixSeconds(1000);
  HttpRequest request = Request(5, absl::Milliseconds(500));
  const auto draw_ms = [](int64_t ms) { return [ms](int64_t) { return ms * 1000; }; };
  request.deadline = now + absl::Milliseconds(300);
  EXPECT_EQ(RetryDelay(request, 1, now, draw_ms(200)), absl::Milliseconds(200));  // exactly fits
  EXPECT_EQ(RetryDelay(request, 1, now, draw_ms(201)), std::nullopt);
  request.deadline = absl::InfiniteFuture();
  EXPECT_EQ(RetryDelay(request, 1, now, draw_ms(500)), absl::Milliseconds(500));
}

}  // namespace
}  // namespace eko::adapter
