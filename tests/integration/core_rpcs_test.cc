// End-to-end tests of the core RPCs: the real eko-gateway and eko-sim
// processes on loopback ports chosen at run time, driven through the
// generated C++ stub.
#include <signal.h>

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/integration/requests.h"
#include "tests/integration/test_stack.h"
#include "tests/support/child_process.h"

namespace eko::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

class CoreRpcsTest : public SharedStackTest {
 protected:
  // Onboards `customer_id` and verifies it with the OTP the simulator sent,
  // expecting both to succeed; returns VerifyCustomerOtp's answer.
  static v1::VerifyCustomerOtpResponse OnboardAndVerify(const std::string& customer_id) {
    const SimOtp otp = OnboardAndGetOtp(*stack_, customer_id);
    v1::VerifyCustomerOtpResponse verified;
    EXPECT_TRUE(
        Succeeded(Call(*stack_, CustomerOtp(customer_id, otp.otp, otp.otp_ref_id), &verified)));
    return verified;
  }
};

TEST_F(CoreRpcsTest, NewCustomerCompletesTheGenericJourney) {
  const std::string customer = "9123450001";
  v1::OnboardCustomerResponse onboarded;
  ASSERT_TRUE(Call(*stack_, NewCustomer(customer), &onboarded).ok());
  EXPECT_EQ(onboarded.next_step(), v1::NEXT_STEP_VERIFY_CUSTOMER_OTP);
  EXPECT_FALSE(onboarded.otp_ref_id().empty());
  EXPECT_EQ(onboarded.upstream().response_type_id(), 2129);
  EXPECT_EQ(onboarded.upstream().http_status(), 200);
  EXPECT_FALSE(onboarded.upstream().client_ref_id().empty());
  EXPECT_LE(onboarded.upstream().client_ref_id().size(), 20u);

  auto otp = stack_->LatestOtp(customer);
  ASSERT_TRUE(otp.has_value());
  v1::VerifyCustomerOtpResponse verified;
  ASSERT_TRUE(
      Succeeded(Call(*stack_, CustomerOtp(customer, otp->otp, onboarded.otp_ref_id()), &verified)));
  EXPECT_EQ(verified.next_step(), v1::NEXT_STEP_COMPLETE);
  EXPECT_EQ(verified.upstream().response_type_id(), 309);
  EXPECT_EQ(verified.customer_profile().name(), "Asha Rao");
  EXPECT_EQ(verified.customer_profile().mobile(), customer);
  EXPECT_EQ(verified.customer_profile().total_monthly_limit().currency_code(), "INR");
  EXPECT_EQ(verified.customer_profile().total_monthly_limit().units(), 25000);
  EXPECT_EQ(verified.customer_profile().kyc_state(), v1::KYC_STATE_NON_KYC);
}

TEST_F(CoreRpcsTest, AadhaarPendingBranch) {
  const v1::VerifyCustomerOtpResponse verified = OnboardAndVerify("9123452136");
  EXPECT_EQ(verified.next_step(), v1::NEXT_STEP_VALIDATE_AADHAAR);
  EXPECT_EQ(verified.upstream().response_type_id(), 2136);
}

TEST_F(CoreRpcsTest, PanRequiredBranch) {
  const v1::VerifyCustomerOtpResponse verified = OnboardAndVerify("9123452147");
  EXPECT_EQ(verified.next_step(), v1::NEXT_STEP_VALIDATE_PAN);
  EXPECT_FALSE(verified.application_id().empty());
}

TEST_F(CoreRpcsTest, WrongOtpIsInvalidArgumentOnOtp) {
  const std::string customer = "9123450002";
  SimOtp otp = OnboardAndGetOtp(*stack_, customer);
  const std::string wrong = otp.otp == "999999" ? "999998" : "999999";
  v1::VerifyCustomerOtpResponse verified;
  grpc::Status status = Call(*stack_, CustomerOtp(customer, wrong, otp.otp_ref_id), &verified);
  EXPECT_TRUE(HasError(status, grpc::StatusCode::INVALID_ARGUMENT, "OTP_INVALID"));
  ErrorDetails details = DecodeDetails(status);
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
  SimOtp otp = OnboardAndGetOtp(*stack_, customer);
  ASSERT_TRUE(stack_->ExpireOtps(customer));
  grpc::Status status = Call(*stack_, CustomerOtp(customer, otp.otp, otp.otp_ref_id));
  EXPECT_TRUE(HasError(status, grpc::StatusCode::FAILED_PRECONDITION, "OTP_EXPIRED"));
  EXPECT_THAT(DecodeDetails(status).type_urls,
              ::testing::Contains("type.googleapis.com/google.rpc.PreconditionFailure"));
}

