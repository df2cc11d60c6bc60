#include "client/command_line.h"

#include <algorithm>
#include <map>
#include <optional>
#include <utility>

#include "CLI/CLI.hpp"
#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "client/values.h"

namespace eko::cli {
namespace {

constexpr char kHelpSubcommand[] = "help";  // `help [SUBCOMMAND]`.
constexpr char kHelpFlag[] = "help";        // --help, also written -h.
constexpr char kVersionFlag[] = "version";  // --version.
constexpr char kArgument[] = "argument";    // CLI11 name of Command::argument.
constexpr char kNoMarker[] = "--";          // Not a marker in eko-cli: an unknown flag.
constexpr char kJourneyNeedsKind[] = "journey needs a kind: 'journey customer' or 'journey sender'";

// A usage error and the subcommand whose usage goes with it (nullptr: the
// general usage).
struct Problem {
  const Command* command = nullptr;
  std::string error;
};

ParseResult UsageError(Problem problem) {
  ParseResult result;
  result.kind = ParseResult::Kind::kUsageError;
  result.command = problem.command;
  result.error = std::move(problem.error);
  return result;
}

// The flag name of a "--name" or "--name=VALUE" token.
std::string FlagName(const std::string& token) {
  const size_t equals = token.find('=');
  return token.substr(2, equals == std::string::npos ? equals : equals - 2);
}

// Whether `token` is "--name=" for a flag `name` that takes a value.
bool IsEmptyValueForm(const std::string& token) {
  if (!absl::StartsWith(token, "--") || token.size() < 4 || token.find('=') != token.size() - 1) {
    return false;
  }
  const std::string name = FlagName(token);
  return std::none_of(GlobalFlags().begin(), GlobalFlags().end(), [&](const FlagSpec& flag) {
    return flag.value_name == nullptr && flag.name == name;
  });
}

std::string Unexpected(const std::string& argument) {
  return absl::StrCat("unexpected argument '", argument, "'");
}

std::string NeedsValue(const std::string& name) {
  return absl::StrCat("flag --", name, " needs a value (write --", name,
                      "=VALUE for a value starting with --)");
}

// Registers `flags` with `app`. Repeats are accepted here and checked after
// parsing, so that the error names the flag.
void AddFlags(const std::vector<FlagSpec>& flags, CLI::App* app) {
  for (const FlagSpec& flag : flags) {
    std::string names = absl::StrCat("--", flag.name);
    if (std::string_view(flag.name) == kHelpFlag) names.insert(0, "-h,");
    if (flag.value_name == nullptr) {
      app->add_flag(names);
    } else {
      app->add_option(names)->expected(1)->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
    }
  }
}

// A CLI11 subcommand that keeps unknown flags and stray arguments
// (App::remaining) for ParseCommandLine to report, and has no CLI11 help flag.
CLI::App* AddSubcommand(const std::string& name, CLI::App* parent) {
  CLI::App* app = parent->add_subcommand(name);
  app->allow_extras();
  app->set_help_flag();
  return app;
}

// What a parsed command line chose, as far as CLI11 got.
struct Selection {
  bool help_command = false;         // `help [SUBCOMMAND]`.
  const Command* command = nullptr;  // nullptr: none named.
  CLI::App* leaf = nullptr;          // The app of `command`.
  CLI::App* group = nullptr;         // `journey` when given.
  std::vector<CLI::App*> apps;       // Apps that took tokens, in order.
  // The error for a subcommand named after `command` (or `help` twice).
  std::optional<std::string> surplus;
};

// eko-cli's command line as CLI11 apps. The root and `help` take the global
// flags; every Command is a subcommand (the two-word journeys nested under
// `journey`) taking its own flags, the global flags and its argument.
class CommandTree {
 public:
  CommandTree() {
    root_.allow_extras();
    root_.set_help_flag();
    AddFlags(GlobalFlags(), &root_);
    help_ = AddSubcommand(kHelpSubcommand, &root_);
    AddFlags(GlobalFlags(), help_);
    for (const Command& command : Commands()) {
      const std::vector<std::string> words = absl::StrSplit(command.name, ' ');
      CLI::App* parent = &root_;
      for (size_t i = 0; i + 1 < words.size(); ++i) {
        CLI::App*& group = groups_[words[i]];
        if (group == nullptr) group = AddSubcommand(words[i], parent);
        parent = group;
      }
      CLI::App* app = AddSubcommand(words.back(), parent);
      AddFlags(command.flags, app);
      AddFlags(GlobalFlags(), app);
      if (command.argument != nullptr) app->add_option(kArgument)->expected(1);
      commands_[app] = &command;
    }
  }

