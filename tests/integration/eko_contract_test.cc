// Eko's published contract end to end: the real gateway against the
// simulator, which follows Eko's current docs (not the gateway's reading).
// Each test pins one point of the contract: the sender's address object,
// the typed response fields, lenient optional fields, codes scoped to their
// endpoint, and the wire details (content-type, trimmed keys, optional OTP,
// OTP JSON types, endpoint templates).
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/integration/requests.h"
#include "tests/integration/test_stack.h"

namespace eko::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// A one-shot simulator fault answering `customer_id`'s next call with HTTP
// 200 and `body`.
Fault Respond(const std::string& customer_id, const std::string& body) {
  return {.customer_id = customer_id, .body = body};
}

class EkoContractTest : public SharedStackTest {
 protected:
  static void SetUpTestSuite() { StartSharedStack({.metrics = true}); }
};

TEST_F(EkoContractTest, OnboardSenderSendsTheAddressAsAJsonObjectString) {
  const std::string id = "9123470001";
  v1::OnboardSenderRequest request = NewSender(id);
  request.mutable_address()->set_district("Pune");
  request.mutable_address()->set_area("Shivaji Nagar");
  v1::OnboardSenderResponse response;
  ASSERT_TRUE(Succeeded(Call(*stack_, request, &response)));
  EXPECT_EQ(response.next_step(), v1::NEXT_STEP_START_SENDER_EKYC);
  const std::vector<RecordedRequest> sent = stack_->RequestsFor(id);
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_THAT(sent[0].body,
              HasSubstr(R"("residence_address":"{\"line\":\"4 Park Street\",\"city\":\"Pune\",)"
                        R"(\"state\":\"Maharashtra\",\"pincode\":\"411001\",)"
                        R"(\"district\":\"Pune\",\"area\":\"Shivaji Nagar\"}")"));
}

TEST_F(EkoContractTest, SenderAddressViolationsNameTheirFieldAndSendNothing) {
  const std::string id = "9123470002";
  v1::OnboardSenderRequest request = NewSender(id);
  request.mutable_address()->set_pincode("4110");
  request.mutable_address()->clear_city();
  grpc::Status status = Call(*stack_, request);
  EXPECT_TRUE(HasError(status, grpc::StatusCode::INVALID_ARGUMENT, "FIELD_INVALID"));
  ErrorDetails details = DecodeDetails(status);
  EXPECT_THAT(details.violated_fields, ::testing::ElementsAre("address.city", "address.pincode"));

  // The deprecated address lines alone: refused, naming `address`.
  v1::OnboardSenderRequest lines = NewSender(id);
  lines.clear_address();
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
  lines.add_residence_address("4 Park Street");
#pragma GCC diagnostic pop
  status = Call(*stack_, lines);
  EXPECT_TRUE(HasError(status, grpc::StatusCode::INVALID_ARGUMENT, "FIELD_INVALID"));
  details = DecodeDetails(status);
  EXPECT_THAT(details.violated_fields, ::testing::ElementsAre("address"));
  EXPECT_TRUE(stack_->RequestsFor(id).empty());
}

TEST(EkoContractEncodingTest, ArrayEncodingIsConfigurableAndTheSimulatorRefusesIt) {
  // The simulator follows Eko's current docs: an array is not what the sender
  // endpoint takes, so the configured older reading reaches Eko and is refused.
  auto stack =
      TestStack::Start({.extra_gateway_flags = {"--eko-address-encoding", "OnboardSender=array"}});
  ASSERT_NE(stack, nullptr);
  const std::string id = "9123470003";
  grpc::Status status = Call(*stack, NewSender(id));
  EXPECT_TRUE(HasError(status, grpc::StatusCode::INVALID_ARGUMENT, "UPSTREAM_FIELD_INVALID"));
  EXPECT_THAT(DecodeDetails(status).violated_fields, ::testing::ElementsAre("residence_address"));
  const std::vector<RecordedRequest> sent = stack->RequestsFor(id);
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_THAT(sent[0].body, HasSubstr(R"("residence_address":["4 Park Street","Pune",)"
                                      R"("Maharashtra","411001"])"));
}

TEST_F(EkoContractTest, LookupsAndOnboardingCarryIntentId) {
  v1::GetCustomerResponse found;
  ASSERT_TRUE(Call(*stack_, CustomerLookup("6111111111"), &found).ok());
  EXPECT_EQ(found.next_step(), v1::NEXT_STEP_VERIFY_CUSTOMER_OTP);
  EXPECT_EQ(found.intent_id(), 19);

  v1::OnboardCustomerResponse onboarded;
  ASSERT_TRUE(Call(*stack_, NewCustomer("9123470004"), &onboarded).ok());
  EXPECT_EQ(onboarded.intent_id(), 19);
}

TEST_F(EkoContractTest, GetSenderGivesBothEkycReferencesWhileTheOtpIsPending) {
  const std::string id = "9123470005";
  const v1::StartSenderEkycResponse started = OnboardAndStartEkyc(*stack_, id);
  ASSERT_FALSE(started.kyc_request_id().empty());
  v1::GetSenderResponse pending;
  ASSERT_TRUE(Call(*stack_, SenderLookup(id), &pending).ok());
  EXPECT_EQ(pending.next_step(), v1::NEXT_STEP_VALIDATE_EKYC_OTP);
  EXPECT_EQ(pending.otp_ref_id(), started.otp_ref_id());
  EXPECT_EQ(pending.kyc_request_id(), started.kyc_request_id());

  // A caller who lost StartSenderEkyc's answer finishes with GetSender's.
  v1::ValidateEkycOtpResponse done;
  grpc::Status status =
      ValidateWithSimOtp(*stack_, id, pending.otp_ref_id(), pending.kyc_request_id(), &done);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(done.next_step(), v1::NEXT_STEP_COMPLETE);
  EXPECT_EQ(done.customer_id(), id);
  ASSERT_TRUE(done.has_kyc_verified());
  EXPECT_TRUE(done.kyc_verified());
  EXPECT_EQ(done.available_limit().currency_code(), "INR");
  EXPECT_EQ(done.available_limit().units(), 25000);

  // The same endpoint again: 2131 with response_status_id 1 is "already
  // registered" on ValidateEkycOtp.
  status = ValidateWithSimOtp(*stack_, id, pending.otp_ref_id(), pending.kyc_request_id(), &done);
  EXPECT_TRUE(HasError(status, grpc::StatusCode::ALREADY_EXISTS, "CUSTOMER_ALREADY_REGISTERED"));
}

TEST_F(EkoContractTest, ValidateEkycOtpWithoutTheOptionalFieldsIsStillComplete) {
  const std::string id = "9123470006";
  const v1::StartSenderEkycResponse started = OnboardAndStartEkyc(*stack_, id);
  // Eko's docs source shows data{user_code} only.
  ASSERT_TRUE(stack_->InjectFault(Respond(
      id, R"({"status":0,"response_status_id":0,"response_type_id":2132,)"
          R"("message":"Customer Registration Completed","data":{"user_code":"20810200"}})")));
  v1::ValidateEkycOtpResponse done;
  ASSERT_TRUE(Succeeded(
      Call(*stack_, EkycOtp(id, "123456", started.otp_ref_id(), started.kyc_request_id()), &done)));
  EXPECT_EQ(done.next_step(), v1::NEXT_STEP_COMPLETE);
  EXPECT_EQ(done.customer_id(), "");
  EXPECT_FALSE(done.has_kyc_verified());
  EXPECT_FALSE(done.has_available_limit());
}

TEST_F(EkoContractTest, LooselyTypedOptionalFieldsAreIgnoredCountedAndLoggedWithoutValues) {
  const std::string id = "9123470007";
  // A 309 after Eko consumed the OTP: the step must not turn into an error.
  ASSERT_TRUE(stack_->InjectFault(Respond(
      id, R"({"status":0,"response_status_id":-1,"response_type_id":309,"message":"Success!",)"
          R"("data":{"customer_profile":{"name":"Ravi Kumar","mobile":")" +
              id +
              R"(","balance":"N/A-4471","total_monthly_limit":"25,000.00","kyc_state":"KYC",)"
              R"("chart":"none"},"next_allowed_limit":25000}})")));
  v1::VerifyCustomerOtpResponse response;
  ASSERT_TRUE(Succeeded(Call(*stack_, CustomerOtp(id, "123456", "ref=="), &response)));
  EXPECT_EQ(response.next_step(), v1::NEXT_STEP_COMPLETE);
  const v1::CustomerProfile& profile = response.customer_profile();
  EXPECT_EQ(profile.name(), "Ravi Kumar");
  EXPECT_FALSE(profile.has_balance());
  EXPECT_EQ(profile.total_monthly_limit().units(), 25000);
  EXPECT_EQ(profile.next_allowed_limit().units(), 25000);
  EXPECT_EQ(profile.kyc_state(), v1::KYC_STATE_UNSPECIFIED);
  EXPECT_FALSE(profile.has_limit_usage());

  const std::string metrics = stack_->ScrapeMetrics();
  EXPECT_THAT(
      metrics,
      HasSubstr(
          R"(eko_upstream_fields_ignored_total{field="data.customer_profile.balance",rpc="VerifyCustomerOtp"} 1)"));
  EXPECT_THAT(
      metrics,
      HasSubstr(
          R"(eko_upstream_fields_ignored_total{field="data.customer_profile.kyc_state",rpc="VerifyCustomerOtp"} 1)"));
  EXPECT_THAT(
      metrics,
      HasSubstr(
          R"(eko_upstream_fields_ignored_total{field="data.customer_profile.chart",rpc="VerifyCustomerOtp"} 1)"));
  const std::string log = stack_->gateway().StderrText();
  EXPECT_THAT(log, HasSubstr("upstream_fields_ignored"));
  EXPECT_THAT(log, HasSubstr("data.customer_profile.balance"));
  EXPECT_THAT(log, Not(HasSubstr("N/A-4471")));
}

