// A retry storm over two replicas: clients on channels that follow the
// shipped service config (deploy/grpc-service-config.json: retries on
// UNAVAILABLE) with round robin over both replicas, so each attempt may land
// on either, onboard distinct customers while the simulator fails a share of
// the calls (HTTP 503, resets, stalls past --eko-timeout-ms, answers slower
// than the caller's first deadline). On top of the channel's own retries,
// every client repeats a call that ended UNKNOWN, DEADLINE_EXCEEDED or
// UNAVAILABLE with the same client_ref_id, as an idempotency key allows.
// What reached the simulator is counted per client_ref_id: with Redis
// shared by the replicas each reaches Eko at most once; with each replica's
// own memory, repeats that land on the other replica are sent again (the
// figures are printed and recorded in docs/reliability.md).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <future>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "gtest/gtest.h"
#include "tests/integration/requests.h"
#include "tests/integration/test_stack.h"
#include "tests/support/redis_server.h"

namespace eko::testing {
namespace {

constexpr int kClients = 8;
constexpr int kRequestsPerClient = 15;
// Sends of one request by its client: the first and the repeats.
constexpr int kSendsPerRequest = 3;
constexpr std::chrono::milliseconds kShortDeadline{400};
constexpr int kSlowAnswerMs = 1200;

enum class Trouble { kNone, kHttp503, kReset, kStall, kSlowerThanTheDeadline };

// The simulator's fault for `trouble` on `customer_id`, once; kNone: none.
std::optional<Fault> FaultFor(Trouble trouble, const std::string& customer_id) {
  switch (trouble) {
    case Trouble::kNone:
      return std::nullopt;
    case Trouble::kHttp503:
      return Fault{.customer_id = customer_id, .http_status = 503, .body = "down"};
    case Trouble::kReset:
      return Fault{.customer_id = customer_id, .action = "reset"};
    case Trouble::kStall:
      return Fault{.customer_id = customer_id, .action = "stall"};
    case Trouble::kSlowerThanTheDeadline:
      return Delay(customer_id, 1, kSlowAnswerMs);
  }
  return std::nullopt;
}

// The shipped service config with round robin over the channel's addresses.
std::string ShippedServiceConfigWithRoundRobin() {
  std::ifstream in(EKO_SOURCE_SERVICE_CONFIG);
  std::stringstream text;
  text << in.rdbuf();
  std::string json = text.str();
  const size_t brace = json.find('{');
  if (brace == std::string::npos) return "";
  json.insert(brace + 1, R"("loadBalancingConfig": [{"round_robin": {}}],)");
  return json;
}

// What one storm did.
struct StormFigures {
  int requests = 0;
  int sends = 0;           // by the clients, not counting the channel's own retries
  int upstream_calls = 0;  // onboarding requests the simulator received
  int reached_twice_or_more = 0;
  int duplicates = 0;  // upstream calls beyond the first per client_ref_id
  std::map<std::string, int> final_codes;

  std::string Summary(const std::string& store) const {
    std::string codes;
    for (const auto& [code, count] : final_codes) absl::StrAppend(&codes, " ", code, "=", count);
    return absl::StrFormat(
        "retry storm (%s): %d requests, %d sends by the clients, %d upstream calls, %d "
        "client_ref_ids sent to Eko more than once, %d duplicate upstream calls; final codes:%s",
        store, requests, sends, upstream_calls, reached_twice_or_more, duplicates, codes);
  }
};

class RetryStormTest : public ::testing::Test {
 protected:
  // Two replicas on one simulator, with `store_flags` each.
  void StartReplicas(const std::vector<std::string>& store_flags) {
    std::vector<std::string> flags = {"--eko-timeout-ms",  "1500", "--breaker-failures", "4",
                                      "--breaker-open-ms", "300"};
    flags.insert(flags.end(), store_flags.begin(), store_flags.end());
    first_ = TestStack::Start({.extra_gateway_flags = flags});
    ASSERT_NE(first_, nullptr);
    second_ = TestStack::Start(
        {.base_url_override = first_->sim_base_url(), .extra_gateway_flags = flags});
    ASSERT_NE(second_, nullptr);
  }

