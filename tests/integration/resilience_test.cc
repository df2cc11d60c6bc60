// Resilience end to end: deadlines, cancellation, overload, retries that are
// safe, the circuit breaker, duplicate suppression, graceful shutdown and
// hostile input, each against the real gateway and simulator. Attacks by one
// caller on the others are in hostile_requests_test.cc and
// hostile_connections_test.cc.
#include <signal.h>

#include <future>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/integration/requests.h"
#include "tests/integration/test_stack.h"

namespace eko::testing {
namespace {

using ::testing::HasSubstr;

// A simulator fault that never answers `customer_id`.
Fault Stall(const std::string& customer_id) {
  return {.customer_id = customer_id, .times = -1, .action = "stall"};
}

TEST(ResilienceTest, ShortDeadlineFailsFastWithoutCallingEko) {
  auto stack = TestStack::Start({.extra_gateway_flags = {"--min-deadline-ms", "300"}});
  ASSERT_NE(stack, nullptr);
  grpc::Status status = Call(*stack, CustomerLookup("9123480001"), std::chrono::milliseconds(200));
  EXPECT_TRUE(HasError(status, grpc::StatusCode::DEADLINE_EXCEEDED, "DEADLINE_TOO_SHORT"));
  EXPECT_EQ(DecodeDetails(status).metadata["minDeadlineMs"], "300");
  EXPECT_TRUE(stack->RequestsFor("9123480001").empty());
}

TEST(ResilienceTest, DefaultTimeoutAppliesWithoutCallerDeadline) {
  auto stack = TestStack::Start({.extra_gateway_flags = {"--eko-timeout-ms", "400"}});
  ASSERT_NE(stack, nullptr);
  ASSERT_TRUE(stack->InjectFault(Stall("9123480002")));
  grpc::ClientContext context;  // no deadline
  v1::GetCustomerResponse response;
  const auto start = std::chrono::steady_clock::now();
  grpc::Status status =
      stack->stub().GetCustomer(&context, CustomerLookup("9123480002"), &response);
  const auto took = std::chrono::steady_clock::now() - start;
  // The upstream timer ran out (a stalled call has nothing else to end it)...
  EXPECT_TRUE(HasError(status, grpc::StatusCode::UNKNOWN, "UPSTREAM_TIMEOUT"));
  // ... and it was the configured 400 ms, not the 30 s default. The upper
  // bound leaves a loaded machine ample room.
  EXPECT_GE(took, std::chrono::milliseconds(350));
  EXPECT_LT(took, std::chrono::seconds(15));
}

TEST(ResilienceTest, CallerCancellationAbortsTheTransfer) {
  auto stack = TestStack::Start();
  ASSERT_NE(stack, nullptr);
  ASSERT_TRUE(stack->InjectFault(Stall("9123480003")));
  std::unique_ptr<grpc::ClientContext> context = Context(std::chrono::seconds(30));
  v1::GetCustomerResponse response;
  // Cancels once the request is stalled at the simulator.
  std::thread canceller([&stack, &context] {
    EXPECT_TRUE(stack->WaitForRequests("9123480003", 1));
    context->TryCancel();
  });
  grpc::Status status =
      stack->stub().GetCustomer(context.get(), CustomerLookup("9123480003"), &response);
  canceller.join();
  EXPECT_EQ(status.error_code(), grpc::StatusCode::CANCELLED);
  // The gateway ends the call (and its transfer) at once, not after 30 s.
  EXPECT_TRUE(stack->WaitForGatewayLog("\"code\":\"CANCELLED\"")) << stack->gateway().StderrText();
}

TEST(ResilienceTest, OverloadBeyondTheBoundIsResourceExhausted) {
  auto stack = TestStack::Start({.extra_gateway_flags = {"--max-inflight", "2"}});
  ASSERT_NE(stack, nullptr);
  ASSERT_TRUE(stack->InjectFault(Stall("9123480004")));
  std::vector<std::future<grpc::Status>> stalled =
      StartLookups(*stack, "9123480004", 2, std::chrono::milliseconds(3000), /*distinct=*/true);
  // Both stalled calls are at the simulator: the bound is taken.
  ASSERT_TRUE(stack->WaitForRequests("9123480004", 2));
  grpc::Status status = Call(*stack, CustomerLookup("9123480005"));
  EXPECT_TRUE(HasError(status, grpc::StatusCode::RESOURCE_EXHAUSTED, "GATEWAY_OVERLOADED"));
  EXPECT_THAT(DecodeDetails(status).type_urls,
              ::testing::Contains("type.googleapis.com/google.rpc.RetryInfo"));
  for (auto& f : stalled) EXPECT_EQ(f.get().error_code(), grpc::StatusCode::DEADLINE_EXCEEDED);
  // The bound frees up again.
  EXPECT_TRUE(Call(*stack, CustomerLookup("9123480005")).ok());
}

TEST(ResilienceTest, RetriesOnlyWhenTheRequestNeverLeft) {
  // Refused connection: the gateway tries 1 + 2 times, then reports it.
  auto refused = TestStack::Start({.base_url_override = "http://127.0.0.1:9/ekoapi/v3"});
  ASSERT_NE(refused, nullptr);
  grpc::Status status = Call(*refused, CustomerLookup("9123480006"));
  EXPECT_EQ(DecodeDetails(status).reason, "UPSTREAM_UNREACHABLE");
  EXPECT_THAT(refused->gateway().StderrText(), HasSubstr("\"upstream_attempts\":3"));

  // A reset after the request was sent, on a reused keep-alive connection:
  // never sent again, by the gateway or by libcurl.
  auto stack = TestStack::Start();
  ASSERT_NE(stack, nullptr);
  ASSERT_TRUE(Call(*stack, CustomerLookup("6111111111")).ok());  // warms a keep-alive connection
  ASSERT_TRUE(stack->InjectFault({.customer_id = "9123480007", .action = "reset"}));
  status = Call(*stack, NewCustomer("9123480007"));
  EXPECT_TRUE(HasError(status, grpc::StatusCode::UNKNOWN, "UPSTREAM_TIMEOUT"));
  EXPECT_EQ(DecodeDetails(status).metadata["upstreamOutcome"], "UNKNOWN");
  EXPECT_EQ(stack->RequestsFor("9123480007").size(), 1u);
}

TEST(ResilienceTest, BreakerOpensOn5xxAndRecoversThroughAProbe) {
  auto stack = TestStack::Start(
      {.extra_gateway_flags = {"--breaker-failures", "3", "--breaker-open-ms", "2000"}});
  ASSERT_NE(stack, nullptr);
  // Business errors never trip it.
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(DecodeDetails(Call(*stack, CustomerOtp("9123480008", "111111", "nope"))).reason,
              "OTP_INVALID");
  }
  ASSERT_TRUE(stack->InjectFault({.times = 3, .http_status = 503, .body = "down"}));
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(DecodeDetails(Call(*stack, CustomerLookup("9123480009"))).reason,
              "UPSTREAM_UNAVAILABLE");
  }
  // Open now, and for 2 s: ample time for this call on a loaded machine.
  stack->ClearRequests();
  grpc::Status open = Call(*stack, CustomerLookup("9123480009"));
  EXPECT_TRUE(HasError(open, grpc::StatusCode::UNAVAILABLE, "UPSTREAM_CIRCUIT_OPEN"));
  EXPECT_THAT(DecodeDetails(open).type_urls,
              ::testing::Contains("type.googleapis.com/google.rpc.RetryInfo"));
  EXPECT_TRUE(stack->Requests().empty());  // nothing was sent while open
  std::this_thread::sleep_for(std::chrono::milliseconds(2100));
  EXPECT_TRUE(Call(*stack, CustomerLookup("9123480009")).ok());  // the probe succeeds: closed again
  EXPECT_TRUE(Call(*stack, CustomerLookup("9123480009")).ok());
}

