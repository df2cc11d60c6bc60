// The hostile-caller suite, request side: a caller that trips the breaker
// with its own short deadlines, sends bytes that are not a request, sends
// oversized metadata, or is in flight when the shutdown grace runs out. Each
// test runs the attack against the real gateway and simulator and checks
// that a well-behaved caller keeps being served (and, where it applies, that
// the gateway's file descriptors and memory come back near their baseline).
// The connection-level attacks are in hostile_connections_test.cc.
#include <signal.h>

#include <chrono>
#include <future>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/generic/generic_stub.h"
#include "grpcpp/support/byte_buffer.h"
#include "gtest/gtest.h"
#include "tests/integration/process_stats.h"
#include "tests/integration/requests.h"
#include "tests/integration/test_stack.h"

namespace eko::testing {
namespace {

using ::testing::HasSubstr;

constexpr char kGetCustomerMethod[] = "/eko.onboarding.v1.OnboardingService/GetCustomer";

// Sends `bytes` as the request message of `method`, bypassing the typed
// stubs, and waits for the status.
grpc::Status RawCall(TestStack& stack, const std::string& method, const std::string& bytes) {
  grpc::GenericStub stub(stack.channel());
  grpc::Slice slice(bytes);
  grpc::ByteBuffer request(&slice, 1);
  grpc::ByteBuffer response;
  std::unique_ptr<grpc::ClientContext> context = Context();
  std::promise<grpc::Status> done;
  stub.UnaryCall(context.get(), method, grpc::StubOptions(), &request, &response,
                 [&done](grpc::Status status) { done.set_value(std::move(status)); });
  return done.get_future().get();
}

// A GetCustomerRequest on the wire whose customer_id (field 1) is `value`,
// written by hand so that it may hold bytes protobuf would refuse to write.
std::string CustomerIdField(const std::string& value) {
  std::string bytes = {'\x0a', static_cast<char>(value.size())};
  return bytes + value;
}

// Calls a well-behaved caller makes while an attack runs; each must succeed.
// It is another service: its own channel, so its own connection.
class WellBehavedCaller {
 public:
  explicit WellBehavedCaller(TestStack& stack)
      : stub_(v1::OnboardingService::NewStub(OwnChannel(stack))) {
    worker_ = std::thread([this] {
      while (!stop_.load()) {
        v1::GetCustomerResponse response;
        grpc::Status status =
            stub_->GetCustomer(Context().get(), CustomerLookup("6111111111"), &response);
        ++calls_;
        if (!status.ok()) failures_.push_back(status.error_message());
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
      }
    });
  }
  ~WellBehavedCaller() { Stop(); }

  // Stops calling; the calls made and the messages of those that failed.
  std::vector<std::string> Stop() {
    stop_.store(true);
    if (worker_.joinable()) worker_.join();
    return failures_;
  }
  int calls() const { return calls_.load(); }

 private:
  static std::shared_ptr<grpc::Channel> OwnChannel(TestStack& stack) {
    grpc::ChannelArguments arguments;
    arguments.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);  // never the attacker's connection
    return grpc::CreateCustomChannel(absl::StrCat("127.0.0.1:", stack.gateway_port()),
                                     grpc::InsecureChannelCredentials(), arguments);
  }

