#include "adapters/eko/response_mapper.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/support/status_matchers.h"

namespace eko::adapter {
namespace {

using ::eko::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::UnorderedElementsAre;
namespace v1 = ::eko::onboarding::v1;

// Eko's Verify Customer OTP success sample (docs/eko-api.md 5.3), with
// the usual mix of strings and numbers.
constexpr char kVerified[] = R"({"response_status_id":-1,"status":0,"response_type_id":309,
  "message":"Success!","data":{"customer_profile":{"name":"Asha Rao","mobile":"9876543210",
  "total_monthly_limit":"25000.0","next_allowed_limit":"24000.50","balance":"0.00",
  "kyc_state":0,"chart":[{"data_type_id":"9","data":{"used":"1"}},
  {"data_type_id":10,"label":"Monthly","data":{"unavailable":"0.0","used":"999.50",
  "remaining":"24000.50"}}]},"sender_name":"Asha Rao","next_allowed_limit":24000.5,
  "kyc_state":0,"is_registered":1}})";

Envelope Parse(const char* body) {
  auto env = ParseEnvelope(body);
  EXPECT_TRUE(env.ok()) << env.status();
  return *std::move(env);
}

// FillResponse with a throwaway list of ignored fields.
template <typename Response>
absl::Status Fill(const char* body, v1::NextStep step, Response* out) {
  json::IgnoredFields ignored;
  return FillResponse(Parse(body), step, out, &ignored);
}

std::optional<v1::CustomerProfile> Profile(const char* body, json::IgnoredFields* ignored) {
  return ParseCustomerProfile(Parse(body), ignored);
}

TEST(ResponseMapperTest, VerifyOtpProfile) {
  v1::VerifyCustomerOtpResponse response;
  ASSERT_TRUE(Fill((kVerified), v1::NEXT_STEP_COMPLETE, &response).ok());
  const v1::CustomerProfile& p = response.customer_profile();
  EXPECT_EQ(p.name(), "Asha Rao");
  EXPECT_EQ(p.mobile(), "9876543210");
  EXPECT_EQ(p.total_monthly_limit().units(), 25000);
  EXPECT_EQ(p.next_allowed_limit().units(), 24000);
  EXPECT_EQ(p.next_allowed_limit().nanos(), 500000000);
  EXPECT_EQ(p.balance().currency_code(), "INR");
  EXPECT_EQ(p.kyc_state(), v1::KYC_STATE_NON_KYC);
  EXPECT_EQ(p.limit_usage().used().units(), 999);
  EXPECT_EQ(p.limit_usage().used().nanos(), 500000000);
  EXPECT_EQ(p.limit_usage().remaining().units(), 24000);
}

TEST(ResponseMapperTest, SenderProfileWithKycComplete) {
  v1::GetSenderResponse response;
  ASSERT_TRUE(Fill((R"({"status":0,"response_status_id":-1,"response_type_id":309,
      "data":{"customer_profile":{"name":"Ravi","mobile":"9000000001","kyc_state":"1",
      "total_monthly_limit":25000}}})"),
                   v1::NEXT_STEP_COMPLETE, &response)
                  .ok());
  EXPECT_EQ(response.customer_profile().kyc_state(), v1::KYC_STATE_KYC_COMPLETE);
  EXPECT_EQ(response.customer_profile().eko_kyc_state(), 1);
  EXPECT_EQ(response.customer_profile().total_monthly_limit().units(), 25000);
  EXPECT_FALSE(response.customer_profile().has_limit_usage());
}

TEST(ResponseMapperTest, UnknownKycStateKeepsRawValue) {
  json::IgnoredFields ignored;
  auto profile =
      Profile(R"({"status":0,"response_type_id":309,"data":{"customer_profile":{"kyc_state":7}}})",
              &ignored);
  ASSERT_TRUE(profile.has_value());
  EXPECT_EQ(profile->kyc_state(), v1::KYC_STATE_UNSPECIFIED);
  EXPECT_EQ(profile->eko_kyc_state(), 7);
  EXPECT_THAT(ignored, IsEmpty());
}

TEST(ResponseMapperTest, NoProfileWhenEkoSendsNone) {
  json::IgnoredFields ignored;
  EXPECT_FALSE(
      Profile(
          R"({"status":308,"response_type_id":308,"data":{"sender_name":"","ekyc_enabled":""}})",
          &ignored)
          .has_value());
  EXPECT_THAT(ignored, IsEmpty());
}

