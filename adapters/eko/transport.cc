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

// See SpreadOverLoops. Ids carry the loop index in their top byte so
// Cancel reaches the right one.
class ShardedTransport final : public Transport {
 public:
  explicit ShardedTransport(std::vector<std::unique_ptr<Transport>> shards)
      : shards_(std::move(shards)) {}

  uint64_t Submit(HttpRequest request, Callback done) override {
    const uint64_t shard = LeastLoaded(next_.fetch_add(1, std::memory_order_relaxed));
    const uint64_t id = shards_[shard]->Submit(std::move(request), std::move(done));
    return (shard << kShardShift) | id;
  }
  void Cancel(uint64_t id) override {
    const uint64_t shard = id >> kShardShift;
    if (shard < shards_.size()) shards_[shard]->Cancel(id & ((uint64_t{1} << kShardShift) - 1));
  }
  int64_t InFlight() const override {
    int64_t sum = 0;
    for (const auto& shard : shards_) sum += shard->InFlight();
    return sum;
  }
  absl::Time LastProgress() const override {
    absl::Time oldest = absl::InfiniteFuture();
    for (const auto& shard : shards_) oldest = std::min(oldest, shard->LastProgress());
    return oldest;
  }

 private:
  static constexpr int kShardShift = 56;

  uint64_t LeastLoaded(uint64_t turn) const {
    const size_t n = shards_.size();
    size_t best = turn % n;
    int64_t best_load = shards_[best]->InFlight();
    for (size_t k = 1; k < n && best_load > 0; ++k) {
      const size_t i = (turn + k) % n;
      const int64_t load = shards_[i]->InFlight();
      if (load < best_load) {
        best = i;
        best_load = load;
      }
    }
    return best;
  }
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
  return SpreadOverLoops(std::move(shards));
}

std::unique_ptr<Transport> SpreadOverLoops(std::vector<std::unique_ptr<Transport>> loops) {
  if (loops.size() == 1) return std::move(loops.front());
  return std::make_unique<ShardedTransport>(std::move(loops));
}

}  // namespace eko::adapter
