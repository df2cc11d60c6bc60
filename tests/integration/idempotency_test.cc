// Idempotency across replicas: two gateways share a real redis-server (on a
// free loopback port) and one simulator. A request repeated with the same
// client_ref_id on the other replica, after the first call or while it is in
// flight, reaches the simulator once and gets the same answer; a different
// request under that client_ref_id is refused; Redis going away and coming
// back behaves as --idempotency-store-failure says.
#include <chrono>
#include <future>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "gtest/gtest.h"
#include "tests/integration/requests.h"
#include "tests/integration/test_stack.h"
#include "tests/support/redis_server.h"

namespace eko::testing {
namespace {

constexpr char kConnected[] = "eko_gateway_idempotency_store_connected";

v1::OnboardCustomerRequest Onboard(const std::string& customer_id, const std::string& ref) {
  v1::OnboardCustomerRequest request = NewCustomer(customer_id);
  request.set_client_ref_id(ref);
  return request;
}

class IdempotencyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (RedisServer::Binary().empty()) {
      GTEST_SKIP() << "redis-server is not installed (scripts/setup.sh installs it): the "
                      "cross-replica idempotency tests need a real Redis";
    }
    redis_ = RedisServer::Start();
    ASSERT_NE(redis_, nullptr) << "redis-server did not start";
  }

  // Starts two replicas on one simulator (first_'s), both on redis_, and
  // waits until both are connected to it.
  void StartReplicas(const std::string& failure_mode) {
    const std::vector<std::string> flags = {"--idempotency-store", redis_->url(),
                                            "--idempotency-store-failure", failure_mode};
    first_ = TestStack::Start({.extra_gateway_flags = flags, .metrics = true});
    ASSERT_NE(first_, nullptr);
    second_ = TestStack::Start({.base_url_override = first_->sim_base_url(),
                                .extra_gateway_flags = flags,
                                .metrics = true});
    ASSERT_NE(second_, nullptr);
    ASSERT_TRUE(WaitForMetric(*first_, kConnected, 1));
    ASSERT_TRUE(WaitForMetric(*second_, kConnected, 1));
  }

