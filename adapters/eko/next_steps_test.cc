#include "adapters/eko/next_steps.h"

#include <fstream>
#include <set>
#include <string>
#include <utility>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace eko::adapter {
namespace {

namespace v1 = ::eko::onboarding::v1;

TEST(NextStepsTest, EveryPairIsUniqueAndEveryRpcHasASteps) {
  std::set<std::pair<Rpc, int32_t>> seen;
  std::set<Rpc> rpcs;
  for (const StepRule& rule : StepRules()) {
    EXPECT_TRUE(seen.insert({rule.rpc, rule.response_type_id}).second)
        << RpcName(rule.rpc) << " " << rule.response_type_id;
    EXPECT_NE(rule.next_step, v1::NEXT_STEP_UNSPECIFIED);
    rpcs.insert(rule.rpc);
  }
  EXPECT_EQ(rpcs.size(), static_cast<size_t>(kRpcCount));
}

TEST(NextStepsTest, FindStep) {
  EXPECT_EQ(FindStep(Rpc::kGetCustomer, 308), v1::NEXT_STEP_ONBOARD_CUSTOMER);
  EXPECT_EQ(FindStep(Rpc::kGetSender, 308), v1::NEXT_STEP_ONBOARD_SENDER);
  EXPECT_FALSE(FindStep(Rpc::kOnboardCustomer, 309).has_value());
  EXPECT_FALSE(FindStep(Rpc::kGetCustomer, -1).has_value());
}

// docs/flow.md carries the table between two markers, verbatim.
TEST(NextStepsTest, FlowDocMatchesTheTable) {
  std::ifstream doc(EKO_SOURCE_DIR "/docs/flow.md");
  ASSERT_TRUE(doc) << "docs/flow.md not found";
  const std::string text((std::istreambuf_iterator<char>(doc)), std::istreambuf_iterator<char>());
  const std::string begin =
      "<!-- BEGIN step table (generated: eko-gateway --print-flow-table) -->\n";
  const std::string end = "<!-- END step table -->";
  const size_t from = text.find(begin);
  const size_t to = text.find(end);
  ASSERT_NE(from, std::string::npos);
  ASSERT_NE(to, std::string::npos);
  EXPECT_EQ(text.substr(from + begin.size(), to - from - begin.size()), StepTableMarkdown())
      << "regenerate the tables with: scripts/gen-docs.sh";
}

}  // namespace
}  // namespace eko::adapter
