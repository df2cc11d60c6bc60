#include "adapters/coalescing_client.h"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "adapters/common/rich_status.h"
#include "adapters/testing/completions_test_util.h"
#include "adapters/testing/fake_upstream_client.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/support/status_matchers.h"

namespace eko::adapter {
namespace {

using ::eko::testing::HasReason;
using ::eko::testing::StatusIs;
using ::testing::ElementsAre;
namespace v1 = ::eko::onboarding::v1;
namespace reason = ::eko::rich::reason;

v1::GetCustomerRequest Lookup(const std::string& customer_id = "9876543210",
                              const std::string& user_code = "20810200") {
  v1::GetCustomerRequest request;
  request.set_customer_id(customer_id);
  request.set_user_code(user_code);
  return request;
}

const absl::Time kDeadline = absl::FromUnixSeconds(1700000100);

CallOptions From(const std::string& caller, absl::Time deadline = kDeadline) {
  CallOptions options;
  options.caller = caller;
  options.caller_deadline = deadline;
  return options;
}

absl::Status EkoError() {
  return rich::ErrorBuilder(absl::StatusCode::kNotFound, rich::reason::kCustomerNotFound, "x")
      .Metadata("ekoStatus", "463");
}

class CoalescingClientTest : public ::testing::Test {
 protected:
  CoalescingClientTest() { inner_.Hold(); }

  absl::StatusOr<uint64_t> Call(const v1::GetCustomerRequest& request = Lookup(),
                                const CallOptions& options = From("svc-a")) {
    return client_.GetCustomer(request, options, done_.Record<v1::GetCustomerResponse>());
  }

  // Starts `n` identical lookups; returns their ids.
  std::vector<uint64_t> CallTimes(int n) {
    std::vector<uint64_t> ids;
    for (int i = 0; i < n; ++i) {
      absl::StatusOr<uint64_t> id = Call();
      EXPECT_TRUE(id.ok()) << id.status();
      if (id.ok()) ids.push_back(*id);
    }
    return ids;
  }

  // Completes the held calls and waits until `n` calls have completed.
  void ReleaseAndWaitFor(size_t n) {
    inner_.Release();
    EXPECT_EQ(done_.WaitFor(n).size(), n);
  }