  // Parses `tokens`. A "--name=" token of a flag taking a value becomes
  // "--name" and "", so that CLI11 gives the flag the empty value instead of
  // the next token. (Boolean flags are only global ones.)
  // Throws CLI::ArgumentMismatch when the last token is a flag without its
  // value.
  void Parse(const std::vector<std::string>& tokens) {
    std::vector<std::string> reversed;
    for (auto it = tokens.rbegin(); it != tokens.rend(); ++it) {
      if (IsEmptyValueForm(*it)) {
        reversed.emplace_back();
        reversed.push_back(it->substr(0, it->size() - 1));
      } else {
        reversed.push_back(*it);
      }
    }
    root_.parse(reversed);
  }

  Selection Select() {
    Selection selection;
    selection.apps.push_back(&root_);
    const std::vector<CLI::App*> chosen = root_.get_subcommands();
    size_t next = 0;
    if (next < chosen.size() && chosen[next] == help_) {
      selection.help_command = true;
      selection.apps.push_back(help_);
      ++next;
    }
    if (next < chosen.size()) {
      CLI::App* app = chosen[next++];
      if (commands_.count(app) == 0) {
        selection.group = app;
        selection.apps.push_back(app);
        const std::vector<CLI::App*> kinds = app->get_subcommands();
        app = kinds.empty() ? nullptr : kinds.front();
        if (kinds.size() > 1) selection.surplus = Unexpected(kinds[1]->get_name());
      }
      if (app != nullptr) {
        selection.leaf = app;
        selection.command = commands_.at(app);
        selection.apps.push_back(app);
      }
    }
    if (next < chosen.size() && !selection.surplus.has_value()) {
      selection.surplus = Unexpected(chosen[next]->get_name());
    }
    // CLI11 parses a subcommand named again as a second use of the same one.
    for (const CLI::App* app : selection.apps) {
      if (app != &root_ && app->count() > 1 && !selection.surplus.has_value()) {
        selection.surplus = app == help_
                                ? absl::StrCat("unknown subcommand '", app->get_name(), "'")
                                : Unexpected(app->get_name());
      }
    }
    return selection;
  }

