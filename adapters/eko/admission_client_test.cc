#include "adapters/eko/admission_client.h"

#include <map>
#include <mutex>
#include <thread>
#include <vector>

#include "adapters/common/fake_clock.h"
#include "adapters/common/rich_status.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/support/status_matchers.h"

namespace eko::adapter {
namespace {

using ::eko::testing::HasReason;
using ::eko::testing::MetadataValue;
namespace v1 = ::eko::onboarding::v1;
namespace reason = ::eko::rich::reason;

// Holds every call until Finish(id, summary) completes it on a thread of its
// own; or refuses calls while `refusal` is set.
class HoldingClient final : public UpstreamClient {
 public:
  ~HoldingClient() override {
    for (std::thread& t : threads_) t.join();
  }

#define EKO_HOLDING_CALL(NAME, ...)                                                  \
  absl::StatusOr<uint64_t> NAME(const v1::NAME##Request&, const CallOptions&,        \
                                UpstreamDone<v1::NAME##Response> done) override {    \
    std::lock_guard<std::mutex> lock(mu_);                                           \
    if (!refusal.ok()) return refusal;                                               \
    const uint64_t id = ++next_id_;                                                  \
    held_.emplace(id, [done = std::move(done)](const CallSummary& summary) mutable { \
      std::move(done)(v1::NAME##Response(), summary);                                \
    });                                                                              \
    return id;                                                                       \
  }
  EKO_ONBOARDING_RPCS(EKO_HOLDING_CALL)
#undef EKO_HOLDING_CALL

  void Cancel(uint64_t call_id) override { cancelled.push_back(call_id); }

  // Completes call `id` with `summary` and waits until its `done` has run.
  void Finish(uint64_t id, CallSummary summary) {
    absl::AnyInvocable<void(const CallSummary&) &&> complete;
    {
      std::lock_guard<std::mutex> lock(mu_);
      complete = std::move(held_.at(id));
      held_.erase(id);
    }
    std::thread t([&] { std::move(complete)(summary); });
    t.join();
  }

  absl::Status refusal;
  std::vector<uint64_t> cancelled;

 private:
  std::mutex mu_;
  uint64_t next_id_ = 0;
  std::map<uint64_t, absl::AnyInvocable<void(const CallSummary&) &&>> held_;
  std::vector<std::thread> threads_;
};

CallSummary Answered(int http_status) {
  CallSummary summary;
  summary.outcome = UpstreamOutcome::kAnswered;
  summary.http_status = http_status;
  return summary;
}

CallSummary Ended(UpstreamOutcome outcome) {
  CallSummary summary;
  summary.outcome = outcome;
  return summary;
}

struct Completions {
  int count = 0;
};

absl::StatusOr<uint64_t> Lookup(AdmissionClient& client, Completions* completions,
                                absl::Time deadline = absl::InfiniteFuture()) {
  v1::GetCustomerRequest request;
  request.set_customer_id("9876543210");
  CallOptions options;
  options.caller_deadline = deadline;
  return client.GetCustomer(
      request, options, [completions](absl::StatusOr<v1::GetCustomerResponse>, const CallSummary&) {
        ++completions->count;
      });
}

TEST(AdmissionClientTest, ADeadlineTooNearIsRefusedBeforeTheInnerClient) {
  HoldingClient inner;
  FakeClock clock;
  AdmissionClient client({.min_deadline = absl::Milliseconds(300)}, &inner, clock);
  Completions done;
  auto refused = Lookup(client, &done, clock.Now() + absl::Milliseconds(200));
  EXPECT_THAT(refused, HasReason(absl::StatusCode::kDeadlineExceeded, reason::kDeadlineTooShort));
  EXPECT_EQ(MetadataValue(refused.status(), "minDeadlineMs"), "300");
  EXPECT_EQ(MetadataValue(refused.status(), "remainingMs"), "200");
  EXPECT_EQ(client.in_flight(), 0);
  EXPECT_EQ(done.count, 0);
  EXPECT_TRUE(Lookup(client, &done, clock.Now() + absl::Milliseconds(300)).ok());
}

TEST(AdmissionClientTest, InFlightCallsAreBoundedAndReleasedOnCompletion) {
  HoldingClient inner;
  AdmissionClient client({.max_in_flight = 2}, &inner);
  Completions done;
  auto first = Lookup(client, &done);
  auto second = Lookup(client, &done);
  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_EQ(client.in_flight(), 2);
  auto third = Lookup(client, &done);
  EXPECT_THAT(third, HasReason(absl::StatusCode::kResourceExhausted, reason::kGatewayOverloaded));
  EXPECT_EQ(MetadataValue(third.status(), "maxInFlight"), "2");
  inner.Finish(*first, Answered(200));
  EXPECT_EQ(done.count, 1);
  EXPECT_EQ(client.in_flight(), 1);
  // A well-behaved caller is served again once a slot is free.
  EXPECT_TRUE(Lookup(client, &done).ok());
}

TEST(AdmissionClientTest, ARefusalOfTheInnerClientFreesItsSlot) {
  HoldingClient inner;
  inner.refusal = absl::InternalError("inner refused");
  AdmissionClient client({.max_in_flight = 1}, &inner);
  Completions done;
  EXPECT_EQ(Lookup(client, &done).status().message(), "inner refused");
  EXPECT_EQ(client.in_flight(), 0);
  inner.refusal = absl::OkStatus();
  EXPECT_TRUE(Lookup(client, &done).ok());
}

TEST(AdmissionClientTest, BreakerOpensOnUpstreamFailuresOnly) {
  HoldingClient inner;
  FakeClock clock;
  AdmissionClient client({.breaker_failures = 2, .breaker_open_for = absl::Seconds(60)}, &inner,
                         clock);
  Completions done;
  // Answers, cancellations and local failures never open it.
  for (const CallSummary& harmless :
       {Answered(200), Answered(404), Ended(UpstreamOutcome::kCancelled),
        Ended(UpstreamOutcome::kTooLarge), Ended(UpstreamOutcome::kFailed), Answered(200)}) {
    auto id = Lookup(client, &done);
    ASSERT_TRUE(id.ok());
    inner.Finish(*id, harmless);
  }
  EXPECT_EQ(client.breaker_state(), CircuitBreaker::State::kClosed);
  // Two consecutive upstream failures do.
  for (const CallSummary& failure : {Answered(503), Ended(UpstreamOutcome::kNotSent)}) {
    auto id = Lookup(client, &done);
    ASSERT_TRUE(id.ok());
    inner.Finish(*id, failure);
  }
  EXPECT_EQ(client.breaker_state(), CircuitBreaker::State::kOpen);
  auto refused = Lookup(client, &done);
  EXPECT_THAT(refused, HasReason(absl::StatusCode::kUnavailable, reason::kUpstreamCircuitOpen));
  EXPECT_EQ(MetadataValue(refused.status(), "upstreamOutcome"), "NOT_SENT");
  // After `breaker_open_for` one probe goes through; its success closes it.
  clock.Advance(absl::Seconds(59));
  EXPECT_FALSE(Lookup(client, &done).ok());
  clock.Advance(absl::Seconds(1));
  EXPECT_EQ(client.breaker_state(), CircuitBreaker::State::kHalfOpen);
  auto probe = Lookup(client, &done);
  ASSERT_TRUE(probe.ok());
  EXPECT_FALSE(Lookup(client, &done).ok());
  inner.Finish(*probe, Answered(200));
  EXPECT_EQ(client.breaker_state(), CircuitBreaker::State::kClosed);
}

CallSummary TimedOut(bool deadline_was_callers) {
  CallSummary summary = Ended(UpstreamOutcome::kTimedOut);
  summary.deadline_was_callers = deadline_was_callers;
  return summary;
}

TEST(AdmissionClientTest, TimeoutsOfCallersShortDeadlinesNeverOpenTheBreaker) {
  HoldingClient inner;
  FakeClock clock;
  AdmissionClient client({.breaker_failures = 2, .breaker_open_for = absl::Seconds(60)}, &inner,
                         clock);
  Completions done;
  // A hostile caller's short deadlines time out again and again.
  for (int i = 0; i < 10; ++i) {
    auto id = Lookup(client, &done, clock.Now() + absl::Seconds(1));
    ASSERT_TRUE(id.ok());
    inner.Finish(*id, TimedOut(/*deadline_was_callers=*/true));
  }
  EXPECT_EQ(client.breaker_state(), CircuitBreaker::State::kClosed);
  // A well-behaved caller is still served.
  auto id = Lookup(client, &done);
  ASSERT_TRUE(id.ok());
  inner.Finish(*id, Answered(200));
  // Timeouts of the gateway's own full budget are Eko's slowness: they count.
  for (int i = 0; i < 2; ++i) {
    auto slow = Lookup(client, &done);
    ASSERT_TRUE(slow.ok());
    inner.Finish(*slow, TimedOut(/*deadline_was_callers=*/false));
  }
  EXPECT_EQ(client.breaker_state(), CircuitBreaker::State::kOpen);
}

absl::StatusOr<uint64_t> LookupSender(AdmissionClient& client, Completions* completions) {
  v1::GetSenderRequest request;
  request.set_customer_id("9876543210");
  return client.GetSender(request, CallOptions{},
                          [completions](absl::StatusOr<v1::GetSenderResponse>, const CallSummary&) {
                            ++completions->count;
                          });
}

TEST(AdmissionClientTest, SenderAndCustomerPathsHaveTheirOwnBreakers) {
  HoldingClient inner;
  FakeClock clock;
  AdmissionClient client({.breaker_failures = 2, .breaker_open_for = absl::Seconds(60)}, &inner,
                         clock);
  Completions done;
  // The DMT-Fino sender back end fails with 5xx and times out ...
  for (const CallSummary& failure : {Answered(502), TimedOut(/*deadline_was_callers=*/false)}) {
    auto id = LookupSender(client, &done);
    ASSERT_TRUE(id.ok());
    inner.Finish(*id, failure);
  }
  EXPECT_THAT(LookupSender(client, &done),
              HasReason(absl::StatusCode::kUnavailable, reason::kUpstreamCircuitOpen));
  const CircuitBreaker::Snapshot sender = client.breaker(BreakerScope::kSender);
  EXPECT_EQ(sender.state, CircuitBreaker::State::kOpen);
  EXPECT_EQ(sender.last_cause, CircuitBreaker::Cause::kTimedOut);
  EXPECT_EQ(sender.times_opened[static_cast<size_t>(CircuitBreaker::Cause::kTimedOut)], 1);
  EXPECT_EQ(client.breaker_state(), CircuitBreaker::State::kOpen);
  // ... while customer onboarding keeps being served.
  EXPECT_EQ(client.breaker(BreakerScope::kCustomer).state, CircuitBreaker::State::kClosed);
  auto customer = Lookup(client, &done);
  ASSERT_TRUE(customer.ok());
  inner.Finish(*customer, Answered(200));
}

TEST(AdmissionClientTest, AnUnreachableUpstreamOpensEveryScope) {
  HoldingClient inner;
  FakeClock clock;
  AdmissionClient client({.breaker_failures = 2, .breaker_open_for = absl::Seconds(60)}, &inner,
                         clock);
  Completions done;
  for (int i = 0; i < 2; ++i) {
    auto id = Lookup(client, &done);
    ASSERT_TRUE(id.ok());
    inner.Finish(*id, Ended(UpstreamOutcome::kNotSent));
  }
  for (BreakerScope scope : {BreakerScope::kCustomer, BreakerScope::kSender}) {
    const CircuitBreaker::Snapshot snapshot = client.breaker(scope);
    EXPECT_EQ(snapshot.state, CircuitBreaker::State::kOpen) << BreakerScopeName(scope);
    EXPECT_EQ(snapshot.last_cause, CircuitBreaker::Cause::kConnectFailed);
  }
  EXPECT_THAT(LookupSender(client, &done),
              HasReason(absl::StatusCode::kUnavailable, reason::kUpstreamCircuitOpen));
}

TEST(AdmissionClientTest, EveryRpcHasABreakerScope) {
  EXPECT_EQ(BreakerScopeOf(Rpc::kGetCustomer), BreakerScope::kCustomer);
  EXPECT_EQ(BreakerScopeOf(Rpc::kVerifyCustomerOtp), BreakerScope::kCustomer);
  EXPECT_EQ(BreakerScopeOf(Rpc::kOnboardSender), BreakerScope::kSender);
  EXPECT_EQ(BreakerScopeOf(Rpc::kValidateEkycOtp), BreakerScope::kSender);
  EXPECT_EQ(BreakerScopeName(BreakerScope::kSender), "sender");
}

TEST(AdmissionClientTest, CancelReachesTheInnerClient) {
  HoldingClient inner;
  AdmissionClient client({}, &inner);
  Completions done;
  auto id = Lookup(client, &done);
  ASSERT_TRUE(id.ok());
  client.Cancel(*id);
  EXPECT_THAT(inner.cancelled, ::testing::ElementsAre(*id));
  inner.Finish(*id, Ended(UpstreamOutcome::kCancelled));
  EXPECT_EQ(client.in_flight(), 0);
}

}  // namespace
}  // namespace eko::adapter