TEST_F(EkoContractTest, AStepStillNeedsWhatItDependsOn) {
  const std::string id = "9123470008";
  ASSERT_TRUE(stack_->InjectFault(
      Respond(id, R"({"status":2129,"response_status_id":1,"response_type_id":2129,)"
                  R"("message":"Validate the OTP","data":{"intent_id":19,"otp_ref_id":""}})")));
  grpc::Status status = Call(*stack_, CustomerLookup(id));
  EXPECT_TRUE(HasError(status, grpc::StatusCode::INTERNAL, "UPSTREAM_BAD_RESPONSE"));
}

TEST_F(EkoContractTest, CodesAreScopedToTheirEndpoint) {
  // 2131 with response_status_id 1 on the customer OTP endpoint: a rejected OTP.
  const std::string id = "9123470009";
  ASSERT_TRUE(stack_->InjectFault(
      Respond(id, R"({"status":2131,"response_status_id":1,"response_type_id":2131,)"
                  R"("message":"Validate OTP Failed"})")));
  grpc::Status status = Call(*stack_, CustomerOtp(id, "123456", "ref=="));
  EXPECT_TRUE(HasError(status, grpc::StatusCode::INVALID_ARGUMENT, "OTP_INVALID"));
  EXPECT_THAT(DecodeDetails(status).violated_fields, ::testing::ElementsAre("otp"));

  // 2138 on a lookup is no OTP error: Eko said something this RPC does not know.
  ASSERT_TRUE(stack_->InjectFault(
      Respond(id, R"({"status":2138,"response_status_id":1,"response_type_id":2138,)"
                  R"("message":"Invalid OTP"})")));
  status = Call(*stack_, CustomerLookup(id));
  EXPECT_TRUE(HasError(status, grpc::StatusCode::UNKNOWN, "UPSTREAM_UNMAPPED_STATUS"));
}

