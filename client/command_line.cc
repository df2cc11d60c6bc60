#include "client/command_line.h"

#include <algorithm>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "client/values.h"

namespace eko::cli {
namespace {

constexpr char kProgram[] = "eko-cli";
constexpr char kJourney[] = "journey";   // First word of the two-word subcommands.
const std::string kHelpFlag = "--help";  // What -h stands for.

bool StartsWith(const std::string& text, const char* prefix) { return text.rfind(prefix, 0) == 0; }

const FlagSpec* FindFlag(const std::vector<FlagSpec>& flags, std::string_view name) {
  for (const FlagSpec& flag : flags) {
    if (flag.name == name) return &flag;
  }
  return nullptr;
}

ParseResult UsageError(const Command* command, std::string error) {
  ParseResult result;
  result.kind = ParseResult::Kind::kUsageError;
  result.command = command;
  result.error = std::move(error);
  return result;
}

// Fills `options` from the global flags in `flags`.
absl::Status ApplyGlobalFlags(const ParsedFlags& flags, std::string_view default_addr,
                              GlobalOptions* options) {
  options->connection.addr = flags.Has("addr") ? flags.Value("addr") : std::string(default_addr);
  if (options->connection.addr.empty()) {
    return absl::InvalidArgumentError("--addr must not be empty");
  }
  if (flags.Has("timeout") && !ParseSeconds(flags.Value("timeout"), &options->connection.timeout)) {
    return absl::InvalidArgumentError(
        absl::StrCat("--timeout must be a positive number of seconds ", "up to ",
                     kMaxTimeout.count(), ", got '", flags.Value("timeout"), "'"));
  }
  options->json = flags.Has("json");
  return absl::OkStatus();
}

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

const std::vector<FlagSpec>& GlobalFlags() {
  static const std::vector<FlagSpec>* const kFlags = new std::vector<FlagSpec>{
      {"addr", "HOST:PORT", "gateway address (default: $EKO_GATEWAY_ADDR, else 127.0.0.1:50051)"},
      {"timeout", "SECONDS", "deadline of the call in seconds, e.g. 2.5 (default 30)"},
      {"json", nullptr, "print the response or the error as one line of JSON on stdout"},
      {"help", nullptr, "show usage and exit (-h works too)"},
  };
  return *kFlags;
}

ParseResult ParseCommandLine(const std::vector<std::string>& args, std::string_view default_addr,
                             const InputContext& input) {
  ParsedFlags flags;
  const Command* command = nullptr;
  bool help_command = false;  // The `help [SUBCOMMAND]` form.
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i] == "-h" ? kHelpFlag : args[i];
    if (StartsWith(arg, "--") && arg.size() > 2) {
      const size_t equals = arg.find('=');
      const std::string name = arg.substr(2, equals == std::string::npos ? equals : equals - 2);
      const FlagSpec* spec = command == nullptr ? nullptr : FindFlag(command->flags, name);
      if (spec == nullptr) spec = FindFlag(GlobalFlags(), name);
      if (spec == nullptr) {
        return UsageError(command,
                          command == nullptr || help_command
                              ? absl::StrCat("unknown flag --", name)
                              : absl::StrCat("unknown flag --", name, " for ", command->name));
      }
      if (spec->refused != nullptr) {
        return UsageError(command, absl::StrCat("flag --", name, " is not accepted by ",
                                                command->name, ": ", spec->refused));
      }
      std::string value;
      if (spec->value_name == nullptr) {
        if (equals != std::string::npos) {
          return UsageError(command, absl::StrCat("flag --", name, " takes no value"));
        }
      } else if (equals != std::string::npos) {
        value = arg.substr(equals + 1);
      } else if (i + 1 < args.size() && !StartsWith(args[i + 1], "--")) {
        value = args[++i];
      } else {
        return UsageError(command, absl::StrCat("flag --", name, " needs a value (write --", name,
                                                "=VALUE for a value starting with --)"));
      }
      if (!spec->repeated && flags.Has(spec->name)) {
        return UsageError(command, absl::StrCat("flag --", name, " given more than once"));
      }
      flags.Add(spec->name, std::move(value));
      continue;
    }
    if (arg.size() > 1 && arg[0] == '-') {
      return UsageError(command, absl::StrCat("unknown flag ", arg));
    }
    if (command != nullptr) {
      if (command->argument == nullptr || !flags.Arguments().empty()) {
        return UsageError(command, absl::StrCat("unexpected argument '", arg, "'"));
      }
      flags.AddArgument(arg);
      continue;
    }
    if (arg == "help" && !help_command) {
      help_command = true;
      continue;
    }
    if (arg == kJourney) {
      // Two-word subcommand: the next argument names the journey.
      if (i + 1 >= args.size() || StartsWith(args[i + 1], "-")) {
        return UsageError(nullptr, "journey needs a kind: 'journey customer' or 'journey sender'");
      }
      const std::string& kind = args[++i];
      command = FindCommand(absl::StrCat(kJourney, " ", kind));
      if (command == nullptr) {
        return UsageError(
            nullptr, absl::StrCat("unknown journey '", kind, "' (journeys: customer, sender)"));
      }
      continue;
    }
    command = FindCommand(arg);
    if (command == nullptr) {
      return UsageError(nullptr, absl::StrCat("unknown subcommand '", arg, "'"));
    }
  }

  if (help_command || flags.Has("help")) {
    ParseResult result;
    result.kind = ParseResult::Kind::kHelp;
    result.command = command;
    return result;
  }
  if (command == nullptr) return UsageError(nullptr, "missing subcommand");
  for (const FlagSpec& spec : command->flags) {
    if (spec.required && !flags.Has(spec.name)) {
      return UsageError(command, absl::StrCat("missing required flag --", spec.name));
    }
  }
  ParseResult result;
  if (absl::Status status = ApplyGlobalFlags(flags, default_addr, &result.invocation.options);
      !status.ok()) {
    return UsageError(command, std::string(status.message()));
  }
  if (command->prepare) {
    absl::StatusOr<std::unique_ptr<Runnable>> runnable = command->prepare(flags, input);
    if (!runnable.ok()) return UsageError(command, std::string(runnable.status().message()));
    result.invocation.runnable = *std::move(runnable);
  } else {
    absl::StatusOr<std::unique_ptr<google::protobuf::Message>> request =
        command->build_request(flags, input);
    if (!request.ok()) return UsageError(command, std::string(request.status().message()));
    result.invocation.request = *std::move(request);
  }
  result.kind = ParseResult::Kind::kRun;
  result.command = command;
  result.invocation.command = command;
  return result;
}

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
