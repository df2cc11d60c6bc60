// Operability: metrics after a few calls, health semantics, one structured
// log line per RPC.
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/integration/requests.h"
#include "tests/integration/test_stack.h"

namespace eko::testing {
namespace {

using ::testing::HasSubstr;

using ::grpc::health::v1::HealthCheckResponse;

TEST(OperabilityTest, MetricsCountCallsByMethodCodeAndReason) {
  auto stack = TestStack::Start({.metrics = true});
  ASSERT_NE(stack, nullptr);
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(Call(*stack, CustomerLookup("6111111111")).ok());
  EXPECT_FALSE(Call(*stack, CustomerLookup("12")).ok());
  EXPECT_FALSE(Call(*stack, CustomerOtp("6111111111", "111111", "stale")).ok());
  const std::string metrics = stack->ScrapeMetrics();
  EXPECT_EQ(
      MetricSample(metrics, R"(eko_gateway_rpc_total{code="OK",method="GetCustomer",reason=""})"),
      3);
  EXPECT_EQ(
      MetricSample(
          metrics,
          R"(eko_gateway_rpc_total{code="INVALID_ARGUMENT",method="GetCustomer",reason="FIELD_INVALID"})"),
      1);
  EXPECT_EQ(
      MetricSample(
          metrics,
          R"(eko_gateway_rpc_total{code="INVALID_ARGUMENT",method="VerifyCustomerOtp",reason="OTP_INVALID"})"),
      1);
  EXPECT_EQ(MetricSample(
                metrics,
                R"(eko_gateway_upstream_responses_total{http_status="200",method="GetCustomer"})"),
            3);
  EXPECT_EQ(
      MetricSample(metrics, R"(eko_gateway_rpc_duration_seconds_count{method="GetCustomer"})"), 4);
  EXPECT_EQ(MetricSample(metrics, "eko_gateway_upstream_in_flight"), 0);
  EXPECT_EQ(MetricSample(metrics, R"(eko_gateway_breaker_state{scope="customer"})"), 0);
  EXPECT_EQ(MetricSample(metrics, R"(eko_gateway_breaker_state{scope="sender"})"), 0);
  EXPECT_EQ(MetricSample(metrics, "eko_gateway_serving"), 1);
  EXPECT_GE(MetricSample(metrics, "eko_gateway_event_loop_lag_seconds"), 0);
  EXPECT_LT(MetricSample(metrics, "eko_gateway_event_loop_lag_seconds"), 3);
}

TEST(OperabilityTest, LivenessAndReadinessAreServing) {
  auto stack = TestStack::Start();
  ASSERT_NE(stack, nullptr);
  EXPECT_EQ(HealthStatus(*stack, ""), HealthCheckResponse::SERVING);
  EXPECT_EQ(HealthStatus(*stack, "eko.onboarding.v1.OnboardingService"),
            HealthCheckResponse::SERVING);
}

TEST(OperabilityTest, OneStructuredLogLinePerRpc) {
  auto stack = TestStack::Start();
  ASSERT_NE(stack, nullptr);
  grpc::ClientContext context;
  context.AddMetadata("x-request-id", "ops-log-1");
  v1::GetCustomerResponse out;
  ASSERT_TRUE(stack->stub().GetCustomer(&context, CustomerLookup("9123490001"), &out).ok());
  const std::string log = stack->gateway().StderrText();
  size_t lines = 0;
  for (size_t at = log.find("\"request_id\":\"ops-log-1\""); at != std::string::npos;
       at = log.find("\"request_id\":\"ops-log-1\"", at + 1)) {
    ++lines;
  }
  EXPECT_EQ(lines, 1u);
  const size_t begin = log.rfind('\n', log.find("ops-log-1")) + 1;
  const std::string line = log.substr(begin, log.find('\n', begin) - begin);
  for (const char* field : {"\"event\":\"rpc\"", "\"method\":\"GetCustomer\"", "\"code\":\"OK\"",
                            "\"latency_ms\":", "\"customer\":\"91******01\""}) {
    EXPECT_THAT(line, HasSubstr(field));
  }
  EXPECT_THAT(log, ::testing::Not(HasSubstr("9123490001")));
}

TEST(OperabilityTest, UnsafeRequestIdsAreReplaced) {
  auto stack = TestStack::Start();
  ASSERT_NE(stack, nullptr);
  for (const std::string& bad : {std::string("has space"), std::string(65, 'x')}) {
    grpc::ClientContext context;
    context.AddMetadata("x-request-id", bad);
    v1::GetCustomerRequest r;  // invalid: fails locally, with RequestInfo
    v1::GetCustomerResponse out;
    grpc::Status status = stack->stub().GetCustomer(&context, r, &out);
    const std::string id = DecodeDetails(status).request_id;
    EXPECT_FALSE(id.empty());
    EXPECT_NE(id, bad);
    EXPECT_EQ(id.find(' '), std::string::npos);
  }
}

TEST(CallerAuthEndToEndTest, BearerTokensGuardTheServiceButNotHealth) {
  const std::string tokens = ::testing::TempDir() + "/tokens-" + std::to_string(getpid());
  std::ofstream(tokens) << "# callers\ntok-0123456789abcdef-payments payments-service\n";
  RegisterSecret("tok-0123456789abcdef-payments");
  auto stack = TestStack::Start({.extra_gateway_flags = {"--auth-tokens-file", tokens}});
  ASSERT_NE(stack, nullptr);
  const v1::GetCustomerRequest r = CustomerLookup("6111111111");
  v1::GetCustomerResponse out;
  {
    grpc::ClientContext context;
    grpc::Status status = stack->stub().GetCustomer(&context, r, &out);
    EXPECT_TRUE(HasError(status, grpc::StatusCode::UNAUTHENTICATED, "CALLER_UNAUTHENTICATED"));
  }
  {
    grpc::ClientContext context;
    context.AddMetadata("authorization", "Bearer wrong-token-0123456789");
    EXPECT_EQ(stack->stub().GetCustomer(&context, r, &out).error_code(),
              grpc::StatusCode::UNAUTHENTICATED);
  }
  {
    grpc::ClientContext context;
    context.AddMetadata("authorization", "Bearer tok-0123456789abcdef-payments");
    EXPECT_TRUE(stack->stub().GetCustomer(&context, r, &out).ok());
  }
  EXPECT_EQ(HealthStatus(*stack, ""), HealthCheckResponse::SERVING);
  std::remove(tokens.c_str());
}

}  // namespace
}  // namespace eko::testing