 private:
  CLI::App root_;
  CLI::App* help_ = nullptr;
  std::map<std::string, CLI::App*> groups_;
  std::map<const CLI::App*, const Command*> commands_;
};

// Every value of `flag` given to `app`, into `flags`.
void Collect(const FlagSpec& flag, const CLI::App& app, ParsedFlags* flags) {
  const CLI::Option* option = app.get_option_no_throw(absl::StrCat("--", flag.name));
  if (option == nullptr) return;
  for (const std::string& value : option->results()) {
    flags->Add(flag.name, flag.value_name == nullptr ? "" : value);
  }
}

// The first token CLI11 left over in `app`, in eko-cli's words.
std::optional<Problem> Leftover(const Selection& selection, const CLI::App* app) {
  const std::vector<std::string> left = app->remaining();
  if (left.empty()) {
    if (app == selection.group && selection.leaf == nullptr) {
      return Problem{nullptr, kJourneyNeedsKind};
    }
    return std::nullopt;
  }
  const std::string& token = left.front();
  const bool is_flag = token.size() > 1 && token[0] == '-';
  if (app == selection.group) {
    if (is_flag) return Problem{nullptr, kJourneyNeedsKind};
    return Problem{nullptr,
                   absl::StrCat("unknown journey '", token, "' (journeys: customer, sender)")};
  }
  const bool in_command = app == selection.leaf;
  const Command* command = in_command ? selection.command : nullptr;
  if (is_flag && absl::StartsWith(token, "--")) {
    return Problem{command, absl::StrCat("unknown flag --", FlagName(token),
                                         in_command && !selection.help_command
                                             ? absl::StrCat(" for ", command->name)
                                             : "")};
  }
  if (is_flag) return Problem{command, absl::StrCat("unknown flag ", token)};
  if (in_command) return Problem{command, Unexpected(token)};
  return Problem{nullptr, absl::StrCat("unknown subcommand '", token, "'")};
}

// The first misuse of a flag in `flags`: a value taken from a separate token
// starting with "--", a boolean flag given a value, a refused flag, or a
// flag given twice that may not be.
std::optional<std::string> Misuse(const std::vector<FlagSpec>& specs, const ParsedFlags& flags,
                                  const std::vector<std::string>& tokens, const Command* command) {
  for (const FlagSpec& spec : specs) {
    const std::string equals_form = absl::StrCat("--", spec.name, "=");
    for (const std::string& value : flags.Values(spec.name)) {
      if (spec.value_name != nullptr && absl::StartsWith(value, "--") &&
          std::find(tokens.begin(), tokens.end(), equals_form + value) == tokens.end()) {
        return NeedsValue(spec.name);
      }
    }
    if (spec.value_name == nullptr &&
        std::any_of(tokens.begin(), tokens.end(), [&](const std::string& token) {
          return absl::StartsWith(token, equals_form);
        })) {
      return absl::StrCat("flag --", spec.name, " takes no value");
    }
    if (spec.refused != nullptr && flags.Has(spec.name)) {
      return absl::StrCat("flag --", spec.name, " is not accepted by ", command->name, ": ",
                          spec.refused);
    }
    if (!spec.repeated && flags.Values(spec.name).size() > 1) {
      return absl::StrCat("flag --", spec.name, " given more than once");
    }
  }
  return std::nullopt;
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
  if (flags.Has("service-config")) {
    options->connection.service_config_file = flags.Value("service-config");
    if (options->connection.service_config_file.empty()) {
      return absl::InvalidArgumentError("--service-config must not be empty (use 'none')");
    }
  }
  options->json = flags.Has("json");
  return ApplyTransportFlags(flags, &options->connection);
}

}  // namespace

ParseResult ParseCommandLine(const std::vector<std::string>& args, std::string_view default_addr,
                             const InputContext& input) {
  // Tokens from a bare "--" on are not parsed: it is reported as an unknown
  // flag unless an earlier token is wrong.
  const auto marker = std::find(args.begin(), args.end(), kNoMarker);
  const std::vector<std::string> tokens(args.begin(), marker);
  CommandTree tree;
  try {
    tree.Parse(tokens);
  } catch (const CLI::ArgumentMismatch&) {
    // Only a flag at the end of `tokens` can lack its value.
    return UsageError({tree.Select().command, NeedsValue(FlagName(tokens.back()))});
  }
  const Selection selection = tree.Select();
  const Command* command = selection.command;

  ParsedFlags flags;
  for (const FlagSpec& spec : GlobalFlags()) {
    for (const CLI::App* app : selection.apps) Collect(spec, *app, &flags);
  }
  if (command != nullptr) {
    for (const FlagSpec& spec : command->flags) Collect(spec, *selection.leaf, &flags);
    if (const CLI::Option* argument = selection.leaf->get_option_no_throw(kArgument)) {
      for (const std::string& value : argument->results()) flags.AddArgument(value);
    }
  }

  for (const CLI::App* app : selection.apps) {
    if (std::optional<Problem> problem = Leftover(selection, app)) {
      return UsageError(*std::move(problem));
    }
  }
  for (const std::vector<FlagSpec>* specs :
       {&GlobalFlags(), command == nullptr ? nullptr : &command->flags}) {
    if (specs == nullptr) continue;
    if (std::optional<std::string> error = Misuse(*specs, flags, tokens, command)) {
      return UsageError({command, *std::move(error)});
    }
  }
  if (selection.surplus.has_value()) {
    return UsageError({command, *selection.surplus});
  }
  if (marker != args.end()) return UsageError({command, absl::StrCat("unknown flag ", kNoMarker)});

  if (selection.help_command || flags.Has(kHelpFlag)) {
    ParseResult result;
    result.kind = ParseResult::Kind::kHelp;
    result.command = command;
    return result;
  }
  if (flags.Has(kVersionFlag)) {
    ParseResult result;
    result.kind = ParseResult::Kind::kVersion;
    return result;
  }
  if (command == nullptr) return UsageError({nullptr, "missing subcommand"});
  for (const FlagSpec& spec : command->flags) {
    if (spec.required && !flags.Has(spec.name)) {
      return UsageError({command, absl::StrCat("missing required flag --", spec.name)});
    }
  }
  ParseResult result;
  if (absl::Status status = ApplyGlobalFlags(flags, default_addr, &result.invocation.options);
      !status.ok()) {
    return UsageError({command, std::string(status.message())});
  }
  if (command->prepare) {
    absl::StatusOr<std::unique_ptr<Runnable>> runnable = command->prepare(flags, input);
    if (!runnable.ok()) return UsageError({command, std::string(runnable.status().message())});
    result.invocation.runnable = *std::move(runnable);
  } else {
    absl::StatusOr<std::unique_ptr<google::protobuf::Message>> request =
        command->build_request(flags, input);
    if (!request.ok()) return UsageError({command, std::string(request.status().message())});
    result.invocation.request = *std::move(request);
  }
  result.kind = ParseResult::Kind::kRun;
  result.command = command;
  result.invocation.command = command;
  return result;
}

}  // namespace eko::cli
