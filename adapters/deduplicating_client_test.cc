#include "adapters/deduplicating_client.h"

#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "adapters/common/fake_clock.h"
#include "adapters/common/rich_status.h"
#include "adapters/duplicate_suppressor.h"
#include "adapters/testing/completions_test_util.h"
#include "adapters/testing/fake_upstream_client.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/support/status_matchers.h"

namespace eko::adapter {
namespace {

using ::eko::testing::HasReason;
using ::testing::ElementsAre;
namespace v1 = ::eko::onboarding::v1;
namespace reason = ::eko::rich::reason;

v1::OnboardCustomerRequest Onboard(const std::string& client_ref_id, const std::string& name) {
  v1::OnboardCustomerRequest request;
  request.set_customer_id("9876543210");
  request.set_name(name);
  request.set_client_ref_id(client_ref_id);
  return request;
}

absl::Status EkoError() {
  return rich::ErrorBuilder(absl::StatusCode::kInvalidArgument, rich::reason::kOtpInvalid, "x")
      .Metadata("ekoStatus", "302");
}

class DeduplicatingClientTest : public ::testing::Test {
 protected:
  DeduplicatingClientTest() { inner_.Hold(); }

  absl::StatusOr<uint64_t> Call(const std::string& client_ref_id = "ref-1",
                                const std::string& name = "Asha Rao",
                                const std::string& caller = "") {
    CallOptions options;
    options.caller = caller;
    return client_.OnboardCustomer(Onboard(client_ref_id, name), options,
                                   completions_.Record<v1::OnboardCustomerResponse>());
  }