  // Polls the metrics of `stack` until `series` is `value`.
  static bool WaitForMetric(TestStack& stack, const std::string& series, double value) {
    const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (std::chrono::steady_clock::now() < give_up) {
      if (MetricSample(stack.ScrapeMetrics(), series) == value) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return false;
  }

  // Sends `request` to the first replica, then to the second; both must
  // succeed with the same answer, from one call upstream.
  void ExpectOneCallForBoth(const v1::OnboardCustomerRequest& request) {
    v1::OnboardCustomerResponse on_first;
    v1::OnboardCustomerResponse on_second;
    ASSERT_TRUE(Succeeded(Call(*first_, request, &on_first)));
    ASSERT_TRUE(Succeeded(Call(*second_, request, &on_second)));
    EXPECT_EQ(on_first.SerializeAsString(), on_second.SerializeAsString());
    EXPECT_EQ(first_->RequestsFor(request.customer_id()).size(), 1u);
  }

  std::unique_ptr<RedisServer> redis_;
  std::unique_ptr<TestStack> first_;
  std::unique_ptr<TestStack> second_;
};

TEST_F(IdempotencyTest, ARepeatOnTheOtherReplicaGetsTheStoredAnswer) {
  StartReplicas("closed");
  ExpectOneCallForBoth(Onboard("9123490001", "idem-sequential"));
}

TEST_F(IdempotencyTest, ARepeatWhileTheFirstIsInFlightElsewhereWaitsForIt) {
  StartReplicas("closed");
  const v1::OnboardCustomerRequest request = Onboard("9123490002", "idem-concurrent");
  ASSERT_TRUE(first_->InjectFault(Delay(request.customer_id(), 1, 1500)));
  v1::OnboardCustomerResponse on_first;
  v1::OnboardCustomerResponse on_second;
  std::future<grpc::Status> first =
      std::async(std::launch::async, [&] { return Call(*first_, request, &on_first); });
  ASSERT_TRUE(first_->WaitForRequests(request.customer_id(), 1));  // in flight now
  const grpc::Status second = Call(*second_, request, &on_second);
  ASSERT_TRUE(Succeeded(first.get()));
  ASSERT_TRUE(Succeeded(second));
  EXPECT_EQ(on_first.SerializeAsString(), on_second.SerializeAsString());
  EXPECT_EQ(first_->RequestsFor(request.customer_id()).size(), 1u);
}

TEST_F(IdempotencyTest, BothAtOnceMakeOneCall) {
  StartReplicas("closed");
  const v1::OnboardCustomerRequest request = Onboard("9123490003", "idem-race");
  ASSERT_TRUE(first_->InjectFault(Delay(request.customer_id(), 1, 500)));
  v1::OnboardCustomerResponse answers[2];
  std::future<grpc::Status> calls[2] = {
      std::async(std::launch::async, [&] { return Call(*first_, request, &answers[0]); }),
      std::async(std::launch::async, [&] { return Call(*second_, request, &answers[1]); })};
  ASSERT_TRUE(Succeeded(calls[0].get()));
  ASSERT_TRUE(Succeeded(calls[1].get()));
  EXPECT_EQ(answers[0].SerializeAsString(), answers[1].SerializeAsString());
  EXPECT_EQ(first_->RequestsFor(request.customer_id()).size(), 1u);
}

TEST_F(IdempotencyTest, ADifferentRequestUnderTheIdOnTheOtherReplicaIsRefused) {
  StartReplicas("closed");
  const v1::OnboardCustomerRequest request = Onboard("9123490004", "idem-reused");
  ASSERT_TRUE(Succeeded(Call(*first_, request)));
  v1::OnboardCustomerRequest other = request;
  other.set_name("Someone Else");
  EXPECT_TRUE(
      HasError(Call(*second_, other), grpc::StatusCode::INVALID_ARGUMENT, "CLIENT_REF_ID_REUSED"));
  EXPECT_EQ(first_->RequestsFor(request.customer_id()).size(), 1u);
}

TEST_F(IdempotencyTest, ClosedRefusesCallsWithAnIdWhileRedisIsDownAndRecovers) {
  StartReplicas("closed");
  redis_->Kill();
  ASSERT_TRUE(WaitForMetric(*first_, kConnected, 0));
  const grpc::Status refused = Call(*first_, Onboard("9123490005", "idem-closed"));
  EXPECT_TRUE(HasError(refused, grpc::StatusCode::UNAVAILABLE, "IDEMPOTENCY_STORE_UNAVAILABLE"));
  EXPECT_EQ(DecodeDetails(refused).metadata["upstreamOutcome"], "NOT_SENT");
  EXPECT_TRUE(first_->RequestsFor("9123490005").empty());
  // A lookup carries no client_ref_id: it is served.
  Call(*first_, CustomerLookup("9123490006"));
  EXPECT_EQ(first_->RequestsFor("9123490006").size(), 1u);
  EXPECT_GE(
      MetricSample(first_->ScrapeMetrics(),
                   "eko_gateway_idempotency_store_unreachable_calls_total{action=\"refused\"}"),
      1);

  ASSERT_TRUE(redis_->Restart());
  ASSERT_TRUE(WaitForMetric(*first_, kConnected, 1));
  ASSERT_TRUE(WaitForMetric(*second_, kConnected, 1));
  ExpectOneCallForBoth(Onboard("9123490005", "idem-closed"));
}

TEST_F(IdempotencyTest, OpenServesCallsWithAnIdWhileRedisIsDown) {
  StartReplicas("open");
  redis_->Kill();
  ASSERT_TRUE(WaitForMetric(*first_, kConnected, 0));
  EXPECT_TRUE(Succeeded(Call(*first_, Onboard("9123490007", "idem-open"))));
  EXPECT_EQ(first_->RequestsFor("9123490007").size(), 1u);
  EXPECT_GE(
      MetricSample(first_->ScrapeMetrics(),
                   "eko_gateway_idempotency_store_unreachable_calls_total{action=\"passed\"}"),
      1);
  ASSERT_TRUE(first_->WaitForGatewayLog("idempotency_store_fallback"));
}

}  // namespace
}  // namespace eko::testing
