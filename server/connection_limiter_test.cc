#include "server/connection_limiter.h"

#include <map>
#include <optional>
#include <string>

#include "gtest/gtest.h"

namespace eko::server {
namespace {

using Verdict = ConnectionLimiter::Verdict;

// Open fds and their inodes as the limiter's inspector sees them, and a clock
// the test moves.
class FakeProcess {
 public:
  // Simulates accept() returning `fd` with a fresh inode; returns the inode.
  uint64_t Open(int fd) {
    fds_[fd] = ++next_inode_;
    return fds_[fd];
  }
  void Close(int fd) { fds_.erase(fd); }

  ConnectionLimiter Limiter(int64_t max, int64_t per_peer) {
    return ConnectionLimiter(
        {max, per_peer},
        [this](int fd) -> std::optional<uint64_t> {
          ++inspections_;
          auto it = fds_.find(fd);
          if (it == fds_.end()) return std::nullopt;
          return it->second;
        },
        [this] { return now_; }, absl::Milliseconds(50), absl::Seconds(1));
  }

  Verdict Accept(ConnectionLimiter& limiter, int fd, const std::string& peer) {
    return limiter.Admit(fd, Open(fd), peer).verdict;
  }

  absl::Time now_ = absl::UnixEpoch();
  int inspections_ = 0;

