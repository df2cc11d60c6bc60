#include "server/upstream_chain.h"

namespace eko::server {

UpstreamChain::UpstreamChain(const GatewayConfig& config, adapter::UpstreamClient* upstream,
                             const Clock& clock)
    : admission_(
          adapter::AdmissionOptions{.min_deadline = config.min_deadline,
                                    .max_in_flight = config.max_inflight,
                                    .breaker_failures = static_cast<int>(config.breaker_failures),
                                    .breaker_open_for = config.breaker_open},
          upstream, clock) {
  if (config.dedupe_window > absl::ZeroDuration()) {
    duplicates_ = std::make_unique<adapter::DuplicateSuppressor>(
        config.dedupe_window, static_cast<size_t>(config.dedupe_max_entries));
    deduplicating_ =
        std::make_unique<adapter::DeduplicatingClient>(duplicates_.get(), &admission_, clock);
  }
}

}  // namespace eko::server
