#include "adapters/eko/response_mapper.h"

#include "gtest/gtest.h"
#include "tests/support/status_matchers.h"

namespace eko::adapter {
namespace {

using ::eko::testing::StatusIs;
namespace v1 = ::eko::onboarding::v1;

// Eko's Verify Customer OTP success sample (reference/eko-api.md 5.3), with
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

TEST(ResponseMapperTest, VerifyOtpProfile) {
  v1::VerifyCustomerOtpResponse response;
  ASSERT_TRUE(FillResponse(Parse(kVerified), v1::NEXT_STEP_COMPLETE, &response).ok());
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
  ASSERT_TRUE(FillResponse(Parse(R"({"status":0,"response_status_id":-1,"response_type_id":309,
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
  auto profile = ParseCustomerProfile(
      Parse(R"({"status":0,"response_type_id":309,"data":{"customer_profile":{"kyc_state":7}}})"));
  ASSERT_TRUE(profile.ok());
  EXPECT_EQ((*profile)->kyc_state(), v1::KYC_STATE_UNSPECIFIED);
  EXPECT_EQ((*profile)->eko_kyc_state(), 7);
}

TEST(ResponseMapperTest, NoProfileWhenEkoSendsNone) {
  auto profile = ParseCustomerProfile(Parse(
      R"({"status":308,"response_type_id":308,"data":{"sender_name":"","ekyc_enabled":""}})"));
  ASSERT_TRUE(profile.ok());
  EXPECT_FALSE(profile->has_value());
}

TEST(ResponseMapperTest, WrongTypesAreErrors) {
  EXPECT_THAT(
      ParseCustomerProfile(Parse(
          R"({"status":0,"response_type_id":309,"data":{"customer_profile":{"balance":{}}}})")),
      StatusIs(absl::StatusCode::kInternal));
  EXPECT_THAT(
      ParseCustomerProfile(
          Parse(R"({"status":0,"response_type_id":309,"data":{"customer_profile":{"chart":{}}}})")),
      StatusIs(absl::StatusCode::kInternal));
  EXPECT_THAT(ParseCustomerProfile(
                  Parse(R"({"status":0,"response_type_id":309,"data":{"customer_profile":"x"}})")),
              StatusIs(absl::StatusCode::kInternal));
}

TEST(ResponseMapperTest, OtpStepRequiresOtpRefId) {
  v1::OnboardCustomerResponse response;
  EXPECT_THAT(FillResponse(Parse(R"({"status":2129,"response_type_id":2129,"data":{}})"),
                           v1::NEXT_STEP_VERIFY_CUSTOMER_OTP, &response),
              StatusIs(absl::StatusCode::kInternal));
  ASSERT_TRUE(FillResponse(Parse(R"({"status":2129,"response_type_id":2129,
      "data":{"otp_ref_id":"abc=="}})"),
                           v1::NEXT_STEP_VERIFY_CUSTOMER_OTP, &response)
                  .ok());
  EXPECT_EQ(response.otp_ref_id(), "abc==");
}

TEST(ResponseMapperTest, EkycStepRequiresBothReferences) {
  v1::StartSenderEkycResponse response;
  EXPECT_THAT(FillResponse(Parse(R"({"status":0,"response_type_id":2129,
      "data":{"otp_ref_id":"12"}})"),
                           v1::NEXT_STEP_VALIDATE_EKYC_OTP, &response),
              StatusIs(absl::StatusCode::kInternal));
  ASSERT_TRUE(FillResponse(Parse(R"({"status":0,"response_type_id":2129,
      "data":{"otp_ref_id":12,"kyc_request_id":"0034"}})"),
                           v1::NEXT_STEP_VALIDATE_EKYC_OTP, &response)
                  .ok());
  EXPECT_EQ(response.otp_ref_id(), "12");
  EXPECT_EQ(response.kyc_request_id(), "0034");
}

TEST(ResponseMapperTest, PanStepCarriesApplicationId) {
  v1::VerifyCustomerOtpResponse response;
  ASSERT_TRUE(FillResponse(Parse(R"({"status":0,"response_type_id":2147,
      "data":{"application_id":"A-1"}})"),
                           v1::NEXT_STEP_VALIDATE_PAN, &response)
                  .ok());
  EXPECT_EQ(response.application_id(), "A-1");
  EXPECT_FALSE(response.has_customer_profile());
}

}  // namespace
}  // namespace eko::adapter