  std::unique_ptr<v1::OnboardingService::Stub> stub_;
  std::atomic<bool> stop_{false};
  std::atomic<int> calls_{0};
  std::vector<std::string> failures_;
  std::thread worker_;
};

TEST(HostileCallerTest, ShortDeadlinesNeverOpenTheBreakerForOthers) {
  auto stack = TestStack::Start(
      {.extra_gateway_flags = {"--breaker-failures", "3", "--breaker-open-ms", "60000"},
       .metrics = true});
  ASSERT_NE(stack, nullptr);
  ASSERT_TRUE(stack->InjectFault(Delay("9123480020", /*times=*/-1, /*delay_ms=*/1000)));
  WellBehavedCaller other(*stack);
  // The attack, in waves: calls whose deadline (250 ms) is far below the
  // upstream's 1 s, again and again; distinct, so none is coalesced and each
  // times out upstream.
  for (int wave = 0; wave < 3; ++wave) {
    for (auto& call : StartLookups(*stack, "9123480020", 6, std::chrono::milliseconds(250),
                                   /*distinct=*/true)) {
      EXPECT_EQ(call.get().error_code(), grpc::StatusCode::DEADLINE_EXCEEDED);
    }
  }
  const std::vector<std::string> failures = other.Stop();
  EXPECT_GT(other.calls(), 0);
  EXPECT_THAT(failures, ::testing::IsEmpty());
  const std::string metrics = stack->ScrapeMetrics();
  EXPECT_EQ(MetricSample(metrics, R"(eko_gateway_breaker_state{scope="customer"})"), 0);
  EXPECT_THAT(stack->gateway().StderrText(), ::testing::Not(HasSubstr(R"("event":"breaker")")));
}

TEST(HostileCallerTest, AFailingSenderBackEndLeavesCustomerCallsServed) {
  auto stack = TestStack::Start(
      {.extra_gateway_flags = {"--breaker-failures", "3", "--breaker-open-ms", "60000"},
       .metrics = true});
  ASSERT_NE(stack, nullptr);
  const std::string sender = "9123480021";
  ASSERT_TRUE(stack->InjectFault(
      {.customer_id = sender, .times = -1, .http_status = 503, .body = "fino down"}));
  for (int i = 0; i < 3; ++i) {
    EXPECT_TRUE(HasError(Call(*stack, SenderLookup(sender)), grpc::StatusCode::UNKNOWN,
                         "UPSTREAM_UNAVAILABLE"));
  }
  EXPECT_TRUE(HasError(Call(*stack, SenderLookup(sender)), grpc::StatusCode::UNAVAILABLE,
                       "UPSTREAM_CIRCUIT_OPEN"));
  EXPECT_TRUE(Succeeded(Call(*stack, CustomerLookup("6111111111"))));
  const std::string metrics = stack->ScrapeMetrics();
  EXPECT_EQ(MetricSample(metrics, R"(eko_gateway_breaker_state{scope="sender"})"), 1);
  EXPECT_EQ(MetricSample(metrics, R"(eko_gateway_breaker_state{scope="customer"})"), 0);
  EXPECT_EQ(
      MetricSample(metrics, R"(eko_gateway_breaker_opened_total{cause="http_5xx",scope="sender"})"),
      1);
  EXPECT_TRUE(stack->WaitForGatewayLog(
      R"("event":"breaker","scope":"sender","state":"open","from":"closed","cause":"http_5xx")"));
}

TEST(HostileCallerTest, BytesThatAreNotARequestGetRequestMalformed) {
  auto stack = TestStack::Start({.metrics = true});
  ASSERT_NE(stack, nullptr);
  const ProcessStats before = ProcessStats::Of(stack->gateway().pid());
  WellBehavedCaller other(*stack);
  const std::vector<std::string> attacks = {
      CustomerIdField("98765\xff\xfe"
                      "43210"),                    // invalid UTF-8 in a string field
      CustomerIdField("9876543210").substr(0, 6),  // truncated
      std::string("\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01", 11),  // overlong varint tag
  };
  for (int round = 0; round < 100; ++round) {
    for (const std::string& bytes : attacks) {
      grpc::Status status = RawCall(*stack, kGetCustomerMethod, bytes);
      ASSERT_TRUE(HasError(status, grpc::StatusCode::INVALID_ARGUMENT, "REQUEST_MALFORMED"));
      if (round == 0) {
        EXPECT_FALSE(DecodeDetails(status).request_id.empty());
      }
    }
  }
  const std::vector<std::string> failures = other.Stop();
  EXPECT_THAT(failures, ::testing::IsEmpty());
  // Logged and counted like any other RPC.
  EXPECT_THAT(
      stack->gateway().StderrText(),
      HasSubstr(
          R"("method":"GetCustomer","code":"INVALID_ARGUMENT","reason":"REQUEST_MALFORMED")"));
  EXPECT_EQ(MetricSample(stack->ScrapeMetrics(),
                         R"(eko_gateway_rpc_total{code="INVALID_ARGUMENT",method="GetCustomer",)"
                         R"(reason="REQUEST_MALFORMED"})"),
            300);
  const ProcessStats after = ProcessStats::Of(stack->gateway().pid());
  EXPECT_LE(after.open_fds, before.open_fds + 8);
  if (kResidentMemoryIsMeaningful) {
    EXPECT_LE(after.rss_kib, before.rss_kib + 16 * 1024);
  }
}

TEST(HostileCallerTest, OversizedMetadataIsRefusedAndOthersAreServed) {
  auto stack = TestStack::Start();
  ASSERT_NE(stack, nullptr);
  WellBehavedCaller other(*stack);
  for (int i = 0; i < 200; ++i) {
    std::unique_ptr<grpc::ClientContext> context = Context();
    context->AddMetadata("x-padding", std::string(64 * 1024, 'm'));
    v1::GetCustomerResponse response;
    grpc::Status status =
        stack->stub().GetCustomer(context.get(), CustomerLookup("6111111111"), &response);
    // Over gRPC's limit the stream is refused; well over it, gRPC closes
    // the attacker's whole connection (UNAVAILABLE, "Socket closed"), which
    // also fails any other call multiplexed on that connection.
    EXPECT_THAT(status.error_code(), ::testing::AnyOf(grpc::StatusCode::RESOURCE_EXHAUSTED,
                                                      grpc::StatusCode::UNAVAILABLE))
        << status.error_message();
  }
  EXPECT_THAT(other.Stop(), ::testing::IsEmpty());
  EXPECT_GT(other.calls(), 0);
  // The attacker's channel works again once the oversized calls are over
  // (after reconnecting, when gRPC had closed its connection: a call may
  // still meet the closing one).
  grpc::Status after = Call(*stack, CustomerLookup("6111111111"));
  for (int attempt = 0; attempt < 10 && after.error_code() == grpc::StatusCode::UNAVAILABLE;
       ++attempt) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    after = Call(*stack, CustomerLookup("6111111111"));
  }
  EXPECT_TRUE(Succeeded(after));
}

