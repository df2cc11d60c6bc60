// CreateCurlTransport: curl_global_init, then `loops` event loops behind one Transport.
#include "adapters/eko/transport.h"

#include <curl/curl.h>

#include <algorithm>
#include <atomic>
#include <mutex>
#include <utility>

#include "absl/status/status.h"
#include "adapters/eko/event_loop.h"

namespace eko::adapter {
namespace {

// Spreads transfers round-robin over several loops. Ids carry the loop index
// in their top byte so Cancel reaches the right one.
class ShardedTransport final : public Transport {
 public:
  explicit ShardedTransport(std::vector<std::unique_ptr<Transport>> shards)
      : shards_(std::move(shards)) {}

  uint64_t Submit(HttpRequest request, Callback done) override {
    const uint64_t shard = next_.fetch_add(1, std::memory_order_relaxed) % shards_.size();
    const uint64_t id = shards_[shard]->Submit(std::move(request), std::move(done));
    return (shard << kShardShift) | id;
  }
  void Cancel(uint64_t id) override {
    const uint64_t shard = id >> kShardShift;
    if (shard < shards_.size()) shards_[shard]->Cancel(id & ((uint64_t{1} << kShardShift) - 1));
  }
  absl::Time LastProgress() const override {
    absl::Time oldest = absl::InfiniteFuture();
    for (const auto& shard : shards_) oldest = std::min(oldest, shard->LastProgress());
    return oldest;
  }

 private:
  static constexpr int kShardShift = 56;
  std::vector<std::unique_ptr<Transport>> shards_;
  std::atomic<uint64_t> next_{0};
};

}  // namespace

absl::StatusOr<std::unique_ptr<Transport>> CreateCurlTransport(CurlTransportOptions options) {
  static std::once_flag init_once;
  static CURLcode init_result = CURLE_OK;
  std::call_once(init_once, [] { init_result = curl_global_init(CURL_GLOBAL_DEFAULT); });
  if (init_result != CURLE_OK) return absl::InternalError("curl_global_init failed");
  const int loops = std::max(1, options.loops);
  std::vector<std::unique_ptr<Transport>> shards;
  for (int i = 0; i < loops; ++i) {
    CurlTransportOptions loop_options = options;
    // The warm-up connections are spread over the loops.
    loop_options.prewarm_connections =
        options.prewarm_connections / loops + (i < options.prewarm_connections % loops ? 1 : 0);
    absl::StatusOr<std::unique_ptr<Transport>> loop = StartCurlEventLoop(loop_options);
    if (!loop.ok()) return loop.status();
    shards.push_back(*std::move(loop));
  }
  if (loops == 1) return std::move(shards.front());
  return std::unique_ptr<Transport>(std::make_unique<ShardedTransport>(std::move(shards)));
}

}  // namespace eko::adapter
