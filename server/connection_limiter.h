#ifndef EKO_SERVER_CONNECTION_LIMITER_H_
#define EKO_SERVER_CONNECTION_LIMITER_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace eko::server {

// Counts the client connections the gRPC server accepted and decides whether
// a new one may stay, against a cap on all connections and one per peer
// address.
//
// gRPC says when it accepts a connection (see connection_gate.h) but not when
// it closes one, so each entry remembers its fd and the fd's inode: an entry
// is stale once the fd is closed (the inspector finds nothing) or its number
// was reused (another inode). Stale entries are dropped by Reconcile(), which
// Admit() also runs when a cap would be exceeded (at most once per
// `min_reconcile_interval`, so a flood at the cap costs no more than that),
// and an accept on an fd number still in the table replaces that entry (gRPC
// has closed the old one). Thread-safe.
class ConnectionLimiter {
 public:
  struct Limits {
    int64_t max_connections = 0;           // >= 1
    int64_t max_connections_per_peer = 0;  // 0: no per-peer cap
  };
  // The inode of `fd` while it is open; nullopt when it is not.
  using FdInspector = std::function<std::optional<uint64_t>(int fd)>;
  using Clock = std::function<absl::Time()>;

  enum class Verdict { kAccepted, kRefusedTotalCap, kRefusedPeerCap };
  struct Decision {
    Verdict verdict = Verdict::kAccepted;
    // For a refusal: whether to log it now (at most one line per
    // `log_interval`), and how many refusals were not logged since the last
    // line that was.
    bool log = false;
    int64_t refusals_not_logged = 0;
  };

  struct Stats {
    int64_t open = 0;  // entries in the table (stale ones until reconciled)
    int64_t accepted_total = 0;
    int64_t refused_total_cap = 0;
    int64_t refused_peer_cap = 0;
  };

  ConnectionLimiter(Limits limits, FdInspector inspector, Clock clock = absl::Now,
                    absl::Duration min_reconcile_interval = absl::Milliseconds(50),
                    absl::Duration log_interval = absl::Seconds(1));

  // A connection accepted on `fd` (whose inode is `inode`) from `peer` (an IP
  // address; "" for a peer without one, which only the total cap applies to).
  // An accepted connection is counted until its fd is found stale.
  Decision Admit(int fd, uint64_t inode, const std::string& peer);

  // Counts `count` connections refused without Admit (see connection_gate.h)
  // against the total cap.
  Decision CountRefused(int64_t count, const std::string& peer);

  // Refusals not logged yet, once `log_interval` has passed since the last
  // line (else nullopt): the last one as a Decision (with the others counted
  // in refusals_not_logged) and its peer. Called periodically so that the end
  // of a burst is logged too.
  struct Unlogged {
    Decision decision;
    std::string peer;
  };
  std::optional<Unlogged> TakeUnloggedRefusals();

  // Drops stale entries; returns how many.
  int64_t Reconcile();

  Stats stats() const;
  const Limits& limits() const { return limits_; }

 private:
  struct Entry {
    uint64_t inode = 0;
    std::string peer;
  };

  void DropLocked(int fd) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  int64_t ReconcileLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  std::optional<Verdict> CapReachedLocked(const std::string& peer) const
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  Decision RefuseLocked(Verdict verdict, int64_t count, const std::string& peer)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const Limits limits_;
  const FdInspector inspector_;
  const Clock clock_;
  const absl::Duration min_reconcile_interval_;
  const absl::Duration log_interval_;

  mutable absl::Mutex mu_;
  absl::flat_hash_map<int, Entry> by_fd_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<std::string, int64_t> per_peer_ ABSL_GUARDED_BY(mu_);
  absl::Time last_reconcile_ ABSL_GUARDED_BY(mu_) = absl::InfinitePast();
  absl::Time last_log_ ABSL_GUARDED_BY(mu_) = absl::InfinitePast();
  int64_t refusals_not_logged_ ABSL_GUARDED_BY(mu_) = 0;
  Verdict last_refusal_ ABSL_GUARDED_BY(mu_) = Verdict::kRefusedTotalCap;
  std::string last_refused_peer_ ABSL_GUARDED_BY(mu_);
  Stats counters_ ABSL_GUARDED_BY(mu_);
};

// The inode of `fd` from fstat(2); nullopt when fstat fails.
std::optional<uint64_t> FdInode(int fd);

// File descriptors kept free beyond the reserve for upstream connections:
// refused connections until gRPC closes them, the metrics endpoint's sockets,
// files opened now and then.
inline constexpr int64_t kConnectionFdMargin = 32;

// The connection cap the open-file limit allows: `configured`, or less when
// `open_file_limit` minus `upstream_reserved`, the `fds_in_use` before
// serving and kConnectionFdMargin leaves less room; <= 0 when it leaves none.
int64_t FdBoundedConnectionCap(int64_t configured, int64_t open_file_limit,
                               int64_t upstream_reserved, int64_t fds_in_use);

}  // namespace eko::server

#endif  // EKO_SERVER_CONNECTION_LIMITER_H_
