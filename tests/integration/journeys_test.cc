// Every branch of both onboarding journeys, through the real gateway and
// simulator, plus the exact request each of the seven RPCs puts on the wire.
#include <map>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/integration/requests.h"
#include "tests/integration/test_stack.h"

namespace eko::testing {
namespace {

using ::testing::HasSubstr;

class JourneysTest : public SharedStackTest {
 protected:
  static v1::GetSenderResponse GetSender(const std::string& customer_id) {
    v1::GetSenderResponse response;
    grpc::Status status = Call(*stack_, SenderLookup(customer_id), &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return response;
  }

  static grpc::Status StartEkyc(const std::string& customer_id, v1::StartSenderEkycResponse* out) {
    return Call(*stack_, SenderEkyc(customer_id, "<PidData><Resp errCode=\"0\"/></PidData>"), out);
  }
};

TEST_F(JourneysTest, EnrolledCustomerVerifiesAndGetsTheProfile) {
  v1::GetCustomerResponse found;
  ASSERT_TRUE(Call(*stack_, CustomerLookup("6111111111"), &found).ok());
  ASSERT_EQ(found.next_step(), v1::NEXT_STEP_VERIFY_CUSTOMER_OTP);
  auto otp = stack_->LatestOtp("6111111111");
  ASSERT_TRUE(otp.has_value());
  v1::VerifyCustomerOtpResponse verified;
  ASSERT_TRUE(
      Succeeded(Call(*stack_, CustomerOtp("6111111111", otp->otp, found.otp_ref_id()), &verified)));
  EXPECT_EQ(verified.next_step(), v1::NEXT_STEP_COMPLETE);
  EXPECT_EQ(verified.customer_profile().name(), "Test Customer");
}

TEST_F(JourneysTest, OnboardingARegisteredCustomerIsAlreadyExists) {
  grpc::Status status = Call(*stack_, NewCustomer("6111111111"));
  EXPECT_TRUE(HasError(status, grpc::StatusCode::ALREADY_EXISTS, "CUSTOMER_ALREADY_REGISTERED"));
  EXPECT_EQ(DecodeDetails(status).metadata["ekoStatus"], "17");
}

TEST_F(JourneysTest, SenderJourneyWalksEveryLookupState) {
  const std::string sender = "9123460001";
  EXPECT_EQ(GetSender(sender).next_step(), v1::NEXT_STEP_ONBOARD_SENDER);

  const v1::OnboardSenderRequest onboard = NewSender(sender);
  v1::OnboardSenderResponse onboarded;
  ASSERT_TRUE(Call(*stack_, onboard, &onboarded).ok());
  EXPECT_EQ(onboarded.next_step(), v1::NEXT_STEP_START_SENDER_EKYC);
  EXPECT_EQ(GetSender(sender).next_step(), v1::NEXT_STEP_START_SENDER_EKYC);

  v1::StartSenderEkycResponse started;
  ASSERT_TRUE(StartEkyc(sender, &started).ok());
  ASSERT_EQ(started.next_step(), v1::NEXT_STEP_VALIDATE_EKYC_OTP);
  v1::GetSenderResponse pending = GetSender(sender);
  EXPECT_EQ(pending.next_step(), v1::NEXT_STEP_VALIDATE_EKYC_OTP);
  EXPECT_EQ(pending.otp_ref_id(), started.otp_ref_id());

  v1::ValidateEkycOtpResponse validated;
  ASSERT_TRUE(ValidateWithSimOtp(*stack_, sender, started.otp_ref_id(), started.kyc_request_id(),
                                 &validated)
                  .ok());
  EXPECT_EQ(validated.next_step(), v1::NEXT_STEP_COMPLETE);

  v1::GetSenderResponse complete = GetSender(sender);
  EXPECT_EQ(complete.next_step(), v1::NEXT_STEP_COMPLETE);
  EXPECT_EQ(complete.customer_profile().kyc_state(), v1::KYC_STATE_KYC_COMPLETE);
  EXPECT_EQ(complete.customer_profile().name(), "Ravi Kumar");

  // Once complete: onboarding again and eKYC again report COMPLETE.
  ASSERT_TRUE(Call(*stack_, onboard, &onboarded).ok());
  EXPECT_EQ(onboarded.next_step(), v1::NEXT_STEP_COMPLETE);
  ASSERT_TRUE(StartEkyc(sender, &started).ok());
  EXPECT_EQ(started.next_step(), v1::NEXT_STEP_COMPLETE);
}

TEST_F(JourneysTest, SeededSenderIsAlreadyKycd) {
  v1::GetSenderResponse response = GetSender("6222222222");
  EXPECT_EQ(response.next_step(), v1::NEXT_STEP_COMPLETE);
  EXPECT_EQ(response.customer_profile().kyc_state(), v1::KYC_STATE_KYC_COMPLETE);
  EXPECT_EQ(response.customer_profile().total_monthly_limit().units(), 25000);
}

TEST_F(JourneysTest, FailedBiometricEkycIsFailedPrecondition) {
  const std::string sender = "9123462135";
  ASSERT_TRUE(Call(*stack_, NewSender(sender)).ok());
  v1::StartSenderEkycResponse started;
  grpc::Status status = StartEkyc(sender, &started);
  EXPECT_TRUE(HasError(status, grpc::StatusCode::FAILED_PRECONDITION, "EKYC_FAILED"));
  EXPECT_THAT(DecodeDetails(status).type_urls,
              ::testing::Contains("type.googleapis.com/google.rpc.PreconditionFailure"));
}

TEST_F(JourneysTest, EkycForUnknownSenderIsNotFound) {
  v1::StartSenderEkycResponse started;
  grpc::Status status = StartEkyc("9123460002", &started);
  EXPECT_TRUE(HasError(status, grpc::StatusCode::NOT_FOUND, "CUSTOMER_NOT_FOUND"));
}

// The exact request each RPC sends (the simulator records what it received).
TEST_F(JourneysTest, EveryRpcSendsItsDocumentedRequest) {
  const std::string id = "9123460003";
  stack_->ClearRequests();
  // Each request carries its own client_ref_id; the outcome of the two OTP
  // checks (wrong OTPs) does not matter here.
  ASSERT_TRUE(Call(*stack_, CustomerLookup(id)).ok());
  v1::OnboardCustomerRequest onboard_customer = NewCustomer(id);
  onboard_customer.set_client_ref_id("ref-oc");
  v1::OnboardCustomerResponse onboarded_customer;
  ASSERT_TRUE(Call(*stack_, onboard_customer, &onboarded_customer).ok());
  v1::VerifyCustomerOtpRequest verify = CustomerOtp(id, "012345", onboarded_customer.otp_ref_id());
  verify.set_client_ref_id("ref-vc");
  Call(*stack_, verify);

  v1::GetSenderRequest lookup = SenderLookup(id);
  lookup.set_user_code("20810201");
  ASSERT_TRUE(Call(*stack_, lookup).ok());
  v1::OnboardSenderRequest onboard_sender = NewSender(id);
  onboard_sender.set_client_ref_id("ref-os");
  ASSERT_TRUE(Call(*stack_, onboard_sender).ok());
  v1::StartSenderEkycRequest ekyc = SenderEkyc(id);
  ekyc.set_client_ref_id("ref-se");
  v1::StartSenderEkycResponse started;
  ASSERT_TRUE(Call(*stack_, ekyc, &started).ok());
  v1::ValidateEkycOtpRequest validate =
      EkycOtp(id, "000123", started.otp_ref_id(), started.kyc_request_id());
  validate.set_client_ref_id("ref-ve");
  Call(*stack_, validate);
  std::vector<RecordedRequest> requests = stack_->Requests();
  ASSERT_EQ(requests.size(), 7u);
  const std::string base = "/ekoapi/v3";
  const std::string common = R"({"initiator_id":"9962981729","user_code":"20810200",)";

  EXPECT_EQ(requests[0].method, "GET");
  EXPECT_EQ(requests[0].path, base + "/customer/profile/" + id);
  EXPECT_EQ(requests[0].query, (std::map<std::string, std::string>{{"initiator_id", "9962981729"},
                                                                   {"user_code", "20810200"}}));
  EXPECT_EQ(requests[0].body, "");

  EXPECT_EQ(requests[1].method, "POST");
  EXPECT_EQ(requests[1].path, base + "/customer/account/" + id);
  EXPECT_EQ(requests[1].body,
            common + R"("client_ref_id":"ref-oc","name":"Asha Rao",)"
                     R"("dob":"1990-05-15","residence_address":["12 MG Road","Bengaluru"]})");

  EXPECT_EQ(requests[2].method, "POST");
  EXPECT_EQ(requests[2].path, base + "/customer/account/" + id + "/otp/verify");
  EXPECT_THAT(requests[2].body,
              HasSubstr(common + R"("client_ref_id":"ref-vc","otp":"012345","otp_ref_id":")"));

  EXPECT_EQ(requests[3].method, "GET");
  EXPECT_EQ(requests[3].path, base + "/customer/payment/dmt-fino/sender/" + id);
  EXPECT_EQ(requests[3].query, (std::map<std::string, std::string>{{"initiator_id", "9962981729"},
                                                                   {"user_code", "20810201"}}));

  EXPECT_EQ(requests[4].method, "POST");
  EXPECT_EQ(requests[4].path, base + "/customer/payment/dmt-fino/sender/" + id);
  // The address as Eko's current DMT-Fino docs send it: a string holding an object.
  EXPECT_EQ(requests[4].body, common + R"("client_ref_id":"ref-os","name":"Ravi Kumar",)" +
                                  R"("dob":"1985-01-02","residence_address":)" +
                                  kTestAddressOnTheWire + "}");

  EXPECT_EQ(requests[5].method, "PUT");
  EXPECT_EQ(requests[5].path, base + "/customer/payment/dmt-fino/sender/" + id + "/otp");
  EXPECT_EQ(requests[5].body, common + R"("client_ref_id":"ref-se","aadhar":"234567890123",)"
                                       R"("piddata":"<PidData/>"})");

  EXPECT_EQ(requests[6].method, "PUT");
  EXPECT_EQ(requests[6].path, base + "/customer/payment/dmt-fino/sender/" + id + "/otp/verify");
  EXPECT_THAT(requests[6].body,
              HasSubstr(common + R"("client_ref_id":"ref-ve","otp":"000123","otp_ref_id":")"));
  EXPECT_THAT(requests[6].body, HasSubstr(R"(","kyc_request_id":")"));
  for (const RecordedRequest& r : requests) {
    EXPECT_TRUE(r.auth_ok) << r.method << " " << r.path;
    // Eko's docs list content-type on every request, GET included.
    EXPECT_EQ(r.content_type, "application/json") << r.method << " " << r.path;
  }
}

TEST(EndpointOverrideTest, ConfiguredPathIsUsed) {
  // The simulator only knows the current paths, so a legacy override must
  // reach it as a 404: proof the override is what goes on the wire.
  auto stack =
      TestStack::Start({.extra_gateway_flags = {"--eko-endpoint",
                                                "GetCustomer=GET /customer/legacy/{customer_id}"}});
  ASSERT_NE(stack, nullptr);
  grpc::Status status = Call(*stack, CustomerLookup("9123460004"));
  EXPECT_TRUE(HasError(status, grpc::StatusCode::INTERNAL, "UPSTREAM_CONTRACT_MISMATCH"));
  ASSERT_FALSE(stack->Requests().empty());
  EXPECT_EQ(stack->Requests().back().path, "/ekoapi/v3/customer/legacy/9123460004");
}

}  // namespace
}  // namespace eko::testing
