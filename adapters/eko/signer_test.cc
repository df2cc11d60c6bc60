#include "adapters/eko/signer.h"

#include <string>

#include "gtest/gtest.h"

namespace eko::adapter {
namespace {

// Known-answer vectors published by Eko (reference/eko-api.md section 7.2).
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

TEST(SignerTest, RejectsEmptyAccessKey) { EXPECT_FALSE(Signer::Create("").ok()); }

TEST(SignerTest, Base64EncodePadsLikeRfc4648) {
  EXPECT_EQ(Base64Encode(""), "");
  EXPECT_EQ(Base64Encode("f"), "Zg==");
  EXPECT_EQ(Base64Encode("fo"), "Zm8=");
  EXPECT_EQ(Base64Encode("foo"), "Zm9v");
  EXPECT_EQ(Base64Encode("foobar"), "Zm9vYmFy");
}

TEST(SignerTest, NowMillisTextIsThirteenDigits) {
  const std::string now = NowMillisText();
  EXPECT_EQ(now.size(), 13u);
  for (const char c : now) EXPECT_TRUE(c >= '0' && c <= '9');
}

}  // namespace
}  // namespace eko::adapter
