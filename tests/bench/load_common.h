// What the two load generators (eko-bench, bench-curl-floor) share: the flags
// both take, defined once in load_common.cc, and the end of a run.
#ifndef EKO_TESTS_BENCH_LOAD_COMMON_H_
#define EKO_TESTS_BENCH_LOAD_COMMON_H_

#include <cstdint>
#include <iostream>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "tests/bench/bench_common.h"
#include "tests/bench/command_line.h"
#include "tests/bench/report.h"

namespace eko::bench {

// The shared flags, checked.
struct LoadSettings {
  std::string customer_id;            // --customer-id
  int64_t distinct_customers = 1;     // --distinct-customers
  int64_t first_customer_number = 0;  // --customer-id as a number, if distinct_customers > 1
  double duration_s = 0;              // --duration-s: the measured window
  double warmup_s = 0;                // --warmup-s
  int64_t timeout_ms = 0;             // --timeout-ms: deadline of each call
  // Every --pid, then this process as "client".
  std::vector<WatchTarget> watch;
  bool json = false;   // --json
  std::string kv_out;  // --kv-out
};

// The customer the index-th slot or call looks up: --customer-id plus index
// modulo --distinct-customers.
std::string CustomerId(const LoadSettings& settings, int64_t index);

// Reads the shared flags after ParseCommandLineOrExit; an error names the
// flag whose value is out of range or malformed.
absl::StatusOr<LoadSettings> ReadLoadFlags();

// Completes `report` with what `watcher` measured and the settings, prints it
// as `settings` ask and returns the tool's exit status: 0, or 1 when the
// report cannot be written or a watched process could not be read (it is
// gone). `watcher` must be stopped.
int FinishRun(Report& report, const ProcessWatcher& watcher, const LoadSettings& settings);

// Adds the shared flags to `command_line` (for --help, and --pid as
// repeatable) and parses it.
void ParseLoadCommandLineOrExit(int argc, char** argv, CommandLine command_line);

// The whole main() of a load generator: parses the command line, reads the
// shared flags and then the tool's options with `read_options` (exit status 2
// when either is wrong) and returns what `run` returns.
template <typename Options>
int LoadToolMain(int argc, char** argv, const CommandLine& command_line,
                 absl::StatusOr<Options> (*read_options)(LoadSettings),
                 int (*run)(const Options&)) {
  ParseLoadCommandLineOrExit(argc, argv, command_line);
  absl::StatusOr<LoadSettings> settings = ReadLoadFlags();
  absl::StatusOr<Options> options =
      settings.ok() ? read_options(*std::move(settings)) : settings.status();
  if (!options.ok()) {
    std::cerr << command_line.tool << ": " << options.status().message() << " (see --help)\n";
    return 2;
  }
  return run(*options);
}

}  // namespace eko::bench

#endif  // EKO_TESTS_BENCH_LOAD_COMMON_H_
