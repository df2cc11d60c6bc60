// Whether and when an attempt that never left is retried (pure; the random draw is given).
#include "adapters/eko/retry_policy.h"

#include <algorithm>

namespace eko::adapter {

absl::Duration RetryBackoffWindow(const HttpRequest& request, int attempts_made) {
  const int doublings = std::clamp(attempts_made - 1, 0, 10);
  const absl::Duration window = request.retry_backoff * (int64_t{1} << doublings);
  return absl::Microseconds(std::max<int64_t>(1, absl::ToInt64Microseconds(window)));
}

std::optional<absl::Duration> RetryDelay(const HttpRequest& request, int attempts_made,
                                         absl::Time now,
                                         absl::FunctionRef<int64_t(int64_t)> draw_uniform) {
  if (attempts_made > request.max_retries) return std::nullopt;
  const int64_t window_us = absl::ToInt64Microseconds(RetryBackoffWindow(request, attempts_made));
  const absl::Duration wait = absl::Microseconds(draw_uniform(window_us));
  if (request.deadline != absl::InfiniteFuture() &&
      now + wait + request.min_attempt_budget > request.deadline) {
    return std::nullopt;
  }
  return wait;
}

}  // namespace eko::adapter
