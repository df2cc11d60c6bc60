#ifndef EKO_SERVER_UPSTREAM_CHAIN_H_
#define EKO_SERVER_UPSTREAM_CHAIN_H_

#include <cstddef>
#include <memory>
#include <optional>

#include "adapters/coalescing_client.h"
#include "adapters/common/clock.h"
#include "adapters/deduplicating_client.h"
#include "adapters/duplicate_store.h"
#include "adapters/eko/admission_client.h"
#include "adapters/redis_duplicate_store.h"
#include "adapters/upstream_client.h"
#include "server/config.h"

namespace eko::server {

// The decorators the gateway puts between its handlers and the client that
// calls Eko, configured from GatewayConfig:
//   front() = duplicate suppression -> lookup coalescing -> admission
//             -> upstream
// Duplicate suppression comes first so that a repeat answered from an
// earlier call takes no admission slot and tells the breaker nothing; it is
// left out when --dedupe-window-ms is 0. Coalescing lets identical lookups
// in flight share one upstream call (one OTP SMS for a burst of GetCustomer
// retries), and so one admission slot. Its store is this replica's memory,
// or Redis with --idempotency-store=redis://... (connected in the
// background: the chain is usable at once). Tests build the same chain over
// a fake upstream.
class UpstreamChain {
 public:
  // `upstream` and `clock` must outlive the chain.
  UpstreamChain(const GatewayConfig& config, adapter::UpstreamClient* upstream,
                const Clock& clock = Clock::Real());

  // What the handlers call.
  adapter::UpstreamClient* front() {
    return deduplicating_ ? static_cast<adapter::UpstreamClient*>(deduplicating_.get())
                          : &coalescing_;
  }
  // Lookups answered by joining an identical one in flight.
  int64_t coalesced_lookups() const { return coalescing_.coalesced_calls(); }
  const adapter::AdmissionClient& admission() const { return admission_; }
  // Keys held for duplicate suppression (0 when it is off).
  size_t duplicate_entries() const { return duplicates_ ? duplicates_->size() : 0; }
  // Repeats waiting for, or being given, an earlier call's result.
  size_t pending_repeats() const { return deduplicating_ ? deduplicating_->pending_repeats() : 0; }
  // The Redis store's state; nullopt unless the store is Redis.
  std::optional<adapter::RedisDuplicateStore::Stats> redis_stats() const {
    if (redis_ == nullptr) return std::nullopt;
    return redis_->stats();
  }

 private:
  adapter::AdmissionClient admission_;
  adapter::CoalescingClient coalescing_{&admission_};
  std::unique_ptr<adapter::DuplicateStore> duplicates_;
  adapter::RedisDuplicateStore* redis_ = nullptr;  // duplicates_ when it is Redis
  std::unique_ptr<adapter::DeduplicatingClient> deduplicating_;
};

}  // namespace eko::server

#endif  // EKO_SERVER_UPSTREAM_CHAIN_H_