TEST(ResponseMapperTest, UnusableOptionalFieldsAreLeftUnsetAndNamed) {
  json::IgnoredFields ignored;
  auto profile = Profile(R"({"status":0,"response_type_id":309,"data":{"customer_profile":{
      "name":"Asha","balance":"N/A","total_monthly_limit":{},"kyc_state":"KYC","chart":{}},
      "next_allowed_limit":"unlimited","kyc_state":[1]}})",
                         &ignored);
  ASSERT_TRUE(profile.has_value());
  EXPECT_EQ(profile->name(), "Asha");
  EXPECT_FALSE(profile->has_balance());
  EXPECT_FALSE(profile->has_total_monthly_limit());
  EXPECT_FALSE(profile->has_next_allowed_limit());
  EXPECT_FALSE(profile->has_limit_usage());
  EXPECT_EQ(profile->kyc_state(), v1::KYC_STATE_UNSPECIFIED);
  EXPECT_THAT(ignored,
              UnorderedElementsAre("data.customer_profile.balance",
                                   "data.customer_profile.total_monthly_limit",
                                   "data.customer_profile.kyc_state", "data.customer_profile.chart",
                                   "data.next_allowed_limit", "data.kyc_state"));
}

TEST(ResponseMapperTest, NonObjectProfileAndChartEntriesAreIgnored) {
  json::IgnoredFields ignored;
  EXPECT_FALSE(
      Profile(R"({"status":0,"response_type_id":309,"data":{"customer_profile":"x"}})", &ignored)
          .has_value());
  EXPECT_THAT(ignored, ElementsAre("data.customer_profile"));

  ignored.clear();
  auto profile = Profile(R"({"status":0,"response_type_id":309,"data":{"customer_profile":{
      "chart":["x",{"data_type_id":10,"data":{"used":"N/A","remaining":"1,500.00"}}]}}})",
                         &ignored);
  ASSERT_TRUE(profile.has_value());
  EXPECT_EQ(profile->limit_usage().remaining().units(), 1500);
  EXPECT_FALSE(profile->limit_usage().has_used());
  EXPECT_THAT(ignored, ElementsAre("data.customer_profile.chart[]",
                                   "data.customer_profile.chart[].data.used"));
}

TEST(ResponseMapperTest, EmptyAndNullAmountsAreAbsentNotIgnored) {
  json::IgnoredFields ignored;
  auto profile = Profile(R"({"status":0,"response_type_id":309,"data":{"customer_profile":{
      "name":"A","balance":"","next_allowed_limit":null,"total_monthly_limit":"25,000.00"}}})",
                         &ignored);
  ASSERT_TRUE(profile.has_value());
  EXPECT_FALSE(profile->has_balance());
  EXPECT_FALSE(profile->has_next_allowed_limit());
  EXPECT_EQ(profile->total_monthly_limit().units(), 25000);
  EXPECT_THAT(ignored, IsEmpty());
}

TEST(ResponseMapperTest, IntentIdIsTypedWhenNumeric) {
  v1::GetCustomerResponse response;
  json::IgnoredFields ignored;
  ASSERT_TRUE(FillResponse(Parse(R"({"status":2129,"response_type_id":2129,
      "data":{"intent_id":19,"kyc_request_id":"","otp_ref_id":"r=="}})"),
                           v1::NEXT_STEP_VERIFY_CUSTOMER_OTP, &response, &ignored)
                  .ok());
  EXPECT_EQ(response.intent_id(), 19);

  v1::OnboardCustomerResponse empty_intent;
  ASSERT_TRUE(FillResponse(Parse(R"({"status":2129,"response_type_id":2129,
      "data":{"intent_id":"","otp_ref_id":"r=="}})"),
                           v1::NEXT_STEP_VERIFY_CUSTOMER_OTP, &empty_intent, &ignored)
                  .ok());
  EXPECT_EQ(empty_intent.intent_id(), 0);
  EXPECT_THAT(ignored, IsEmpty());

  ASSERT_TRUE(FillResponse(Parse(R"({"status":2129,"response_type_id":2129,
      "data":{"intent_id":"onboarding","otp_ref_id":"r=="}})"),
                           v1::NEXT_STEP_VERIFY_CUSTOMER_OTP, &empty_intent, &ignored)
                  .ok());
  EXPECT_THAT(ignored, ElementsAre("data.intent_id"));
}

TEST(ResponseMapperTest, NonObjectDataLeavesAStepIntact) {
  auto env = Parse(R"({"status":308,"response_type_id":308,"data":"none"})");
  EXPECT_THAT(env.ignored, ElementsAre("data"));
  v1::GetCustomerResponse response;
  json::IgnoredFields ignored;
  ASSERT_TRUE(FillResponse(env, v1::NEXT_STEP_ONBOARD_CUSTOMER, &response, &ignored).ok());
  EXPECT_THAT(ignored, IsEmpty());
}

