#include "adapters/duplicate_suppressor.h"

#include <string>
#include <vector>

#include "adapters/common/rich_status.h"
#include "gtest/gtest.h"

namespace eko::adapter {
namespace {

using Kind = DuplicateStore::Verdict::Kind;
using Outcome = DuplicateStore::Outcome;

const absl::Time kT0 = absl::FromUnixSeconds(1700000000);

// Begins `key`; a replay's outcome, given at once or later, goes to `seen`.
Kind Begin(DuplicateSuppressor& d, const std::string& key, const std::string& fingerprint,
           absl::Time now, std::vector<Outcome>* seen) {
  DuplicateStore::Verdict verdict = d.Begin({.key = key, .fingerprint = fingerprint, .now = now},
                                            [seen](DuplicateStore::Verdict later) {
                                              EXPECT_EQ(later.kind, Kind::kReplay);
                                              seen->push_back(later.outcome);
                                            });
  if (verdict.kind == Kind::kReplay) seen->push_back(verdict.outcome);
  return verdict.kind;
}

absl::Status EkoError() {
  return rich::ErrorBuilder(absl::StatusCode::kInvalidArgument, rich::reason::kOtpInvalid, "x")
      .Metadata("ekoStatus", "302");
}

TEST(DuplicateSuppressorTest, DuplicatesWhileInFlightGetTheFirstOutcome) {
  DuplicateSuppressor d(absl::Minutes(10), 100);
  std::vector<Outcome> seen;
  EXPECT_EQ(Begin(d, "k", "f1", kT0, &seen), Kind::kProceed);
  EXPECT_EQ(Begin(d, "k", "f1", kT0, &seen), Kind::kPending);
  EXPECT_EQ(Begin(d, "k", "f1", kT0, &seen), Kind::kPending);
  EXPECT_TRUE(seen.empty());
  d.Finish("k", Outcome{absl::OkStatus(), "response", "k"}, kT0);
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[1].response, "response");
}

TEST(DuplicateSuppressorTest, FinishedResultsAreReplayedWithinTheWindowOnly) {
  DuplicateSuppressor d(absl::Minutes(10), 100);
  std::vector<Outcome> seen;
  ASSERT_EQ(Begin(d, "k", "f1", kT0, &seen), Kind::kProceed);
  d.Finish("k", Outcome{EkoError(), "", "k"}, kT0);
  EXPECT_EQ(Begin(d, "k", "f1", kT0 + absl::Minutes(9), &seen), Kind::kReplay);
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Begin(d, "k", "f1", kT0 + absl::Minutes(11), &seen), Kind::kProceed);
}

TEST(DuplicateSuppressorTest, DifferentRequestUnderTheSameKeyConflicts) {
  DuplicateSuppressor d(absl::Minutes(10), 100);
  std::vector<Outcome> seen;
  ASSERT_EQ(Begin(d, "k", "f1", kT0, &seen), Kind::kProceed);
  EXPECT_EQ(Begin(d, "k", "f2", kT0, &seen), Kind::kConflict);
  d.Finish("k", Outcome{absl::OkStatus(), "r", "k"}, kT0);
  EXPECT_EQ(Begin(d, "k", "f2", kT0, &seen), Kind::kConflict);
  EXPECT_EQ(Begin(d, "other", "f2", kT0, &seen), Kind::kProceed);
}

TEST(DuplicateSuppressorTest, NonDefinitiveOutcomesAreNotKept) {
  DuplicateSuppressor d(absl::Minutes(10), 100);
  std::vector<Outcome> seen;
  ASSERT_EQ(Begin(d, "k", "f1", kT0, &seen), Kind::kProceed);
  ASSERT_EQ(Begin(d, "k", "f1", kT0, &seen), Kind::kPending);
  d.Finish("k", Outcome{absl::UnavailableError("not sent"), "", "k"}, kT0);
  ASSERT_EQ(seen.size(), 1u);                                  // the waiter still gets it
  EXPECT_EQ(Begin(d, "k", "f1", kT0, &seen), Kind::kProceed);  // a retry goes up
}

TEST(DuplicateSuppressorTest, UnknownOutcomesAreKeptAndNotSentOnesForgotten) {
  auto with_outcome = [](absl::StatusCode code, const char* upstream_outcome) {
    return rich::ErrorBuilder(code, "X", "x").Metadata("upstreamOutcome", upstream_outcome).Build();
  };
  DuplicateSuppressor d(absl::Minutes(10), 100);
  std::vector<Outcome> seen;
  ASSERT_EQ(Begin(d, "unknown", "f", kT0, &seen), Kind::kProceed);
  d.Finish("unknown", Outcome{with_outcome(absl::StatusCode::kUnknown, "UNKNOWN"), "", "u"}, kT0);
  EXPECT_EQ(Begin(d, "unknown", "f", kT0, &seen), Kind::kReplay);
  ASSERT_EQ(Begin(d, "not-sent", "f", kT0, &seen), Kind::kProceed);
  d.Finish("not-sent", Outcome{with_outcome(absl::StatusCode::kUnavailable, "NOT_SENT"), "", "n"},
           kT0);
  EXPECT_EQ(Begin(d, "not-sent", "f", kT0, &seen), Kind::kProceed);
}

TEST(DuplicateSuppressorTest, MemoryIsBounded) {
  DuplicateSuppressor d(absl::Minutes(10), 3);
  std::vector<Outcome> seen;
  for (int i = 0; i < 3; ++i) {
    const std::string key = "k" + std::to_string(i);
    ASSERT_EQ(Begin(d, key, "f", kT0, &seen), Kind::kProceed);
    d.Finish(key, Outcome{absl::OkStatus(), "", key}, kT0);
  }
  EXPECT_EQ(d.size(), 3u);
  EXPECT_EQ(Begin(d, "k3", "f", kT0, &seen), Kind::kProceed);  // evicts k0
  EXPECT_EQ(d.size(), 3u);
  EXPECT_EQ(Begin(d, "k0", "g", kT0, &seen), Kind::kProceed);  // forgotten
  // All in flight: new keys are untracked rather than growing the map.
  DuplicateSuppressor busy(absl::Minutes(10), 2);
  ASSERT_EQ(Begin(busy, "a", "f", kT0, &seen), Kind::kProceed);
  ASSERT_EQ(Begin(busy, "b", "f", kT0, &seen), Kind::kProceed);
  EXPECT_EQ(Begin(busy, "c", "f", kT0, &seen), Kind::kProceed);
  EXPECT_EQ(busy.size(), 2u);
  EXPECT_EQ(Begin(busy, "c", "other", kT0, &seen), Kind::kProceed);  // untracked
}

}  // namespace
}  // namespace eko::adapter