  FakeClock clock_;
  FakeUpstreamClient inner_;
  DuplicateSuppressor store_{absl::Minutes(10), 100};
  Completions completions_;  // outlives client_, whose executor may still call it
  DeduplicatingClient client_{&store_, &inner_, clock_};
};

TEST_F(DeduplicatingClientTest, RepeatsWhileInFlightJoinTheFirstCall) {
  absl::StatusOr<uint64_t> first = Call();
  absl::StatusOr<uint64_t> second = Call();
  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_NE(*first, *second);
  EXPECT_EQ(inner_.calls(), 1);
  EXPECT_EQ(client_.pending_repeats(), 1u);
  EXPECT_EQ(completions_.count(), 0u);

  inner_.Answer("one-call");
  inner_.Finish(*first, absl::OkStatus());
  const std::vector<Completion> seen = completions_.WaitFor(2);
  ASSERT_EQ(seen.size(), 2u);
  for (const Completion& c : seen) {
    EXPECT_TRUE(c.status.ok()) << c.status;
    EXPECT_EQ(c.message, "one-call");
    EXPECT_EQ(c.summary.client_ref_id, "ref-1");
  }
  // One upstream exchange, reported once; the repeat is marked replayed.
  EXPECT_EQ(seen[0].summary.attempts + seen[1].summary.attempts, 1);
  EXPECT_NE(seen[0].summary.replayed, seen[1].summary.replayed);
  EXPECT_EQ(client_.pending_repeats(), 0u);
}

TEST_F(DeduplicatingClientTest, AFinishedCallIsReplayedOnAnotherThread) {
  absl::StatusOr<uint64_t> first = Call();
  ASSERT_TRUE(first.ok());
  inner_.Answer("stored");
  inner_.Finish(*first, absl::OkStatus());
  ASSERT_EQ(completions_.WaitFor(1).size(), 1u);

  ASSERT_TRUE(Call().ok());
  const std::vector<Completion> seen = completions_.WaitFor(2);
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_TRUE(seen[1].summary.replayed);
  EXPECT_EQ(seen[1].summary.attempts, 0);
  EXPECT_EQ(seen[1].message, "stored");
  EXPECT_NE(seen[1].thread, std::this_thread::get_id());
  EXPECT_EQ(inner_.calls(), 1);
}

TEST_F(DeduplicatingClientTest, AStoredErrorFromEkoIsReplayedToo) {
  absl::StatusOr<uint64_t> first = Call();
  ASSERT_TRUE(first.ok());
  inner_.Finish(*first, EkoError());
  ASSERT_EQ(completions_.WaitFor(1).size(), 1u);
  ASSERT_TRUE(Call().ok());
  const std::vector<Completion> seen = completions_.WaitFor(2);
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_THAT(seen[1].status, HasReason(absl::StatusCode::kInvalidArgument, reason::kOtpInvalid));
  EXPECT_TRUE(seen[1].summary.replayed);
  EXPECT_EQ(inner_.calls(), 1);
}

TEST_F(DeduplicatingClientTest, ADifferentRequestUnderAUsedIdIsRefused) {
  absl::StatusOr<uint64_t> first = Call();
  ASSERT_TRUE(first.ok());
  EXPECT_THAT(Call("ref-1", "Someone Else"),
              HasReason(absl::StatusCode::kInvalidArgument, reason::kClientRefIdReused));
  inner_.Finish(*first, absl::OkStatus());
  ASSERT_EQ(completions_.WaitFor(1).size(), 1u);
  EXPECT_THAT(Call("ref-1", "Someone Else"),
              HasReason(absl::StatusCode::kInvalidArgument, reason::kClientRefIdReused));
  EXPECT_EQ(inner_.calls(), 1);
  EXPECT_EQ(client_.pending_repeats(), 0u);
  EXPECT_EQ(completions_.count(), 1u);
}

TEST_F(DeduplicatingClientTest, ANonDefinitiveOutcomeReachesWaitersAndIsForgotten) {
  absl::StatusOr<uint64_t> first = Call();
  ASSERT_TRUE(Call().ok());
  ASSERT_TRUE(first.ok());
  inner_.Finish(*first, absl::UnavailableError("not sent"));
  const std::vector<Completion> seen = completions_.WaitFor(2);
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[0].status.code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(seen[1].status.code(), absl::StatusCode::kUnavailable);
  // A retry goes upstream again.
  ASSERT_TRUE(Call().ok());
  EXPECT_EQ(inner_.calls(), 2);
}

TEST_F(DeduplicatingClientTest, AnUnknownOutcomeIsKeptSoARetryIsNotSentAgain) {
  absl::StatusOr<uint64_t> first = Call();
  ASSERT_TRUE(first.ok());
  const absl::Status unknown = GatewayError(ErrorId::kUpstreamTimeout, Rpc::kOnboardCustomer, {});
  inner_.Finish(*first, unknown);
  ASSERT_EQ(completions_.WaitFor(1).size(), 1u);
  ASSERT_TRUE(Call().ok());
  const std::vector<Completion> seen = completions_.WaitFor(2);
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_THAT(seen[1].status, HasReason(absl::StatusCode::kUnknown, reason::kUpstreamTimeout));
  EXPECT_TRUE(seen[1].summary.replayed);
  EXPECT_EQ(inner_.calls(), 1);
}

TEST_F(DeduplicatingClientTest, AFirstCallItsCallerCancelledLeavesAnUnknownOutcome) {
  absl::StatusOr<uint64_t> first = Call();
  ASSERT_TRUE(first.ok());
  client_.Cancel(*first);
  std::vector<Completion> seen = completions_.WaitFor(1);
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].status.code(), absl::StatusCode::kCancelled);  // its own caller's code
  // The request may have reached Eko: a repeat is not sent again.
  ASSERT_TRUE(Call().ok());
  seen = completions_.WaitFor(2);
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_THAT(seen[1].status,
              HasReason(absl::StatusCode::kUnknown, reason::kClientRefIdOutcomeUnknown));
  google::rpc::ErrorInfo info;
  ASSERT_TRUE(rich::GetErrorInfo(seen[1].status, &info));
  EXPECT_EQ(info.metadata().at("upstreamOutcome"), "UNKNOWN");
  EXPECT_EQ(inner_.calls(), 1);
}

