#include "tests/bench/load_common.h"

#include <unistd.h>

#include <iostream>

#include "absl/flags/flag.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

ABSL_FLAG(std::string, customer_id, "6111111111",
          "customer looked up (the default is the simulator's seeded enrolled customer: every "
          "call is a signed upstream round trip)");
ABSL_FLAG(int64_t, distinct_customers, 1,
          "look up this many customers, consecutive numbers from --customer-id: closed-loop "
          "slot (or open-loop call) i uses the i-th modulo this. eko-gateway coalesces identical "
          "GetCustomer calls in flight into one upstream call; at least as many as the calls "
          "in flight keeps every call its own upstream round trip (numbers other than the "
          "simulator's seeded customer answer 463, customer not found)");
ABSL_FLAG(double, duration_s, 10, "measured window in seconds");
ABSL_FLAG(double, warmup_s, 2, "warm-up before the window in seconds, not measured");
ABSL_FLAG(int64_t, timeout_ms, 30000, "deadline of each call in ms");
ABSL_FLAG(std::vector<std::string>, pid, {},
          "[NAME=]PID: a process under test to measure (repeatable); the load generator itself "
          "is always reported as \"client\"");
ABSL_FLAG(bool, json, false, "print one JSON object instead of the table");
ABSL_FLAG(std::string, kv_out, "", "also write the report as key=value lines to this file");

namespace eko::bench {

absl::StatusOr<LoadSettings> ReadLoadFlags() {
  LoadSettings settings;
  settings.duration_s = absl::GetFlag(FLAGS_duration_s);
  settings.warmup_s = absl::GetFlag(FLAGS_warmup_s);
  settings.timeout_ms = absl::GetFlag(FLAGS_timeout_ms);
  settings.distinct_customers = absl::GetFlag(FLAGS_distinct_customers);
  if (absl::Status checked = FirstError({
          CheckRange("duration-s", settings.duration_s, 0.1, 86400.0),
          CheckRange("warmup-s", settings.warmup_s, 0.0, 86400.0),
          CheckRange<int64_t>("timeout-ms", settings.timeout_ms, 1, 3600000),
          CheckRange<int64_t>("distinct-customers", settings.distinct_customers, 1, 10000000),
      });
      !checked.ok()) {
    return checked;
  }
  for (const std::string& text : absl::GetFlag(FLAGS_pid)) {
    absl::StatusOr<WatchTarget> target = ParseWatchTarget(text);
    if (!target.ok()) return target.status();
    settings.watch.push_back(*std::move(target));
  }
  settings.watch.push_back(WatchTarget{"client", getpid()});
  settings.customer_id = absl::GetFlag(FLAGS_customer_id);
  if (settings.distinct_customers > 1 &&
      !absl::SimpleAtoi(settings.customer_id, &settings.first_customer_number)) {
    return absl::InvalidArgumentError("--customer-id must be a number with --distinct-customers");
  }
  settings.json = absl::GetFlag(FLAGS_json);
  settings.kv_out = absl::GetFlag(FLAGS_kv_out);
  return settings;
}

void ParseLoadCommandLineOrExit(int argc, char** argv, CommandLine command_line) {
  absl::StrAppend(&command_line.usage,
                  "\nExit status: 0 when the run completed (whatever the calls returned); 1 on a "
                  "setup failure (such as a watched process that is gone) or an unknown or "
                  "malformed flag; 2 on a flag value out of range or a missing flag.");
  command_line.flag_files.push_back("tests/bench/load_common.cc");
  command_line.repeatable.push_back("pid");
  ParseCommandLineOrExit(argc, argv, command_line);
}

std::string CustomerId(const LoadSettings& settings, int64_t index) {
  if (settings.distinct_customers <= 1) return settings.customer_id;
  return absl::StrCat(settings.first_customer_number + index % settings.distinct_customers);
}

int FinishRun(Report& report, const ProcessWatcher& watcher, const LoadSettings& settings) {
  report.warmup_s = settings.warmup_s;
  report.processes = watcher.Results();
  report.machine_cpu_percent = watcher.machine_cpu_percent();
  if (absl::Status emitted = EmitReport(report, settings.json, settings.kv_out); !emitted.ok()) {
    std::cerr << report.tool << ": " << emitted.message() << "\n";
    return 1;
  }
  for (const ProcessResult& p : report.processes) {
    if (!p.error.empty()) {
      std::cerr << report.tool << ": process " << p.name << " (" << p.pid << "): " << p.error
                << "\n";
      return 1;
    }
  }
  return 0;
}

}  // namespace eko::bench