TEST_F(CoreRpcsTest, SenderEkycJourneyEndsWithValidateEkycOtp) {
  const std::string customer = "9123450004";
  v1::OnboardSenderResponse onboarded;
  grpc::Status status = Call(*stack_, NewSender(customer), &onboarded);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(onboarded.next_step(), v1::NEXT_STEP_START_SENDER_EKYC);

  v1::StartSenderEkycResponse started;
  ASSERT_TRUE(Succeeded(
      Call(*stack_, SenderEkyc(customer, "<PidData><Resp errCode=\"0\"/></PidData>"), &started)));
  EXPECT_EQ(started.next_step(), v1::NEXT_STEP_VALIDATE_EKYC_OTP);
  EXPECT_FALSE(started.otp_ref_id().empty());
  EXPECT_FALSE(started.kyc_request_id().empty());

  auto otp = stack_->LatestOtp(customer);
  ASSERT_TRUE(otp.has_value());
  v1::ValidateEkycOtpRequest validate =
      EkycOtp(customer, otp->otp == "999999" ? "999998" : "999999", started.otp_ref_id(),
              started.kyc_request_id());
  v1::ValidateEkycOtpResponse validated;
  status = Call(*stack_, validate, &validated);
  EXPECT_TRUE(HasError(status, grpc::StatusCode::INVALID_ARGUMENT, "OTP_INVALID"));

  validate.set_otp(otp->otp);
  ASSERT_TRUE(Succeeded(Call(*stack_, validate, &validated)));
  EXPECT_EQ(validated.next_step(), v1::NEXT_STEP_COMPLETE);
  EXPECT_EQ(validated.upstream().response_type_id(), 2132);

  status = Call(*stack_, validate, &validated);
  EXPECT_TRUE(HasError(status, grpc::StatusCode::ALREADY_EXISTS, "CUSTOMER_ALREADY_REGISTERED"));
}

TEST_F(CoreRpcsTest, ExpiredEkycOtpIsFailedPrecondition) {
  const std::string customer = "9123450005";
  const v1::StartSenderEkycResponse started = OnboardAndStartEkyc(*stack_, customer);
  ASSERT_FALSE(started.otp_ref_id().empty());
  ASSERT_TRUE(stack_->ExpireOtps(customer));
  v1::ValidateEkycOtpResponse validated;
  grpc::Status status = ValidateWithSimOtp(*stack_, customer, started.otp_ref_id(),
                                           started.kyc_request_id(), &validated);
  EXPECT_TRUE(HasError(status, grpc::StatusCode::FAILED_PRECONDITION, "OTP_EXPIRED"));
}

TEST_F(CoreRpcsTest, ValidationFailsBeforeAnyUpstreamCall) {
  stack_->ClearRequests();
  v1::OnboardCustomerRequest request = NewCustomer("12345");
  request.mutable_dob()->set_month(13);
  grpc::Status status = Call(*stack_, request);
  EXPECT_TRUE(HasError(status, grpc::StatusCode::INVALID_ARGUMENT, "FIELD_INVALID"));
  ErrorDetails details = DecodeDetails(status);
  EXPECT_EQ(details.error_info_count, 1);
  EXPECT_THAT(details.violated_fields, ElementsAre("customer_id", "dob"));
  EXPECT_TRUE(stack_->Requests().empty());
}