TEST(OutcomeForRepeatsTest, OnlyOutcomesEndedByTheCallerAreReplaced) {
  const absl::Status eko = EkoError();
  CallSummary answered;
  answered.outcome = UpstreamOutcome::kAnswered;
  answered.client_ref_id = "ref-1";
  DuplicateStore::Outcome kept = OutcomeForRepeats(Rpc::kOnboardCustomer, eko, "", answered);
  EXPECT_EQ(kept.status, eko);
  EXPECT_EQ(kept.client_ref_id, "ref-1");
  EXPECT_EQ(OutcomeForRepeats(Rpc::kOnboardCustomer, absl::OkStatus(), "bytes", answered).response,
            "bytes");

  CallSummary timed_out;
  timed_out.outcome = UpstreamOutcome::kTimedOut;
  const absl::Status own_budget =
      GatewayError(ErrorId::kUpstreamTimeout, Rpc::kOnboardCustomer, {});
  EXPECT_EQ(OutcomeForRepeats(Rpc::kOnboardCustomer, own_budget, "", timed_out).status, own_budget);
  timed_out.deadline_was_callers = true;
  EXPECT_THAT(
      OutcomeForRepeats(Rpc::kOnboardCustomer, absl::DeadlineExceededError("x"), "", timed_out)
          .status,
      HasReason(absl::StatusCode::kUnknown, reason::kClientRefIdOutcomeUnknown));
  CallSummary cancelled;
  cancelled.outcome = UpstreamOutcome::kCancelled;
  EXPECT_THAT(
      OutcomeForRepeats(Rpc::kOnboardCustomer, absl::CancelledError("x"), "", cancelled).status,
      HasReason(absl::StatusCode::kUnknown, reason::kClientRefIdOutcomeUnknown));
}

TEST_F(DeduplicatingClientTest, ARefusalOfTheInnerClientIsReturnedAndForgotten) {
  inner_.Refuse(absl::ResourceExhaustedError("overloaded"));
  EXPECT_EQ(Call().status().code(), absl::StatusCode::kResourceExhausted);
  inner_.Refuse(absl::OkStatus());
  EXPECT_TRUE(Call().ok());
  EXPECT_EQ(inner_.calls(), 2);
  EXPECT_EQ(completions_.count(), 0u);
}

TEST_F(DeduplicatingClientTest, CancellingAJoinedCallCompletesItOnceWithCancelled) {
  absl::StatusOr<uint64_t> first = Call();
  absl::StatusOr<uint64_t> joined = Call();
  ASSERT_TRUE(first.ok() && joined.ok());
  client_.Cancel(*joined);
  client_.Cancel(*joined);  // ignored: already completed
  std::vector<Completion> seen = completions_.WaitFor(1);
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_THAT(seen[0].status, HasReason(absl::StatusCode::kCancelled, reason::kCancelled));
  EXPECT_EQ(seen[0].summary.outcome, UpstreamOutcome::kCancelled);
  EXPECT_FALSE(seen[0].summary.replayed);
  EXPECT_NE(seen[0].thread, std::this_thread::get_id());
  // The first call goes on, and its outcome does not reach the cancelled one.
  EXPECT_TRUE(inner_.cancelled().empty());
  inner_.Finish(*first, absl::OkStatus());
  seen = completions_.WaitFor(2);
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_FALSE(seen[1].summary.replayed);
  // Wait for the executor to hand the outcome to the cancelled call, if it
  // (wrongly) still could: another call queued behind it completes first.
  ASSERT_TRUE(Call().ok());
  ASSERT_EQ(completions_.WaitFor(3).size(), 3u);
  EXPECT_EQ(completions_.count(), 3u);
}

TEST_F(DeduplicatingClientTest, CancelOfAFirstCallReachesTheInnerClient) {
  absl::StatusOr<uint64_t> first = Call();
  ASSERT_TRUE(first.ok());
  client_.Cancel(*first);
  EXPECT_THAT(inner_.cancelled(), ElementsAre(*first));
  const std::vector<Completion> seen = completions_.WaitFor(1);
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].status.code(), absl::StatusCode::kCancelled);
}

TEST_F(DeduplicatingClientTest, StoredResultsExpireAfterTheWindow) {
  absl::StatusOr<uint64_t> first = Call();
  ASSERT_TRUE(first.ok());
  inner_.Finish(*first, absl::OkStatus());
  ASSERT_EQ(completions_.WaitFor(1).size(), 1u);
  clock_.Advance(absl::Minutes(9));
  ASSERT_TRUE(Call().ok());
  ASSERT_EQ(completions_.WaitFor(2).size(), 2u);
  EXPECT_EQ(inner_.calls(), 1);
  clock_.Advance(absl::Minutes(2));
  ASSERT_TRUE(Call().ok());
  EXPECT_EQ(inner_.calls(), 2);
}

