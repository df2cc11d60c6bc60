#include "adapters/redis_duplicate_store.h"

#include <hiredis/hiredis.h>

#include <algorithm>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "adapters/common/log.h"
#include "adapters/common/rich_status.h"
#include "adapters/eko/error_table.h"
#include "adapters/redis_record.h"

namespace eko::adapter {
namespace {

// At most one `idempotency_store_fallback` log line per this period.
constexpr absl::Duration kFallbackLogPeriod = absl::Seconds(10);
// A definitive result that could not be written is tried again this often,
// this many times, so repeats elsewhere do not wait for a claim's TTL.
constexpr absl::Duration kRewriteDelay = absl::Milliseconds(250);
constexpr int kRewrites = 20;
// A key that vanishes between SET NX and GET this many times in a row.
constexpr int kMaxClaims = 3;

}  // namespace

struct RedisDuplicateStore::Attempt {
  DuplicateStore::Claim claim;
  Decided decided;
  absl::Duration next_poll;
  int claims = 0;
};

RedisDuplicateStore::RedisDuplicateStore(RedisDuplicateStoreOptions options)
    : options_(std::move(options)), connection_(options_.connection) {}

RedisDuplicateStore::~RedisDuplicateStore() = default;

DuplicateStore::Verdict RedisDuplicateStore::Begin(const Claim& claim, Decided decided) {
  if (!connection_.connected()) return Unreachable();
  auto attempt = std::make_shared<Attempt>(Attempt{claim, std::move(decided), options_.first_poll});
  waiting_.fetch_add(1);
  connection_.Post([this, attempt] { TryClaim(attempt); });
  return Verdict{};
}

void RedisDuplicateStore::TryClaim(std::shared_ptr<Attempt> attempt) {
  if (++attempt->claims > kMaxClaims) return Decide(attempt, Unreachable());
  const std::string& key = attempt->claim.key;
  connection_.Command({"SET", options_.key_prefix + key,
                       EncodeStoredCall({.fingerprint = attempt->claim.fingerprint}), "NX", "PX",
                       absl::StrCat(absl::ToInt64Milliseconds(options_.window))},
                      [this, attempt](const redisReply* reply) {
                        if (reply == nullptr) return Decide(attempt, Unreachable());
                        if (reply->type != REDIS_REPLY_STATUS)
                          return Lookup(attempt);  // nil: taken
                        {
                          std::lock_guard<std::mutex> lock(mu_);
                          claimed_[attempt->claim.key] = attempt->claim.fingerprint;
                        }
                        Decide(attempt, Verdict{.kind = Verdict::Kind::kProceed});
                      });
}

void RedisDuplicateStore::Lookup(std::shared_ptr<Attempt> attempt) {
  connection_.Command(
      {"GET", options_.key_prefix + attempt->claim.key}, [this, attempt](const redisReply* reply) {
        if (reply == nullptr) return Decide(attempt, Unreachable());
        if (reply->type == REDIS_REPLY_NIL) return TryClaim(attempt);  // expired or deleted since
        std::optional<StoredCall> stored;
        if (reply->type == REDIS_REPLY_STRING) {
          stored = DecodeStoredCall(absl::string_view(reply->str, reply->len));
        }
        if (!stored.has_value()) {
          log::Write(log::Level::kWarn, "idempotency_store_bad_value", {});
          return Decide(attempt, Unreachable());
        }
        if (stored->fingerprint != attempt->claim.fingerprint) {
          return Decide(attempt, Verdict{.kind = Verdict::Kind::kConflict});
        }
        if (stored->finished) {
          return Decide(attempt, Verdict{.kind = Verdict::Kind::kReplay,
                                         .outcome = std::move(stored->outcome)});
        }
        // In flight on some replica: look again later, within the deadline.
        if (absl::Now() + attempt->next_poll >= attempt->claim.deadline) {
          Verdict late{.kind = Verdict::Kind::kRefused};
          late.outcome.status =
              rich::ErrorBuilder(absl::StatusCode::kDeadlineExceeded,
                                 rich::reason::kUpstreamTimeout,
                                 "the first call with this client_ref_id was still "
                                 "in flight at the deadline")
                  .Metadata("upstreamOutcome", "UNKNOWN");
          return Decide(attempt, std::move(late));
        }
        connection_.RunAfter(attempt->next_poll, [this, attempt] { Lookup(attempt); });
        attempt->next_poll = std::min(attempt->next_poll * 2, options_.max_poll);
      });
}

void RedisDuplicateStore::Decide(const std::shared_ptr<Attempt>& attempt, Verdict verdict) {
  waiting_.fetch_sub(1);
  std::move(attempt->decided)(std::move(verdict));
}

DuplicateStore::Verdict RedisDuplicateStore::Unreachable() {
  if (options_.failure_mode == StoreFailureMode::kClosed) {
    refused_.fetch_add(1);
    Verdict refused{.kind = Verdict::Kind::kRefused};
    refused.outcome.status =
        RowError(ErrorId::kIdempotencyStoreUnavailable)
            .Metadata("upstreamOutcome",
                      ErrorRowFor(ErrorId::kIdempotencyStoreUnavailable).upstream_outcome)
            .RetryAfter(absl::Seconds(1));
    return refused;
  }
  passed_open_.fetch_add(1);
  const int64_t now_ns = absl::ToUnixNanos(absl::Now());
  int64_t last = last_fallback_log_ns_.load();
  if (now_ns - last >= absl::ToInt64Nanoseconds(kFallbackLogPeriod) &&
      last_fallback_log_ns_.compare_exchange_strong(last, now_ns)) {
    log::Write(log::Level::kWarn, "idempotency_store_fallback",
               {{"message",
                 "the idempotency store is unreachable: calls with a client_ref_id go upstream "
                 "without cross-replica duplicate suppression (--idempotency-store-failure=open)"},
                {"passed_total", absl::StrCat(passed_open_.load())}});
  }
  return Verdict{.kind = Verdict::Kind::kProceed, .tracked = false};
}

void RedisDuplicateStore::Finish(const std::string& key, const Outcome& outcome,
                                 absl::Time /*now*/) {
  std::string fingerprint;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = claimed_.find(key);
    if (it == claimed_.end()) return;  // not claimed here
    fingerprint = std::move(it->second);
    claimed_.erase(it);
  }
  std::vector<std::string> command;
  if (IsDefinitive(outcome.status)) {
    command = {"SET", options_.key_prefix + key,
               EncodeStoredCall({.fingerprint = fingerprint, .finished = true, .outcome = outcome}),
               "PX", absl::StrCat(absl::ToInt64Milliseconds(options_.window))};
  } else {
    command = {"DEL", options_.key_prefix + key};  // a retry goes upstream again
  }
  connection_.Post([this, command = std::move(command)] { Write(command, kRewrites); });
}

void RedisDuplicateStore::Write(const std::vector<std::string>& command, int tries_left) {
  connection_.Command(command, [this, command, tries_left](const redisReply* reply) {
    if (reply != nullptr || tries_left == 0) return;
    connection_.RunAfter(kRewriteDelay,
                         [this, command, tries_left] { Write(command, tries_left - 1); });
  });
}

size_t RedisDuplicateStore::size() const {
  std::lock_guard<std::mutex> lock(mu_);
  return claimed_.size() + static_cast<size_t>(std::max<int64_t>(0, waiting_.load()));
}

RedisDuplicateStore::Stats RedisDuplicateStore::stats() const {
  return Stats{.connected = connection_.connected(),
               .errors = connection_.errors(),
               .passed_open = passed_open_.load(),
               .refused = refused_.load()};
}

}  // namespace eko::adapter