TEST_F(CoreRpcsTest, SendsTheDocumentedSignedRequest) {
  const std::string customer = "9123450006";
  stack_->ClearRequests();
  v1::OnboardCustomerRequest request = NewCustomer(customer);
  request.set_client_ref_id("caller-ref-42");
  request.set_user_code("20810299");
  v1::OnboardCustomerResponse response;
  ASSERT_TRUE(Call(*stack_, request, &response).ok());
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
  v1::GetCustomerResponse response;
  ASSERT_TRUE(Call(*stack_, CustomerLookup("9123450007"), &response).ok());
  EXPECT_EQ(response.next_step(), v1::NEXT_STEP_ONBOARD_CUSTOMER);
  EXPECT_EQ(response.upstream().response_type_id(), 308);

  // The seeded enrolled customer.
  ASSERT_TRUE(Call(*stack_, CustomerLookup("6111111111"), &response).ok());
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

// The trailing `traceparent` of a finished call, split into its four
// fields; empty when the gateway sent none.
std::vector<std::string> TrailingTraceparent(const grpc::ClientContext& context) {
  auto trailer = context.GetServerTrailingMetadata().find("traceparent");
  if (trailer == context.GetServerTrailingMetadata().end()) return {};
  return absl::StrSplit(std::string(trailer->second.data(), trailer->second.size()), '-');
}

TEST_F(CoreRpcsTest, TraceparentIsContinuedInTrailersDetailsAndTheLogLine) {
  const std::string trace = "4bf92f3577b34da6a3ce929d0e0e4736";
  const std::string parent = "00f067aa0ba902b7";
  // A call that succeeds: its log line carries the trace, the caller and
  // numbers as JSON numbers.
  grpc::ClientContext context;
  context.AddMetadata("traceparent", "00-" + trace + "-" + parent + "-01");
  v1::OnboardCustomerRequest request = NewCustomer("9123450090");
  request.set_client_ref_id("traced-call-1");
  v1::OnboardCustomerResponse response;
  ASSERT_TRUE(Succeeded(stack_->stub().OnboardCustomer(&context, request, &response)));
  const std::vector<std::string> fields = TrailingTraceparent(context);
  ASSERT_EQ(fields.size(), 4u);
  EXPECT_EQ(fields[0], "00");
  EXPECT_EQ(fields[1], trace);
  EXPECT_EQ(fields[2].size(), 16u);
  EXPECT_NE(fields[2], parent);  // the gateway's own span
  EXPECT_EQ(fields[3], "01");
  EXPECT_TRUE(stack_->WaitForGatewayLog(absl::StrCat(R"("trace_id":")", trace, R"(","span_id":")",
                                                     fields[2], R"(","parent_span_id":")", parent,
                                                     R"(","caller":"")")));
  EXPECT_TRUE(stack_->WaitForGatewayLog(
      R"("client_ref_id":"traced-call-1","replayed":false,"upstream_attempts":1,)"
      R"("upstream_http_status":200})"));

  // A call that fails: RequestInfo's serving data names the trace and span.
  grpc::ClientContext failing;
  failing.AddMetadata("traceparent", "00-" + trace + "-" + parent + "-01");
  v1::VerifyCustomerOtpRequest invalid;  // fails locally
  v1::VerifyCustomerOtpResponse unused;
  const grpc::Status status = stack_->stub().VerifyCustomerOtp(&failing, invalid, &unused);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  const std::vector<std::string> failing_fields = TrailingTraceparent(failing);
  ASSERT_EQ(failing_fields.size(), 4u);
  EXPECT_EQ(DecodeDetails(status).serving_data,
            absl::StrCat("trace_id=", trace, ";span_id=", failing_fields[2]));

  // Without a (valid) traceparent the gateway starts a trace of its own.
  grpc::ClientContext untraced;
  untraced.AddMetadata("traceparent", "00-not-a-trace-01");
  const grpc::Status own = stack_->stub().VerifyCustomerOtp(&untraced, invalid, &unused);
  const std::vector<std::string> own_fields = TrailingTraceparent(untraced);
  ASSERT_EQ(own_fields.size(), 4u);
  EXPECT_EQ(own_fields[1].size(), 32u);
  EXPECT_NE(own_fields[1], trace);
  EXPECT_EQ(own_fields[3], "00");
  EXPECT_THAT(DecodeDetails(own).serving_data, HasSubstr("trace_id=" + own_fields[1]));
}

TEST_F(CoreRpcsTest, HealthReportsServing) {
  EXPECT_EQ(HealthStatus(*stack_, "eko.onboarding.v1.OnboardingService"),
            grpc::health::v1::HealthCheckResponse::SERVING);
}

TEST_F(CoreRpcsTest, LogsNeverContainSecretsOrOtps) {
  const std::string customer = "9123450008";
  OnboardAndVerify(customer);
  const std::string logs = stack_->gateway().StderrText();
  EXPECT_THAT(logs, HasSubstr("\"method\":\"VerifyCustomerOtp\""));
  EXPECT_THAT(logs, Not(HasSubstr(kSimAccessKey)));
  EXPECT_THAT(logs, Not(HasSubstr(customer)));
  EXPECT_THAT(logs, HasSubstr("91******08"));
  EXPECT_THAT(logs, Not(HasSubstr("\"otp\"")));
}

// Separate stacks for configuration problems.
TEST(GatewayStartupTest, WrongAccessKeyIsUpstreamAuthRejected) {
  auto stack = TestStack::Start({.gateway_access_key = "not-the-simulator-key"});
  ASSERT_NE(stack, nullptr);
  grpc::Status status = Call(*stack, CustomerLookup("9123450009"));
  EXPECT_TRUE(HasError(status, grpc::StatusCode::INTERNAL, "UPSTREAM_AUTH_REJECTED"));
  EXPECT_THAT(status.error_details(), Not(HasSubstr("not-the-simulator-key")));
}

TEST(GatewayStartupTest, UnreachableUpstreamIsUnavailable) {
  // The discard port: nothing listens.
  auto stack = TestStack::Start({.base_url_override = "http://127.0.0.1:9/ekoapi/v3"});
  ASSERT_NE(stack, nullptr);
  grpc::Status status = Call(*stack, CustomerLookup("9123450010"));
  EXPECT_TRUE(HasError(status, grpc::StatusCode::UNAVAILABLE, "UPSTREAM_UNREACHABLE"));
  EXPECT_EQ(DecodeDetails(status).metadata["upstreamOutcome"], "NOT_SENT");
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
  v1::GetCustomerResponse response;
  grpc::Status status = stub->GetCustomer(Context().get(), CustomerLookup("6111111111"), &response);
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
