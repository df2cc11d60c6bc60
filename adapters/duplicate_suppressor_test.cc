#include "adapters/duplicate_suppressor.h"

#include <string>
#include <vector>

#include "adapters/common/rich_status.h"
#include "gtest/gtest.h"

namespace eko::adapter {
namespace {

using Decision = DuplicateSuppressor::Decision;
using Outcome = DuplicateSuppressor::Outcome;

const absl::Time kT0 = absl::FromUnixSeconds(1700000000);

DuplicateSuppressor::Waiter Record(std::vector<Outcome>* seen) {
  return [seen](const Outcome& o) { seen->push_back(o); };
}

absl::Status EkoError() {
  return rich::ErrorBuilder(absl::StatusCode::kInvalidArgument, rich::reason::kOtpInvalid, "x")
      .Metadata("ekoStatus", "302");
}

TEST(DuplicateSuppressorTest, DuplicatesWhileInFlightGetTheFirstOutcome) {
  DuplicateSuppressor d(absl::Minutes(10), 100);
  std::vector<Outcome> seen;
  EXPECT_EQ(d.Begin("k", "f1", kT0, Record(&seen)), Decision::kProceed);
  EXPECT_EQ(d.Begin("k", "f1", kT0, Record(&seen)), Decision::kJoined);
  EXPECT_EQ(d.Begin("k", "f1", kT0, Record(&seen)), Decision::kJoined);
  EXPECT_TRUE(seen.empty());
  d.Finish("k", Outcome{absl::OkStatus(), "response", "k"}, kT0);
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[1].response, "response");
}

TEST(DuplicateSuppressorTest, FinishedResultsAreReplayedWithinTheWindowOnly) {
  DuplicateSuppressor d(absl::Minutes(10), 100);
  std::vector<Outcome> seen;
  ASSERT_EQ(d.Begin("k", "f1", kT0, Record(&seen)), Decision::kProceed);
  d.Finish("k", Outcome{EkoError(), "", "k"}, kT0);
  EXPECT_EQ(d.Begin("k", "f1", kT0 + absl::Minutes(9), Record(&seen)), Decision::kJoined);
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(d.Begin("k", "f1", kT0 + absl::Minutes(11), Record(&seen)), Decision::kProceed);
}

TEST(DuplicateSuppressorTest, DifferentRequestUnderTheSameKeyConflicts) {
  DuplicateSuppressor d(absl::Minutes(10), 100);
  std::vector<Outcome> seen;
  ASSERT_EQ(d.Begin("k", "f1", kT0, Record(&seen)), Decision::kProceed);
  EXPECT_EQ(d.Begin("k", "f2", kT0, Record(&seen)), Decision::kConflict);
  d.Finish("k", Outcome{absl::OkStatus(), "r", "k"}, kT0);
  EXPECT_EQ(d.Begin("k", "f2", kT0, Record(&seen)), Decision::kConflict);
  EXPECT_EQ(d.Begin("other", "f2", kT0, Record(&seen)), Decision::kProceed);
}

TEST(DuplicateSuppressorTest, NonDefinitiveOutcomesAreNotKept) {
  DuplicateSuppressor d(absl::Minutes(10), 100);
  std::vector<Outcome> seen;
  ASSERT_EQ(d.Begin("k", "f1", kT0, Record(&seen)), Decision::kProceed);
  ASSERT_EQ(d.Begin("k", "f1", kT0, Record(&seen)), Decision::kJoined);
  d.Finish("k", Outcome{absl::UnavailableError("not sent"), "", "k"}, kT0);
  ASSERT_EQ(seen.size(), 1u);  // the waiter still gets it
  EXPECT_EQ(d.Begin("k", "f1", kT0, Record(&seen)), Decision::kProceed);  // a retry goes up
}

TEST(DuplicateSuppressorTest, MemoryIsBounded) {
  DuplicateSuppressor d(absl::Minutes(10), 3);
  std::vector<Outcome> seen;
  for (int i = 0; i < 3; ++i) {
    const std::string key = "k" + std::to_string(i);
    ASSERT_EQ(d.Begin(key, "f", kT0, Record(&seen)), Decision::kProceed);
    d.Finish(key, Outcome{absl::OkStatus(), "", key}, kT0);
  }
  EXPECT_EQ(d.size(), 3u);
  EXPECT_EQ(d.Begin("k3", "f", kT0, Record(&seen)), Decision::kProceed);  // evicts k0
  EXPECT_EQ(d.size(), 3u);
  EXPECT_EQ(d.Begin("k0", "g", kT0, Record(&seen)), Decision::kProceed);  // forgotten
  // All in flight: new keys are untracked rather than growing the map.
  DuplicateSuppressor busy(absl::Minutes(10), 2);
  ASSERT_EQ(busy.Begin("a", "f", kT0, Record(&seen)), Decision::kProceed);
  ASSERT_EQ(busy.Begin("b", "f", kT0, Record(&seen)), Decision::kProceed);
  EXPECT_EQ(busy.Begin("c", "f", kT0, Record(&seen)), Decision::kProceed);
  EXPECT_EQ(busy.size(), 2u);
  EXPECT_EQ(busy.Begin("c", "other", kT0, Record(&seen)), Decision::kProceed);  // untracked
}

}  // namespace
}  // namespace eko::adapter
