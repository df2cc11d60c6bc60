#ifndef EKO_SERVER_MEMORY_TRIMMER_H_
#define EKO_SERVER_MEMORY_TRIMMER_H_

#include <cstdint>

#include "absl/time/time.h"

namespace eko::server {

// Resident set size of this process in bytes (/proc/self/statm); -1 when it
// cannot be read.
int64_t ResidentBytes();

struct TrimResult {
  int64_t rss_before = 0;
  int64_t rss_after = 0;
  absl::Duration took;
};

// Hands the allocator's free memory back to the operating system (glibc
// malloc_trim(0): every arena, also pages inside the heap).
TrimResult TrimMemory();

// When a periodic task should trim (pure; fed the resident size on every
// tick). After a peak (a flood of connections, a burst of calls) glibc keeps
// the freed memory; trimming returns it. A trim is due when the resident size
// has grown by `min_growth_bytes` over the lowest size seen right after a
// trim, so a gateway whose memory is back near its steady state is not
// trimmed. While trims return little (the peak still holds its memory), the
// task backs off: after each such trim it skips twice as many ticks as
// before, up to `max_skipped_ticks`; a useful trim resets that.
class TrimPolicy {
 public:
  // `rss_at_start` is the first floor (-1: the first tick's sample).
  TrimPolicy(int64_t min_growth_bytes, int64_t rss_at_start, int64_t max_skipped_ticks = 32);

  // Called once per tick.
  bool Due(int64_t rss_now);
  // Called after each trim.
  void Trimmed(const TrimResult& result);

 private:
  const int64_t min_growth_bytes_;
  const int64_t max_skipped_ticks_;
  int64_t floor_ = -1;  // lowest resident size seen after a trim (or first)
  int64_t skip_after_useless_ = 0;
  int64_t ticks_to_skip_ = 0;
};

}  // namespace eko::server

#endif  // EKO_SERVER_MEMORY_TRIMMER_H_
