#include "server/memory_trimmer.h"

#include <cstdlib>
#include <cstring>
#include <utility>
#include <vector>

#include "gtest/gtest.h"

namespace eko::server {
namespace {

constexpr int64_t kMiB = 1 << 20;

TrimResult Trim(int64_t before, int64_t after) { return {before, after, absl::Milliseconds(1)}; }

TEST(TrimPolicyTest, TrimsOnlyAfterGrowthOverTheLevelAfterTheLastTrim) {
  TrimPolicy policy(16 * kMiB, -1);
  EXPECT_FALSE(policy.Due(60 * kMiB));  // first sample: the floor
  EXPECT_FALSE(policy.Due(70 * kMiB));
  ASSERT_TRUE(policy.Due(300 * kMiB));  // a peak
  policy.Trimmed(Trim(300 * kMiB, 64 * kMiB));
  EXPECT_FALSE(policy.Due(64 * kMiB));
  EXPECT_TRUE(policy.Due(90 * kMiB));
}

TEST(TrimPolicyTest, APeakAtTheFirstTickIsMeasuredFromTheStart) {
  TrimPolicy policy(16 * kMiB, 25 * kMiB);
  EXPECT_TRUE(policy.Due(45 * kMiB));
}

TEST(TrimPolicyTest, BacksOffWhileTrimsReturnLittle) {
  TrimPolicy policy(16 * kMiB, 50 * kMiB, 4);
  ASSERT_TRUE(policy.Due(200 * kMiB));  // the peak still holds its memory
  policy.Trimmed(Trim(200 * kMiB, 199 * kMiB));
  EXPECT_FALSE(policy.Due(200 * kMiB));  // skips 1
  ASSERT_TRUE(policy.Due(200 * kMiB));
  policy.Trimmed(Trim(200 * kMiB, 200 * kMiB));
  EXPECT_FALSE(policy.Due(200 * kMiB));  // skips 2
  EXPECT_FALSE(policy.Due(200 * kMiB));
  ASSERT_TRUE(policy.Due(200 * kMiB));
  policy.Trimmed(Trim(200 * kMiB, 200 * kMiB));
  for (int i = 0; i < 4; ++i) EXPECT_FALSE(policy.Due(200 * kMiB)) << i;  // at most 4
  ASSERT_TRUE(policy.Due(200 * kMiB));
  policy.Trimmed(Trim(200 * kMiB, 55 * kMiB));  // the peak is over: useful
  EXPECT_FALSE(policy.Due(60 * kMiB));
  EXPECT_TRUE(policy.Due(80 * kMiB));  // no skipping after a useful trim
}

TEST(TrimMemoryTest, ReturnsFreedHeapPages) {
#ifdef EKO_SANITIZED
  GTEST_SKIP() << "ASan's allocator keeps freed memory in quarantine and ignores malloc_trim";
#endif
  // Small blocks (below the mmap threshold) come from the heap; keeping every
  // 16th one leaves the freed memory in holes that free() cannot return by
  // shrinking the heap, as after a peak of connections.
  std::vector<char*> blocks;
  for (int i = 0; i < 20000; ++i) {
    blocks.push_back(static_cast<char*>(std::malloc(4000)));
    std::memset(blocks.back(), 1, 4000);
  }
  for (size_t i = 0; i < blocks.size(); ++i) {
    if (i % 16 != 0) std::free(std::exchange(blocks[i], nullptr));
  }
  const TrimResult result = TrimMemory();
  for (char* block : blocks) std::free(block);
  ASSERT_GT(result.rss_before, 0);
  EXPECT_GT(result.rss_before - result.rss_after, 40 * kMiB)
      << "before " << result.rss_before << " after " << result.rss_after;
}

}  // namespace
}  // namespace eko::server