TEST(ResilienceTest, DuplicateClientRefIdGetsTheFirstResult) {
  auto stack = TestStack::Start();
  ASSERT_NE(stack, nullptr);
  // A slow first call, and a duplicate while it is in flight.
  ASSERT_TRUE(stack->InjectFault(Delay("9123480010", /*times=*/1, /*delay_ms=*/1000)));
  v1::OnboardCustomerRequest request = NewCustomer("9123480010");
  request.set_client_ref_id("dup-ref-1");
  const auto call = [&stack](const v1::OnboardCustomerRequest& r) {
    v1::OnboardCustomerResponse out;
    grpc::Status status = Call(*stack, r, &out);
    return std::make_pair(status, out);
  };
  auto first = std::async(std::launch::async, call, request);
  ASSERT_TRUE(stack->WaitForRequests("9123480010", 1));  // the first is at the simulator
  auto second = call(request);
  auto first_result = first.get();
  ASSERT_TRUE(first_result.first.ok()) << first_result.first.error_message();
  ASSERT_TRUE(second.first.ok()) << second.first.error_message();
  EXPECT_EQ(second.second.otp_ref_id(), first_result.second.otp_ref_id());
  // After it finished, within the window: the same answer again.
  auto third = call(request);
  ASSERT_TRUE(third.first.ok());
  EXPECT_EQ(third.second.otp_ref_id(), first_result.second.otp_ref_id());
  EXPECT_EQ(stack->RequestsFor("9123480010").size(), 1u);  // one OTP, not three
  EXPECT_THAT(stack->gateway().StderrText(), HasSubstr("\"replayed\":true"));

  // A different request under the same client_ref_id is refused.
  v1::OnboardCustomerRequest other = request;
  other.set_name("Someone Else");
  auto conflict = call(other);
  EXPECT_TRUE(HasError(conflict.first, grpc::StatusCode::INVALID_ARGUMENT, "CLIENT_REF_ID_REUSED"));
  ErrorDetails details = DecodeDetails(conflict.first);
  EXPECT_THAT(details.violated_fields, ::testing::ElementsAre("client_ref_id"));
}

