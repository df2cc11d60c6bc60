#include "adapters/eko/classifier.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/support/status_matchers.h"

namespace eko::adapter {
namespace {

using ::eko::testing::HasReason;
using ::eko::testing::MetadataValue;
using ::eko::testing::ViolatedFields;
using ::testing::ElementsAre;
namespace v1 = ::eko::onboarding::v1;
namespace reason = ::eko::rich::reason;

absl::StatusOr<v1::NextStep> Classify(Rpc rpc, const std::string& body) {
  auto env = ParseEnvelope(body);
  EXPECT_TRUE(env.ok()) << env.status();
  return ClassifyEnvelope(rpc, *env, 200);
}

std::string Envelope3(int status, int rsi, int rt, const std::string& extra = "") {
  return "{\"status\":" + std::to_string(status) +
         ",\"response_status_id\":" + std::to_string(rsi) +
         ",\"response_type_id\":" + std::to_string(rt) + ",\"message\":\"m\"" + extra + "}";
}

struct StepCase {
  Rpc rpc;
  int status, rsi, rt;
  v1::NextStep expected;
};

class StepTest : public ::testing::TestWithParam<StepCase> {};

TEST_P(StepTest, NormalStepsAreOkWithTheRightNextStep) {
  const StepCase& c = GetParam();
  auto step = Classify(c.rpc, Envelope3(c.status, c.rsi, c.rt));
  ASSERT_TRUE(step.ok()) << step.status();
  EXPECT_EQ(*step, c.expected);
}

INSTANTIATE_TEST_SUITE_P(
    AllRpcs, StepTest,
    ::testing::Values(
        StepCase{Rpc::kGetCustomer, 2129, 1, 2129, v1::NEXT_STEP_VERIFY_CUSTOMER_OTP},
        StepCase{Rpc::kGetCustomer, 308, 1, 308, v1::NEXT_STEP_ONBOARD_CUSTOMER},
        StepCase{Rpc::kOnboardCustomer, 2129, 1, 2129, v1::NEXT_STEP_VERIFY_CUSTOMER_OTP},
        StepCase{Rpc::kVerifyCustomerOtp, 0, -1, 309, v1::NEXT_STEP_COMPLETE},
        StepCase{Rpc::kVerifyCustomerOtp, 2136, 1, 2136, v1::NEXT_STEP_VALIDATE_AADHAAR},
        StepCase{Rpc::kVerifyCustomerOtp, 0, 0, 2147, v1::NEXT_STEP_VALIDATE_PAN},
        StepCase{Rpc::kGetSender, 0, -1, 309, v1::NEXT_STEP_COMPLETE},
        StepCase{Rpc::kGetSender, 308, 1, 308, v1::NEXT_STEP_ONBOARD_SENDER},
        StepCase{Rpc::kGetSender, 0, 0, 2134, v1::NEXT_STEP_START_SENDER_EKYC},
        StepCase{Rpc::kGetSender, 2129, 1, 2129, v1::NEXT_STEP_VALIDATE_EKYC_OTP},
        StepCase{Rpc::kOnboardSender, 0, 0, 2134, v1::NEXT_STEP_START_SENDER_EKYC},
        StepCase{Rpc::kOnboardSender, 0, 0, 300, v1::NEXT_STEP_START_SENDER_EKYC},
        StepCase{Rpc::kOnboardSender, 0, -1, 309, v1::NEXT_STEP_COMPLETE},
        StepCase{Rpc::kStartSenderEkyc, 0, 0, 2129, v1::NEXT_STEP_VALIDATE_EKYC_OTP},
        StepCase{Rpc::kValidateEkycOtp, 0, 0, 2132, v1::NEXT_STEP_COMPLETE}));

TEST(ClassifierTest, WrongOtpIsInvalidArgumentOnOtp) {
  for (const std::string& body : {Envelope3(302, 302, 2131), Envelope3(2131, 302, 2131),
                                  Envelope3(302, 1, -1), Envelope3(2138, 1, 2138)}) {
    auto step = Classify(Rpc::kValidateEkycOtp, body);
    EXPECT_THAT(step, HasReason(absl::StatusCode::kInvalidArgument, reason::kOtpInvalid)) << body;
    EXPECT_THAT(ViolatedFields(step.status()), ElementsAre("otp")) << body;
  }
}

TEST(ClassifierTest, ExpiredOtpIsFailedPrecondition) {
  for (const std::string& body : {Envelope3(303, 303, 2131), Envelope3(2131, 303, 2131)}) {
    auto step = Classify(Rpc::kVerifyCustomerOtp, body);
    EXPECT_THAT(step, HasReason(absl::StatusCode::kFailedPrecondition, reason::kOtpExpired));
    google::rpc::PreconditionFailure failure;
    EXPECT_TRUE(rich::GetDetail(step.status(), &failure));
  }
}

TEST(ClassifierTest, SpecificCodeWinsOverGenericValidationError) {
  auto step = Classify(
      Rpc::kStartSenderEkyc,
      Envelope3(463, 1, -1, R"(,"invalid_params":{"customer_id":"Customer does not exist"})"));
  EXPECT_THAT(step, HasReason(absl::StatusCode::kNotFound, reason::kCustomerNotFound));
  EXPECT_EQ(MetadataValue(step.status(), "ekoStatus"), "463");
  EXPECT_EQ(MetadataValue(step.status(), "ekoResponseTypeId"), "-1");
}

TEST(ClassifierTest, EkoParameterErrorsMapToProtoFieldNames) {
  auto step =
      Classify(Rpc::kStartSenderEkyc,
               Envelope3(461, 1, -1, R"(,"invalid_params":{"aadhar":"bad","piddata":"missing"})"));
  EXPECT_THAT(step, HasReason(absl::StatusCode::kInvalidArgument, reason::kUpstreamFieldInvalid));
  EXPECT_THAT(ViolatedFields(step.status()), ElementsAre("aadhaar", "pid_data"));
}

TEST(ClassifierTest, AlreadyRegisteredOnValidateEkyc) {
  auto step = Classify(Rpc::kValidateEkycOtp, Envelope3(2131, 1, 2131));
  EXPECT_THAT(step,
              HasReason(absl::StatusCode::kAlreadyExists, reason::kCustomerAlreadyRegistered));
}

TEST(ClassifierTest, EkycFailureCarriesEkoDescription) {
  auto step = Classify(Rpc::kStartSenderEkyc,
                       Envelope3(2135, 1, 2135, R"(,"data":{"description":"K-100 failed"})"));
  EXPECT_THAT(step, HasReason(absl::StatusCode::kFailedPrecondition, reason::kEkycFailed));
  google::rpc::PreconditionFailure failure;
  ASSERT_TRUE(rich::GetDetail(step.status(), &failure));
  EXPECT_EQ(failure.violations(0).description(), "K-100 failed");
}

TEST(ClassifierTest, NothingUnknownBecomesOk) {
  // Unknown response type on a success status.
  EXPECT_THAT(Classify(Rpc::kVerifyCustomerOtp, Envelope3(0, 0, 9999)),
              HasReason(absl::StatusCode::kUnknown, reason::kUpstreamUnmappedStatus));
  // Known step type but an unknown non-zero status.
  EXPECT_THAT(Classify(Rpc::kVerifyCustomerOtp, Envelope3(999, 1, 309)),
              HasReason(absl::StatusCode::kUnknown, reason::kUpstreamUnmappedStatus));
  // A step of another RPC.
  EXPECT_THAT(Classify(Rpc::kOnboardCustomer, Envelope3(0, 0, 2132)),
              HasReason(absl::StatusCode::kUnknown, reason::kUpstreamUnmappedStatus));
}

TEST(ClassifierTest, MessageRules) {
  EXPECT_THAT(Classify(Rpc::kGetCustomer,
                       R"({"status":1,"response_type_id":0,"message":"No Key for Response"})"),
              HasReason(absl::StatusCode::kInvalidArgument, reason::kUpstreamFieldInvalid));
  EXPECT_THAT(Classify(Rpc::kGetCustomer,
                       R"({"status":1,"response_type_id":0,"message":"Agent not allowed"})"),
              HasReason(absl::StatusCode::kFailedPrecondition, reason::kAgentNotAllowed));
}

HttpResponse Http(int status, TransportOutcome outcome = TransportOutcome::kCompleted) {
  HttpResponse r;
  r.outcome = outcome;
  r.http_status = status;
  return r;
}

TEST(ClassifierTest, HttpStatuses) {
  EXPECT_TRUE(ClassifyHttp(Rpc::kGetCustomer, Http(200), false).ok());
  EXPECT_THAT(ClassifyHttp(Rpc::kGetCustomer, Http(403), false),
              HasReason(absl::StatusCode::kInternal, reason::kUpstreamAuthRejected));
  EXPECT_THAT(ClassifyHttp(Rpc::kGetCustomer, Http(401), false),
              HasReason(absl::StatusCode::kInternal, reason::kUpstreamAuthRejected));
  for (int code : {404, 405, 415}) {
    EXPECT_THAT(ClassifyHttp(Rpc::kGetCustomer, Http(code), false),
                HasReason(absl::StatusCode::kInternal, reason::kUpstreamContractMismatch));
  }
  for (int code : {500, 502, 503, 504}) {
    EXPECT_THAT(ClassifyHttp(Rpc::kGetCustomer, Http(code), false),
                HasReason(absl::StatusCode::kUnavailable, reason::kUpstreamUnavailable));
  }
  EXPECT_THAT(ClassifyHttp(Rpc::kGetCustomer, Http(418), false),
              HasReason(absl::StatusCode::kUnknown, reason::kUpstreamUnmappedStatus));
}

TEST(ClassifierTest, RateLimitCarriesRetryAfter) {
  HttpResponse r = Http(429);
  r.retry_after = absl::Seconds(7);
  absl::Status status = ClassifyHttp(Rpc::kGetCustomer, r, false);
  EXPECT_THAT(status,
              HasReason(absl::StatusCode::kResourceExhausted, reason::kUpstreamRateLimited));
  google::rpc::RetryInfo retry;
  ASSERT_TRUE(rich::GetDetail(status, &retry));
  EXPECT_EQ(retry.retry_delay().seconds(), 7);
}

TEST(ClassifierTest, TransportOutcomes) {
  EXPECT_THAT(ClassifyHttp(Rpc::kGetCustomer, Http(0, TransportOutcome::kNotSent), false),
              HasReason(absl::StatusCode::kUnavailable, reason::kUpstreamUnreachable));
  absl::Status timeout =
      ClassifyHttp(Rpc::kGetCustomer, Http(0, TransportOutcome::kTimedOut), true);
  EXPECT_THAT(timeout, HasReason(absl::StatusCode::kDeadlineExceeded, reason::kUpstreamTimeout));
  EXPECT_EQ(MetadataValue(timeout, "upstreamOutcome"), "UNKNOWN");
  EXPECT_THAT(ClassifyHttp(Rpc::kGetCustomer, Http(0, TransportOutcome::kTimedOut), false),
              HasReason(absl::StatusCode::kUnavailable, reason::kUpstreamTimeout));
  EXPECT_THAT(ClassifyHttp(Rpc::kGetCustomer, Http(0, TransportOutcome::kConnectionLost), false),
              HasReason(absl::StatusCode::kUnavailable, reason::kUpstreamTimeout));
  EXPECT_THAT(
      ClassifyHttp(Rpc::kGetCustomer, Http(200, TransportOutcome::kResponseTooLarge), false),
      HasReason(absl::StatusCode::kInternal, reason::kUpstreamBadResponse));
  EXPECT_THAT(ClassifyHttp(Rpc::kGetCustomer, Http(0, TransportOutcome::kCancelled), false),
              HasReason(absl::StatusCode::kCancelled, reason::kCancelled));
}

}  // namespace
}  // namespace eko::adapter
