#ifndef EKO_ADAPTERS_COMMON_FAKE_CLOCK_H_
#define EKO_ADAPTERS_COMMON_FAKE_CLOCK_H_

#include <mutex>

#include "absl/time/time.h"
#include "adapters/common/clock.h"

namespace eko {

// A clock that stands still until told to move. For tests.
class FakeClock final : public Clock {
 public:
  explicit FakeClock(absl::Time start = absl::FromUnixSeconds(1700000000)) : now_(start) {}

  absl::Time Now() const override {
    std::lock_guard<std::mutex> lock(mu_);
    return now_;
  }
  void Set(absl::Time now) {
    std::lock_guard<std::mutex> lock(mu_);
    now_ = now;
  }
  void Advance(absl::Duration by) {
    std::lock_guard<std::mutex> lock(mu_);
    now_ += by;
  }

 private:
  mutable std::mutex mu_;
  absl::Time now_;
};

}  // namespace eko

#endif  // EKO_ADAPTERS_COMMON_FAKE_CLOCK_H_
