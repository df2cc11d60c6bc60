#ifndef EKO_ADAPTERS_COMMON_CLOCK_H_
#define EKO_ADAPTERS_COMMON_CLOCK_H_

#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace eko {

// The time source of components whose behaviour depends on the wall clock
// (windows, budgets, breakers), so that tests can set the time instead of
// sleeping. Implementations are thread-safe.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual absl::Time Now() const = 0;

  // The process's real clock (absl::Now()); lives forever.
  static const Clock& Real();
};

class RealClock final : public Clock {
 public:
  absl::Time Now() const override { return absl::Now(); }
};

inline const Clock& Clock::Real() {
  static const RealClock* const real = new RealClock();
  return *real;
}

}  // namespace eko

#endif  // EKO_ADAPTERS_COMMON_CLOCK_H_
