#include "server/memory_trimmer.h"

#include <malloc.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>

#include "absl/time/clock.h"

namespace eko::server {

int64_t ResidentBytes() {
  FILE* statm = std::fopen("/proc/self/statm", "r");
  if (statm == nullptr) return -1;
  long long size = 0;
  long long resident = 0;
  const int read = std::fscanf(statm, "%lld %lld", &size, &resident);
  std::fclose(statm);
  if (read != 2) return -1;
  return static_cast<int64_t>(resident) * sysconf(_SC_PAGESIZE);
}

TrimResult TrimMemory() {
  TrimResult result;
  result.rss_before = ResidentBytes();
  const absl::Time start = absl::Now();
  malloc_trim(0);
  result.took = absl::Now() - start;
  result.rss_after = ResidentBytes();
  return result;
}

TrimPolicy::TrimPolicy(int64_t min_growth_bytes, int64_t rss_at_start, int64_t max_skipped_ticks)
    : min_growth_bytes_(min_growth_bytes),
      max_skipped_ticks_(max_skipped_ticks),
      floor_(rss_at_start) {}

bool TrimPolicy::Due(int64_t rss_now) {
  if (rss_now < 0) return false;
  if (floor_ < 0) floor_ = rss_now;
  if (ticks_to_skip_ > 0) {
    --ticks_to_skip_;
    return false;
  }
  return rss_now - floor_ >= min_growth_bytes_;
}

void TrimPolicy::Trimmed(const TrimResult& result) {
  if (result.rss_after >= 0)
    floor_ = floor_ < 0 ? result.rss_after : std::min(floor_, result.rss_after);
  const bool useful = result.rss_before - result.rss_after >= min_growth_bytes_ / 2;
  if (useful) {
    skip_after_useless_ = 0;
  } else {
    skip_after_useless_ =
        std::min(max_skipped_ticks_, std::max<int64_t>(1, 2 * skip_after_useless_));
  }
  ticks_to_skip_ = skip_after_useless_;
}

}  // namespace eko::server
