#ifndef EKO_ADAPTERS_DUPLICATE_SUPPRESSOR_H_
#define EKO_ADAPTERS_DUPLICATE_SUPPRESSOR_H_

#include <cstddef>
#include <list>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "adapters/duplicate_store.h"

namespace eko::adapter {

// The in-memory DuplicateStore: makes a repeated call with the same key and
// the same request get the first call's result instead of a second upstream
// call (and a second OTP), while the first is in flight or for `window`
// after it ended. A different request under a used key is a conflict.
// Only definitive results are kept (DuplicateStore::IsDefinitive).
//
// Every verdict is known at once except a repeat's while the first call is
// in flight: that one is kPending, and its `decided` runs (kReplay) on the
// thread that calls Finish.
//
// Memory is bounded: at most `max_entries` keys; beyond that the oldest
// finished entries are evicted, and if every entry is still in flight new
// keys are not tracked at all. State is per process (per replica).
class DuplicateSuppressor final : public DuplicateStore {
 public:
  DuplicateSuppressor(absl::Duration window, size_t max_entries);

  Verdict Begin(const Claim& claim, Decided decided) override;
  void Finish(const std::string& key, const Outcome& outcome, absl::Time now) override;
  size_t size() const override;

 private:
  struct Entry {
    std::string fingerprint;
    bool finished = false;
    Outcome outcome;
    absl::Time expires;
    std::vector<Decided> waiters;
    std::list<std::string>::iterator order;  // position in finished_order_
  };
  void EvictLocked(absl::Time now);

  const absl::Duration window_;
  const size_t max_entries_;
  mutable std::mutex mu_;
  std::unordered_map<std::string, Entry> entries_;
  std::list<std::string> finished_order_;  // oldest first
};

// Fingerprint of a request: SHA-256 of its serialized bytes.
std::string RequestFingerprint(const std::string& serialized_request);

}  // namespace eko::adapter

#endif  // EKO_ADAPTERS_DUPLICATE_SUPPRESSOR_H_
