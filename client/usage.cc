#include "client/usage.h"

#include <algorithm>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "client/flags.h"

namespace eko::cli {
namespace {

constexpr char kProgram[] = "eko-cli";

// "--name VALUE" (or "--name" for a boolean flag).
std::string FlagLabel(const FlagSpec& flag) {
  std::string label = absl::StrCat("--", flag.name);
  if (flag.value_name != nullptr) absl::StrAppend(&label, " ", flag.value_name);
  return label;
}

// Two-column lines: each label padded to a common width, then its text.
std::string Table(const std::vector<std::pair<std::string, std::string>>& rows) {
  size_t width = 0;
  for (const auto& row : rows) width = std::max(width, row.first.size());
  std::string out;
  for (const auto& [label, text] : rows) {
    absl::StrAppend(&out, "  ", label, std::string(width - label.size() + 2, ' '), text, "\n");
  }
  return out;
}

}  // namespace

std::string GeneralUsage() {
  std::string out =
      absl::StrCat("usage: ", kProgram, " [GLOBAL FLAGS] SUBCOMMAND [FLAGS]\n\n",
                   "Calls the eko.onboarding.v1.OnboardingService gateway.\n\n", "subcommands:\n");
  std::vector<std::pair<std::string, std::string>> rows;
  for (const Command& command : Commands()) {
    rows.emplace_back(std::string(command.name), std::string(command.summary));
  }
  rows.emplace_back("help [SUBCOMMAND]", "show this text or a subcommand's flags");
  absl::StrAppend(&out, Table(rows), "\nglobal flags (before or after the subcommand):\n");
  rows.clear();
  for (const FlagSpec& flag : GlobalFlags()) {
    rows.emplace_back(FlagLabel(flag), std::string(flag.help));
  }
  absl::StrAppend(&out, Table(rows),
                  "\nexit codes: 0 success (a journey reached its end); 1 a call failed (any "
                  "non-OK status, or health not SERVING); 2 usage error, or input that "
                  "decode-error cannot decode\n",
                  "Run '", kProgram, " SUBCOMMAND --help' for the flags of a subcommand.\n");
  return out;
}

std::string CommandUsage(const Command& command) {
  std::string out = absl::StrCat("usage: ", kProgram, " [GLOBAL FLAGS] ", command.name, " ",
                                 command.synopsis, "\n\n", command.summary, "\n\n");
  if (command.argument != nullptr) {
    absl::StrAppend(&out, "argument:\n", Table({{command.argument, command.argument_help}}), "\n");
  }
  if (!command.flags.empty()) {
    std::vector<std::pair<std::string, std::string>> rows;
    for (const FlagSpec& flag : command.flags) {
      if (flag.refused != nullptr) continue;
      rows.emplace_back(FlagLabel(flag),
                        absl::StrCat(flag.help, flag.required ? " (required)" : ""));
    }
    absl::StrAppend(&out, "flags:\n", Table(rows), "\n");
  }
  std::vector<std::string> global_labels;
  for (const FlagSpec& flag : GlobalFlags()) global_labels.push_back(FlagLabel(flag));
  absl::StrAppend(&out, "global flags: ", absl::StrJoin(global_labels, ", "), " (see '", kProgram,
                  " --help')\n");
  return out;
}

}  // namespace eko::cli
