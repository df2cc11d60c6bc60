#include "adapters/common/log.h"

#include <regex>
#include <string>

#include "gtest/gtest.h"

namespace eko::log {
namespace {

TEST(LogTest, MaskMobileKeepsOnlyEnds) {
  EXPECT_EQ(MaskMobile("9876543210"), "98******10");
  EXPECT_EQ(MaskMobile("12ab"), "****");
  EXPECT_EQ(MaskMobile(""), "");
}

TEST(LogTest, JsonEscape) { EXPECT_EQ(JsonEscape("a\"b\\c\n\x01"), "a\\\"b\\\\c\\n\\u0001"); }

TEST(LogTest, WriteEmitsOneJsonLineWithUtcMillisecondTimestamp) {
  SetLevel(Level::kInfo);
  testing::internal::CaptureStderr();
  Write(Level::kInfo, "rpc", {{"code", "OK"}, {"note", "a\"b\x1f"}});
  Write(Level::kDebug, "hidden", {});
  Write(Level::kWarn, "second", {});
  const std::string out = testing::internal::GetCapturedStderr();
  const std::regex line(
      R"(\{"ts":"20\d\d-[01]\d-[0-3]\dT[0-2]\d:[0-5]\d:[0-6]\d\.\d{3}Z","level":"info",)"
      R"("event":"rpc","code":"OK","note":"a\\"b\\u001f"\}\n)"
      R"(\{"ts":"[^"]{24}","level":"warn","event":"second"\}\n)");
  EXPECT_TRUE(std::regex_match(out, line)) << out;
}

TEST(LogTest, JsonValuesAreWrittenAsTheyAre) {
  SetLevel(Level::kInfo);
  testing::internal::CaptureStderr();
  Write(Level::kInfo, "rpc",
        {{"latency_ms", Number(12.34567), As::kJson},
         {"attempts", Number(2), As::kJson},
         {"replayed", "false", As::kJson},
         {"code", "2"}});
  const std::string out = testing::internal::GetCapturedStderr();
  EXPECT_NE(out.find(R"("latency_ms":12.346,"attempts":2,"replayed":false,"code":"2"})"),
            std::string::npos)
      << out;
  EXPECT_EQ(Number(1.0 / 0.0), "null");
  EXPECT_EQ(Number(-3), "-3");
}

TEST(LogTest, ParseLevel) {
  Level level;
  EXPECT_TRUE(ParseLevel("warn", &level));
  EXPECT_EQ(level, Level::kWarn);
  EXPECT_FALSE(ParseLevel("loud", &level));
}

}  // namespace
}  // namespace eko::log
