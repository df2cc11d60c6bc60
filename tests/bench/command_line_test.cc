#include "tests/bench/command_line.h"

#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/reflection.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

ABSL_FLAG(std::vector<std::string>, command_line_test_list, {}, "a list flag for the tests");

namespace eko::bench {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

TEST(NormalizeFlagArgsTest, DashedNamesTakeUnderscoresAndValuesStay) {
  EXPECT_THAT(NormalizeFlagArgs({"eko-bench", "--duration-s=1.5", "--kv-out", "/tmp/a-b.kv",
                                 "--json", "--user_code=x-y"},
                                {}),
              ElementsAre("eko-bench", "--duration_s=1.5", "--kv_out", "/tmp/a-b.kv", "--json",
                          "--user_code=x-y"));
}

TEST(NormalizeFlagArgsTest, JoinsARepeatableFlagWhereItFirstAppears) {
  EXPECT_THAT(
      NormalizeFlagArgs(
          {"eko-bench", "--pid=gateway=12", "--addr=h:1", "--pid", "sim=34", "--pid=56"}, {"pid"}),
      ElementsAre("eko-bench", "--pid=gateway=12,sim=34,56", "--addr=h:1"));
}

TEST(NormalizeFlagArgsTest, LeavesPositionalArgumentsAndEverythingAfterDoubleDash) {
  EXPECT_THAT(
      NormalizeFlagArgs({"tool", "stray-arg", "--a-b=1", "--", "--c-d=2", "--pid=1"}, {"pid"}),
      ElementsAre("tool", "stray-arg", "--a_b=1", "--", "--c-d=2", "--pid=1"));
}

TEST(NormalizeFlagArgsTest, ARepeatableFlagWithoutItsValueIsLeftForAbslToReport) {
  EXPECT_THAT(NormalizeFlagArgs({"tool", "--pid"}, {"pid"}), ElementsAre("tool", "--pid"));
}

TEST(NormalizeFlagArgsTest, AJoinedValueParsesAsAbslList) {
  const std::vector<std::string> args =
      NormalizeFlagArgs({"tool", "--command-line-test-list=a=1", "--command-line-test-list", "2"},
                        {"command_line_test_list"});
  ASSERT_THAT(args, ElementsAre("tool", "--command_line_test_list=a=1,2"));
  absl::CommandLineFlag* flag = absl::FindCommandLineFlag("command_line_test_list");
  ASSERT_NE(flag, nullptr);
  std::string error;
  ASSERT_TRUE(flag->ParseFrom(args[1].substr(args[1].find('=') + 1), &error)) << error;
  EXPECT_THAT(absl::GetFlag(FLAGS_command_line_test_list), ElementsAre("a=1", "2"));
}

TEST(CheckRangeTest, AcceptsTheBoundsAndNamesTheFlagOutsideThem) {
  EXPECT_TRUE(CheckRange<int64_t>("concurrency", 1, 1, 10).ok());
  EXPECT_TRUE(CheckRange("duration-s", 86400.0, 0.1, 86400.0).ok());
  const absl::Status low = CheckRange<int64_t>("concurrency", 0, 1, 10);
  EXPECT_EQ(low.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(low.message(), HasSubstr("--concurrency must be in [1, 10], got 0"));
  EXPECT_FALSE(CheckRange("rate", 0.05, 0.1, 10e6).ok());
}

TEST(FirstErrorTest, ReturnsTheFirstFailureInOrder) {
  EXPECT_TRUE(FirstError({absl::OkStatus(), absl::OkStatus()}).ok());
  EXPECT_EQ(FirstError({absl::OkStatus(), absl::InvalidArgumentError("first"),
                        absl::InvalidArgumentError("second")})
                .message(),
            "first");
}

}  // namespace
}  // namespace eko::bench
