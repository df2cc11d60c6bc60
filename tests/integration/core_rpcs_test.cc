// End-to-end tests of the core RPCs: the real eko-gateway and eko-sim
// processes on loopback ports chosen at run time, driven through the
// generated C++ stub.
#include <future>
#include <string>

#include "gmock/gmock.h"
#include "grpc/health/v1/health.pb.h"
#include "grpcpp/generic/generic_stub.h"
#include "gtest/gtest.h"
#include "rapidjson/document.h"
#include "tests/integration/test_stack.h"
#include "tests/support/child_process.h"

namespace eko::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

class CoreRpcsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { stack_ = TestStack::Start().release(); }
  static void TearDownTestSuite() {
    delete stack_;
    stack_ = nullptr;
  }
  void SetUp() override { ASSERT_NE(stack_, nullptr); }

  static v1::OnboardCustomerRequest Onboard(const std::string& customer_id) {
    v1::OnboardCustomerRequest request;
    request.set_customer_id(customer_id);
    request.set_name("Asha Rao");
    request.mutable_dob()->set_year(1990);
    request.mutable_dob()->set_month(5);
    request.mutable_dob()->set_day(15);
    request.add_residence_address("12 MG Road");
    request.add_residence_address("Bengaluru");
    return request;
  }

  // Onboards `customer_id` and returns the OTP the simulator sent.
  static SimOtp OnboardAndGetOtp(const std::string& customer_id) {
    v1::OnboardCustomerResponse response;
    grpc::Status status =
        stack_->stub().OnboardCustomer(Context().get(), Onboard(customer_id), &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    EXPECT_EQ(response.next_step(), v1::NEXT_STEP_VERIFY_CUSTOMER_OTP);
    auto otp = stack_->LatestOtp(customer_id);
    EXPECT_TRUE(otp.has_value());
    EXPECT_EQ(otp->otp_ref_id, response.otp_ref_id());
    return otp.value_or(SimOtp{});
  }

  static grpc::Status Verify(const std::string& customer_id, const std::string& otp,
                             const std::string& otp_ref_id, v1::VerifyCustomerOtpResponse* out) {
    v1::VerifyCustomerOtpRequest request;
    request.set_customer_id(customer_id);
    request.set_otp(otp);
    request.set_otp_ref_id(otp_ref_id);
    return stack_->stub().VerifyCustomerOtp(Context().get(), request, out);
  }

  static inline TestStack* stack_ = nullptr;
};

TEST_F(CoreRpcsTest, NewCustomerCompletesTheGenericJourney) {
  const std::string customer = "9123450001";
  v1::OnboardCustomerResponse onboarded;
  ASSERT_TRUE(stack_->stub().OnboardCustomer(Context().get(), Onboard(customer), &onboarded).ok());
  EXPECT_EQ(onboarded.next_step(), v1::NEXT_STEP_VERIFY_CUSTOMER_OTP);
  EXPECT_FALSE(onboarded.otp_ref_id().empty());
  EXPECT_EQ(onboarded.upstream().response_type_id(), 2129);
  EXPECT_EQ(onboarded.upstream().http_status(), 200);
  EXPECT_FALSE(onboarded.upstream().client_ref_id().empty());
  EXPECT_LE(onboarded.upstream().client_ref_id().size(), 20u);

  auto otp = stack_->LatestOtp(customer);
  ASSERT_TRUE(otp.has_value());
  v1::VerifyCustomerOtpResponse verified;
  grpc::Status status = Verify(customer, otp->otp, onboarded.otp_ref_id(), &verified);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(verified.next_step(), v1::NEXT_STEP_COMPLETE);
  EXPECT_EQ(verified.upstream().response_type_id(), 309);
  EXPECT_EQ(verified.customer_profile().name(), "Asha Rao");
  EXPECT_EQ(verified.customer_profile().mobile(), customer);
  EXPECT_EQ(verified.customer_profile().total_monthly_limit().currency_code(), "INR");
  EXPECT_EQ(verified.customer_profile().total_monthly_limit().units(), 25000);
  EXPECT_EQ(verified.customer_profile().kyc_state(), v1::KYC_STATE_NON_KYC);
}

