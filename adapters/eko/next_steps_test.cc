#include "adapters/eko/next_steps.h"

#include <set>
#include <string>
#include <utility>

#include "adapters/eko/table_testing.h"
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
  ::eko::testing::ExpectGeneratedSection(
      "docs/flow.md", "<!-- BEGIN step table (generated: eko-gateway --print-flow-table) -->\n",
      "<!-- END step table -->", StepTableMarkdown());
}

}  // namespace
}  // namespace eko::adapter
