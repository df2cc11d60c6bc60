#include "adapters/eko/signer.h"

#include <atomic>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "gtest/gtest.h"

namespace eko::adapter {
namespace {

// Known-answer vectors published by Eko (docs/eko-api.md section 7.2).
TEST(SignerTest, MatchesEkoPortalVector) {
  auto signer = Signer::Create("test-access-key-123");
  ASSERT_TRUE(signer.ok()) << signer.status();
  EXPECT_EQ(signer->Sign("1700000000000"), "88lqTf9ew69XbVbeczjxVL8/B4vibfp1MvTi1mIj2Xo=");
}

TEST(SignerTest, MatchesEkoSdkGoldenVector) {
  auto signer = Signer::Create("TEST_ACCESS_KEY_DO_NOT_USE");
  ASSERT_TRUE(signer.ok()) << signer.status();
  EXPECT_EQ(signer->Sign("1700000000000"), "u30ak/iOGwKCaspqCeiYng8fd98QDx7kF3DBBOadQHk=");
}

TEST(SignerTest, SignatureChangesWithTimestampAndIsRepeatable) {
  auto signer = Signer::Create("test-access-key-123");
  ASSERT_TRUE(signer.ok());
  const std::string a = signer->Sign("1700000000000");
  EXPECT_EQ(signer->Sign("1700000000000"), a);
  EXPECT_NE(signer->Sign("1700000000001"), a);
  EXPECT_EQ(a.size(), 44u);
}

TEST(SignerTest, ReusedSignatureIsOnlyEverTheTimestampsOwn) {
  auto signer = Signer::Create("TEST_ACCESS_KEY_DO_NOT_USE");
  ASSERT_TRUE(signer.ok());
  const std::string vector_signature = "u30ak/iOGwKCaspqCeiYng8fd98QDx7kF3DBBOadQHk=";
  const std::string other = signer->Sign("1700000000001");
  EXPECT_EQ(signer->Sign("1700000000000"), vector_signature);
  EXPECT_EQ(signer->Sign("1700000000000"), vector_signature);
  EXPECT_EQ(signer->Sign("1700000000001"), other);
  EXPECT_EQ(signer->Sign("1700000000000"), vector_signature);
  // Threads signing two timestamps in turn each get the right one.
  std::vector<std::thread> threads;
  std::atomic<int> wrong{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 2000; ++i) {
        const bool first = (i + t) % 2 == 0;
        const std::string got = signer->Sign(first ? "1700000000000" : "1700000000001");
        if (got != (first ? vector_signature : other)) ++wrong;
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(wrong.load(), 0);
}

TEST(SignerTest, RejectsEmptyAccessKey) { EXPECT_FALSE(Signer::Create("").ok()); }

TEST(SignerTest, Base64EncodePadsLikeRfc4648) {
  for (const auto& [bytes, text] : {std::pair<std::string_view, std::string_view>{"", ""},
                                    {"f", "Zg=="},
                                    {"fo", "Zm8="},
                                    {"foo", "Zm9v"},
                                    {"foobar", "Zm9vYmFy"}}) {
    EXPECT_EQ(Base64Encode(bytes), text) << bytes;
  }
}

TEST(SignerTest, NowMillisTextIsThirteenDigits) {
  const std::string now = NowMillisText();
  EXPECT_EQ(now.size(), 13u);
  for (const char c : now) EXPECT_TRUE(c >= '0' && c <= '9');
}

}  // namespace
}  // namespace eko::adapter