TEST(ResilienceTest, IdenticalLookupsInFlightShareOneUpstreamCall) {
  auto stack = TestStack::Start({.metrics = true});
  ASSERT_NE(stack, nullptr);
  // A burst of retries of one GetCustomer while the first is still at Eko:
  // for an enrolled customer each upstream call would send an OTP SMS.
  ASSERT_TRUE(stack->InjectFault(Delay("6111111111", /*times=*/1, /*delay_ms=*/1500)));
  std::vector<std::future<grpc::Status>> burst = StartLookups(*stack, "6111111111", 1);
  ASSERT_TRUE(stack->WaitForRequests("6111111111", 1));
  std::vector<std::future<grpc::Status>> retries = StartLookups(*stack, "6111111111", 4);
  for (auto& retry : retries) burst.push_back(std::move(retry));
  for (auto& call : burst) EXPECT_TRUE(Succeeded(call.get()));
  EXPECT_EQ(stack->RequestsFor("6111111111").size(), 1u);
  EXPECT_EQ(MetricSample(stack->ScrapeMetrics(), "eko_gateway_lookups_coalesced_total"), 4);
  // Once it has finished, the next lookup is a call of its own.
  EXPECT_TRUE(Succeeded(Call(*stack, CustomerLookup("6111111111"))));
  EXPECT_EQ(stack->RequestsFor("6111111111").size(), 2u);
}

