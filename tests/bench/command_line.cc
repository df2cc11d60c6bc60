#include "tests/bench/command_line.h"

#include <cstdlib>
#include <iostream>
#include <map>

#include "absl/algorithm/container.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/flags/usage_config.h"
#include "absl/strings/match.h"
#include "absl/strings/str_replace.h"

namespace eko::bench {

std::vector<std::string> NormalizeFlagArgs(const std::vector<std::string>& args,
                                           const std::vector<std::string>& repeatable) {
  std::vector<std::string> out;
  std::map<std::string, size_t> joined_at;  // repeatable flag -> its argument in `out`
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg == "--") {
      out.insert(out.end(), args.begin() + static_cast<std::ptrdiff_t>(i), args.end());
      break;
    }
    if (i == 0 || !absl::StartsWith(arg, "--")) {
      out.push_back(arg);
      continue;
    }
    const size_t eq = arg.find('=');
    const std::string name = absl::StrReplaceAll(arg.substr(2, eq - 2), {{"-", "_"}});
    const bool has_value = eq != std::string::npos;
    if (!absl::c_linear_search(repeatable, name) || (!has_value && i + 1 == args.size())) {
      out.push_back(absl::StrCat("--", name, has_value ? arg.substr(eq) : ""));
      continue;
    }
    const std::string value = has_value ? arg.substr(eq + 1) : args[++i];
    if (const auto joined = joined_at.find(name); joined != joined_at.end()) {
      absl::StrAppend(&out[joined->second], ",", value);
    } else {
      joined_at[name] = out.size();
      out.push_back(absl::StrCat("--", name, "=", value));
    }
  }
  return out;
}

void ParseCommandLineOrExit(int argc, char** argv, const CommandLine& command_line) {
  absl::FlagsUsageConfig usage_config;
  usage_config.contains_help_flags = [files = command_line.flag_files](absl::string_view file) {
    return absl::c_any_of(files, [file](const std::string& f) { return absl::EndsWith(file, f); });
  };
  usage_config.contains_helpshort_flags = usage_config.contains_help_flags;
  usage_config.normalize_filename = [](absl::string_view file) {
    const size_t repository_path = file.rfind("tests/bench/");
    return std::string(repository_path == absl::string_view::npos ? file
                                                                  : file.substr(repository_path));
  };
  absl::SetFlagsUsageConfig(usage_config);
  absl::SetProgramUsageMessage(
      absl::StrCat(command_line.usage, "\nFlag names take '-' or '_' alike (--a-b is --a_b)."));

  std::vector<std::string> args =
      NormalizeFlagArgs(std::vector<std::string>(argv, argv + argc), command_line.repeatable);
  std::vector<char*> arg_pointers;
  for (std::string& arg : args) arg_pointers.push_back(arg.data());
  const std::vector<char*> positional =
      absl::ParseCommandLine(static_cast<int>(arg_pointers.size()), arg_pointers.data());
  if (positional.size() > 1) {
    std::cerr << command_line.tool << ": unexpected argument '" << positional[1]
              << "' (see --help)\n";
    std::exit(2);
  }
}

absl::Status FirstError(std::initializer_list<absl::Status> checks) {
  for (const absl::Status& check : checks) {
    if (!check.ok()) return check;
  }
  return absl::OkStatus();
}

}  // namespace eko::bench
