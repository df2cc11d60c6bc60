// Resilience end to end: deadlines, cancellation, overload, retries that are
// safe, the circuit breaker, duplicate suppression, graceful shutdown and
// hostile input, each against the real gateway and simulator.
#include <signal.h>

#include <future>
#include <string>
#include <thread>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/integration/test_stack.h"

namespace eko::testing {
namespace {

using ::testing::HasSubstr;

v1::OnboardCustomerRequest Onboard(const std::string& customer_id) {
  v1::OnboardCustomerRequest r;
  r.set_customer_id(customer_id);
  r.set_name("Asha Rao");
  r.mutable_dob()->set_year(1990);
  r.mutable_dob()->set_month(5);
  r.mutable_dob()->set_day(15);
  r.add_residence_address("Pune");
  return r;
}

grpc::Status GetCustomer(TestStack& stack, const std::string& customer_id,
                         std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + timeout);
  v1::GetCustomerRequest request;
  request.set_customer_id(customer_id);
  v1::GetCustomerResponse response;
  return stack.stub().GetCustomer(&context, request, &response);
}

size_t RequestsFor(TestStack& stack, const std::string& customer_id) {
  size_t n = 0;
  for (const RecordedRequest& r : stack.Requests()) {
    if (r.path.find(customer_id) != std::string::npos) ++n;
  }
  return n;
}

std::string Stall(const std::string& customer_id) {
  return R"({"customer_id":")" + customer_id + R"(","times":-1,"action":"stall"})";
}

TEST(ResilienceTest, ShortDeadlineFailsFastWithoutCallingEko) {
  auto stack = TestStack::Start({.extra_gateway_flags = {"--min-deadline-ms", "300"}});
  ASSERT_NE(stack, nullptr);
  grpc::Status status = GetCustomer(*stack, "9123480001", std::chrono::milliseconds(200));
  EXPECT_EQ(status.error_code(), grpc::StatusCode::DEADLINE_EXCEEDED);
  ErrorDetails details = DecodeDetails(status);
  EXPECT_EQ(details.reason, "DEADLINE_TOO_SHORT");
  EXPECT_EQ(details.metadata["minDeadlineMs"], "300");
  EXPECT_EQ(RequestsFor(*stack, "9123480001"), 0u);
}

TEST(ResilienceTest, DefaultTimeoutAppliesWithoutCallerDeadline) {
  auto stack = TestStack::Start({.extra_gateway_flags = {"--eko-timeout-ms", "400"}});
  ASSERT_NE(stack, nullptr);
  ASSERT_TRUE(stack->InjectFault(Stall("9123480002")));
  grpc::ClientContext context;  // no deadline
  v1::GetCustomerRequest request;
  request.set_customer_id("9123480002");
  v1::GetCustomerResponse response;
  const auto start = std::chrono::steady_clock::now();
  grpc::Status status = stack->stub().GetCustomer(&context, request, &response);
  const auto took = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(DecodeDetails(status).reason, "UPSTREAM_TIMEOUT");
  EXPECT_GE(took, std::chrono::milliseconds(350));
  EXPECT_LT(took, std::chrono::seconds(5));
}

TEST(ResilienceTest, CallerCancellationAbortsTheTransfer) {
  auto stack = TestStack::Start();
  ASSERT_NE(stack, nullptr);
  ASSERT_TRUE(stack->InjectFault(Stall("9123480003")));
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
  v1::GetCustomerRequest request;
  request.set_customer_id("9123480003");
  v1::GetCustomerResponse response;
  std::thread canceller([&context] {
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    context.TryCancel();
  });
  grpc::Status status = stack->stub().GetCustomer(&context, request, &response);
  canceller.join();
  EXPECT_EQ(status.error_code(), grpc::StatusCode::CANCELLED);
  // The gateway ends the call (and its transfer) at once, not after 30 s.
  bool logged = false;
  for (int i = 0; i < 50 && !logged; ++i) {
    logged = stack->gateway().StderrText().find("\"code\":\"CANCELLED\"") != std::string::npos;
    if (!logged) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_TRUE(logged) << stack->gateway().StderrText();
}

TEST(ResilienceTest, OverloadBeyondTheBoundIsResourceExhausted) {
  auto stack = TestStack::Start({.extra_gateway_flags = {"--max-inflight", "2"}});
  ASSERT_NE(stack, nullptr);
  ASSERT_TRUE(stack->InjectFault(Stall("9123480004")));
  std::vector<std::future<grpc::Status>> stalled;
  for (int i = 0; i < 2; ++i) {
    stalled.push_back(std::async(std::launch::async, [&stack] {
      return GetCustomer(*stack, "9123480004", std::chrono::milliseconds(1500));
    }));
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  grpc::Status status = GetCustomer(*stack, "9123480005");
  EXPECT_EQ(status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  ErrorDetails details = DecodeDetails(status);
  EXPECT_EQ(details.reason, "GATEWAY_OVERLOADED");
  EXPECT_THAT(details.type_urls, ::testing::Contains("type.googleapis.com/google.rpc.RetryInfo"));
  for (auto& f : stalled) EXPECT_EQ(f.get().error_code(), grpc::StatusCode::DEADLINE_EXCEEDED);
  // The bound frees up again.
  EXPECT_TRUE(GetCustomer(*stack, "9123480005").ok());
}

TEST(ResilienceTest, RetriesOnlyWhenTheRequestNeverLeft) {
  // Refused connection: the gateway tries 1 + 2 times, then reports it.
  auto refused = TestStack::Start({.base_url_override = "http://127.0.0.1:9/ekoapi/v3"});
  ASSERT_NE(refused, nullptr);
  grpc::Status status = GetCustomer(*refused, "9123480006");
  EXPECT_EQ(DecodeDetails(status).reason, "UPSTREAM_UNREACHABLE");
  EXPECT_THAT(refused->gateway().StderrText(), HasSubstr("\"upstream_attempts\":\"3\""));

  // A reset after the request was sent, on a reused keep-alive connection:
  // never sent again, by the gateway or by libcurl.
  auto stack = TestStack::Start();
  ASSERT_NE(stack, nullptr);
  ASSERT_TRUE(GetCustomer(*stack, "6111111111").ok());  // warms a keep-alive connection
  ASSERT_TRUE(stack->InjectFault(R"({"customer_id":"9123480007","times":1,"action":"reset"})"));
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  v1::OnboardCustomerResponse response;
  status = stack->stub().OnboardCustomer(&context, Onboard("9123480007"), &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE);
  ErrorDetails details = DecodeDetails(status);
  EXPECT_EQ(details.reason, "UPSTREAM_TIMEOUT");
  EXPECT_EQ(details.metadata["upstreamOutcome"], "UNKNOWN");
  EXPECT_EQ(RequestsFor(*stack, "9123480007"), 1u);
}

TEST(ResilienceTest, BreakerOpensOn5xxAndRecoversThroughAProbe) {
  auto stack = TestStack::Start(
      {.extra_gateway_flags = {"--breaker-failures", "3", "--breaker-open-ms", "800"}});
  ASSERT_NE(stack, nullptr);
  // Business errors never trip it.
  for (int i = 0; i < 5; ++i) {
    grpc::ClientContext context;
    v1::VerifyCustomerOtpRequest r;
    r.set_customer_id("9123480008");
    r.set_otp("111111");
    r.set_otp_ref_id("nope");
    v1::VerifyCustomerOtpResponse out;
    EXPECT_EQ(DecodeDetails(stack->stub().VerifyCustomerOtp(&context, r, &out)).reason,
              "OTP_INVALID");
  }
  ASSERT_TRUE(
      stack->InjectFault(R"({"times":3,"action":"respond","http_status":503,"body":"down"})"));
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(DecodeDetails(GetCustomer(*stack, "9123480009")).reason, "UPSTREAM_UNAVAILABLE");
  }
  stack->ClearRequests();
  grpc::Status open = GetCustomer(*stack, "9123480009");
  EXPECT_EQ(open.error_code(), grpc::StatusCode::UNAVAILABLE);
  ErrorDetails details = DecodeDetails(open);
  EXPECT_EQ(details.reason, "UPSTREAM_CIRCUIT_OPEN");
  EXPECT_THAT(details.type_urls, ::testing::Contains("type.googleapis.com/google.rpc.RetryInfo"));
  EXPECT_TRUE(stack->Requests().empty());  // nothing was sent while open
  std::this_thread::sleep_for(std::chrono::milliseconds(900));
  EXPECT_TRUE(GetCustomer(*stack, "9123480009").ok());  // the probe succeeds: closed again
  EXPECT_TRUE(GetCustomer(*stack, "9123480009").ok());
}

TEST(ResilienceTest, DuplicateClientRefIdGetsTheFirstResult) {
  auto stack = TestStack::Start();
  ASSERT_NE(stack, nullptr);
  // A slow first call, and a duplicate while it is in flight.
  ASSERT_TRUE(stack->InjectFault(
      R"({"customer_id":"9123480010","times":1,"action":"pass","delay_ms":500})"));
  v1::OnboardCustomerRequest request = Onboard("9123480010");
  request.set_client_ref_id("dup-ref-1");
  const auto call = [&stack](const v1::OnboardCustomerRequest& r) {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    v1::OnboardCustomerResponse out;
    grpc::Status status = stack->stub().OnboardCustomer(&context, r, &out);
    return std::make_pair(status, out);
  };
  auto first = std::async(std::launch::async, call, request);
  std::this_thread::sleep_for(std::chrono::milliseconds(150));
  auto second = call(request);
  auto first_result = first.get();
  ASSERT_TRUE(first_result.first.ok()) << first_result.first.error_message();
  ASSERT_TRUE(second.first.ok()) << second.first.error_message();
  EXPECT_EQ(second.second.otp_ref_id(), first_result.second.otp_ref_id());
  // After it finished, within the window: the same answer again.
  auto third = call(request);
  ASSERT_TRUE(third.first.ok());
  EXPECT_EQ(third.second.otp_ref_id(), first_result.second.otp_ref_id());
  EXPECT_EQ(RequestsFor(*stack, "9123480010"), 1u);  // one OTP, not three
  EXPECT_THAT(stack->gateway().StderrText(), HasSubstr("\"replayed\":\"true\""));

  // A different request under the same client_ref_id is refused.
  v1::OnboardCustomerRequest other = request;
  other.set_name("Someone Else");
  auto conflict = call(other);
  EXPECT_EQ(conflict.first.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  ErrorDetails details = DecodeDetails(conflict.first);
  EXPECT_EQ(details.reason, "CLIENT_REF_ID_REUSED");
  EXPECT_THAT(details.violated_fields, ::testing::ElementsAre("client_ref_id"));
}

TEST(ResilienceTest, SigtermDrainsInFlightCallsAndExitsZero) {
  auto stack = TestStack::Start({.extra_gateway_flags = {"--shutdown-grace-ms", "5000"}});
  ASSERT_NE(stack, nullptr);
  ASSERT_TRUE(stack->InjectFault(
      R"({"customer_id":"6111111111","times":-1,"action":"pass","delay_ms":1000})"));
  std::vector<std::future<grpc::Status>> calls;
  for (int i = 0; i < 5; ++i) {
    calls.push_back(
        std::async(std::launch::async, [&stack] { return GetCustomer(*stack, "6111111111"); }));
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  kill(stack->gateway().pid(), SIGTERM);
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  // New calls are refused while the in-flight ones finish.
  grpc::Status late = GetCustomer(*stack, "9123480011", std::chrono::milliseconds(2000));
  EXPECT_FALSE(late.ok());
  for (auto& call : calls) {
    grpc::Status status = call.get();
    EXPECT_TRUE(status.ok()) << status.error_message();  // none lost
  }
  EXPECT_EQ(stack->gateway().Wait(std::chrono::seconds(10)), 0);
  EXPECT_THAT(stack->gateway().StderrText(), HasSubstr("\"event\":\"stopped\""));
}

TEST(ResilienceTest, HostileInputIsRefused) {
  auto stack = TestStack::Start({.extra_gateway_flags = {"--eko-max-response-bytes", "65536"}});
  ASSERT_NE(stack, nullptr);
  // An oversized upstream body is a bad response, never an unbounded read.
  const std::string big(100 * 1024, 'x');
  ASSERT_TRUE(
      stack->InjectFault(R"({"customer_id":"9123480012","times":-1,"body":")" + big + R"("})"));
  grpc::Status status = GetCustomer(*stack, "9123480012");
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INTERNAL);
  EXPECT_EQ(DecodeDetails(status).reason, "UPSTREAM_BAD_RESPONSE");

  // A request larger than the gRPC message limit never reaches a handler.
  grpc::ClientContext context;
  v1::StartSenderEkycRequest ekyc;
  ekyc.set_customer_id("9123480013");
  ekyc.set_aadhaar("234567890123");
  ekyc.set_pid_data(std::string(300 * 1024, 'p'));
  v1::StartSenderEkycResponse out;
  status = stack->stub().StartSenderEkyc(&context, ekyc, &out);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);

  // Path injection and odd characters never reach Eko unescaped.
  stack->ClearRequests();
  v1::OnboardCustomerRequest onboard = Onboard("9123480014");
  onboard.set_name("O'Brien \"Jr\" \\ \xE0\xA4\x85");
  grpc::ClientContext c2;
  v1::OnboardCustomerResponse r2;
  ASSERT_TRUE(stack->stub().OnboardCustomer(&c2, onboard, &r2).ok());
  ASSERT_EQ(stack->Requests().size(), 1u);
  EXPECT_THAT(stack->Requests()[0].body, HasSubstr(R"("name":"O'Brien \"Jr\" \\ )"
                                                   "\xE0\xA4\x85"
                                                   R"(")"));
}

}  // namespace
}  // namespace eko::testing