TEST(ResilienceTest, SigtermDrainsInFlightCallsAndExitsZero) {
  auto stack = TestStack::Start({.extra_gateway_flags = {"--shutdown-grace-ms", "5000"}});
  ASSERT_NE(stack, nullptr);
  ASSERT_TRUE(stack->InjectFault(Delay("6111111111", /*times=*/-1, /*delay_ms=*/1000)));
  std::vector<std::future<grpc::Status>> calls =
      StartLookups(*stack, "6111111111", 5, kCallTimeout, /*distinct=*/true);
  ASSERT_TRUE(stack->WaitForRequests("6111111111", 5));  // all five are in flight
  kill(stack->gateway().pid(), SIGTERM);
  // New calls are refused while the in-flight ones finish. The gateway logs
  // "stopping" just before it shuts its server down.
  EXPECT_TRUE(stack->WaitForGatewayLog("\"event\":\"stopping\""));
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  grpc::Status late = Call(*stack, CustomerLookup("9123480011"), std::chrono::milliseconds(2000));
  EXPECT_FALSE(late.ok());
  for (auto& call : calls) {
    grpc::Status status = call.get();
    EXPECT_TRUE(status.ok()) << status.error_message();  // none lost
  }
  EXPECT_EQ(stack->gateway().Wait(std::chrono::seconds(10)), 0);
  EXPECT_THAT(stack->gateway().StderrText(), HasSubstr("\"event\":\"stopped\""));
}

TEST(ResilienceTest, SecondSigtermDuringTheGraceExitsAtOnce) {
  auto stack = TestStack::Start({.extra_gateway_flags = {"--shutdown-grace-ms", "30000"}});
  ASSERT_NE(stack, nullptr);
  ASSERT_TRUE(stack->InjectFault(Delay("6111111111", /*times=*/-1, /*delay_ms=*/20000)));
  std::vector<std::future<grpc::Status>> calls =
      StartLookups(*stack, "6111111111", 2, std::chrono::milliseconds(25000),
                   /*distinct=*/true);
  ASSERT_TRUE(stack->WaitForRequests("6111111111", 2));
  kill(stack->gateway().pid(), SIGTERM);
  ASSERT_TRUE(stack->WaitForGatewayLog("\"event\":\"stopping\""));
  // The grace (30 s) and the upstream delay (20 s) would keep it running;
  // the second signal ends it well before either.
  EXPECT_EQ(stack->gateway().Stop(SIGTERM, std::chrono::seconds(10)), 128 + SIGTERM);
  const std::string log = stack->gateway().StderrText();
  EXPECT_THAT(log, HasSubstr("\"event\":\"forced_exit\""));
  EXPECT_THAT(log, HasSubstr("\"upstream_calls_cut_off\":\"2\""));
  EXPECT_THAT(log, ::testing::Not(HasSubstr("\"event\":\"stopped\"")));
  for (auto& call : calls) EXPECT_FALSE(call.get().ok());
}

TEST(ResilienceTest, HostileInputIsRefused) {
  auto stack = TestStack::Start({.extra_gateway_flags = {"--eko-max-response-bytes", "65536"}});
  ASSERT_NE(stack, nullptr);
  // An oversized upstream body is a bad response, never an unbounded read.
  const std::string big(100 * 1024, 'x');
  ASSERT_TRUE(stack->InjectFault({.customer_id = "9123480012", .times = -1, .body = big}));
  grpc::Status status = Call(*stack, CustomerLookup("9123480012"));
  EXPECT_TRUE(HasError(status, grpc::StatusCode::INTERNAL, "UPSTREAM_BAD_RESPONSE"));

  // A request larger than the gRPC message limit never reaches a handler.
  status = Call(*stack, SenderEkyc("9123480013", std::string(300 * 1024, 'p')));
  EXPECT_EQ(status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);

  // Path injection and odd characters never reach Eko unescaped.
  stack->ClearRequests();
  v1::OnboardCustomerRequest onboard = NewCustomer("9123480014");
  onboard.set_name("O'Brien \"Jr\" \\ \xE0\xA4\x85");
  ASSERT_TRUE(Call(*stack, onboard).ok());
  ASSERT_EQ(stack->Requests().size(), 1u);
  EXPECT_THAT(stack->Requests()[0].body, HasSubstr(R"("name":"O'Brien \"Jr\" \\ )"
                                                   "\xE0\xA4\x85"
                                                   R"(")"));
}

}  // namespace
}  // namespace eko::testing
