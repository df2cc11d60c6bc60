#include "adapters/duplicate_suppressor.h"

#include <utility>

#include "adapters/common/rich_status.h"

namespace eko::adapter {

DuplicateSuppressor::DuplicateSuppressor(absl::Duration window, size_t max_entries)
    : window_(window), max_entries_(max_entries) {}

bool DuplicateStore::IsDefinitive(const absl::Status& status) {
  if (status.ok()) return true;
  google::rpc::ErrorInfo info;
  if (!rich::GetErrorInfo(status, &info)) return false;
  const auto& metadata = info.metadata();
  if (metadata.count("ekoStatus") > 0) return true;
  const auto outcome = metadata.find("upstreamOutcome");
  return outcome != metadata.end() && outcome->second == "UNKNOWN";
}

void DuplicateSuppressor::EvictLocked(absl::Time now) {
  // Expired entries first (finished_order_ is in expiry order), then the
  // oldest finished ones while over the bound.
  while (!finished_order_.empty()) {
    auto it = entries_.find(finished_order_.front());
    const bool expired = it != entries_.end() && it->second.expires <= now;
    if (!expired && entries_.size() < max_entries_) break;
    if (it != entries_.end()) entries_.erase(it);
    finished_order_.pop_front();
  }
}

DuplicateSuppressor::Verdict DuplicateSuppressor::Begin(const Claim& claim, Decided decided) {
  std::lock_guard<std::mutex> lock(mu_);
  EvictLocked(claim.now);
  Verdict verdict;
  auto it = entries_.find(claim.key);
  if (it == entries_.end()) {
    verdict.kind = Verdict::Kind::kProceed;
    if (entries_.size() >= max_entries_) {
      verdict.tracked = false;
      return verdict;
    }
    Entry entry;
    entry.fingerprint = claim.fingerprint;
    entry.order = finished_order_.end();
    entries_.emplace(claim.key, std::move(entry));
    return verdict;
  }
  Entry& entry = it->second;
  if (entry.fingerprint != claim.fingerprint) {
    verdict.kind = Verdict::Kind::kConflict;
  } else if (!entry.finished) {
    entry.waiters.push_back(std::move(decided));  // kPending
  } else {
    verdict.kind = Verdict::Kind::kReplay;
    verdict.outcome = entry.outcome;
  }
  return verdict;
}

void DuplicateSuppressor::Finish(const std::string& key, const Outcome& outcome, absl::Time now) {
  std::vector<Decided> waiters;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = entries_.find(key);
    if (it == entries_.end() || it->second.finished) return;  // untracked
    waiters.swap(it->second.waiters);
    if (IsDefinitive(outcome.status)) {
      it->second.finished = true;
      it->second.outcome = outcome;
      it->second.expires = now + window_;
      it->second.order = finished_order_.insert(finished_order_.end(), key);
    } else {
      entries_.erase(it);
    }
  }
  for (Decided& waiter : waiters) {
    std::move(waiter)(Verdict{.kind = Verdict::Kind::kReplay, .outcome = outcome});
  }
}

size_t DuplicateSuppressor::size() const {
  std::lock_guard<std::mutex> lock(mu_);
  return entries_.size();
}

}  // namespace eko::adapter
