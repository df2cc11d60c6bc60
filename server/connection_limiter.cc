#include "server/connection_limiter.h"

#include <sys/stat.h>

#include <algorithm>
#include <utility>
#include <vector>

namespace eko::server {

std::optional<uint64_t> FdInode(int fd) {
  struct stat st {};
  if (fstat(fd, &st) != 0) return std::nullopt;
  return static_cast<uint64_t>(st.st_ino);
}

int64_t FdBoundedConnectionCap(int64_t configured, int64_t open_file_limit,
                               int64_t upstream_reserved, int64_t fds_in_use) {
  return std::min(configured,
                  open_file_limit - upstream_reserved - fds_in_use - kConnectionFdMargin);
}

ConnectionLimiter::ConnectionLimiter(Limits limits, FdInspector inspector, Clock clock,
                                     absl::Duration min_reconcile_interval,
                                     absl::Duration log_interval)
    : limits_(limits),
      inspector_(std::move(inspector)),
      clock_(std::move(clock)),
      min_reconcile_interval_(min_reconcile_interval),
      log_interval_(log_interval) {}

void ConnectionLimiter::DropLocked(int fd) {
  auto it = by_fd_.find(fd);
  if (it == by_fd_.end()) return;
  if (!it->second.peer.empty()) {
    auto peer = per_peer_.find(it->second.peer);
    if (peer != per_peer_.end() && --peer->second <= 0) per_peer_.erase(peer);
  }
  by_fd_.erase(it);
}

int64_t ConnectionLimiter::ReconcileLocked() {
  last_reconcile_ = clock_();
  std::vector<int> stale;
  for (const auto& [fd, entry] : by_fd_) {
    const std::optional<uint64_t> inode = inspector_(fd);
    if (!inode.has_value() || *inode != entry.inode) stale.push_back(fd);
  }
  for (const int fd : stale) DropLocked(fd);
  return static_cast<int64_t>(stale.size());
}

std::optional<ConnectionLimiter::Verdict> ConnectionLimiter::CapReachedLocked(
    const std::string& peer) const {
  if (static_cast<int64_t>(by_fd_.size()) >= limits_.max_connections) {
    return Verdict::kRefusedTotalCap;
  }
  if (limits_.max_connections_per_peer > 0 && !peer.empty()) {
    auto it = per_peer_.find(peer);
    if (it != per_peer_.end() && it->second >= limits_.max_connections_per_peer) {
      return Verdict::kRefusedPeerCap;
    }
  }
  return std::nullopt;
}

ConnectionLimiter::Decision ConnectionLimiter::Admit(int fd, uint64_t inode,
                                                     const std::string& peer) {
  absl::MutexLock lock(&mu_);
  // accept() just returned this number, so whatever held it before is closed.
  DropLocked(fd);
  std::optional<Verdict> refused = CapReachedLocked(peer);
  if (refused.has_value() && clock_() - last_reconcile_ >= min_reconcile_interval_) {
    ReconcileLocked();
    refused = CapReachedLocked(peer);
  }
  if (!refused.has_value()) {
    by_fd_[fd] = Entry{inode, peer};
    if (!peer.empty()) ++per_peer_[peer];
    ++counters_.accepted_total;
    return Decision{};
  }
  return RefuseLocked(*refused, 1, peer);
}

ConnectionLimiter::Decision ConnectionLimiter::CountRefused(int64_t count,
                                                            const std::string& peer) {
  absl::MutexLock lock(&mu_);
  return RefuseLocked(Verdict::kRefusedTotalCap, count, peer);
}

std::optional<ConnectionLimiter::Unlogged> ConnectionLimiter::TakeUnloggedRefusals() {
  absl::MutexLock lock(&mu_);
  const absl::Time now = clock_();
  if (refusals_not_logged_ == 0 || now - last_log_ < log_interval_) return std::nullopt;
  last_log_ = now;
  Unlogged out;
  out.decision.verdict = last_refusal_;
  out.decision.log = true;
  out.decision.refusals_not_logged = std::exchange(refusals_not_logged_, 0) - 1;
  out.peer = last_refused_peer_;
  return out;
}

ConnectionLimiter::Decision ConnectionLimiter::RefuseLocked(Verdict verdict, int64_t count,
                                                            const std::string& peer) {
  last_refusal_ = verdict;
  last_refused_peer_ = peer;
  Decision decision;
  decision.verdict = verdict;
  (verdict == Verdict::kRefusedTotalCap ? counters_.refused_total_cap
                                        : counters_.refused_peer_cap) += count;
  const absl::Time now = clock_();
  if (now - last_log_ >= log_interval_) {
    last_log_ = now;
    decision.log = true;
    decision.refusals_not_logged = std::exchange(refusals_not_logged_, 0) + count - 1;
  } else {
    refusals_not_logged_ += count;
  }
  return decision;
}

int64_t ConnectionLimiter::Reconcile() {
  absl::MutexLock lock(&mu_);
  return ReconcileLocked();
}

ConnectionLimiter::Stats ConnectionLimiter::stats() const {
  absl::MutexLock lock(&mu_);
  Stats out = counters_;
  out.open = static_cast<int64_t>(by_fd_.size());
  return out;
}

}  // namespace eko::server
