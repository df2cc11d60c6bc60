#ifndef EKO_SERVER_MEMORY_BUDGET_H_
#define EKO_SERVER_MEMORY_BUDGET_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "server/config.h"

// The default --max-inflight, derived from the container's memory limit so
// that the pod refuses calls (GATEWAY_OVERLOADED) before the kernel kills it
// (OOM), losing every call in flight.
namespace eko::server {

// What the gateway's memory is made of, in bytes. deploy/memory-budget.json
// holds the same numbers for deploy/validate.js, which applies the same
// arithmetic to every overlay; memory_budget_test.cc keeps the two equal.
struct MemoryCosts {
  // Resident size of an idle gateway (docs/reliability.md, "Hostile callers",
  // measured by hand: 24 MB before each scenario; docs/benchmarks.md C:
  // 29.5 MiB peak at 100 calls in flight less 100 x 57.9 KiB).
  int64_t baseline_bytes = 24 << 20;
  // Growth of the resident size per upstream call in flight (docs/benchmarks.md,
  // "C: simulator answers after 1000 ms": 36.5 KiB at 10,000 in flight, 42.8 KiB
  // at 1,000; the headroom covers the difference at low counts).
  int64_t per_call_bytes = 38 << 10;
  // An idle client connection (docs/reliability.md, "Hostile callers": 19,000
  // idle connections took 24 MB to 270 MB, ~13.3 KiB each).
  int64_t per_connection_bytes = 14 << 10;
  // One client_ref_id remembered by the in-memory dedupe store with a 512-byte
  // answer (measured in memory_budget_test.cc, DedupeEntryCostCoversAMeasuredEntry).
  int64_t per_dedupe_entry_bytes = 1536;
  // Kept free of the limit for what the figures above miss (allocator
  // fragmentation, TLS sessions, metrics scrapes, tmpfs pages).
  int64_t headroom_percent = 10;
  // The derived value never goes below this (a tiny limit still serves some
  // calls) nor above kMaxDerivedMaxInflight.
  int64_t min_max_inflight = 100;
};

inline constexpr int64_t kMaxDerivedMaxInflight = 20000;

// What the gateway must hold besides its upstream calls.
struct MemoryDemand {
  int64_t max_connections = 0;  // client connection cap (--max-connections)
  int64_t dedupe_entries = 0;   // in-memory dedupe bound; 0 with Redis or no dedupe
};

// The demand `config` sets: its connection cap, and its dedupe bound when
// duplicate suppression is on and kept in memory (--idempotency-store=memory).
MemoryDemand DemandOf(const GatewayConfig& config);

// Upstream calls in flight that fit `limit_bytes`:
//   (limit - baseline - headroom - connections - dedupe entries) / per call,
// clamped to [costs.min_max_inflight, kMaxDerivedMaxInflight].
int64_t MaxInflightForLimit(int64_t limit_bytes, const MemoryDemand& demand,
                            const MemoryCosts& costs = {});

// Bytes `max_inflight` calls in flight need with `demand`, headroom included:
// what MaxInflightForLimit keeps at or below the limit.
int64_t MemoryNeeded(int64_t max_inflight, int64_t limit_bytes, const MemoryDemand& demand,
                     const MemoryCosts& costs = {});

// The limit in the text of a cgroup memory file: cgroup v2 memory.max (a
// byte count, or "max" for none) or cgroup v1 memory.limit_in_bytes (a byte
// count; v1 writes 2^63 rounded down to a page for none, so any value at or
// above 2^60 is taken as none). nullopt for none and for text that is not a
// positive byte count.
std::optional<int64_t> ParseMemoryLimit(const std::string& text);

struct MemoryLimit {
  std::optional<int64_t> bytes;  // nullopt: no limit
  std::string file;              // the file read; empty when none exists
};

// Reads the first of `files` that can be opened.
MemoryLimit ReadMemoryLimit(const std::vector<std::string>& files);

// The files holding the container's memory limit: cgroup v2's
// /sys/fs/cgroup/memory.max, then cgroup v1's
// /sys/fs/cgroup/memory/memory.limit_in_bytes; only
// $EKO_CGROUP_MEMORY_MAX_FILE when that is set (tests and operators use it
// to point at another file).
std::vector<std::string> MemoryLimitFiles(const EnvLookup& env);

struct MaxInflightChoice {
  int64_t max_inflight = 0;
  std::string source;  // why: "explicit", "cgroup memory limit 192 MiB (FILE)", ...
};

// --max-inflight as given (flag or EKO_MAX_INFLIGHT), else derived from
// `limit`, else the default of 20000.
MaxInflightChoice ChooseMaxInflight(const GatewayConfig& config, const MemoryLimit& limit);

// Reads the limit (MemoryLimitFiles(env)), sets config->max_inflight to
// ChooseMaxInflight's value and returns the choice, for the start-up log.
MaxInflightChoice ApplyMemoryBudget(GatewayConfig* config, const EnvLookup& env);

}  // namespace eko::server

#endif  // EKO_SERVER_MEMORY_BUDGET_H_