TEST(ResponseMapperTest, ValidateEkycOtpCarriesTheSendersNewState) {
  v1::ValidateEkycOtpResponse response;
  json::IgnoredFields ignored;
  ASSERT_TRUE(FillResponse(Parse(R"({"status":0,"response_status_id":0,"response_type_id":2132,
      "data":{"user_code":"20810200","customer_id":"9123456789","kyc_verified":true,
      "available_limit":"25000.00"}})"),
                           v1::NEXT_STEP_COMPLETE, &response, &ignored)
                  .ok());
  EXPECT_EQ(response.customer_id(), "9123456789");
  ASSERT_TRUE(response.has_kyc_verified());
  EXPECT_TRUE(response.kyc_verified());
  EXPECT_EQ(response.available_limit().units(), 25000);
  EXPECT_EQ(response.available_limit().currency_code(), "INR");
  EXPECT_THAT(ignored, IsEmpty());

  v1::ValidateEkycOtpResponse loose;
  ASSERT_TRUE(FillResponse(Parse(R"({"status":0,"response_type_id":2132,
      "data":{"kyc_verified":"maybe","available_limit":"N/A"}})"),
                           v1::NEXT_STEP_COMPLETE, &loose, &ignored)
                  .ok());
  EXPECT_FALSE(loose.has_kyc_verified());
  EXPECT_FALSE(loose.has_available_limit());
  EXPECT_THAT(ignored, ElementsAre("data.kyc_verified", "data.available_limit"));

  v1::ValidateEkycOtpResponse zero_one;
  ASSERT_TRUE(Fill((R"({"status":0,"response_type_id":2132,"data":{"kyc_verified":0}})"),
                   v1::NEXT_STEP_COMPLETE, &zero_one)
                  .ok());
  ASSERT_TRUE(zero_one.has_kyc_verified());
  EXPECT_FALSE(zero_one.kyc_verified());
}

TEST(ResponseMapperTest, GetSenderOtpStepReturnsBothReferences) {
  v1::GetSenderResponse response;
  ASSERT_TRUE(Fill((R"({"status":0,"response_type_id":2129,
      "data":{"otp_ref_id":"771","kyc_request_id":"2400001"}})"),
                   v1::NEXT_STEP_VALIDATE_EKYC_OTP, &response)
                  .ok());
  EXPECT_EQ(response.otp_ref_id(), "771");
  EXPECT_EQ(response.kyc_request_id(), "2400001");
  EXPECT_THAT(Fill((R"({"status":0,"response_type_id":2129,"data":{"otp_ref_id":"771"}})"),
                   v1::NEXT_STEP_VALIDATE_EKYC_OTP, &response),
              StatusIs(absl::StatusCode::kInternal));
}

TEST(ResponseMapperTest, OtpStepRequiresOtpRefId) {
  v1::OnboardCustomerResponse response;
  EXPECT_THAT(Fill((R"({"status":2129,"response_type_id":2129,"data":{}})"),
                   v1::NEXT_STEP_VERIFY_CUSTOMER_OTP, &response),
              StatusIs(absl::StatusCode::kInternal));
  ASSERT_TRUE(Fill((R"({"status":2129,"response_type_id":2129,
      "data":{"otp_ref_id":"abc=="}})"),
                   v1::NEXT_STEP_VERIFY_CUSTOMER_OTP, &response)
                  .ok());
  EXPECT_EQ(response.otp_ref_id(), "abc==");
}

TEST(ResponseMapperTest, EkycStepRequiresBothReferences) {
  v1::StartSenderEkycResponse response;
  EXPECT_THAT(Fill((R"({"status":0,"response_type_id":2129,
      "data":{"otp_ref_id":"12"}})"),
                   v1::NEXT_STEP_VALIDATE_EKYC_OTP, &response),
              StatusIs(absl::StatusCode::kInternal));
  ASSERT_TRUE(Fill((R"({"status":0,"response_type_id":2129,
      "data":{"otp_ref_id":12,"kyc_request_id":"0034"}})"),
                   v1::NEXT_STEP_VALIDATE_EKYC_OTP, &response)
                  .ok());
  EXPECT_EQ(response.otp_ref_id(), "12");
  EXPECT_EQ(response.kyc_request_id(), "0034");
}

TEST(ResponseMapperTest, PanStepCarriesApplicationId) {
  v1::VerifyCustomerOtpResponse response;
  ASSERT_TRUE(Fill((R"({"status":0,"response_type_id":2147,
      "data":{"application_id":"A-1"}})"),
                   v1::NEXT_STEP_VALIDATE_PAN, &response)
                  .ok());
  EXPECT_EQ(response.application_id(), "A-1");
  EXPECT_FALSE(response.has_customer_profile());
}

}  // namespace
}  // namespace eko::adapter