TEST_F(DeduplicatingClientTest, EachCallerHasItsOwnClientRefIds) {
  absl::StatusOr<uint64_t> alice = Call("ref-1", "Asha Rao", "token:alice");
  ASSERT_TRUE(alice.ok());
  // Another caller's use of ref-1 is neither joined nor refused as reuse:
  // it is a call of its own, whatever its request.
  absl::StatusOr<uint64_t> bob = Call("ref-1", "Asha Rao", "token:bob");
  absl::StatusOr<uint64_t> carol = Call("ref-1", "Someone Else", "token:carol");
  ASSERT_TRUE(bob.ok() && carol.ok());
  EXPECT_EQ(inner_.calls(), 3);
  EXPECT_EQ(client_.pending_repeats(), 0u);
  EXPECT_EQ(store_.size(), 3u);

  // The same caller repeating joins its own call.
  ASSERT_TRUE(Call("ref-1", "Asha Rao", "token:alice").ok());
  EXPECT_EQ(inner_.calls(), 3);
  EXPECT_EQ(client_.pending_repeats(), 1u);
  inner_.Answer("for-alice");
  inner_.Finish(*alice, absl::OkStatus());
  const std::vector<Completion> seen = completions_.WaitFor(2);
  ASSERT_EQ(seen.size(), 2u);
  for (const Completion& c : seen) EXPECT_EQ(c.message, "for-alice");
  EXPECT_EQ(completions_.count(), 2u);  // bob's and carol's calls are still held
  inner_.Release();
}

// A store shared between replicas decides later: it holds every Begin until
// the test decides it, and records the Finish calls.
class LateStore final : public DuplicateStore {
 public:
  Verdict Begin(const Claim& claim, Decided decided) override {
    std::lock_guard<std::mutex> lock(mu_);
    keys_.push_back(claim.key);
    pending_.push_back(std::move(decided));
    return Verdict{};
  }
  void Finish(const std::string& key, const Outcome& outcome, absl::Time) override {
    std::lock_guard<std::mutex> lock(mu_);
    finished_.emplace_back(key, outcome.status);
  }
  size_t size() const override { return 0; }

  // Decides the oldest Begin not yet decided, from another thread.
  void Decide(Verdict verdict) {
    Decided decided;
    {
      std::lock_guard<std::mutex> lock(mu_);
      decided = std::move(pending_.front());
      pending_.erase(pending_.begin());
    }
    std::thread([&decided, &verdict] { std::move(decided)(std::move(verdict)); }).join();
  }
  std::vector<std::pair<std::string, absl::Status>> finished() {
    std::lock_guard<std::mutex> lock(mu_);
    return finished_;
  }

 private:
  std::mutex mu_;
  std::vector<std::string> keys_;
  std::vector<Decided> pending_;
  std::vector<std::pair<std::string, absl::Status>> finished_;
};

// True once `condition` holds (polled for up to 5 s).
template <typename Condition>
bool Eventually(Condition condition) {
  for (int i = 0; i < 500; ++i) {
    if (condition()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return false;
}

using Kind = DuplicateStore::Verdict::Kind;

class LateVerdictTest : public ::testing::Test {
 protected:
  LateVerdictTest() { inner_.Hold(); }
  absl::StatusOr<uint64_t> Call() {
    return client_.OnboardCustomer(Onboard("ref-1", "Asha Rao"), CallOptions{},
                                   completions_.Record<v1::OnboardCustomerResponse>());
  }

  FakeUpstreamClient inner_;
  LateStore store_;
  Completions completions_;
  DeduplicatingClient client_{&store_, &inner_};
};

TEST_F(LateVerdictTest, ALateProceedSendsTheCallAndStoresItsOutcome) {
  absl::StatusOr<uint64_t> id = Call();
  ASSERT_TRUE(id.ok());
  EXPECT_EQ(inner_.calls(), 0);
  EXPECT_EQ(client_.pending_repeats(), 1u);
  store_.Decide({.kind = Kind::kProceed});
  ASSERT_TRUE(Eventually([&] { return inner_.calls() == 1; }));
  inner_.Answer("first");
  inner_.Finish(1, absl::OkStatus());  // the inner client's first id
  const std::vector<Completion> seen = completions_.WaitFor(1);
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].message, "first");
  EXPECT_FALSE(seen[0].summary.replayed);
  ASSERT_TRUE(Eventually([&] { return store_.finished().size() == 1; }));
  EXPECT_TRUE(store_.finished()[0].second.ok());
}

