// Every branch of both onboarding journeys, through the real gateway and
// simulator, plus the exact request each of the seven RPCs puts on the wire.
#include <string>
#include <type_traits>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/integration/test_stack.h"

namespace eko::testing {
namespace {

using ::testing::HasSubstr;

class JourneysTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { stack_ = TestStack::Start().release(); }
  static void TearDownTestSuite() {
    delete stack_;
    stack_ = nullptr;
  }
  void SetUp() override { ASSERT_NE(stack_, nullptr); }

  template <typename Request>
  static void FillPerson(const std::string& customer_id, Request* request) {
    request->set_customer_id(customer_id);
    request->set_name("Ravi Kumar");
    request->mutable_dob()->set_year(1985);
    request->mutable_dob()->set_month(1);
    request->mutable_dob()->set_day(2);
    if constexpr (std::is_same_v<Request, v1::OnboardSenderRequest>) {
      *request->mutable_address() = TestAddress();
    } else {
      request->add_residence_address("4 Park Street");
      request->add_residence_address("Pune");
    }
  }

  static v1::GetSenderResponse GetSender(const std::string& customer_id) {
    v1::GetSenderRequest request;
    request.set_customer_id(customer_id);
    v1::GetSenderResponse response;
    grpc::Status status = stack_->stub().GetSender(Context().get(), request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return response;
  }

  static grpc::Status StartEkyc(
      const std::string& customer_id, v1::StartSenderEkycResponse* out,
      const std::string& pid = "<PidData><Resp errCode=\"0\"/></PidData>") {
    v1::StartSenderEkycRequest request;
    request.set_customer_id(customer_id);
    request.set_aadhaar("234567890123");
    request.set_pid_data(pid);
    return stack_->stub().StartSenderEkyc(Context().get(), request, out);
  }

  static inline TestStack* stack_ = nullptr;
};

TEST_F(JourneysTest, EnrolledCustomerVerifiesAndGetsTheProfile) {
  v1::GetCustomerRequest lookup;
  lookup.set_customer_id("6111111111");
  v1::GetCustomerResponse found;
  ASSERT_TRUE(stack_->stub().GetCustomer(Context().get(), lookup, &found).ok());
  ASSERT_EQ(found.next_step(), v1::NEXT_STEP_VERIFY_CUSTOMER_OTP);
  auto otp = stack_->LatestOtp("6111111111");
  ASSERT_TRUE(otp.has_value());
  v1::VerifyCustomerOtpRequest verify;
  verify.set_customer_id("6111111111");
  verify.set_otp(otp->otp);
  verify.set_otp_ref_id(found.otp_ref_id());
  v1::VerifyCustomerOtpResponse verified;
  grpc::Status status = stack_->stub().VerifyCustomerOtp(Context().get(), verify, &verified);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(verified.next_step(), v1::NEXT_STEP_COMPLETE);
  EXPECT_EQ(verified.customer_profile().name(), "Test Customer");
}

TEST_F(JourneysTest, OnboardingARegisteredCustomerIsAlreadyExists) {
  v1::OnboardCustomerRequest request;
  FillPerson("6111111111", &request);
  v1::OnboardCustomerResponse response;
  grpc::Status status = stack_->stub().OnboardCustomer(Context().get(), request, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::ALREADY_EXISTS);
  ErrorDetails details = DecodeDetails(status);
  EXPECT_EQ(details.reason, "CUSTOMER_ALREADY_REGISTERED");
  EXPECT_EQ(details.metadata["ekoStatus"], "17");
}

TEST_F(JourneysTest, SenderJourneyWalksEveryLookupState) {
  const std::string sender = "9123460001";
  EXPECT_EQ(GetSender(sender).next_step(), v1::NEXT_STEP_ONBOARD_SENDER);

  v1::OnboardSenderRequest onboard;
  FillPerson(sender, &onboard);
  v1::OnboardSenderResponse onboarded;
  ASSERT_TRUE(stack_->stub().OnboardSender(Context().get(), onboard, &onboarded).ok());
  EXPECT_EQ(onboarded.next_step(), v1::NEXT_STEP_START_SENDER_EKYC);
  EXPECT_EQ(GetSender(sender).next_step(), v1::NEXT_STEP_START_SENDER_EKYC);

  v1::StartSenderEkycResponse started;
  ASSERT_TRUE(StartEkyc(sender, &started).ok());
  ASSERT_EQ(started.next_step(), v1::NEXT_STEP_VALIDATE_EKYC_OTP);
  v1::GetSenderResponse pending = GetSender(sender);
  EXPECT_EQ(pending.next_step(), v1::NEXT_STEP_VALIDATE_EKYC_OTP);
  EXPECT_EQ(pending.otp_ref_id(), started.otp_ref_id());

  auto otp = stack_->LatestOtp(sender);
  ASSERT_TRUE(otp.has_value());
  v1::ValidateEkycOtpRequest validate;
  validate.set_customer_id(sender);
  validate.set_otp(otp->otp);
  validate.set_otp_ref_id(started.otp_ref_id());
  validate.set_kyc_request_id(started.kyc_request_id());
  v1::ValidateEkycOtpResponse validated;
  ASSERT_TRUE(stack_->stub().ValidateEkycOtp(Context().get(), validate, &validated).ok());
  EXPECT_EQ(validated.next_step(), v1::NEXT_STEP_COMPLETE);

  v1::GetSenderResponse complete = GetSender(sender);
  EXPECT_EQ(complete.next_step(), v1::NEXT_STEP_COMPLETE);
  EXPECT_EQ(complete.customer_profile().kyc_state(), v1::KYC_STATE_KYC_COMPLETE);
  EXPECT_EQ(complete.customer_profile().name(), "Ravi Kumar");

  // Once complete: onboarding again and eKYC again report COMPLETE.
  ASSERT_TRUE(stack_->stub().OnboardSender(Context().get(), onboard, &onboarded).ok());
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
  v1::OnboardSenderRequest onboard;
  FillPerson(sender, &onboard);
  v1::OnboardSenderResponse onboarded;
  ASSERT_TRUE(stack_->stub().OnboardSender(Context().get(), onboard, &onboarded).ok());
  v1::StartSenderEkycResponse started;
  grpc::Status status = StartEkyc(sender, &started);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  ErrorDetails details = DecodeDetails(status);
  EXPECT_EQ(details.reason, "EKYC_FAILED");
  EXPECT_THAT(details.type_urls,
              ::testing::Contains("type.googleapis.com/google.rpc.PreconditionFailure"));
}

TEST_F(JourneysTest, EkycForUnknownSenderIsNotFound) {
  v1::StartSenderEkycResponse started;
  grpc::Status status = StartEkyc("9123460002", &started);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(DecodeDetails(status).reason, "CUSTOMER_NOT_FOUND");
}

// The exact request each RPC sends (the simulator records what it received).
TEST_F(JourneysTest, EveryRpcSendsItsDocumentedRequest) {
  const std::string id = "9123460003";
  stack_->ClearRequests();
  {
    v1::GetCustomerRequest r;
    r.set_customer_id(id);
    v1::GetCustomerResponse out;
    ASSERT_TRUE(stack_->stub().GetCustomer(Context().get(), r, &out).ok());
  }
  {
    v1::OnboardCustomerRequest r;
    FillPerson(id, &r);
    r.set_client_ref_id("ref-oc");
    v1::OnboardCustomerResponse out;
    ASSERT_TRUE(stack_->stub().OnboardCustomer(Context().get(), r, &out).ok());
    v1::VerifyCustomerOtpRequest v;
    v.set_customer_id(id);
    v.set_otp("012345");
    v.set_otp_ref_id(out.otp_ref_id());
    v.set_client_ref_id("ref-vc");
    v1::VerifyCustomerOtpResponse verified;
    stack_->stub().VerifyCustomerOtp(Context().get(), v, &verified);  // outcome irrelevant here
  }
  {
    v1::GetSenderRequest r;
    r.set_customer_id(id);
    r.set_user_code("20810201");
    v1::GetSenderResponse out;
    ASSERT_TRUE(stack_->stub().GetSender(Context().get(), r, &out).ok());
    v1::OnboardSenderRequest o;
    FillPerson(id, &o);
    o.set_client_ref_id("ref-os");
    v1::OnboardSenderResponse onboarded;
    ASSERT_TRUE(stack_->stub().OnboardSender(Context().get(), o, &onboarded).ok());
    v1::StartSenderEkycRequest e;
    e.set_customer_id(id);
    e.set_aadhaar("234567890123");
    e.set_pid_data("<PidData/>");
    e.set_client_ref_id("ref-se");
    v1::StartSenderEkycResponse started;
    ASSERT_TRUE(stack_->stub().StartSenderEkyc(Context().get(), e, &started).ok());
    v1::ValidateEkycOtpRequest x;
    x.set_customer_id(id);
    x.set_otp("000123");
    x.set_otp_ref_id(started.otp_ref_id());
    x.set_kyc_request_id(started.kyc_request_id());
    x.set_client_ref_id("ref-ve");
    v1::ValidateEkycOtpResponse validated;
    stack_->stub().ValidateEkycOtp(Context().get(), x, &validated);  // wrong OTP: fine
  }
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
            common + R"("client_ref_id":"ref-oc","name":"Ravi Kumar",)"
                     R"("dob":"1985-01-02","residence_address":["4 Park Street","Pune"]})");

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
  StackOptions options;
  // The simulator only knows the current paths, so a legacy override must
  // reach it as a 404: proof the override is what goes on the wire.
  options.extra_gateway_flags = {"--eko-endpoint",
                                 "GetCustomer=GET /customer/legacy/{customer_id}"};
  auto stack = TestStack::Start(options);
  ASSERT_NE(stack, nullptr);
  v1::GetCustomerRequest request;
  request.set_customer_id("9123460004");
  v1::GetCustomerResponse response;
  grpc::Status status = stack->stub().GetCustomer(Context().get(), request, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INTERNAL);
  EXPECT_EQ(DecodeDetails(status).reason, "UPSTREAM_CONTRACT_MISMATCH");
  ASSERT_FALSE(stack->Requests().empty());
  EXPECT_EQ(stack->Requests().back().path, "/ekoapi/v3/customer/legacy/9123460004");
}

}  // namespace
}  // namespace eko::testing
