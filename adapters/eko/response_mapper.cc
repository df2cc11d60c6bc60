#include "adapters/eko/response_mapper.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "adapters/common/status_macros.h"
#include "adapters/eko/json_reader.h"

namespace eko::adapter {
namespace {

constexpr int64_t kUsageChartTypeId = 10;

absl::StatusOr<std::string> DataString(const Envelope& env, const char* key, bool required) {
  const rapidjson::Value* data = env.data();
  std::optional<std::string> value;
  if (data != nullptr) {
    EKO_ASSIGN_OR_RETURN(value, json::String(*data, key));
  }
  if (!value && required) {
    return absl::InternalError(absl::StrCat("data.", key, " is missing"));
  }
  return value.value_or("");
}

v1::KycState KycStateFromEko(int64_t value) {
  switch (value) {
    case 0:
      return v1::KYC_STATE_NON_KYC;
    case 1:
      return v1::KYC_STATE_KYC_COMPLETE;
    default:
      return v1::KYC_STATE_UNSPECIFIED;
  }
}

// Reads the `chart` entry with data_type_id 10 into `out`; false if absent.
absl::StatusOr<bool> ParseLimitUsage(const rapidjson::Value& profile, v1::LimitUsage* out) {
  auto it = profile.FindMember("chart");
  if (it == profile.MemberEnd() || it->value.IsNull()) return false;
  if (!it->value.IsArray()) return absl::InternalError("field 'chart' is not an array");
  for (const rapidjson::Value& entry : it->value.GetArray()) {
    if (!entry.IsObject()) return absl::InternalError("a 'chart' entry is not an object");
    EKO_ASSIGN_OR_RETURN(std::optional<int64_t> type_id, json::Int(entry, "data_type_id"));
    if (type_id != kUsageChartTypeId) continue;
    EKO_ASSIGN_OR_RETURN(const rapidjson::Value* usage, json::Object(entry, "data"));
    if (usage == nullptr) return false;
    EKO_ASSIGN_OR_RETURN(auto used, json::Money(*usage, "used"));
    EKO_ASSIGN_OR_RETURN(auto remaining, json::Money(*usage, "remaining"));
    EKO_ASSIGN_OR_RETURN(auto unavailable, json::Money(*usage, "unavailable"));
    if (used) *out->mutable_used() = *used;
    if (remaining) *out->mutable_remaining() = *remaining;
    if (unavailable) *out->mutable_unavailable() = *unavailable;
    return true;
  }
  return false;
}

}  // namespace

absl::StatusOr<std::optional<v1::CustomerProfile>> ParseCustomerProfile(const Envelope& env) {
  const rapidjson::Value* data = env.data();
  if (data == nullptr) return std::optional<v1::CustomerProfile>();
  EKO_ASSIGN_OR_RETURN(const rapidjson::Value* profile, json::Object(*data, "customer_profile"));

  v1::CustomerProfile out;
  bool any = false;
  // Fields are read from customer_profile first, then from data itself.
  for (const rapidjson::Value* source : {profile, data}) {
    if (source == nullptr) continue;
    EKO_ASSIGN_OR_RETURN(auto name, json::String(*source, "name"));
    if (!name) {
      EKO_ASSIGN_OR_RETURN(name, json::String(*source, "sender_name"));
    }
    EKO_ASSIGN_OR_RETURN(auto mobile, json::String(*source, "mobile"));
    EKO_ASSIGN_OR_RETURN(auto balance, json::Money(*source, "balance"));
    EKO_ASSIGN_OR_RETURN(auto next_allowed, json::Money(*source, "next_allowed_limit"));
    EKO_ASSIGN_OR_RETURN(auto total, json::Money(*source, "total_monthly_limit"));
    EKO_ASSIGN_OR_RETURN(auto kyc_state, json::Int(*source, "kyc_state"));
    // The first source that has a field wins.
    if (name && out.name().empty()) out.set_name(*name);
    if (mobile && out.mobile().empty()) out.set_mobile(*mobile);
    if (balance && !out.has_balance()) *out.mutable_balance() = *balance;
    if (next_allowed && !out.has_next_allowed_limit()) {
      *out.mutable_next_allowed_limit() = *next_allowed;
    }
    if (total && !out.has_total_monthly_limit()) *out.mutable_total_monthly_limit() = *total;
    any = any || name || mobile || balance || next_allowed || total;
    if (kyc_state && out.kyc_state() == v1::KYC_STATE_UNSPECIFIED && out.eko_kyc_state() == 0) {
      if (*kyc_state < INT32_MIN || *kyc_state > INT32_MAX) {
        return absl::InternalError("field 'kyc_state' is out of range");
      }
      out.set_eko_kyc_state(static_cast<int32_t>(*kyc_state));
      out.set_kyc_state(KycStateFromEko(*kyc_state));
      any = true;
    }
  }
  if (profile != nullptr) {
    EKO_ASSIGN_OR_RETURN(bool has_usage, ParseLimitUsage(*profile, out.mutable_limit_usage()));
    if (!has_usage) out.clear_limit_usage();
    any = true;
  }
  if (!any) return std::optional<v1::CustomerProfile>();
  return std::optional<v1::CustomerProfile>(std::move(out));
}

absl::Status FillResponse(const Envelope& env, v1::NextStep step, v1::GetCustomerResponse* out) {
  EKO_ASSIGN_OR_RETURN(std::string otp_ref_id,
                       DataString(env, "otp_ref_id", step == v1::NEXT_STEP_VERIFY_CUSTOMER_OTP));
  out->set_otp_ref_id(std::move(otp_ref_id));
  return absl::OkStatus();
}

absl::Status FillResponse(const Envelope& env, v1::NextStep step,
                          v1::OnboardCustomerResponse* out) {
  EKO_ASSIGN_OR_RETURN(std::string otp_ref_id,
                       DataString(env, "otp_ref_id", step == v1::NEXT_STEP_VERIFY_CUSTOMER_OTP));
  out->set_otp_ref_id(std::move(otp_ref_id));
  return absl::OkStatus();
}

absl::Status FillResponse(const Envelope& env, v1::NextStep step,
                          v1::VerifyCustomerOtpResponse* out) {
  EKO_ASSIGN_OR_RETURN(auto profile, ParseCustomerProfile(env));
  if (profile) *out->mutable_customer_profile() = *std::move(profile);
  if (step == v1::NEXT_STEP_VALIDATE_PAN) {
    EKO_ASSIGN_OR_RETURN(std::string application_id, DataString(env, "application_id", false));
    out->set_application_id(std::move(application_id));
  }
  return absl::OkStatus();
}

absl::Status FillResponse(const Envelope& env, v1::NextStep step, v1::GetSenderResponse* out) {
  EKO_ASSIGN_OR_RETURN(auto profile, ParseCustomerProfile(env));
  if (profile) *out->mutable_customer_profile() = *std::move(profile);
  EKO_ASSIGN_OR_RETURN(std::string otp_ref_id,
                       DataString(env, "otp_ref_id", step == v1::NEXT_STEP_VALIDATE_EKYC_OTP));
  out->set_otp_ref_id(std::move(otp_ref_id));
  return absl::OkStatus();
}

absl::Status FillResponse(const Envelope& env, v1::NextStep /*step*/,
                          v1::OnboardSenderResponse* out) {
  EKO_ASSIGN_OR_RETURN(auto profile, ParseCustomerProfile(env));
  if (profile) *out->mutable_customer_profile() = *std::move(profile);
  return absl::OkStatus();
}

absl::Status FillResponse(const Envelope& env, v1::NextStep step,
                          v1::StartSenderEkycResponse* out) {
  const bool otp_step = step == v1::NEXT_STEP_VALIDATE_EKYC_OTP;
  EKO_ASSIGN_OR_RETURN(std::string otp_ref_id, DataString(env, "otp_ref_id", otp_step));
  EKO_ASSIGN_OR_RETURN(std::string kyc_request_id, DataString(env, "kyc_request_id", otp_step));
  out->set_otp_ref_id(std::move(otp_ref_id));
  out->set_kyc_request_id(std::move(kyc_request_id));
  return absl::OkStatus();
}

absl::Status FillResponse(const Envelope& /*env*/, v1::NextStep /*step*/,
                          v1::ValidateEkycOtpResponse* /*out*/) {
  return absl::OkStatus();
}

}  // namespace eko::adapter