TEST_F(LateVerdictTest, ALateRefusalOrConflictCompletesTheCallWithoutSendingIt) {
  ASSERT_TRUE(Call().ok());
  ASSERT_TRUE(Call().ok());
  DuplicateStore::Verdict refused{.kind = Kind::kRefused};
  refused.outcome.status = absl::UnavailableError("store down");
  store_.Decide(std::move(refused));
  store_.Decide({.kind = Kind::kConflict});
  const std::vector<Completion> seen = completions_.WaitFor(2);
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[0].status.code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(seen[1].status,
              HasReason(absl::StatusCode::kInvalidArgument, reason::kClientRefIdReused));
  EXPECT_EQ(inner_.calls(), 0);
  EXPECT_TRUE(store_.finished().empty());
}

TEST_F(LateVerdictTest, ACallCancelledBeforeItsLateProceedReleasesTheKey) {
  absl::StatusOr<uint64_t> id = Call();
  ASSERT_TRUE(id.ok());
  client_.Cancel(*id);
  ASSERT_EQ(completions_.WaitFor(1).size(), 1u);
  store_.Decide({.kind = Kind::kProceed});
  ASSERT_TRUE(Eventually([&] { return store_.finished().size() == 1; }));
  EXPECT_FALSE(store_.finished()[0].second.ok());  // not kept: a retry goes upstream
  EXPECT_EQ(inner_.calls(), 0);
  EXPECT_EQ(completions_.count(), 1u);
}

TEST_F(LateVerdictTest, CancelAfterALateProceedReachesTheInnerCall) {
  absl::StatusOr<uint64_t> id = Call();
  ASSERT_TRUE(id.ok());
  store_.Decide({.kind = Kind::kProceed});
  ASSERT_TRUE(Eventually([&] { return inner_.calls() == 1; }));
  client_.Cancel(*id);
  ASSERT_TRUE(Eventually([&] { return inner_.cancelled() == std::vector<uint64_t>{1}; }));
  const std::vector<Completion> seen = completions_.WaitFor(1);
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].status.code(), absl::StatusCode::kCancelled);
}

TEST(CallerRpcKeyTest, EachPartTellsKeysApart) {
  const std::string key = CallerRpcKey("token:alice", Rpc::kOnboardCustomer, "ref-1");
  EXPECT_EQ(key, CallerRpcKey("token:alice", Rpc::kOnboardCustomer, "ref-1"));
  EXPECT_NE(key, CallerRpcKey("token:bob", Rpc::kOnboardCustomer, "ref-1"));
  EXPECT_NE(key, CallerRpcKey("", Rpc::kOnboardCustomer, "ref-1"));
  EXPECT_NE(key, CallerRpcKey("token:alice", Rpc::kOnboardCustomer, "ref-2"));
  EXPECT_NE(key, CallerRpcKey("token:alice", Rpc::kGetCustomer, "ref-1"));
  // A caller holding the separator cannot take the place of another's RPC.
  const std::string rpc(RpcName(Rpc::kOnboardCustomer));
  EXPECT_NE(CallerRpcKey("a", Rpc::kOnboardCustomer, rpc + "\x1fref-1"),
            CallerRpcKey("a\x1f" + rpc, Rpc::kOnboardCustomer, "ref-1"));
}

TEST_F(DeduplicatingClientTest, CallsWithoutAClientRefIdPassThrough) {
  v1::GetCustomerRequest lookup;
  lookup.set_customer_id("9876543210");
  for (int i = 0; i < 2; ++i) {
    absl::StatusOr<uint64_t> id = client_.GetCustomer(
        lookup, CallOptions{}, [](absl::StatusOr<v1::GetCustomerResponse>, const CallSummary&) {});
    ASSERT_TRUE(id.ok());
    EXPECT_EQ(*id, static_cast<uint64_t>(i + 1));  // the inner client's id
  }
  ASSERT_TRUE(Call("").ok());
  ASSERT_TRUE(Call("").ok());
  EXPECT_EQ(inner_.calls(), 4);
  EXPECT_EQ(store_.size(), 0u);
  EXPECT_EQ(client_.pending_repeats(), 0u);
}

TEST(RequestFingerprintTest, IsSha256) {
  EXPECT_EQ(RequestFingerprint("abc").size(), 32u);
  EXPECT_NE(RequestFingerprint("abc"), RequestFingerprint("abd"));
}

}  // namespace
}  // namespace eko::adapter
