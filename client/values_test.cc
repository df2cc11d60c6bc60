#include "client/values.h"

#include <chrono>
#include <cstdint>
#include <limits>
#include <string>

#include "gtest/gtest.h"

namespace eko::cli {
namespace {

using std::chrono::microseconds;

google::type::Money Money(const char* currency, int64_t units, int32_t nanos) {
  google::type::Money money;
  money.set_currency_code(currency);
  money.set_units(units);
  money.set_nanos(nanos);
  return money;
}

google::protobuf::Duration Duration(int64_t seconds, int32_t nanos) {
  google::protobuf::Duration duration;
  duration.set_seconds(seconds);
  duration.set_nanos(nanos);
  return duration;
}

TEST(ParseDateTest, ParsesYearMonthDay) {
  google::type::Date date;
  ASSERT_TRUE(ParseDate("1990-04-01", &date));
  EXPECT_EQ(date.year(), 1990);
  EXPECT_EQ(date.month(), 4);
  EXPECT_EQ(date.day(), 1);
}

TEST(ParseDateTest, LeavesPlausibilityToTheServer) {
  google::type::Date date;
  ASSERT_TRUE(ParseDate("2024-13-32", &date));
  EXPECT_EQ(date.month(), 13);
  EXPECT_EQ(date.day(), 32);
  ASSERT_TRUE(ParseDate("0000-00-00", &date));
  EXPECT_EQ(date.year(), 0);
}

TEST(ParseDateTest, RejectsEverythingButTheExactShape) {
  for (const char* text :
       {"", "1990-4-01", "1990-04-1", "90-04-01", "1990/04/01", "19900401", "1990-04-01 ",
        " 1990-04-01", "1990-04-01T00", "+990-04-01", "1990-0a-01", "1990--4-01", "01-04-1990"}) {
    google::type::Date date;
    date.set_year(7);
    EXPECT_FALSE(ParseDate(text, &date)) << text;
    EXPECT_EQ(date.year(), 7) << "output touched for " << text;
  }
}

TEST(ParseSecondsTest, ParsesWholeAndFractionalSeconds) {
  microseconds value{0};
  ASSERT_TRUE(ParseSeconds("30", &value));
  EXPECT_EQ(value, std::chrono::seconds(30));
  ASSERT_TRUE(ParseSeconds("2.5", &value));
  EXPECT_EQ(value, std::chrono::milliseconds(2500));
  ASSERT_TRUE(ParseSeconds("0.000001", &value));
  EXPECT_EQ(value, microseconds(1));
  ASSERT_TRUE(ParseSeconds("86400", &value));
  EXPECT_EQ(value, kMaxTimeout);
}

TEST(ParseSecondsTest, RejectsNonPositiveTooLargeAndMalformed) {
  for (const char* text : {"", "0", "0.0", "0.000000", "-1", "+1", "1e3", "1.", ".5", "1.1234567",
                           "abc", "1s", " 1", "86400.000001", "999999999", "0x10", "inf", "nan"}) {
    microseconds value{42};
    EXPECT_FALSE(ParseSeconds(text, &value)) << text;
    EXPECT_EQ(value, microseconds(42)) << "output touched for " << text;
  }
}

TEST(FormatMoneyTest, PrintsAtLeastTwoDecimalsExactly) {
  EXPECT_EQ(FormatMoney(Money("INR", 25000, 500000000)), "INR 25000.50");
  EXPECT_EQ(FormatMoney(Money("INR", 25000, 0)), "INR 25000.00");
  EXPECT_EQ(FormatMoney(Money("INR", 0, 0)), "INR 0.00");
  EXPECT_EQ(FormatMoney(Money("INR", 1, 5000000)), "INR 1.005");
  EXPECT_EQ(FormatMoney(Money("INR", 0, 1)), "INR 0.000000001");
  EXPECT_EQ(FormatMoney(Money("INR", 0, 999999999)), "INR 0.999999999");
  EXPECT_EQ(FormatMoney(Money("INR", 12, 340000000)), "INR 12.34");
}

TEST(FormatMoneyTest, PrintsNegativeAmounts) {
  EXPECT_EQ(FormatMoney(Money("INR", -1, -500000000)), "INR -1.50");
  EXPECT_EQ(FormatMoney(Money("INR", 0, -10000000)), "INR -0.01");
  EXPECT_EQ(FormatMoney(Money("INR", -5, 0)), "INR -5.00");
}

TEST(FormatMoneyTest, HandlesExtremeUnitsWithoutOverflow) {
  EXPECT_EQ(FormatMoney(Money("INR", std::numeric_limits<int64_t>::max(), 999999999)),
            "INR 9223372036854775807.999999999");
  EXPECT_EQ(FormatMoney(Money("INR", std::numeric_limits<int64_t>::min(), -999999999)),
            "INR -9223372036854775808.999999999");
}

TEST(FormatMoneyTest, OmitsMissingCurrency) { EXPECT_EQ(FormatMoney(Money("", 12, 0)), "12.00"); }

TEST(FormatMoneyTest, ShowsInvalidMoneyRaw) {
  EXPECT_EQ(FormatMoney(Money("INR", 1, -5)), "INR <invalid: units=1 nanos=-5>");
  EXPECT_EQ(FormatMoney(Money("INR", -1, 5)), "INR <invalid: units=-1 nanos=5>");
  EXPECT_EQ(FormatMoney(Money("INR", 0, 1000000000)), "INR <invalid: units=0 nanos=1000000000>");
}

TEST(FormatDurationTest, TrimsTrailingZeros) {
  EXPECT_EQ(FormatDuration(Duration(1, 500000000)), "1.5s");
  EXPECT_EQ(FormatDuration(Duration(2, 0)), "2s");
  EXPECT_EQ(FormatDuration(Duration(0, 0)), "0s");
  EXPECT_EQ(FormatDuration(Duration(0, 1)), "0.000000001s");
  EXPECT_EQ(FormatDuration(Duration(-3, 0)), "-3s");
  EXPECT_EQ(FormatDuration(Duration(0, -250000000)), "-0.25s");
  EXPECT_EQ(FormatDuration(Duration(1, -1)), "<invalid duration: seconds=1 nanos=-1>");
}

}  // namespace
}  // namespace eko::cli
