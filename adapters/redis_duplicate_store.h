#ifndef EKO_ADAPTERS_REDIS_DUPLICATE_STORE_H_
#define EKO_ADAPTERS_REDIS_DUPLICATE_STORE_H_

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "adapters/duplicate_store.h"
#include "adapters/redis_connection.h"

namespace eko::adapter {

// What to do with a call that carries a client_ref_id while Redis cannot be
// reached.
enum class StoreFailureMode {
  kClosed,  // refuse it: error row idempotency-store-unavailable, nothing sent
  kOpen,    // send it without duplicate suppression (logged, counted)
};

struct RedisDuplicateStoreOptions {
  RedisConnectionOptions connection;
  // How long a claim and a definitive result live (the key's TTL).
  absl::Duration window = absl::Minutes(10);
  StoreFailureMode failure_mode = StoreFailureMode::kClosed;
  // Prepended to every key.
  std::string key_prefix = "eko-gateway:dedupe:";
  // A repeat of a call in flight on any replica re-reads the key after
  // these delays (doubling), until its deadline.
  absl::Duration first_poll = absl::Milliseconds(10);
  absl::Duration max_poll = absl::Milliseconds(200);
};

// A DuplicateStore shared by every replica through Redis. One key per call:
// `SET key <fingerprint, in flight> NX PX window` claims it; the first call's
// definitive outcome (DuplicateStore::IsDefinitive) replaces the value
// (same TTL); any other deletes the key so that a retry goes upstream again. A repeat finds the
// value: another fingerprint is a conflict, a result is replayed, and a
// call in flight is polled for (with backoff, within the repeat's deadline).
// Every verdict is decided on the connection's thread (kPending), except
// when Redis is down: then at once, by the failure mode.
class RedisDuplicateStore final : public DuplicateStore {
 public:
  explicit RedisDuplicateStore(RedisDuplicateStoreOptions options);
  ~RedisDuplicateStore() override;

  Verdict Begin(const Claim& claim, Decided decided) override;
  void Finish(const std::string& key, const Outcome& outcome, absl::Time now) override;
  // Calls of this replica with a claim or a wait under way.
  size_t size() const override;

  struct Stats {
    bool connected = false;
    int64_t errors = 0;       // failed Redis commands and connections
    int64_t passed_open = 0;  // calls sent without suppression (open)
    int64_t refused = 0;      // calls refused (closed)
  };
  Stats stats() const;

 private:
  struct Attempt;
  void TryClaim(std::shared_ptr<Attempt> attempt);
  void Lookup(std::shared_ptr<Attempt> attempt);
  void Decide(const std::shared_ptr<Attempt>& attempt, Verdict verdict);
  // The verdict while Redis cannot answer, by the failure mode.
  Verdict Unreachable();
  // Sends `command` (the first call's result, or its release), again after
  // a delay while it fails, at most `tries_left` more times.
  void Write(const std::vector<std::string>& command, int tries_left);

  const RedisDuplicateStoreOptions options_;
  mutable std::mutex mu_;
  std::unordered_map<std::string, std::string> claimed_;  // key -> fingerprint
  std::atomic<int64_t> waiting_{0};
  std::atomic<int64_t> passed_open_{0};
  std::atomic<int64_t> refused_{0};
  std::atomic<int64_t> last_fallback_log_ns_{0};
  RedisConnection connection_;  // last: its thread stops before the members above go
};

}  // namespace eko::adapter

#endif  // EKO_ADAPTERS_REDIS_DUPLICATE_STORE_H_