 private:
  std::map<int, uint64_t> fds_;
  uint64_t next_inode_ = 1000;
};

TEST(ConnectionLimiterTest, RefusesBeyondTheTotalCapUntilAConnectionCloses) {
  FakeProcess process;
  ConnectionLimiter limiter = process.Limiter(2, 0);
  EXPECT_EQ(process.Accept(limiter, 10, "10.0.0.1"), Verdict::kAccepted);
  EXPECT_EQ(process.Accept(limiter, 11, "10.0.0.2"), Verdict::kAccepted);
  EXPECT_EQ(process.Accept(limiter, 12, "10.0.0.3"), Verdict::kRefusedTotalCap);
  process.Close(12);  // gRPC closes the refused one
  process.Close(10);
  process.now_ += absl::Seconds(1);
  // The cap is reached in the table; Admit reconciles and finds fd 10 closed.
  EXPECT_EQ(process.Accept(limiter, 13, "10.0.0.3"), Verdict::kAccepted);
  const ConnectionLimiter::Stats stats = limiter.stats();
  EXPECT_EQ(stats.open, 2);
  EXPECT_EQ(stats.accepted_total, 3);
  EXPECT_EQ(stats.refused_total_cap, 1);
  EXPECT_EQ(stats.refused_peer_cap, 0);
}

TEST(ConnectionLimiterTest, PerPeerCapLeavesOtherPeersServed) {
  FakeProcess process;
  ConnectionLimiter limiter = process.Limiter(100, 2);
  EXPECT_EQ(process.Accept(limiter, 10, "10.0.0.1"), Verdict::kAccepted);
  EXPECT_EQ(process.Accept(limiter, 11, "10.0.0.1"), Verdict::kAccepted);
  EXPECT_EQ(process.Accept(limiter, 12, "10.0.0.1"), Verdict::kRefusedPeerCap);
  process.Close(12);
  EXPECT_EQ(process.Accept(limiter, 12, "10.0.0.2"), Verdict::kAccepted);
  // A peer without an address (a Unix socket) has only the total cap.
  for (int fd = 20; fd < 25; ++fd) EXPECT_EQ(process.Accept(limiter, fd, ""), Verdict::kAccepted);
  EXPECT_EQ(limiter.stats().refused_peer_cap, 1);
  EXPECT_EQ(limiter.stats().open, 8);
}

TEST(ConnectionLimiterTest, AReusedFdNumberIsStale) {
  FakeProcess process;
  ConnectionLimiter limiter = process.Limiter(1, 0);
  ASSERT_EQ(process.Accept(limiter, 10, "10.0.0.1"), Verdict::kAccepted);
  // gRPC closed the connection; an upstream socket got the same number.
  process.Close(10);
  process.Open(10);
  EXPECT_EQ(limiter.Reconcile(), 1);
  EXPECT_EQ(limiter.stats().open, 0);
}

TEST(ConnectionLimiterTest, AnAcceptOnAKnownFdReplacesTheOldEntry) {
  FakeProcess process;
  ConnectionLimiter limiter = process.Limiter(1, 1);
  ASSERT_EQ(process.Accept(limiter, 10, "10.0.0.1"), Verdict::kAccepted);
  process.Close(10);
  // No reconcile is allowed yet (same instant), but the number was reused by
  // accept itself, so the old entry cannot be open any more.
  EXPECT_EQ(process.Accept(limiter, 10, "10.0.0.1"), Verdict::kAccepted);
  EXPECT_EQ(limiter.stats().open, 1);
  EXPECT_EQ(limiter.stats().refused_total_cap, 0);
}

TEST(ConnectionLimiterTest, AFloodAtTheCapReconcilesAtMostOncePerInterval) {
  FakeProcess process;
  ConnectionLimiter limiter = process.Limiter(100, 0);
  for (int fd = 0; fd < 100; ++fd) ASSERT_EQ(process.Accept(limiter, fd, "a"), Verdict::kAccepted);
  process.inspections_ = 0;
  for (int fd = 100; fd < 1100; ++fd) {
    EXPECT_EQ(process.Accept(limiter, fd, "b"), Verdict::kRefusedTotalCap);
    process.Close(fd);
  }
  EXPECT_EQ(process.inspections_, 100);  // one reconcile of the 100 entries
  process.now_ += absl::Milliseconds(50);
  process.Close(5);
  EXPECT_EQ(process.Accept(limiter, 2000, "b"), Verdict::kAccepted);
  EXPECT_EQ(limiter.stats().refused_total_cap, 1000);
}

TEST(ConnectionLimiterTest, RefusalsAreLoggedAtMostOncePerInterval) {
  FakeProcess process;
  ConnectionLimiter limiter = process.Limiter(1, 0);
  ASSERT_EQ(process.Accept(limiter, 10, "a"), Verdict::kAccepted);
  ConnectionLimiter::Decision first = limiter.Admit(11, process.Open(11), "b");
  EXPECT_TRUE(first.log);
  EXPECT_EQ(first.refusals_not_logged, 0);
  for (int fd = 12; fd < 22; ++fd) EXPECT_FALSE(limiter.Admit(fd, process.Open(fd), "b").log);
  process.now_ += absl::Seconds(1);
  ConnectionLimiter::Decision later = limiter.Admit(30, process.Open(30), "b");
  EXPECT_TRUE(later.log);
  EXPECT_EQ(later.refusals_not_logged, 10);
}

TEST(ConnectionLimiterTest, RefusalsCountedWithoutAdmitAreLoggedLikeOthers) {
  FakeProcess process;
  ConnectionLimiter limiter = process.Limiter(1, 0);
  ConnectionLimiter::Decision first = limiter.CountRefused(5, "a");
  EXPECT_TRUE(first.log);
  EXPECT_EQ(first.refusals_not_logged, 4);
  EXPECT_FALSE(limiter.CountRefused(3, "b").log);
  process.now_ += absl::Seconds(1);
  EXPECT_EQ(limiter.CountRefused(1, "c").refusals_not_logged, 3);
  EXPECT_EQ(limiter.stats().refused_total_cap, 9);
  EXPECT_EQ(limiter.stats().accepted_total, 0);
}

TEST(ConnectionLimiterTest, TheEndOfABurstIsLoggedLater) {
  FakeProcess process;
  ConnectionLimiter limiter = process.Limiter(100, 1);
  ASSERT_EQ(process.Accept(limiter, 10, "a"), Verdict::kAccepted);
  EXPECT_TRUE(limiter.Admit(11, process.Open(11), "a").log);
  EXPECT_FALSE(limiter.TakeUnloggedRefusals().has_value());  // nothing left
  EXPECT_FALSE(limiter.Admit(12, process.Open(12), "a").log);
  EXPECT_FALSE(limiter.Admit(13, process.Open(13), "b").log);  // accepted
  EXPECT_FALSE(limiter.Admit(14, process.Open(14), "b").log);
  EXPECT_FALSE(limiter.TakeUnloggedRefusals().has_value());  // too soon
  process.now_ += absl::Seconds(1);
  std::optional<ConnectionLimiter::Unlogged> unlogged = limiter.TakeUnloggedRefusals();
  ASSERT_TRUE(unlogged.has_value());
  EXPECT_EQ(unlogged->peer, "b");
  EXPECT_EQ(unlogged->decision.verdict, Verdict::kRefusedPeerCap);
  EXPECT_EQ(unlogged->decision.refusals_not_logged, 1);
  process.now_ += absl::Seconds(1);
  EXPECT_FALSE(limiter.TakeUnloggedRefusals().has_value());
}

TEST(ConnectionLimiterTest, OpenFileLimitBoundsTheCap) {
  // 256 files, 64 reserved, 20 in use, margin 32: room for 140.
  EXPECT_EQ(FdBoundedConnectionCap(2048, 256, 64, 20), 256 - 64 - 20 - kConnectionFdMargin);
  EXPECT_EQ(FdBoundedConnectionCap(100, 1 << 20, 1024, 20), 100);
  EXPECT_LE(FdBoundedConnectionCap(100, 100, 64, 20), 0);
}

TEST(ConnectionLimiterTest, FdInodeSeesOpenAndClosedFds) {
  EXPECT_TRUE(FdInode(0).has_value() || FdInode(1).has_value());
  EXPECT_FALSE(FdInode(-1).has_value());
}

}  // namespace
}  // namespace eko::server