  FakeUpstreamClient inner_;
  CoalescingClient client_{&inner_};
  Completions done_;
};

TEST_F(CoalescingClientTest, IdenticalLookupsInFlightShareOneUpstreamCall) {
  inner_.Answer("otp sent once");
  const std::vector<uint64_t> ids = CallTimes(5);
  ASSERT_TRUE(inner_.WaitForHeld(1));
  EXPECT_EQ(inner_.calls(), 1);
  EXPECT_EQ(client_.coalesced_calls(), 4);
  EXPECT_EQ(client_.waiting_calls(), 5u);
  EXPECT_EQ(done_.count(), 0u);

  inner_.Release();
  const std::vector<Completion> seen = done_.WaitFor(5);
  ASSERT_EQ(seen.size(), 5u);
  v1::GetCustomerResponse expected;
  expected.set_next_step(v1::NEXT_STEP_COMPLETE);
  expected.mutable_upstream()->set_message("otp sent once");
  int carrying_exchange = 0;
  for (const Completion& completion : seen) {
    EXPECT_TRUE(completion.status.ok()) << completion.status;
    EXPECT_EQ(completion.response, expected.SerializeAsString());
    EXPECT_NE(completion.thread, std::this_thread::get_id());
    if (!completion.summary.replayed) {
      ++carrying_exchange;
      EXPECT_EQ(completion.summary.outcome, UpstreamOutcome::kAnswered);
      EXPECT_EQ(completion.summary.attempts, 1);
    } else {
      EXPECT_EQ(completion.summary.outcome, UpstreamOutcome::kNone);
      EXPECT_EQ(completion.summary.attempts, 0);
    }
  }
  // The one upstream exchange is reported once.
  EXPECT_EQ(carrying_exchange, 1);
  EXPECT_EQ(client_.waiting_calls(), 0u);
}

TEST_F(CoalescingClientTest, IdsAreTheClientsOwnAndBelowTheDecoratorBit) {
  const std::vector<uint64_t> ids = CallTimes(2);
  ASSERT_EQ(ids.size(), 2u);
  for (const uint64_t id : ids) {
    EXPECT_EQ(id >> 62, 1u) << id;
  }
  EXPECT_NE(ids[0], ids[1]);
  ReleaseAndWaitFor(2);
}

TEST_F(CoalescingClientTest, ErrorsAreSharedToo) {
  CallTimes(3);
  ASSERT_TRUE(inner_.WaitForHeld(1));
  inner_.Finish(1, EkoError());
  const std::vector<Completion> seen = done_.WaitFor(3);
  ASSERT_EQ(seen.size(), 3u);
  for (const Completion& completion : seen) {
    EXPECT_THAT(completion.status,
                HasReason(absl::StatusCode::kNotFound, reason::kCustomerNotFound));
    EXPECT_EQ(completion.status, EkoError());
  }
  EXPECT_EQ(inner_.calls(), 1);
}

// Differences that make lookups distinct: each gets its own upstream call.
struct DistinctCase {
  const char* name;
  v1::GetCustomerRequest request;
  CallOptions options;
};

class CoalescingDistinctTest : public CoalescingClientTest,
                               public ::testing::WithParamInterface<DistinctCase> {};

TEST_P(CoalescingDistinctTest, MakesItsOwnUpstreamCall) {
  ASSERT_TRUE(Call().ok());
  ASSERT_TRUE(Call(GetParam().request, GetParam().options).ok());
  ASSERT_TRUE(inner_.WaitForHeld(2));
  EXPECT_EQ(inner_.calls(), 2);
  EXPECT_EQ(client_.coalesced_calls(), 0);
  inner_.Release();
  const std::vector<Completion> seen = done_.WaitFor(2);
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_FALSE(seen[0].summary.replayed);
  EXPECT_FALSE(seen[1].summary.replayed);
}

INSTANTIATE_TEST_SUITE_P(
    Differences, CoalescingDistinctTest,
    ::testing::Values(DistinctCase{"OtherCustomer", Lookup("9876500000"), From("svc-a")},
                      DistinctCase{"OtherUserCode", Lookup("9876543210", "20810299"),
                                   From("svc-a")},
                      DistinctCase{"UserCodeLeftEmpty", Lookup("9876543210", ""), From("svc-a")},
                      DistinctCase{"OtherCaller", Lookup(), From("svc-b")},
                      DistinctCase{"AnonymousCaller", Lookup(), From("")}),
    [](const ::testing::TestParamInfo<DistinctCase>& param_info) { return param_info.param.name; });

TEST_F(CoalescingClientTest, GetSenderCoalescesApartFromGetCustomer) {
  v1::GetSenderRequest sender;
  sender.set_customer_id("9876543210");
  sender.set_user_code("20810200");
  ASSERT_TRUE(Call().ok());
  for (int i = 0; i < 2; ++i) {
    ASSERT_TRUE(
        client_.GetSender(sender, From("svc-a"), done_.Record<v1::GetSenderResponse>()).ok());
  }
  ASSERT_TRUE(inner_.WaitForHeld(2));
  EXPECT_THAT(inner_.rpcs(), ElementsAre("GetCustomer", "GetSender"));
  EXPECT_EQ(client_.coalesced_calls(), 1);
  ReleaseAndWaitFor(3);
}

TEST_F(CoalescingClientTest, CancelEndsOneJoinerAtOnceAndTheSharedCallGoesOn) {
  const std::vector<uint64_t> ids = CallTimes(3);
  ASSERT_EQ(ids.size(), 3u);
  client_.Cancel(ids[1]);
  std::vector<Completion> seen = done_.WaitFor(1);
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_THAT(seen[0].status, HasReason(absl::StatusCode::kCancelled, reason::kCancelled));
  EXPECT_EQ(seen[0].summary.outcome, UpstreamOutcome::kCancelled);
  EXPECT_TRUE(inner_.cancelled().empty());
  client_.Cancel(ids[1]);  // finished: ignored

  inner_.Release();
  seen = done_.WaitFor(3);
  ASSERT_EQ(seen.size(), 3u);
  EXPECT_TRUE(seen[1].status.ok());
  EXPECT_TRUE(seen[2].status.ok());
  EXPECT_TRUE(inner_.cancelled().empty());
}

TEST_F(CoalescingClientTest, AJoinerCarriesTheExchangeWhenTheFirstCallerHasCancelled) {
  const std::vector<uint64_t> ids = CallTimes(2);
  ASSERT_EQ(ids.size(), 2u);
  client_.Cancel(ids[0]);
  ASSERT_EQ(done_.WaitFor(1).size(), 1u);
  inner_.Release();
  const std::vector<Completion> seen = done_.WaitFor(2);
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_TRUE(seen[1].status.ok());
  EXPECT_FALSE(seen[1].summary.replayed);
  EXPECT_EQ(seen[1].summary.outcome, UpstreamOutcome::kAnswered);
  EXPECT_TRUE(inner_.cancelled().empty());
}

TEST_F(CoalescingClientTest, TheLastCancelCancelsTheUpstreamCall) {
  const std::vector<uint64_t> ids = CallTimes(3);
  ASSERT_TRUE(inner_.WaitForHeld(1));
  client_.Cancel(ids[2]);
  client_.Cancel(ids[0]);
  EXPECT_TRUE(inner_.cancelled().empty());
  client_.Cancel(ids[1]);
  ASSERT_TRUE(inner_.WaitForCancel());
  EXPECT_THAT(inner_.cancelled(), ElementsAre(1u));
  const std::vector<Completion> seen = done_.WaitFor(3);
  ASSERT_EQ(seen.size(), 3u);
  for (const Completion& completion : seen) {
    EXPECT_THAT(completion.status, StatusIs(absl::StatusCode::kCancelled));
  }
  EXPECT_EQ(client_.waiting_calls(), 0u);

  // The cancelled call is not joined: a new lookup goes upstream again.
  ASSERT_TRUE(Call().ok());
  ASSERT_TRUE(inner_.WaitForHeld(1));
  EXPECT_EQ(inner_.calls(), 2);
  ReleaseAndWaitFor(4);
}

TEST_F(CoalescingClientTest, NothingIsKeptAfterTheSharedCallCompleted) {
  CallTimes(2);
  inner_.Release();
  ASSERT_EQ(done_.WaitFor(2).size(), 2u);
  CallTimes(2);
  ASSERT_TRUE(inner_.WaitForHeld(1));
  EXPECT_EQ(inner_.calls(), 2);
  EXPECT_EQ(client_.coalesced_calls(), 2);
  ReleaseAndWaitFor(4);
}

TEST_F(CoalescingClientTest, CallsWithAClientRefIdPassThroughUntouched) {
  v1::OnboardCustomerRequest onboard;
  onboard.set_customer_id("9876543210");
  onboard.set_client_ref_id("ref-1");
  std::vector<uint64_t> ids;
  for (int i = 0; i < 2; ++i) {
    absl::StatusOr<uint64_t> id = client_.OnboardCustomer(
        onboard, From("svc-a"), done_.Record<v1::OnboardCustomerResponse>());
    ASSERT_TRUE(id.ok());
    ids.push_back(*id);
  }
  // The inner client's own ids, and one upstream call each.
  EXPECT_THAT(ids, ElementsAre(1u, 2u));
  EXPECT_EQ(inner_.calls(), 2);
  EXPECT_EQ(client_.coalesced_calls(), 0);
  EXPECT_EQ(client_.waiting_calls(), 0u);
  client_.Cancel(2);
  ASSERT_TRUE(inner_.WaitForCancel());
  EXPECT_THAT(inner_.cancelled(), ElementsAre(2u));
  ReleaseAndWaitFor(2);
}

TEST_F(CoalescingClientTest, CancelOfADecoratorAnsweredIdGoesToTheInnerClient) {
  const uint64_t deduplicators_id = (uint64_t{1} << 63) | 7;
  client_.Cancel(deduplicators_id);
  EXPECT_THAT(inner_.cancelled(), ElementsAre(deduplicators_id));
}

// The deadline rule: a lookup joins only a call whose caller deadline is not
// later than its own.
TEST_F(CoalescingClientTest, ALookupWithTheSameOrALaterDeadlineJoins) {
  const absl::Time deadline = kDeadline;
  ASSERT_TRUE(Call(Lookup(), From("svc-a", deadline)).ok());
  ASSERT_TRUE(Call(Lookup(), From("svc-a", deadline)).ok());
  ASSERT_TRUE(Call(Lookup(), From("svc-a", deadline + absl::Seconds(3))).ok());
  ASSERT_TRUE(Call(Lookup(), From("svc-a", absl::InfiniteFuture())).ok());
  ASSERT_TRUE(inner_.WaitForHeld(1));
  EXPECT_EQ(inner_.calls(), 1);
  EXPECT_EQ(inner_.last_options().caller_deadline, deadline);
  EXPECT_EQ(client_.coalesced_calls(), 3);
  ReleaseAndWaitFor(4);
}

TEST_F(CoalescingClientTest, ALookupWithAnEarlierDeadlineGoesUpstreamOnItsOwn) {
  const absl::Time deadline = kDeadline;
  ASSERT_TRUE(Call(Lookup(), From("svc-a", deadline)).ok());
  absl::StatusOr<uint64_t> earlier = Call(Lookup(), From("svc-a", deadline - absl::Seconds(1)));
  ASSERT_TRUE(earlier.ok());
  ASSERT_TRUE(inner_.WaitForHeld(2));
  EXPECT_EQ(inner_.calls(), 2);
  EXPECT_EQ(inner_.last_options().caller_deadline, deadline - absl::Seconds(1));
  EXPECT_EQ(*earlier, 2u);  // the inner client's id: not coalesced
  EXPECT_EQ(client_.coalesced_calls(), 0);
  // A later lookup still joins the first call.
  ASSERT_TRUE(Call(Lookup(), From("svc-a", deadline)).ok());
  EXPECT_EQ(inner_.calls(), 2);
  EXPECT_EQ(client_.coalesced_calls(), 1);
  ReleaseAndWaitFor(3);
}

TEST_F(CoalescingClientTest, TheSharedCallsDeadlineErrorReachesItsJoiners) {
  const absl::Time deadline = kDeadline;
  ASSERT_TRUE(Call(Lookup(), From("svc-a", deadline)).ok());
  ASSERT_TRUE(Call(Lookup(), From("svc-a", deadline + absl::Seconds(5))).ok());
  ASSERT_TRUE(inner_.WaitForHeld(1));
  inner_.Finish(1, absl::DeadlineExceededError("caller deadline"));
  const std::vector<Completion> seen = done_.WaitFor(2);
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_THAT(seen[0].status, StatusIs(absl::StatusCode::kDeadlineExceeded));
  EXPECT_THAT(seen[1].status, StatusIs(absl::StatusCode::kDeadlineExceeded));
}

TEST_F(CoalescingClientTest, ARefusedLookupLeavesNothingBehind) {
  inner_.Refuse(absl::UnavailableError("circuit open"));
  EXPECT_THAT(Call(), StatusIs(absl::StatusCode::kUnavailable));
  EXPECT_EQ(client_.waiting_calls(), 0u);
  inner_.Refuse(absl::OkStatus());
  ASSERT_TRUE(Call().ok());
  ASSERT_TRUE(inner_.WaitForHeld(1));
  EXPECT_EQ(client_.coalesced_calls(), 0);
  ReleaseAndWaitFor(1);
  EXPECT_EQ(done_.count(), 1u);
}

// Blocks GetCustomer inside the call until Open(), then refuses it: lookups
// made meanwhile join the call being started.
class RefusesLate final : public UpstreamClient {
 public:
  EKO_ONBOARDING_RPCS(EKO_UPSTREAM_CALL_VIA_START_CALL)
  void Cancel(uint64_t) override {}

