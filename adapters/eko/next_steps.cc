#include "adapters/eko/next_steps.h"

#include "absl/strings/str_cat.h"
#include "adapters/common/strings.h"

namespace eko::adapter {

namespace v1 = ::eko::onboarding::v1;

const std::vector<StepRule>& StepRules() {
  static const std::vector<StepRule> kRules = {
      {Rpc::kGetCustomer, 2129, v1::NEXT_STEP_VERIFY_CUSTOMER_OTP, "Validate the OTP"},
      {Rpc::kGetCustomer, 308, v1::NEXT_STEP_ONBOARD_CUSTOMER, "Failure!Customer Not Enrolled"},
      {Rpc::kOnboardCustomer, 2129, v1::NEXT_STEP_VERIFY_CUSTOMER_OTP, "Validate the OTP"},
      {Rpc::kVerifyCustomerOtp, 309, v1::NEXT_STEP_COMPLETE, "Success!"},
      {Rpc::kVerifyCustomerOtp, 2132, v1::NEXT_STEP_COMPLETE, "Customer Registration Completed"},
      {Rpc::kVerifyCustomerOtp, 2136, v1::NEXT_STEP_VALIDATE_AADHAAR, "Aadhar Validation Pending"},
      {Rpc::kVerifyCustomerOtp, 2147, v1::NEXT_STEP_VALIDATE_PAN, "Pan Number Required"},
      {Rpc::kGetSender, 309, v1::NEXT_STEP_COMPLETE, "Success!"},
      {Rpc::kGetSender, 308, v1::NEXT_STEP_ONBOARD_SENDER, "Failure!Customer Not Enrolled"},
      {Rpc::kGetSender, 2134, v1::NEXT_STEP_START_SENDER_EKYC, "Customer KYC Pending"},
      {Rpc::kGetSender, 2129, v1::NEXT_STEP_VALIDATE_EKYC_OTP, "Validate the OTP"},
      {Rpc::kOnboardSender, 2134, v1::NEXT_STEP_START_SENDER_EKYC, "Customer KYC Pending"},
      {Rpc::kOnboardSender, 300, v1::NEXT_STEP_START_SENDER_EKYC, "Wallet opened successfully."},
      {Rpc::kOnboardSender, 309, v1::NEXT_STEP_COMPLETE, "Success!"},
      {Rpc::kStartSenderEkyc, 2129, v1::NEXT_STEP_VALIDATE_EKYC_OTP, "Validate the OTP"},
      {Rpc::kStartSenderEkyc, 2132, v1::NEXT_STEP_COMPLETE, "Customer Registration Completed"},
      {Rpc::kValidateEkycOtp, 2132, v1::NEXT_STEP_COMPLETE, "Customer Registration Completed"},
  };
  return kRules;
}

std::optional<v1::NextStep> FindStep(Rpc rpc, int32_t response_type_id) {
  for (const StepRule& rule : StepRules()) {
    if (rule.rpc == rpc && rule.response_type_id == response_type_id) return rule.next_step;
  }
  return std::nullopt;
}

std::string StepTableMarkdown() {
  std::string out =
      "| RPC | Eko `response_type_id` | Eko `message` | `next_step` |\n"
      "| --- | --- | --- | --- |\n";
  for (const StepRule& rule : StepRules()) {
    absl::StrAppend(&out, "| `", ToAbsl(RpcName(rule.rpc)), "` | ", rule.response_type_id, " | ",
                    rule.eko_message, " | `", v1::NextStep_Name(rule.next_step), "` |\n");
  }
  return out;
}

}  // namespace eko::adapter