TEST_F(EkoContractTest, AnEmptyOtpIsLeftOutOfTheBody) {
  const std::string id = "9123470010";
  grpc::Status status = Call(*stack_, CustomerOtp(id, /*otp=*/"", "ref=="));
  // The simulator answers a verification without an OTP as Eko's failed one.
  EXPECT_TRUE(HasError(status, grpc::StatusCode::INVALID_ARGUMENT, "OTP_INVALID"));
  const std::vector<RecordedRequest> sent = stack_->RequestsFor(id);
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_THAT(sent[0].body, Not(HasSubstr("\"otp\"")));
  EXPECT_THAT(sent[0].body, HasSubstr(R"("otp_ref_id":"ref==")"));
}

TEST(EkoContractWireTest, CredentialsAreTrimmedAndOtpsMayBeNumbers) {
  // A developer key with the newline a Secret file often ends with; the
  // flag given last wins over the stack's own.
  auto stack = TestStack::Start(
      {.extra_gateway_flags = {"--eko-developer-key", std::string(" ") + kSimDeveloperKey + "\n",
                               "--eko-otp-json-type", "ValidateEkycOtp=number"}});
  ASSERT_NE(stack, nullptr);
  const std::string id = "9123470011";
  const v1::StartSenderEkycResponse started = OnboardAndStartEkyc(*stack, id);
  const std::optional<SimOtp> otp = stack->LatestOtp(id);
  ASSERT_TRUE(otp.has_value());
  v1::ValidateEkycOtpResponse done;
  grpc::Status status =
      ValidateWithSimOtp(*stack, id, started.otp_ref_id(), started.kyc_request_id(), &done);
  ASSERT_TRUE(status.ok()) << status.error_message();
  const std::vector<RecordedRequest> sent = stack->RequestsFor(id);
  ASSERT_EQ(sent.size(), 3u);
  for (const RecordedRequest& r : sent) EXPECT_TRUE(r.auth_ok) << r.path;
  // The simulator's eKYC references are digits without a leading zero.
  EXPECT_THAT(sent[2].body, HasSubstr(R"("otp_ref_id":)" + started.otp_ref_id() + ","));
  if (otp->otp[0] != '0') {
    EXPECT_THAT(sent[2].body, HasSubstr(R"("otp":)" + otp->otp + ","));
  } else {
    EXPECT_THAT(sent[2].body, HasSubstr(R"("otp":")" + otp->otp + "\","));
  }
}