TEST(HostileCallerTest, CallsCutOffByTheEndOfTheGraceSayTheOutcomeIsUnknown) {
  auto stack = TestStack::Start({.extra_gateway_flags = {"--shutdown-grace-ms", "1000"}});
  ASSERT_NE(stack, nullptr);
  ASSERT_TRUE(stack->InjectFault(Delay("6111111111", /*times=*/-1, /*delay_ms=*/20000)));
  std::vector<std::future<grpc::Status>> calls =
      StartLookups(*stack, "6111111111", 2, std::chrono::milliseconds(25000),
                   /*distinct=*/true);
  ASSERT_TRUE(stack->WaitForRequests("6111111111", 2));  // both reached Eko
  const auto signalled = std::chrono::steady_clock::now();
  kill(stack->gateway().pid(), SIGTERM);
  for (auto& call : calls) {
    grpc::Status status = call.get();
    EXPECT_TRUE(HasError(status, grpc::StatusCode::UNKNOWN, "GATEWAY_SHUTTING_DOWN"));
    EXPECT_EQ(DecodeDetails(status).metadata["upstreamOutcome"], "UNKNOWN");
  }
  EXPECT_LT(std::chrono::steady_clock::now() - signalled, std::chrono::seconds(10));
  EXPECT_EQ(stack->gateway().Wait(std::chrono::seconds(10)), 0);
  EXPECT_THAT(stack->gateway().StderrText(),
              HasSubstr(R"("event":"shutdown_cut_off","sent":"2","not_sent":"0")"));
}

}  // namespace
}  // namespace eko::testing
