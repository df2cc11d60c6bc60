#include "adapters/common/strings.h"

#include "gtest/gtest.h"

namespace eko {
namespace {

TEST(StringsTest, SanitizeUtf8KeepsValidTextAndReplacesTheRest) {
  EXPECT_EQ(SanitizeUtf8("plain"), "plain");
  EXPECT_EQ(SanitizeUtf8("\xE0\xA4\x85 \xF0\x9F\x98\x80"), "\xE0\xA4\x85 \xF0\x9F\x98\x80");
  EXPECT_EQ(SanitizeUtf8("a\xFF"
                         "b"),
            "a\xEF\xBF\xBD"
            "b");
  EXPECT_EQ(SanitizeUtf8("\xC0\xAF"), "\xEF\xBF\xBD\xEF\xBF\xBD");                  // overlong
  EXPECT_EQ(SanitizeUtf8("\xED\xA0\x80"), "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");  // surrogate
  EXPECT_EQ(SanitizeUtf8("\xE0\xA4"), "\xEF\xBF\xBD\xEF\xBF\xBD");                  // cut short
}

TEST(StringsTest, TruncateUtf8CutsAtCharacterBoundaries) {
  EXPECT_EQ(TruncateUtf8("abc", 10), "abc");
  EXPECT_EQ(TruncateUtf8("ab\xC3\xA9", 3), "ab");
  EXPECT_EQ(TruncateUtf8("ab\xC3\xA9", 4), "ab\xC3\xA9");
  EXPECT_EQ(TruncateUtf8("\xF0\x9F\x98\x80", 3), "");
}

enum class Color { kRed, kGreen, kBlue };

constexpr NamedValue<Color> kColorNames[] = {{Color::kRed, "red"}, {Color::kGreen, "green"}};

TEST(StringsTest, NamedValueTablesNameAndParse) {
  EXPECT_EQ(NameOf(kColorNames, Color::kGreen), "green");
  EXPECT_EQ(NameOf(kColorNames, Color::kBlue), "");
  EXPECT_EQ(NameOf(kColorNames, Color::kBlue, "red"), "red");
  EXPECT_EQ(ValueNamed(kColorNames, "red"), Color::kRed);
  EXPECT_EQ(ValueNamed(kColorNames, "Red"), std::nullopt);
  EXPECT_EQ(ValueNamed(kColorNames, "blue"), std::nullopt);
}

}  // namespace
}  // namespace eko
