#include "server/trace_context.h"

#include <set>
#include <string>

#include "gtest/gtest.h"

namespace eko::server {
namespace {

constexpr char kTrace[] = "4bf92f3577b34da6a3ce929d0e0e4736";
constexpr char kParent[] = "00f067aa0ba902b7";

std::string Header(std::string_view version, std::string_view trace, std::string_view parent,
                   std::string_view flags) {
  return std::string(version) + "-" + std::string(trace) + "-" + std::string(parent) + "-" +
         std::string(flags);
}

TEST(TraceContextTest, ContinuesTheCallersTraceWithASpanOfItsOwn) {
  const TraceContext context = TraceContextFor(Header("00", kTrace, kParent, "01"));
  EXPECT_EQ(context.trace_id, kTrace);
  EXPECT_EQ(context.parent_span_id, kParent);
  EXPECT_EQ(context.trace_flags, "01");
  ASSERT_EQ(context.span_id.size(), 16u);
  EXPECT_NE(context.span_id, kParent);
  EXPECT_EQ(context.Traceparent(), Header("00", kTrace, context.span_id, "01"));
}

TEST(TraceContextTest, StartsATraceWithoutOneOrWithAnInvalidOne) {
  const std::string invalid[] = {
      "",
      "garbage",
      Header("00", kTrace, kParent, "01") + "-extra",  // version 00 has four fields
      Header("ff", kTrace, kParent, "01"),             // forbidden version
      Header("00", "00000000000000000000000000000000", kParent, "01"),
      Header("00", kTrace, "0000000000000000", "01"),
      Header("00", "4BF92F3577B34DA6A3CE929D0E0E4736", kParent, "01"),  // uppercase
      Header("00", kTrace, kParent, "0g"),
      Header("00", std::string(kTrace).substr(1) + "-", kParent, "01"),
  };
  std::set<std::string> trace_ids;
  for (const std::string& value : invalid) {
    EXPECT_FALSE(ParseTraceparent(value).has_value()) << value;
    const TraceContext context = TraceContextFor(value);
    EXPECT_EQ(context.trace_id.size(), 32u) << value;
    EXPECT_NE(context.trace_id, kTrace) << value;
    EXPECT_TRUE(context.parent_span_id.empty()) << value;
    EXPECT_EQ(context.trace_flags, "00");
    trace_ids.insert(context.trace_id);
  }
  const TraceContext none = TraceContextFor(std::nullopt);
  EXPECT_EQ(none.trace_id.size(), 32u);
  EXPECT_EQ(none.span_id.size(), 16u);
  trace_ids.insert(none.trace_id);
  EXPECT_EQ(trace_ids.size(), std::size(invalid) + 1);  // each trace is new
}

TEST(TraceContextTest, RandomHexIdsAreLowercaseHexOfTheAskedLength) {
  for (const int bytes : {8, 16}) {
    const std::string id = RandomHexId(bytes);
    EXPECT_EQ(id.size(), 2u * bytes);
    EXPECT_EQ(id.find_first_not_of("0123456789abcdef"), std::string::npos) << id;
    EXPECT_NE(id, RandomHexId(bytes));
  }
}

TEST(TraceContextTest, ALaterVersionIsReadByItsFirstFourFields) {
  const std::optional<TraceContext> later =
      ParseTraceparent(Header("01", kTrace, kParent, "01") + "-what-comes-next");
  ASSERT_TRUE(later.has_value());
  EXPECT_EQ(later->trace_id, kTrace);
  EXPECT_FALSE(ParseTraceparent(Header("01", kTrace, kParent, "01") + "x").has_value());
}

}  // namespace
}  // namespace eko::server
