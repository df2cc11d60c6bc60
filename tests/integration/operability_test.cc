// Operability: metrics after a few calls, health semantics, one structured
// log line per RPC, the drain on SIGTERM, build information, and start-up
// refusals that keep dev mode and secrets where they belong.
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "absl/algorithm/container.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/integration/requests.h"
#include "tests/integration/test_stack.h"

namespace eko::testing {
namespace {

using ::testing::HasSubstr;

using ::grpc::health::v1::HealthCheckResponse;

// The service whose health the readiness probe asks (deploy/k8s).
constexpr char kReadinessService[] = "eko.onboarding.v1.OnboardingService";

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

// --drain-delay-ms: on SIGTERM readiness turns NOT_SERVING at once (liveness
// stays SERVING) while new calls are still served; after the delay new calls
// are refused; a call in flight across the whole stop finishes.
TEST(DrainTest, ServesThroughTheDrainDelayThenRefusesAndFinishesCallsInFlight) {
  constexpr auto kDrainDelay = std::chrono::milliseconds(2000);
  auto stack = TestStack::Start(
      {.extra_gateway_flags = {"--drain-delay-ms", std::to_string(kDrainDelay.count()),
                               "--shutdown-grace-ms", "5000"},
       .metrics = true});
  ASSERT_NE(stack, nullptr);
  ASSERT_TRUE(stack->InjectFault(Delay("6111111111", /*times=*/1, /*delay_ms=*/3500)));
  std::vector<std::future<grpc::Status>> in_flight = StartLookups(*stack, "6111111111", 1);
  ASSERT_TRUE(stack->WaitForRequests("6111111111", 1));

  const auto signalled = std::chrono::steady_clock::now();
  kill(stack->gateway().pid(), SIGTERM);
  // Logged once readiness is NOT_SERVING.
  ASSERT_TRUE(stack->WaitForGatewayLog("\"event\":\"draining\""));
  EXPECT_EQ(HealthStatus(*stack, kReadinessService), HealthCheckResponse::NOT_SERVING);
  EXPECT_EQ(HealthStatus(*stack, ""), HealthCheckResponse::SERVING);
  EXPECT_EQ(MetricSample(stack->ScrapeMetrics(), "eko_gateway_serving"), 0);
  EXPECT_TRUE(Succeeded(Call(*stack, CustomerLookup("9123480021"))));
  ASSERT_LT(std::chrono::steady_clock::now() - signalled, kDrainDelay)
      << "too slow: the checks above did not all run inside the drain delay";

  ASSERT_TRUE(stack->WaitForGatewayLog("\"event\":\"refusing_new_calls\""));
  EXPECT_GE(std::chrono::steady_clock::now() - signalled, kDrainDelay);
  // The log line comes just before the server stops accepting.
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_FALSE(Call(*stack, CustomerLookup("9123480022"), std::chrono::milliseconds(2000)).ok());

  EXPECT_TRUE(Succeeded(in_flight[0].get()));
  EXPECT_EQ(stack->gateway().Wait(std::chrono::seconds(10)), 0);
  EXPECT_THAT(stack->gateway().StderrText(), ::testing::Not(HasSubstr("shutdown_cut_off")));
}

TEST(DrainTest, ASecondSignalDuringTheDrainDelayExitsAtOnce) {
  auto stack = TestStack::Start({.extra_gateway_flags = {"--drain-delay-ms", "60000"}});
  ASSERT_NE(stack, nullptr);
  kill(stack->gateway().pid(), SIGTERM);
  ASSERT_TRUE(stack->WaitForGatewayLog("\"event\":\"draining\""));
  EXPECT_EQ(stack->gateway().Stop(SIGTERM, std::chrono::seconds(5)), 128 + SIGTERM);
  EXPECT_THAT(stack->gateway().StderrText(), HasSubstr("\"event\":\"forced_exit\""));
}

// "eko-gateway 0.1.0 commit=... grpc=... curl=..." as name -> value.
std::map<std::string, std::string> ParseVersionLine(const std::string& rest_of_line) {
  std::istringstream words(rest_of_line);
  std::map<std::string, std::string> fields;
  words >> fields["version"];
  for (std::string word; words >> word;) {
    const size_t eq = word.find('=');
    if (eq != std::string::npos) fields[word.substr(0, eq)] = word.substr(eq + 1);
  }
  return fields;
}

// --version, the eko_gateway_build_info metric and the start-up log line name
// the same build.
TEST(BuildInfoEndToEndTest, VersionFlagMetricAndStartLogAgree) {
  auto version = ChildProcess::Start({EKO_GATEWAY_BINARY, "--version"});
  ASSERT_TRUE(version.has_value());
  const auto line = version->WaitForLine("eko-gateway ", std::chrono::seconds(10));
  ASSERT_TRUE(line.has_value()) << version->StderrText();
  EXPECT_EQ(version->Wait(std::chrono::seconds(10)), 0);
  std::map<std::string, std::string> build = ParseVersionLine(*line);
  for (const char* field : {"version", "commit", "grpc", "curl"}) {
    EXPECT_FALSE(build[field].empty()) << field << " missing from: " << *line;
  }

  auto stack = TestStack::Start({.metrics = true});
  ASSERT_NE(stack, nullptr);
  EXPECT_EQ(MetricSample(stack->ScrapeMetrics(), "eko_gateway_build_info{commit=\"" +
                                                     build["commit"] + "\",curl=\"" +
                                                     build["curl"] + "\",grpc=\"" + build["grpc"] +
                                                     "\",version=\"" + build["version"] + "\"}"),
            1);
  ASSERT_TRUE(stack->WaitForGatewayLog("\"event\":\"started\""));
  EXPECT_THAT(
      stack->gateway().StderrText(),
      HasSubstr("\"version\":\"" + build["version"] + "\",\"commit\":\"" + build["commit"] + "\""));
}

// `env` ("NAME=value" entries) plus an empty value, which counts as unset,
// for each Eko setting it does not name: a case sets exactly what it names,
// whatever the surrounding environment holds.
std::vector<std::string> OnlyTheseEkoSettings(std::vector<std::string> env) {
  for (const std::string name :
       {"EKO_BASE_URL", "EKO_DEVELOPER_KEY", "EKO_ACCESS_KEY", "EKO_ACCESS_KEY_FILE"}) {
    if (!absl::c_any_of(env, [&](const std::string& e) { return e.rfind(name + "=", 0) == 0; })) {
      env.push_back(name + "=");
    }
  }
  return env;
}

// eko-gateway-dev started with `flags` and OnlyTheseEkoSettings(env); its exit
// code (-1 if it is still running after 10 s) and its stderr.
std::pair<int, std::string> RunDevBinary(const std::vector<std::string>& flags,
                                         const std::vector<std::string>& env) {
  std::vector<std::string> argv = {EKO_GATEWAY_DEV_BINARY, "--listen", "127.0.0.1:0"};
  argv.insert(argv.end(), flags.begin(), flags.end());
  auto gateway = ChildProcess::Start(argv, OnlyTheseEkoSettings(env));
  if (!gateway.has_value()) return {-1, "cannot start " EKO_GATEWAY_DEV_BINARY};
  const int code = gateway->Wait(std::chrono::seconds(10));
  return {code, gateway->StderrText()};
}

TEST(DevModeSafetyTest, AnEmptyEkoGatewayDevIsOff) {
  const auto [code, log] = RunDevBinary({}, {"EKO_GATEWAY_DEV="});
  EXPECT_EQ(code, 2) << log;  // not in dev mode: the credentials are required
  EXPECT_THAT(log, HasSubstr("credentials are required"));
  EXPECT_THAT(log, ::testing::Not(HasSubstr("DEVELOPMENT MODE")));
}

TEST(DevModeSafetyTest, DevModeNextToARealCredentialOrEkoHostDoesNotStart) {
  struct Case {
    std::vector<std::string> flags;
    std::vector<std::string> env;
    std::string named;
  };
  const std::vector<Case> cases = {
      {{}, {"EKO_GATEWAY_DEV=1", "EKO_DEVELOPER_KEY=real-developer-key-x"}, "EKO_DEVELOPER_KEY"},
      {{"--dev"}, {"EKO_ACCESS_KEY=real-access-key-x"}, "EKO_ACCESS_KEY"},
      {{"--dev", "--eko-base-url", "https://api.eko.in/ekoicici/v3"}, {}, "not loopback"},
  };
  for (const Case& c : cases) {
    const auto [code, log] = RunDevBinary(c.flags, c.env);
    EXPECT_EQ(code, 2) << c.named << ": " << log;
    EXPECT_THAT(log, HasSubstr(c.named));
    EXPECT_THAT(log, ::testing::Not(HasSubstr("real-")));  // no key in the message
    EXPECT_THAT(log, ::testing::Not(HasSubstr("DEVELOPMENT MODE")));
  }
}

TEST(SecretsHygieneTest, AnAccessKeyOnTheCommandLineIsWarnedAbout) {
  const std::string key = "ak-on-the-command-line-0123";
  auto gateway =
      ChildProcess::Start({EKO_GATEWAY_BINARY, "--listen", "127.0.0.1:0", "--eko-base-url",
                           "http://127.0.0.1:9/ekoapi/v3", "--eko-developer-key", kSimDeveloperKey,
                           "--eko-access-key", key, "--eko-initiator-id", "9962981729"},
                          OnlyTheseEkoSettings({}));
  ASSERT_TRUE(gateway.has_value());
  ASSERT_TRUE(
      gateway->WaitForLine("eko-gateway listening on port ", std::chrono::seconds(20)).has_value())
      << gateway->StderrText();
  EXPECT_EQ(gateway->Stop(SIGTERM, std::chrono::seconds(15)), 0);
  const std::string log = gateway->StderrText();
  EXPECT_THAT(log, HasSubstr("\"level\":\"warn\",\"event\":\"access_key_on_command_line\""));
  EXPECT_THAT(log, HasSubstr("--eko-access-key-file"));
  EXPECT_THAT(log, ::testing::Not(HasSubstr(key)));
}

}  // namespace
}  // namespace eko::testing
