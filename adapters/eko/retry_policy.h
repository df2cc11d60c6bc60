// Whether and when an attempt that never left is retried (pure; the random draw is given).
#ifndef EKO_ADAPTERS_EKO_RETRY_POLICY_H_
#define EKO_ADAPTERS_EKO_RETRY_POLICY_H_

#include <cstdint>
#include <optional>

#include "absl/functional/function_ref.h"
#include "absl/time/time.h"
#include "adapters/eko/transport.h"

namespace eko::adapter {

// The jitter window after `attempts_made` attempts: request.retry_backoff
// doubled per attempt after the first (at most 2^10 times), at least 1 us.
absl::Duration RetryBackoffWindow(const HttpRequest& request, int attempts_made);

// After `attempts_made` attempts whose last provably never left: the wait
// before the next one, or nullopt when no retry is allowed (max_retries used
// up, or the wait plus min_attempt_budget does not fit before the deadline).
// The wait is uniform over the window ("full jitter"): `draw_uniform(n)` must
// return a uniform integer in [0, n], here microseconds.
std::optional<absl::Duration> RetryDelay(const HttpRequest& request, int attempts_made,
                                         absl::Time now,
                                         absl::FunctionRef<int64_t(int64_t)> draw_uniform);

}  // namespace eko::adapter

#endif  // EKO_ADAPTERS_EKO_RETRY_POLICY_H_