TEST_F(CoreRpcsTest, AadhaarPendingBranch) {
  const std::string customer = "9123452136";
  SimOtp otp = OnboardAndGetOtp(customer);
  v1::VerifyCustomerOtpResponse verified;
  ASSERT_TRUE(Verify(customer, otp.otp, otp.otp_ref_id, &verified).ok());
  EXPECT_EQ(verified.next_step(), v1::NEXT_STEP_VALIDATE_AADHAAR);
  EXPECT_EQ(verified.upstream().response_type_id(), 2136);
}

TEST_F(CoreRpcsTest, PanRequiredBranch) {
  const std::string customer = "9123452147";
  SimOtp otp = OnboardAndGetOtp(customer);
  v1::VerifyCustomerOtpResponse verified;
  ASSERT_TRUE(Verify(customer, otp.otp, otp.otp_ref_id, &verified).ok());
  EXPECT_EQ(verified.next_step(), v1::NEXT_STEP_VALIDATE_PAN);
  EXPECT_FALSE(verified.application_id().empty());
}

TEST_F(CoreRpcsTest, WrongOtpIsInvalidArgumentOnOtp) {
  const std::string customer = "9123450002";
  SimOtp otp = OnboardAndGetOtp(customer);
  const std::string wrong = otp.otp == "999999" ? "999998" : "999999";
  v1::VerifyCustomerOtpResponse verified;
  grpc::Status status = Verify(customer, wrong, otp.otp_ref_id, &verified);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  ErrorDetails details = DecodeDetails(status);
  EXPECT_EQ(details.reason, "OTP_INVALID");
  EXPECT_EQ(details.domain, "eko-onboarding-gateway");
  EXPECT_EQ(details.error_info_count, 1);
  EXPECT_THAT(details.violated_fields, ElementsAre("otp"));
  EXPECT_FALSE(details.request_id.empty());
  EXPECT_THAT(details.serving_data, HasSubstr("client_ref_id="));
  // Neither OTP appears anywhere in the error.
  EXPECT_THAT(status.error_details(), Not(HasSubstr(wrong)));
  EXPECT_THAT(status.error_message(), Not(HasSubstr(wrong)));
  for (const auto& [key, value] : details.metadata) {
    EXPECT_THAT(value, Not(HasSubstr(wrong))) << key;
    EXPECT_THAT(value, Not(HasSubstr(otp.otp))) << key;
  }
}

TEST_F(CoreRpcsTest, ExpiredOtpIsFailedPrecondition) {
  const std::string customer = "9123450003";
  SimOtp otp = OnboardAndGetOtp(customer);
  ASSERT_TRUE(stack_->ExpireOtps(customer));
  v1::VerifyCustomerOtpResponse verified;
  grpc::Status status = Verify(customer, otp.otp, otp.otp_ref_id, &verified);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  ErrorDetails details = DecodeDetails(status);
  EXPECT_EQ(details.reason, "OTP_EXPIRED");
  EXPECT_THAT(details.type_urls,
              ::testing::Contains("type.googleapis.com/google.rpc.PreconditionFailure"));
}

TEST_F(CoreRpcsTest, SenderEkycJourneyEndsWithValidateEkycOtp) {
  const std::string customer = "9123450004";
  v1::OnboardSenderRequest onboard;
  onboard.set_customer_id(customer);
  onboard.set_name("Ravi Kumar");
  onboard.mutable_dob()->set_year(1985);
  onboard.mutable_dob()->set_month(1);
  onboard.mutable_dob()->set_day(2);
  *onboard.mutable_address() = TestAddress();
  v1::OnboardSenderResponse onboarded;
  grpc::Status status = stack_->stub().OnboardSender(Context().get(), onboard, &onboarded);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(onboarded.next_step(), v1::NEXT_STEP_START_SENDER_EKYC);

  v1::StartSenderEkycRequest ekyc;
  ekyc.set_customer_id(customer);
  ekyc.set_aadhaar("234567890123");
  ekyc.set_pid_data("<PidData><Resp errCode=\"0\"/></PidData>");
  v1::StartSenderEkycResponse started;
  status = stack_->stub().StartSenderEkyc(Context().get(), ekyc, &started);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(started.next_step(), v1::NEXT_STEP_VALIDATE_EKYC_OTP);
  EXPECT_FALSE(started.otp_ref_id().empty());
  EXPECT_FALSE(started.kyc_request_id().empty());

  auto otp = stack_->LatestOtp(customer);
  ASSERT_TRUE(otp.has_value());
  v1::ValidateEkycOtpRequest validate;
  validate.set_customer_id(customer);
  validate.set_otp(otp->otp == "999999" ? "999998" : "999999");
  validate.set_otp_ref_id(started.otp_ref_id());
  validate.set_kyc_request_id(started.kyc_request_id());
  v1::ValidateEkycOtpResponse validated;
  status = stack_->stub().ValidateEkycOtp(Context().get(), validate, &validated);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(DecodeDetails(status).reason, "OTP_INVALID");

  validate.set_otp(otp->otp);
  status = stack_->stub().ValidateEkycOtp(Context().get(), validate, &validated);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(validated.next_step(), v1::NEXT_STEP_COMPLETE);
  EXPECT_EQ(validated.upstream().response_type_id(), 2132);

  status = stack_->stub().ValidateEkycOtp(Context().get(), validate, &validated);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::ALREADY_EXISTS);
  EXPECT_EQ(DecodeDetails(status).reason, "CUSTOMER_ALREADY_REGISTERED");
}

