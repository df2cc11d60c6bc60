#ifndef EKO_SERVER_DUPLICATE_SUPPRESSOR_H_
#define EKO_SERVER_DUPLICATE_SUPPRESSOR_H_

#include <cstddef>
#include <list>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "absl/functional/any_invocable.h"
#include "absl/status/status.h"
#include "absl/time/time.h"

namespace eko::server {

// Makes a repeated call with the same caller-given client_ref_id and the same
// request get the first call's result instead of a second upstream call (and
// a second OTP), while the first is in flight or for `window` after it ended.
// A different request under a used client_ref_id is a conflict.
//
// Only definitive results are kept: OK, and errors that carry Eko's answer
// (ErrorInfo metadata `ekoStatus`). Other errors (not sent, refused by the
// gateway, outcome unknown) are handed to the calls waiting at that moment
// and then forgotten, so a retry goes upstream again.
//
// Memory is bounded: at most `max_entries` keys; beyond that the oldest
// finished entries are evicted, and if every entry is still in flight new
// keys are not tracked at all. State is per process (per replica).
class DuplicateSuppressor {
 public:
  struct Outcome {
    absl::Status status;
    std::string response;  // serialized response message when status is OK
    std::string client_ref_id;
  };
  using Waiter = absl::AnyInvocable<void(const Outcome&) &&>;

  enum class Decision {
    kProceed,   // first call (or untracked): make it, then call Finish(key, ...)
    kJoined,    // `waiter` gets (or already got) the first call's outcome
    kConflict,  // the key was used for a different request
  };

  DuplicateSuppressor(absl::Duration window, size_t max_entries);

  // `key` identifies the caller's reference (e.g. RPC name + client_ref_id);
  // `fingerprint` the request. For kJoined on a finished entry, `waiter` runs
  // before Begin returns (outside the lock).
  Decision Begin(const std::string& key, const std::string& fingerprint, absl::Time now,
                 Waiter waiter);

  // Ends the first call of `key`: runs its waiters with `outcome`.
  void Finish(const std::string& key, const Outcome& outcome, absl::Time now);

  size_t size() const;

  // True for outcomes worth replaying (see the class comment).
  static bool IsDefinitive(const absl::Status& status);

 private:
  struct Entry {
    std::string fingerprint;
    bool finished = false;
    Outcome outcome;
    absl::Time expires;
    std::vector<Waiter> waiters;
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

}  // namespace eko::server

#endif  // EKO_SERVER_DUPLICATE_SUPPRESSOR_H_