  // Runs the storm: kClients threads, each with its own channel over both
  // replicas, kRequestsPerClient distinct onboardings each.
  StormFigures Storm() {
    const std::string config = ShippedServiceConfigWithRoundRobin();
    EXPECT_FALSE(config.empty()) << "cannot read " << EKO_SOURCE_SERVICE_CONFIG;
    const std::string target = absl::StrCat("ipv4:127.0.0.1:", first_->gateway_port(),
                                            ",127.0.0.1:", second_->gateway_port());
    std::vector<std::string> customers;
    std::mt19937 random(20261203);  // the same plan every run
    std::uniform_int_distribution<int> pick(0, 9);
    std::vector<std::vector<std::pair<std::string, Trouble>>> plans(kClients);
    for (int c = 0; c < kClients; ++c) {
      for (int i = 0; i < kRequestsPerClient; ++i) {
        const std::string customer = absl::StrFormat("91240%02d%03d", c, i);
        // Half the calls meet trouble, in four kinds.
        const int roll = pick(random);
        const Trouble trouble = roll < 5    ? Trouble::kNone
                                : roll == 5 ? Trouble::kHttp503
                                : roll == 6 ? Trouble::kReset
                                : roll == 7 ? Trouble::kStall
                                            : Trouble::kSlowerThanTheDeadline;
        if (const std::optional<Fault> fault = FaultFor(trouble, customer); fault.has_value()) {
          EXPECT_TRUE(first_->InjectFault(*fault));
        }
        plans[c].emplace_back(customer, trouble);
        customers.push_back(customer);
      }
    }
    std::vector<std::future<std::pair<int, std::vector<std::string>>>> runs;
    for (int c = 0; c < kClients; ++c) {
      runs.push_back(std::async(std::launch::async, [&, plan = plans[c]] {
        grpc::ChannelArguments args;
        args.SetServiceConfigJSON(config);
        args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);  // connections of its own
        auto stub = v1::OnboardingService::NewStub(
            grpc::CreateCustomChannel(target, grpc::InsecureChannelCredentials(), args));
        return RunClient(*stub, plan);
      }));
    }
    StormFigures figures;
    for (auto& run : runs) {
      auto [client_sends, codes] = run.get();
      figures.sends += client_sends;
      for (const std::string& code : codes) ++figures.final_codes[code];
    }
    figures.requests = static_cast<int>(customers.size());
    // A stalled or slow call may still be arriving: let the simulator settle.
    std::this_thread::sleep_for(std::chrono::milliseconds(kSlowAnswerMs));
    for (const std::string& customer : customers) {
      const int calls = static_cast<int>(first_->RequestsFor(customer).size());
      figures.upstream_calls += calls;
      if (calls > 1) {
        ++figures.reached_twice_or_more;
        figures.duplicates += calls - 1;
      }
    }
    return figures;
  }

  // One client: each request sent until it succeeds or fails for another
  // reason than an unknown outcome or a refusal, at most kSendsPerRequest
  // times, always with the same client_ref_id. A request planned to be slow
  // is first sent with a deadline shorter than the answer.
  static std::pair<int, std::vector<std::string>> RunClient(
      v1::OnboardingService::Stub& stub, const std::vector<std::pair<std::string, Trouble>>& plan) {
    int sends = 0;
    std::vector<std::string> final_codes;
    for (const auto& [customer, trouble] : plan) {
      v1::OnboardCustomerRequest request = NewCustomer(customer);
      request.set_client_ref_id("storm-" + customer);
      grpc::Status status;
      for (int send = 0; send < kSendsPerRequest; ++send) {
        const bool short_deadline = send == 0 && trouble == Trouble::kSlowerThanTheDeadline;
        v1::OnboardCustomerResponse response;
        status = stub.OnboardCustomer(
            Context(short_deadline ? kShortDeadline : std::chrono::milliseconds(10000)).get(),
            request, &response);
        ++sends;
        const grpc::StatusCode code = status.error_code();
        if (code != grpc::StatusCode::UNKNOWN && code != grpc::StatusCode::DEADLINE_EXCEEDED &&
            code != grpc::StatusCode::UNAVAILABLE) {
          break;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
      }
      final_codes.push_back(
          status.ok() ? "OK"
                      : absl::StrCat(status.error_code(), ":", DecodeDetails(status).reason));
    }
    return {sends, final_codes};
  }

  std::unique_ptr<TestStack> first_;
  std::unique_ptr<TestStack> second_;
};

TEST_F(RetryStormTest, WithRedisEachClientRefIdReachesEkoAtMostOnce) {
  if (RedisServer::Binary().empty()) {
    GTEST_SKIP() << "redis-server is not installed (scripts/setup.sh installs it)";
  }
  std::unique_ptr<RedisServer> redis = RedisServer::Start();
  ASSERT_NE(redis, nullptr);
  StartReplicas({"--idempotency-store", redis->url()});
  const StormFigures figures = Storm();
  std::printf("%s\n", figures.Summary("redis").c_str());
  EXPECT_EQ(figures.reached_twice_or_more, 0) << figures.Summary("redis");
  EXPECT_LE(figures.upstream_calls, figures.requests);
  // The storm did storm (the clients repeated calls), the calls without
  // trouble went through, and every failure says the outcome is unknown
  // (code 2, UNKNOWN): nothing ended refused or unavailable.
  EXPECT_GT(figures.sends, figures.requests);
  int ok = 0;
  for (const auto& [code, count] : figures.final_codes) {
    if (code == "OK") {
      ok = count;
    } else {
      EXPECT_EQ(code.substr(0, 2), "2:") << figures.Summary("redis");
    }
  }
  EXPECT_GE(ok, figures.requests / 3);
}

// The control: the same storm with each replica's own memory. Repeats that
// the round robin sends to the other replica reach Eko again, which is what
// the shared store prevents (and shows the count above can see duplicates).
TEST_F(RetryStormTest, WithPerReplicaMemoryRepeatsOnTheOtherReplicaAreSentAgain) {
  StartReplicas({"--idempotency-store", "memory"});
  const StormFigures figures = Storm();
  std::printf("%s\n", figures.Summary("memory").c_str());
  EXPECT_GT(figures.reached_twice_or_more, 0) << figures.Summary("memory");
}

}  // namespace
}  // namespace eko::testing