TEST_F(CoreRpcsTest, ExpiredEkycOtpIsFailedPrecondition) {
  const std::string customer = "9123450005";
  v1::OnboardSenderRequest onboard;
  onboard.set_customer_id(customer);
  onboard.set_name("Meera");
  onboard.mutable_dob()->set_year(1970);
  onboard.mutable_dob()->set_month(7);
  onboard.mutable_dob()->set_day(7);
  *onboard.mutable_address() = TestAddress();
  v1::OnboardSenderResponse onboarded;
  ASSERT_TRUE(stack_->stub().OnboardSender(Context().get(), onboard, &onboarded).ok());
  v1::StartSenderEkycRequest ekyc;
  ekyc.set_customer_id(customer);
  ekyc.set_aadhaar("345678901234");
  ekyc.set_pid_data("<PidData/>");
  v1::StartSenderEkycResponse started;
  ASSERT_TRUE(stack_->stub().StartSenderEkyc(Context().get(), ekyc, &started).ok());
  auto otp = stack_->LatestOtp(customer);
  ASSERT_TRUE(otp.has_value());
  ASSERT_TRUE(stack_->ExpireOtps(customer));
  v1::ValidateEkycOtpRequest validate;
  validate.set_customer_id(customer);
  validate.set_otp(otp->otp);
  validate.set_otp_ref_id(started.otp_ref_id());
  validate.set_kyc_request_id(started.kyc_request_id());
  v1::ValidateEkycOtpResponse validated;
  grpc::Status status = stack_->stub().ValidateEkycOtp(Context().get(), validate, &validated);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(DecodeDetails(status).reason, "OTP_EXPIRED");
}

TEST_F(CoreRpcsTest, ValidationFailsBeforeAnyUpstreamCall) {
  stack_->ClearRequests();
  v1::OnboardCustomerRequest request = Onboard("12345");
  request.mutable_dob()->set_month(13);
  v1::OnboardCustomerResponse response;
  grpc::Status status = stack_->stub().OnboardCustomer(Context().get(), request, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  ErrorDetails details = DecodeDetails(status);
  EXPECT_EQ(details.reason, "FIELD_INVALID");
  EXPECT_EQ(details.error_info_count, 1);
  EXPECT_THAT(details.violated_fields, ElementsAre("customer_id", "dob"));
  EXPECT_TRUE(stack_->Requests().empty());
}

TEST_F(CoreRpcsTest, SendsTheDocumentedSignedRequest) {
  const std::string customer = "9123450006";
  stack_->ClearRequests();
  v1::OnboardCustomerRequest request = Onboard(customer);
  request.set_client_ref_id("caller-ref-42");
  request.set_user_code("20810299");
  v1::OnboardCustomerResponse response;
  ASSERT_TRUE(stack_->stub().OnboardCustomer(Context().get(), request, &response).ok());
  EXPECT_EQ(response.upstream().client_ref_id(), "caller-ref-42");
  std::vector<RecordedRequest> requests = stack_->Requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].method, "POST");
  EXPECT_EQ(requests[0].path, "/ekoapi/v3/customer/account/" + customer);
  EXPECT_THAT(requests[0].content_type, HasSubstr("application/json"));
  EXPECT_TRUE(requests[0].auth_ok);
  EXPECT_EQ(
      requests[0].body,
      R"({"initiator_id":"9962981729","user_code":"20810299","client_ref_id":"caller-ref-42",)"
      R"("name":"Asha Rao","dob":"1990-05-15","residence_address":["12 MG Road","Bengaluru"]})");
}

