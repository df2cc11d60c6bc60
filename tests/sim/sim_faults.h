#ifndef EKO_TESTS_SIM_SIM_FAULTS_H_
#define EKO_TESTS_SIM_SIM_FAULTS_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "tests/sim/sim_types.h"

namespace eko::sim {

// What an injected fault does to the request it matches.
enum class FaultAction {
  kRespond,   // Replies with the fault's status, headers and raw body.
  kReset,     // Reads the request, then resets the connection (TCP RST).
  kStall,     // Never replies.
  kTruncate,  // Declares Content-Length = body size, sends half the body, closes.
  kPass,      // The normal reply, delayed by delay_ms.
};

// One fault as posted to POST /__sim/faults (tests/sim/README.md documents
// the JSON). Match keys that are nullopt match anything.
struct FaultSpec {
  std::optional<std::string> method;         // Upper case.
  std::optional<std::string> path_contains;  // Substring of the request path.
  std::optional<std::string> customer_id;    // The {customer_id} segment of an Eko route.
  int64_t times = 1;                         // Uses left; -1 means until cleared.
  FaultAction action = FaultAction::kRespond;
  int http_status = 200;                                     // kRespond and kTruncate.
  std::vector<std::pair<std::string, std::string>> headers;  // kRespond and kTruncate.
  std::string body;                                          // kRespond and kTruncate.
  int64_t delay_ms = 0;  // Wait before acting; replaces the configured latency.
};

// Limits on what a fault may ask for.
inline constexpr int64_t kMaxFaultDelayMs = 3600000;
inline constexpr size_t kMaxFaults = 10000;

// Parses and validates the body of POST /__sim/faults. Fails with
// InvalidArgument, whose message names the offending key, for anything
// that is not a JSON object of known keys with values of the right types
// and ranges (see README), and for fields that do not apply to the action.
absl::StatusOr<FaultSpec> ParseFaultSpec(absl::string_view json);

// What the HTTP layer must do for `spec`. Not for FaultAction::kPass, whose
// reply comes from the normal behaviour. A Content-Type of application/json
// is added unless spec.headers names one.
SimResponse FaultResponse(const FaultSpec& spec);

// A fault that matched a request: its id and the spec as it was added.
struct FaultHit {
  int64_t id = 0;
  FaultSpec spec;
};

// The active faults, in the order they were added. Not thread-safe: the
// owner (SimCore) serialises access.
class FaultTable {
 public:
  // Adds `spec` after the existing faults and returns its id. Ids start at
  // 1 and are never reused, not even after Clear.
  int64_t Add(FaultSpec spec);

  // Finds the first fault, in the order added, that matches `method`,
  // `path` and `customer_id` (the request's {customer_id} segment, "" when
  // it has none), uses it up once and returns it. A fault whose uses run out
  // is removed. Nullopt when no fault matches.
  std::optional<FaultHit> Take(absl::string_view method, absl::string_view path,
                               absl::string_view customer_id);

  // Removes every fault; returns how many there were.
  size_t Clear();

  size_t size() const { return entries_.size(); }

  // The active faults as a JSON array, oldest first: each entry is the spec
  // with "times" holding the uses left, plus "id" and "hits" (uses so far).
  std::string ToJson() const;

 private:
  struct Entry {
    int64_t id = 0;
    FaultSpec spec;
    int64_t hits = 0;
  };

  std::vector<Entry> entries_;
  int64_t next_id_ = 1;
};

}  // namespace eko::sim

#endif  // EKO_TESTS_SIM_SIM_FAULTS_H_
