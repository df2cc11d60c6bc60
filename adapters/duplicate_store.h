#ifndef EKO_ADAPTERS_DUPLICATE_STORE_H_
#define EKO_ADAPTERS_DUPLICATE_STORE_H_

#include <cstddef>
#include <string>

#include "absl/functional/any_invocable.h"
#include "absl/status/status.h"
#include "absl/time/time.h"

namespace eko::adapter {

// Where DeduplicatingClient (deduplicating_client.h) keeps the calls it has
// seen, by key (who asked, which RPC, which client_ref_id): the fingerprint
// of the first request, and that call's outcome once it is definitive.
// Implementations are thread-safe; DuplicateSuppressor keeps them in this
// process's memory.
class DuplicateStore {
 public:
  // The first call's result, as handed to the calls that repeat it.
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

  virtual ~DuplicateStore() = default;

  // Claims `key` for a request with `fingerprint`, or joins the call that
  // claimed it. On kJoined `waiter` runs exactly once: when the first call
  // finishes, or, if it has already finished, before Begin returns (outside
  // any lock of the store). On other decisions it never runs.
  virtual Decision Begin(const std::string& key, const std::string& fingerprint, absl::Time now,
                         Waiter waiter) = 0;

  // Ends the first call of `key`: runs its waiters with `outcome`, and keeps
  // the outcome for later repeats when it is definitive.
  virtual void Finish(const std::string& key, const Outcome& outcome, absl::Time now) = 0;

  // Keys held, for metrics.
  virtual size_t size() const = 0;
};

}  // namespace eko::adapter

#endif  // EKO_ADAPTERS_DUPLICATE_STORE_H_