TEST(EkoContractWireTest, AControlCharacterInACredentialStopsStartUp) {
  auto gateway = ChildProcess::Start(
      {EKO_GATEWAY_BINARY, "--listen", "127.0.0.1:0", "--eko-base-url",
       "http://127.0.0.1:9/ekoapi/v3", "--eko-developer-key", "dev\r\nX-Injected: 1",
       "--eko-access-key", "ak", "--eko-initiator-id", "9962981729"});
  ASSERT_TRUE(gateway.has_value());
  EXPECT_EQ(gateway->Wait(std::chrono::seconds(10)), 2);
  EXPECT_THAT(gateway->StderrText(), HasSubstr("--eko-developer-key holds a control character"));
  EXPECT_THAT(gateway->StderrText(), Not(HasSubstr("X-Injected")));
}

TEST(EkoContractWireTest, EndpointTemplatesReachEkosOlderPathForms) {
  auto stack = TestStack::Start(
      {.extra_gateway_flags = {"--eko-endpoint", "OnboardCustomer=POST /customer/account",
                               "--eko-endpoint",
                               "GetCustomer=GET /customer/profile/{customer_id}?service_code=80"}});
  ASSERT_NE(stack, nullptr);
  const std::string id = "9123470012";
  v1::OnboardCustomerResponse onboarded;
  ASSERT_TRUE(Succeeded(Call(*stack, NewCustomer(id), &onboarded)));
  EXPECT_EQ(onboarded.next_step(), v1::NEXT_STEP_VERIFY_CUSTOMER_OTP);
  v1::GetCustomerResponse found;
  ASSERT_TRUE(Call(*stack, CustomerLookup(id), &found).ok());
  EXPECT_EQ(found.next_step(), v1::NEXT_STEP_VERIFY_CUSTOMER_OTP);

  const std::vector<RecordedRequest> sent = stack->RequestsFor(id);
  ASSERT_EQ(sent.size(), 2u);
  EXPECT_EQ(sent[0].path, "/ekoapi/v3/customer/account");
  EXPECT_THAT(sent[0].body, HasSubstr(R"("customer_id":")" + id + "\""));
  EXPECT_EQ(sent[1].path, "/ekoapi/v3/customer/profile/" + id);
  EXPECT_EQ(sent[1].query.at("service_code"), "80");
  EXPECT_EQ(sent[1].content_type, "application/json");
}

}  // namespace
}  // namespace eko::testing
