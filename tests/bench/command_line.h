// Command-line parsing of the bench tools, on absl::flags. Each tool defines
// its flags with ABSL_FLAG (flags both load generators take live in
// load_common.cc) and calls ParseCommandLineOrExit first thing in main().
#ifndef EKO_TESTS_BENCH_COMMAND_LINE_H_
#define EKO_TESTS_BENCH_COMMAND_LINE_H_

#include <initializer_list>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

namespace eko::bench {

// What ParseCommandLineOrExit needs to know about a tool.
struct CommandLine {
  std::string tool;                     // program name for messages
  std::string usage;                    // printed first by --help
  std::vector<std::string> flag_files;  // --help lists the flags defined in files ending so
  std::vector<std::string> repeatable;  // flags that may be given more than once
};

// Rewrites `args` (args[0] is the program) for absl::ParseCommandLine, which
// accepts a flag only under its own name and keeps only a flag's last value:
// dashes in flag names become underscores (--duration-s=1 becomes
// --duration_s=1; values are left alone), and every value of a flag named in
// `repeatable`, given as --NAME=V or --NAME V, is joined into one
// --NAME=V1,V2,... where the flag first appears. Arguments after "--" are
// left alone.
std::vector<std::string> NormalizeFlagArgs(const std::vector<std::string>& args,
                                           const std::vector<std::string>& repeatable);

// Parses argc/argv (after NormalizeFlagArgs) into the flags. --help prints
// `command_line.usage` and the flags of `flag_files`, then exits 1 (as
// absl::flags 20220623 does). Exits 1 (absl::flags) on an unknown or
// malformed flag and 2 on a positional argument.
void ParseCommandLineOrExit(int argc, char** argv, const CommandLine& command_line);

// OK when flag --`name` has a `value` in [min, max].
template <typename T>
absl::Status CheckRange(absl::string_view name, T value, T min, T max) {
  if (value >= min && value <= max) return absl::OkStatus();
  return absl::InvalidArgumentError(
      absl::StrCat("--", name, " must be in [", min, ", ", max, "], got ", value));
}

// The first error of `checks`, or OK.
absl::Status FirstError(std::initializer_list<absl::Status> checks);

}  // namespace eko::bench

#endif  // EKO_TESTS_BENCH_COMMAND_LINE_H_
