// The one report format of the measuring tools (human table, JSON, key=value
// lines), which scripts/bench reads.
#ifndef EKO_TESTS_BENCH_REPORT_H_
#define EKO_TESTS_BENCH_REPORT_H_

#include <cstdint>
#include <map>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "tests/bench/bench_common.h"

namespace eko::bench {

// The outcome of one run, shared by every tool so scripts read one format.
struct Report {
  std::string tool;     // eko-bench, bench-curl-floor
  std::string target;   // gateway, echo, upstream
  std::string mode;     // closed, open
  int concurrency = 0;  // closed loop: calls kept in flight
  double rate = 0;      // open loop: calls started per second
  int connections = 0;  // gRPC channels, or connections libcurl opened
  double warmup_s = 0;
  double window_s = 0;                      // measured window, actual length
  int64_t completed = 0;                    // calls that completed inside the window
  int64_t not_sent = 0;                     // open loop: calls skipped at the in-flight cap
  std::map<std::string, int64_t> outcomes;  // status name -> calls (window only)
  std::string ok_outcome;             // the outcomes key that means success ("OK", "http_200")
  LatencySamples* latency = nullptr;  // window only
  std::vector<ProcessResult> processes;
  // Busy CPU of the whole machine over the window (100 = one CPU), -1 unknown.
  // What the processes above do not account for is other work on the machine
  // (plus kernel time such as loopback networking): a disturbed run shows here.
  double machine_cpu_percent = -1;
  std::vector<std::pair<std::string, std::string>> notes;  // extra settings to print
};

// Human-readable table (the headers bench_smoke checks for).
void PrintTable(Report& report, std::ostream& out);
// One JSON object, one line.
std::string ToJson(Report& report);
// Flat "key=value" lines for shell scripts (keys documented in README.md).
std::string ToKeyValues(Report& report);
// Prints the table (or, with `json`, the JSON object) on stdout and, when
// `kv_path` is not empty, writes the key=value lines to that file.
absl::Status EmitReport(Report& report, bool json, const std::string& kv_path);

}  // namespace eko::bench

#endif  // EKO_TESTS_BENCH_REPORT_H_