TEST_F(CoreRpcsTest, LookupsReportTheNextStep) {
  v1::GetCustomerRequest request;
  request.set_customer_id("9123450007");
  v1::GetCustomerResponse response;
  ASSERT_TRUE(stack_->stub().GetCustomer(Context().get(), request, &response).ok());
  EXPECT_EQ(response.next_step(), v1::NEXT_STEP_ONBOARD_CUSTOMER);
  EXPECT_EQ(response.upstream().response_type_id(), 308);

  request.set_customer_id("6111111111");  // seeded enrolled customer
  ASSERT_TRUE(stack_->stub().GetCustomer(Context().get(), request, &response).ok());
  EXPECT_EQ(response.next_step(), v1::NEXT_STEP_VERIFY_CUSTOMER_OTP);
  EXPECT_FALSE(response.otp_ref_id().empty());
  std::vector<RecordedRequest> requests = stack_->Requests();
  ASSERT_FALSE(requests.empty());
  EXPECT_EQ(requests.back().method, "GET");
  EXPECT_EQ(requests.back().path, "/ekoapi/v3/customer/profile/6111111111");
  EXPECT_TRUE(requests.back().auth_ok);
}

TEST_F(CoreRpcsTest, RequestIdIsEchoed) {
  grpc::ClientContext context;
  context.AddMetadata("x-request-id", "trace-abc-123");
  v1::VerifyCustomerOtpRequest request;  // invalid: fails locally
  v1::VerifyCustomerOtpResponse response;
  grpc::Status status = stack_->stub().VerifyCustomerOtp(&context, request, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(DecodeDetails(status).request_id, "trace-abc-123");
  auto trailer = context.GetServerTrailingMetadata().find("x-request-id");
  ASSERT_NE(trailer, context.GetServerTrailingMetadata().end());
  EXPECT_EQ(std::string(trailer->second.data(), trailer->second.size()), "trace-abc-123");
}

TEST_F(CoreRpcsTest, HealthReportsServing) {
  grpc::GenericStub generic(stack_->channel());
  grpc::health::v1::HealthCheckRequest request;
  request.set_service("eko.onboarding.v1.OnboardingService");
  const std::string bytes = request.SerializeAsString();
  grpc::Slice slice(bytes);
  grpc::ByteBuffer send(&slice, 1);
  grpc::ByteBuffer receive;
  grpc::ClientContext context;
  std::promise<grpc::Status> done;
  generic.UnaryCall(&context, "/grpc.health.v1.Health/Check", grpc::StubOptions(), &send, &receive,
                    [&done](grpc::Status s) { done.set_value(s); });
  grpc::Status status = done.get_future().get();
  ASSERT_TRUE(status.ok()) << status.error_message();
  std::vector<grpc::Slice> slices;
  ASSERT_TRUE(receive.Dump(&slices).ok());
  std::string reply;
  for (const auto& s : slices) reply.append(reinterpret_cast<const char*>(s.begin()), s.size());
  grpc::health::v1::HealthCheckResponse response;
  ASSERT_TRUE(response.ParseFromString(reply));
  EXPECT_EQ(response.status(), grpc::health::v1::HealthCheckResponse::SERVING);
}

TEST_F(CoreRpcsTest, LogsNeverContainSecretsOrOtps) {
  const std::string customer = "9123450008";
  SimOtp otp = OnboardAndGetOtp(customer);
  v1::VerifyCustomerOtpResponse verified;
  ASSERT_TRUE(Verify(customer, otp.otp, otp.otp_ref_id, &verified).ok());
  const std::string logs = stack_->gateway().StderrText();
  EXPECT_THAT(logs, HasSubstr("\"method\":\"VerifyCustomerOtp\""));
  EXPECT_THAT(logs, Not(HasSubstr(kSimAccessKey)));
  EXPECT_THAT(logs, Not(HasSubstr(customer)));
  EXPECT_THAT(logs, HasSubstr("91******08"));
  EXPECT_THAT(logs, Not(HasSubstr("\"otp\"")));
}

// Separate stacks for configuration problems.
TEST(GatewayStartupTest, WrongAccessKeyIsUpstreamAuthRejected) {
  StackOptions options;
  options.gateway_access_key = "not-the-simulator-key";
  auto stack = TestStack::Start(options);
  ASSERT_NE(stack, nullptr);
  v1::GetCustomerRequest request;
  request.set_customer_id("9123450009");
  v1::GetCustomerResponse response;
  grpc::Status status = stack->stub().GetCustomer(Context().get(), request, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INTERNAL);
  EXPECT_EQ(DecodeDetails(status).reason, "UPSTREAM_AUTH_REJECTED");
  EXPECT_THAT(status.error_details(), Not(HasSubstr("not-the-simulator-key")));
}

TEST(GatewayStartupTest, UnreachableUpstreamIsUnavailable) {
  StackOptions options;
  options.base_url_override = "http://127.0.0.1:9/ekoapi/v3";  // discard port: nothing listens
  auto stack = TestStack::Start(options);
  ASSERT_NE(stack, nullptr);
  v1::GetCustomerRequest request;
  request.set_customer_id("9123450010");
  v1::GetCustomerResponse response;
  grpc::Status status = stack->stub().GetCustomer(Context().get(), request, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE);
  ErrorDetails details = DecodeDetails(status);
  EXPECT_EQ(details.reason, "UPSTREAM_UNREACHABLE");
  EXPECT_EQ(details.metadata["upstreamOutcome"], "NOT_SENT");
}

TEST(GatewayStartupTest, RefusesToStartWithoutCredentials) {
  auto gateway = ChildProcess::Start({EKO_GATEWAY_BINARY, "--listen", "127.0.0.1:0"},
                                     {"EKO_BASE_URL=", "EKO_ACCESS_KEY="});
  ASSERT_TRUE(gateway.has_value());
  EXPECT_EQ(gateway->Wait(std::chrono::seconds(10)), 2);
  EXPECT_THAT(gateway->StderrText(), HasSubstr("--dev"));
  EXPECT_THAT(gateway->StderrText(), HasSubstr("--eko-base-url"));
}

TEST(GatewayStartupTest, DevModeRunsAJourneyOnTheEmbeddedSimulator) {
  auto gateway = ChildProcess::Start({EKO_GATEWAY_DEV_BINARY, "--dev", "--listen", "127.0.0.1:0"});
  ASSERT_TRUE(gateway.has_value());
  auto admin = gateway->WaitForLine("eko-gateway simulator on ", std::chrono::seconds(20));
  ASSERT_TRUE(admin.has_value()) << gateway->StderrText();
  auto port = gateway->WaitForLine("eko-gateway listening on port ", std::chrono::seconds(20));
  ASSERT_TRUE(port.has_value()) << gateway->StderrText();
  EXPECT_THAT(gateway->StderrText(), HasSubstr("DEVELOPMENT MODE"));
  auto channel = grpc::CreateChannel("127.0.0.1:" + *port, grpc::InsecureChannelCredentials());
  auto stub = v1::OnboardingService::NewStub(channel);
  v1::GetCustomerRequest request;
  request.set_customer_id("6111111111");
  v1::GetCustomerResponse response;
  grpc::Status status = stub->GetCustomer(Context().get(), request, &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(response.next_step(), v1::NEXT_STEP_VERIFY_CUSTOMER_OTP);
  EXPECT_EQ(gateway->Stop(SIGTERM, std::chrono::seconds(15)), 0);
}

TEST(GatewayStartupTest, ProductionBinaryRefusesDevMode) {
  auto gateway = ChildProcess::Start({EKO_GATEWAY_BINARY, "--dev", "--listen", "127.0.0.1:0"});
  ASSERT_TRUE(gateway.has_value());
  EXPECT_EQ(gateway->Wait(std::chrono::seconds(10)), 1);
  EXPECT_THAT(gateway->StderrText(), HasSubstr("run eko-gateway-dev"));
}

}  // namespace
}  // namespace eko::testing
