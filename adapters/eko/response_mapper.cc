#include "adapters/eko/response_mapper.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "adapters/common/strings.h"

namespace eko::adapter {
namespace {

using json::IgnoredFields;

constexpr int64_t kUsageChartTypeId = 10;

// data.<key> as a string. A needed field that is absent, empty or unusable is
// an error; an optional one is "" (and recorded when unusable).
absl::StatusOr<std::string> DataString(const Envelope& env, const char* key, bool needed,
                                       IgnoredFields* ignored) {
  const rapidjson::Value* data = env.data();
  std::optional<std::string> value;
  if (data != nullptr) {
    IgnoredFields unusable;
    value = json::OptionalString(*data, key, absl::StrCat("data.", key), &unusable);
    if (!needed) ignored->insert(ignored->end(), unusable.begin(), unusable.end());
  }
  if (!value && needed) {
    return absl::InternalError(absl::StrCat("data.", key, " is missing or not a string"));
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
bool ParseLimitUsage(const rapidjson::Value& profile, v1::LimitUsage* out, IgnoredFields* ignored) {
  constexpr char kChart[] = "data.customer_profile.chart";
  const rapidjson::Value* chart = json::OptionalArray(profile, "chart", kChart, ignored);
  if (chart == nullptr) return false;
  const std::string entry_path = absl::StrCat(kChart, "[]");
  for (const rapidjson::Value& entry : chart->GetArray()) {
    if (!entry.IsObject()) {
      ignored->push_back(entry_path);
      continue;
    }
    const std::optional<int64_t> type_id = json::OptionalInt(
        entry, "data_type_id", absl::StrCat(entry_path, ".data_type_id"), ignored);
    if (type_id != kUsageChartTypeId) continue;
    const std::string usage_path = absl::StrCat(entry_path, ".data");
    const rapidjson::Value* usage = json::OptionalObject(entry, "data", usage_path, ignored);
    if (usage == nullptr) return false;
    bool any = false;
    // The target is taken only for a usable value: mutable_*() sets presence.
    const auto read = [&](const char* key, auto mutable_target) {
      if (auto money =
              json::OptionalMoney(*usage, key, absl::StrCat(usage_path, ".", key), ignored)) {
        *mutable_target() = *std::move(money);
        any = true;
      }
    };
    read("used", [out] { return out->mutable_used(); });
    read("remaining", [out] { return out->mutable_remaining(); });
    read("unavailable", [out] { return out->mutable_unavailable(); });
    if (!any) out->Clear();
    return any;
  }
  return false;
}

// Reads the profile fields of `source` (found at `path`) into `out`; a field
// `out` already has is kept. Returns true when `source` had any.
bool ReadProfileFields(const rapidjson::Value& source, std::string_view path,
                       v1::CustomerProfile* out, IgnoredFields* ignored) {
  const auto at = [&](const char* key) { return absl::StrCat(ToAbsl(path), ".", key); };
  std::optional<std::string> name = json::OptionalString(source, "name", at("name"), ignored);
  if (!name) name = json::OptionalString(source, "sender_name", at("sender_name"), ignored);
  const std::optional<std::string> mobile =
      json::OptionalString(source, "mobile", at("mobile"), ignored);
  auto balance = json::OptionalMoney(source, "balance", at("balance"), ignored);
  auto next_allowed =
      json::OptionalMoney(source, "next_allowed_limit", at("next_allowed_limit"), ignored);
  auto total =
      json::OptionalMoney(source, "total_monthly_limit", at("total_monthly_limit"), ignored);
  const std::optional<int32_t> kyc_state =
      json::OptionalInt32(source, "kyc_state", at("kyc_state"), ignored);

  if (name && out->name().empty()) out->set_name(*name);
  if (mobile && out->mobile().empty()) out->set_mobile(*mobile);
  if (balance && !out->has_balance()) *out->mutable_balance() = *std::move(balance);
  if (next_allowed && !out->has_next_allowed_limit()) {
    *out->mutable_next_allowed_limit() = *std::move(next_allowed);
  }
  if (total && !out->has_total_monthly_limit()) {
    *out->mutable_total_monthly_limit() = *std::move(total);
  }
  if (kyc_state && out->kyc_state() == v1::KYC_STATE_UNSPECIFIED && out->eko_kyc_state() == 0) {
    out->set_eko_kyc_state(*kyc_state);
    out->set_kyc_state(KycStateFromEko(*kyc_state));
  }
  return name || mobile || balance || next_allowed || total || kyc_state;
}

// GetCustomer and OnboardCustomer: the OTP reference (needed on
// VERIFY_CUSTOMER_OTP) and intent_id.
template <typename Response>
absl::Status FillCustomerOtp(const Envelope& env, v1::NextStep step, Response* out,
                             IgnoredFields* ignored) {
  auto otp_ref_id =
      DataString(env, "otp_ref_id", step == v1::NEXT_STEP_VERIFY_CUSTOMER_OTP, ignored);
  if (!otp_ref_id.ok()) return otp_ref_id.status();
  out->set_otp_ref_id(*std::move(otp_ref_id));
  if (const rapidjson::Value* data = env.data()) {
    out->set_intent_id(
        json::OptionalInt32(*data, "intent_id", "data.intent_id", ignored).value_or(0));
  }
  return absl::OkStatus();
}

// GetSender and StartSenderEkyc: both eKYC references, needed on
// VALIDATE_EKYC_OTP.
template <typename Response>
absl::Status FillEkycReferences(const Envelope& env, v1::NextStep step, Response* out,
                                IgnoredFields* ignored) {
  const bool otp_step = step == v1::NEXT_STEP_VALIDATE_EKYC_OTP;
  auto otp_ref_id = DataString(env, "otp_ref_id", otp_step, ignored);
  if (!otp_ref_id.ok()) return otp_ref_id.status();
  auto kyc_request_id = DataString(env, "kyc_request_id", otp_step, ignored);
  if (!kyc_request_id.ok()) return kyc_request_id.status();
  out->set_otp_ref_id(*std::move(otp_ref_id));
  out->set_kyc_request_id(*std::move(kyc_request_id));
  return absl::OkStatus();
}

}  // namespace

std::optional<v1::CustomerProfile> ParseCustomerProfile(const Envelope& env,
                                                        IgnoredFields* ignored) {
  const rapidjson::Value* data = env.data();
  if (data == nullptr) return std::nullopt;
  const rapidjson::Value* profile =
      json::OptionalObject(*data, "customer_profile", "data.customer_profile", ignored);

  v1::CustomerProfile out;
  bool any = false;
  // customer_profile first, then the copies at the top of data.
  if (profile != nullptr) {
    any = ReadProfileFields(*profile, "data.customer_profile", &out, ignored);
    if (!ParseLimitUsage(*profile, out.mutable_limit_usage(), ignored)) out.clear_limit_usage();
    any = true;
  }
  any = ReadProfileFields(*data, "data", &out, ignored) || any;
  if (!any) return std::nullopt;
  return out;
}

absl::Status FillResponse(const Envelope& env, v1::NextStep step, v1::GetCustomerResponse* out,
                          IgnoredFields* ignored) {
  return FillCustomerOtp(env, step, out, ignored);
}

absl::Status FillResponse(const Envelope& env, v1::NextStep step, v1::OnboardCustomerResponse* out,
                          IgnoredFields* ignored) {
  return FillCustomerOtp(env, step, out, ignored);
}

absl::Status FillResponse(const Envelope& env, v1::NextStep step,
                          v1::VerifyCustomerOtpResponse* out, IgnoredFields* ignored) {
  if (auto profile = ParseCustomerProfile(env, ignored)) {
    *out->mutable_customer_profile() = *std::move(profile);
  }
  if (step == v1::NEXT_STEP_VALIDATE_PAN) {
    auto application_id = DataString(env, "application_id", false, ignored);
    if (!application_id.ok()) return application_id.status();
    out->set_application_id(*std::move(application_id));
  }
  return absl::OkStatus();
}

absl::Status FillResponse(const Envelope& env, v1::NextStep step, v1::GetSenderResponse* out,
                          IgnoredFields* ignored) {
  if (auto profile = ParseCustomerProfile(env, ignored)) {
    *out->mutable_customer_profile() = *std::move(profile);
  }
  return FillEkycReferences(env, step, out, ignored);
}

absl::Status FillResponse(const Envelope& env, v1::NextStep /*step*/,
                          v1::OnboardSenderResponse* out, IgnoredFields* ignored) {
  if (auto profile = ParseCustomerProfile(env, ignored)) {
    *out->mutable_customer_profile() = *std::move(profile);
  }
  return absl::OkStatus();
}

absl::Status FillResponse(const Envelope& env, v1::NextStep step, v1::StartSenderEkycResponse* out,
                          IgnoredFields* ignored) {
  return FillEkycReferences(env, step, out, ignored);
}

absl::Status FillResponse(const Envelope& env, v1::NextStep /*step*/,
                          v1::ValidateEkycOtpResponse* out, IgnoredFields* ignored) {
  const rapidjson::Value* data = env.data();
  if (data == nullptr) return absl::OkStatus();
  out->set_customer_id(
      json::OptionalString(*data, "customer_id", "data.customer_id", ignored).value_or(""));
  if (const std::optional<bool> verified =
          json::OptionalBool(*data, "kyc_verified", "data.kyc_verified", ignored)) {
    out->set_kyc_verified(*verified);
  }
  if (auto limit = json::OptionalMoney(*data, "available_limit", "data.available_limit", ignored)) {
    *out->mutable_available_limit() = *std::move(limit);
  }
  return absl::OkStatus();
}

}  // namespace eko::adapter
