#ifndef EKO_ADAPTERS_EKO_NEXT_STEPS_H_
#define EKO_ADAPTERS_EKO_NEXT_STEPS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "adapters/eko/endpoints.h"
#include "eko/onboarding/v1/onboarding_service.pb.h"

namespace eko::adapter {

// One normal step of a journey: when `rpc` gets `response_type_id` (with
// `status` 0 or equal to the response type), the caller's next step is
// `next_step`.
struct StepRule {
  Rpc rpc;
  int32_t response_type_id;
  onboarding::v1::NextStep next_step;
  const char* eko_message;  // what Eko says with it
};

// The single table mapping (RPC, response_type_id) to NextStep. docs/flow.md
// carries it verbatim (see StepTableMarkdown).
const std::vector<StepRule>& StepRules();

// The next step for `rpc` and `response_type_id`, or nullopt when the pair is
// not a known step.
std::optional<onboarding::v1::NextStep> FindStep(Rpc rpc, int32_t response_type_id);

// The table as Markdown: | RPC | response_type_id | Eko message | next_step |.
std::string StepTableMarkdown();

}  // namespace eko::adapter

#endif  // EKO_ADAPTERS_EKO_NEXT_STEPS_H_
