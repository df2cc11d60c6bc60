#include "adapters/eko/json_reader.h"

#include <string>

#include "gtest/gtest.h"
#include "tests/support/status_matchers.h"

namespace eko::adapter::json {
namespace {

using ::eko::testing::IsOk;
using ::eko::testing::StatusIs;

rapidjson::Document Parse(const std::string& text) {
  rapidjson::Document doc;
  EXPECT_THAT(ParseObject(text, &doc), IsOk());
  return doc;
}

TEST(JsonReaderTest, IntAcceptsNumbersAndNumericStrings) {
  auto doc = Parse(R"({"a":2129,"b":"-1","c":"","d":null})");
  EXPECT_EQ(*Int(doc, "a").value(), 2129);
  EXPECT_EQ(*Int(doc, "b").value(), -1);
  EXPECT_FALSE(Int(doc, "c").value().has_value());
  EXPECT_FALSE(Int(doc, "d").value().has_value());
  EXPECT_FALSE(Int(doc, "missing").value().has_value());
}

TEST(JsonReaderTest, IntRejectsWrongTypes) {
  auto doc = Parse(R"({"a":true,"b":"12x","c":{},"d":[1],"e":1.5,"f":99999999999999999999})");
  for (const char* key : {"a", "b", "c", "d", "e", "f"}) {
    EXPECT_THAT(Int(doc, key), StatusIs(absl::StatusCode::kInternal)) << key;
  }
}

TEST(JsonReaderTest, StringKeepsNumbersAsWritten) {
  auto doc = Parse(R"({"ref":"007","num":12345,"obj":{}})");
  EXPECT_EQ(*String(doc, "ref").value(), "007");
  EXPECT_EQ(*String(doc, "num").value(), "12345");
  EXPECT_THAT(String(doc, "obj"), StatusIs(absl::StatusCode::kInternal));
}

TEST(JsonReaderTest, MoneyIsExactWithoutFloatingPoint) {
  auto doc = Parse(
      R"({"a":"25000.50","b":25000.5,"c":"0.00","d":"-1.75","e":"74500","f":"0.000000001","g":"1e3","h":"1.2.3"})");
  auto a = Money(doc, "a").value();
  EXPECT_EQ(a->currency_code(), "INR");
  EXPECT_EQ(a->units(), 25000);
  EXPECT_EQ(a->nanos(), 500000000);
  EXPECT_EQ(Money(doc, "b").value()->nanos(), 500000000);
  EXPECT_EQ(Money(doc, "c").value()->units(), 0);
  EXPECT_EQ(Money(doc, "d").value()->units(), -1);
  EXPECT_EQ(Money(doc, "d").value()->nanos(), -750000000);
  EXPECT_EQ(Money(doc, "e").value()->units(), 74500);
  EXPECT_EQ(Money(doc, "f").value()->nanos(), 1);
  EXPECT_THAT(Money(doc, "g"), StatusIs(absl::StatusCode::kInternal));
  EXPECT_THAT(Money(doc, "h"), StatusIs(absl::StatusCode::kInternal));
}

TEST(JsonReaderTest, ParseInrAmountEdgeCases) {
  EXPECT_EQ(ParseInrAmount(".5").value().nanos(), 500000000);
  EXPECT_EQ(ParseInrAmount("5.").value().units(), 5);
  for (const char* text : {"", ".", "1.0000000001", "--1", "99999999999999999999"}) {
    EXPECT_FALSE(ParseInrAmount(text).ok()) << text;
  }
}

TEST(JsonReaderTest, ParseInrAmountAcceptsDigitGroupCommasOnly) {
  EXPECT_EQ(ParseInrAmount("25,000.00").value().units(), 25000);
  EXPECT_EQ(ParseInrAmount("2,50,000.50").value().units(), 250000);
  EXPECT_EQ(ParseInrAmount("2,50,000.50").value().nanos(), 500000000);
  EXPECT_EQ(ParseInrAmount("1,234,567").value().units(), 1234567);
  EXPECT_EQ(ParseInrAmount("-1,000").value().units(), -1000);
  // A comma that is not a digit-group separator (e.g. a decimal comma).
  for (const char* text : {"25,50", ",000", "1,,000", "1000,", "1,0000", "1.000,00", "N/A"}) {
    EXPECT_FALSE(ParseInrAmount(text).ok()) << text;
  }
}

TEST(JsonReaderTest, LenientReadersNameWhatTheyIgnore) {
  auto doc = Parse(R"({"n":"N/A","s":{},"i":"x","b":"maybe","t":true,"one":1,"f":"FALSE",)"
                   R"("o":[],"a":{},"e":"","z":null,"big":"9999999999"})");
  IgnoredFields ignored;
  EXPECT_FALSE(OptionalMoney(doc, "n", "data.n", &ignored).has_value());
  EXPECT_FALSE(OptionalString(doc, "s", "data.s", &ignored).has_value());
  EXPECT_FALSE(OptionalInt(doc, "i", "data.i", &ignored).has_value());
  EXPECT_FALSE(OptionalBool(doc, "b", "data.b", &ignored).has_value());
  EXPECT_EQ(OptionalObject(doc, "o", "data.o", &ignored), nullptr);
  EXPECT_EQ(OptionalArray(doc, "a", "data.a", &ignored), nullptr);
  EXPECT_FALSE(OptionalInt32(doc, "big", "data.big", &ignored).has_value());
  EXPECT_THAT(ignored, ::testing::ElementsAre("data.n", "data.s", "data.i", "data.b", "data.o",
                                              "data.a", "data.big"));
  ignored.clear();
  EXPECT_EQ(OptionalBool(doc, "t", "t", &ignored), true);
  EXPECT_EQ(OptionalBool(doc, "one", "one", &ignored), true);
  EXPECT_EQ(OptionalBool(doc, "f", "f", &ignored), false);
  EXPECT_FALSE(OptionalMoney(doc, "e", "e", &ignored).has_value());
  EXPECT_FALSE(OptionalBool(doc, "z", "z", &ignored).has_value());
  EXPECT_FALSE(OptionalString(doc, "missing", "missing", &ignored).has_value());
  EXPECT_THAT(ignored, ::testing::IsEmpty());
}

TEST(JsonReaderTest, ObjectChecksType) {
  auto doc = Parse(R"({"o":{"x":1},"s":"text","n":null})");
  EXPECT_NE(Object(doc, "o").value(), nullptr);
  EXPECT_EQ(Object(doc, "n").value(), nullptr);
  EXPECT_EQ(Object(doc, "missing").value(), nullptr);
  EXPECT_THAT(Object(doc, "s"), StatusIs(absl::StatusCode::kInternal));
}

TEST(JsonReaderTest, ParseObjectRejectsNonObjectsAndBrokenJson) {
  rapidjson::Document doc;
  EXPECT_THAT(ParseObject("[1,2]", &doc), StatusIs(absl::StatusCode::kInternal));
  EXPECT_THAT(ParseObject("<html>", &doc), StatusIs(absl::StatusCode::kInternal));
  EXPECT_THAT(ParseObject(R"({"status":0,"mess)", &doc), StatusIs(absl::StatusCode::kInternal));
  EXPECT_THAT(ParseObject("", &doc), StatusIs(absl::StatusCode::kInternal));
}

TEST(JsonReaderTest, ParseObjectRejectsDeepNestingButNotBracketsInStrings) {
  rapidjson::Document doc;
  std::string deep = "{\"a\":" + std::string(100000, '[') + std::string(100000, ']') + "}";
  EXPECT_THAT(ParseObject(deep, &doc), StatusIs(absl::StatusCode::kInternal));
  std::string brackets = "{\"a\":\"" + std::string(1000, '[') + "\\\"" + "\"}";
  EXPECT_THAT(ParseObject(brackets, &doc), IsOk());
}

TEST(JsonReaderTest, ParseIntBounds) {
  EXPECT_EQ(ParseInt("9223372036854775807"), INT64_MAX);
  EXPECT_EQ(ParseInt("-9223372036854775808"), INT64_MIN);
  EXPECT_FALSE(ParseInt("9223372036854775808").has_value());
  EXPECT_FALSE(ParseInt("-").has_value());
  EXPECT_FALSE(ParseInt("").has_value());
}

}  // namespace
}  // namespace eko::adapter::json
