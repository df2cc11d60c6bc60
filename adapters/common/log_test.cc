#include "adapters/common/log.h"

#include "gtest/gtest.h"

namespace eko::log {
namespace {

TEST(LogTest, MaskMobileKeepsOnlyEnds) {
  EXPECT_EQ(MaskMobile("9876543210"), "98******10");
  EXPECT_EQ(MaskMobile("12ab"), "****");
  EXPECT_EQ(MaskMobile(""), "");
}

TEST(LogTest, JsonEscape) { EXPECT_EQ(JsonEscape("a\"b\\c\n\x01"), "a\\\"b\\\\c\\n\\u0001"); }

TEST(LogTest, ParseLevel) {
  Level level;
  EXPECT_TRUE(ParseLevel("warn", &level));
  EXPECT_EQ(level, Level::kWarn);
  EXPECT_FALSE(ParseLevel("loud", &level));
}

}  // namespace
}  // namespace eko::log
