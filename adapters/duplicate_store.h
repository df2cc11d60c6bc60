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
// Implementations are thread-safe and never block the caller:
// DuplicateSuppressor keeps the calls in this process's memory and decides
// at once; RedisDuplicateStore shares them between replicas and decides
// later, on its own thread.
class DuplicateStore {
 public:
  // The first call's result, as handed to the calls that repeat it.
  struct Outcome {
    absl::Status status;
    std::string response;  // serialized response message when status is OK
    std::string client_ref_id;
  };

  // A call asking to be the first of `key`.
  struct Claim {
    std::string key;
    std::string fingerprint;
    absl::Time now;
    // The caller's deadline: a repeat waits for the first call no longer.
    absl::Time deadline = absl::InfiniteFuture();
  };

  struct Verdict {
    enum class Kind {
      kPending,   // not known yet: Begin's `decided` runs later
      kProceed,   // first call (or untracked): make it, then Finish(key, ...)
      kReplay,    // `outcome` is the first call's: answer with it
      kConflict,  // the key was used for a different request
      kRefused,   // the store cannot decide; `outcome.status` says why
    };
    Kind kind = Kind::kPending;
    Outcome outcome;
    // kProceed only: false when the store does not track the call (full,
    // or unreachable and configured to let calls through); Finish is then
    // not needed.
    bool tracked = true;
  };
  using Decided = absl::AnyInvocable<void(Verdict) &&>;

  virtual ~DuplicateStore() = default;

  // Claims `claim.key` for a request with `claim.fingerprint`, or joins the
  // call that claimed it. Returns the verdict when it is known at once (then
  // `decided` never runs); otherwise returns kPending and `decided` runs
  // exactly once later with another kind, never inside Begin and outside
  // any lock of the store. Never blocks.
  virtual Verdict Begin(const Claim& claim, Decided decided) = 0;

  // Ends the first call of `key`: hands `outcome` to the repeats waiting for
  // it, and keeps it for later repeats when it is definitive. Never blocks.
  virtual void Finish(const std::string& key, const Outcome& outcome, absl::Time now) = 0;

  // Keys held (in memory), for metrics.
  virtual size_t size() const = 0;

  // True for outcomes kept for later repeats: OK, errors that carry Eko's
  // answer (ErrorInfo metadata `ekoStatus`), and errors after which Eko may
  // have acted (metadata upstreamOutcome=UNKNOWN): sending such a request
  // again could act twice, so its repeats get the unknown outcome instead.
  // Other errors (nothing sent, refused by the gateway) reach the repeats
  // waiting at that moment and are then forgotten, so a retry goes upstream.
  static bool IsDefinitive(const absl::Status& status);
};

}  // namespace eko::adapter

#endif  // EKO_ADAPTERS_DUPLICATE_STORE_H_