  void WaitUntilEntered() {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [&] { return entered_; });
  }
  void Open() {
    std::lock_guard<std::mutex> lock(mu_);
    open_ = true;
    cv_.notify_all();
  }

 private:
  template <typename Request, typename Response>
  absl::StatusOr<uint64_t> StartCall(const Request&, const CallOptions&, UpstreamDone<Response>) {
    std::unique_lock<std::mutex> lock(mu_);
    entered_ = true;
    cv_.notify_all();
    cv_.wait(lock, [&] { return open_; });
    return absl::ResourceExhaustedError("overloaded");
  }

  std::mutex mu_;
  std::condition_variable cv_;
  bool entered_ = false;
  bool open_ = false;
};

TEST(CoalescingClientRefusalTest, TheRefusalAnswersTheLookupsThatJoinedMeanwhile) {
  RefusesLate inner;
  CoalescingClient client(&inner);
  Completions done;
  absl::StatusOr<uint64_t> first;
  std::thread leader([&] {
    first = client.GetCustomer(Lookup(), From("svc-a"), done.Record<v1::GetCustomerResponse>());
  });
  inner.WaitUntilEntered();
  ASSERT_TRUE(
      client.GetCustomer(Lookup(), From("svc-a"), done.Record<v1::GetCustomerResponse>()).ok());
  inner.Open();
  leader.join();
  EXPECT_THAT(first, StatusIs(absl::StatusCode::kResourceExhausted));
  const std::vector<Completion> seen = done.WaitFor(1);
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_THAT(seen[0].status, StatusIs(absl::StatusCode::kResourceExhausted));
  EXPECT_TRUE(seen[0].summary.replayed);
  EXPECT_EQ(client.waiting_calls(), 0u);
  EXPECT_EQ(client.coalesced_calls(), 1);
}

TEST(CoalescingClientStressTest, ConcurrentLookupsAndCancelsEachCompleteOnce) {
  FakeUpstreamClient inner;  // answers every call on a thread of its own
  CoalescingClient client(&inner);
  constexpr int kThreads = 4;
  constexpr int kCallsPerThread = 150;
  std::atomic<int> started{0};
  Completions done;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kCallsPerThread; ++i) {
        const std::string customer = "98765432" + std::to_string(10 + (i + t) % 3);
        absl::StatusOr<uint64_t> id = client.GetCustomer(Lookup(customer), From("svc-a"),
                                                         done.Record<v1::GetCustomerResponse>());
        ASSERT_TRUE(id.ok()) << id.status();
        started.fetch_add(1);
        if (i % 3 == 0) client.Cancel(*id);
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  constexpr int kTotal = kThreads * kCallsPerThread;
  ASSERT_EQ(started.load(), kTotal);
  ASSERT_EQ(done.WaitFor(kTotal).size(), static_cast<size_t>(kTotal));
  // Every call went upstream or joined one that did.
  EXPECT_EQ(inner.calls() + client.coalesced_calls(), kTotal);
  EXPECT_EQ(client.waiting_calls(), 0u);
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_EQ(done.count(), static_cast<size_t>(kTotal));  // none twice
}

}  // namespace
}  // namespace eko::adapter
