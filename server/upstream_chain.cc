#include "server/upstream_chain.h"

#include <utility>

#include "adapters/duplicate_suppressor.h"

namespace eko::server {

UpstreamChain::UpstreamChain(const GatewayConfig& config, adapter::UpstreamClient* upstream,
                             const Clock& clock)
    : admission_(
          adapter::AdmissionOptions{.min_deadline = config.min_deadline,
                                    .max_in_flight = config.max_inflight,
                                    .breaker_failures = static_cast<int>(config.breaker_failures),
                                    .breaker_open_for = config.breaker_open},
          upstream, clock) {
  if (config.dedupe_window <= absl::ZeroDuration()) return;
  if (config.idempotency_store == "memory") {
    duplicates_ = std::make_unique<adapter::DuplicateSuppressor>(
        config.dedupe_window, static_cast<size_t>(config.dedupe_max_entries));
  } else {
    // The flag was checked on start-up (ParseArgs).
    adapter::RedisDuplicateStoreOptions options;
    options.connection.address = adapter::ParseRedisUrl(config.idempotency_store).value();
    options.window = config.dedupe_window;
    options.failure_mode = config.idempotency_store_failure == "open"
                               ? adapter::StoreFailureMode::kOpen
                               : adapter::StoreFailureMode::kClosed;
    auto redis = std::make_unique<adapter::RedisDuplicateStore>(std::move(options));
    redis_ = redis.get();
    duplicates_ = std::move(redis);
  }
  deduplicating_ =
      std::make_unique<adapter::DeduplicatingClient>(duplicates_.get(), &coalescing_, clock);
}

}  // namespace eko::server
