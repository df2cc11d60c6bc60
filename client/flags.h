#ifndef EKO_CLIENT_FLAGS_H_
#define EKO_CLIENT_FLAGS_H_

#include <istream>
#include <map>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace eko::cli {

// One `--name` flag of eko-cli. Flags are written `--name VALUE` or
// `--name=VALUE`; boolean flags (null `value_name`) take no value. The texts
// are string literals.
struct FlagSpec {
  const char* name;        // Without the leading "--".
  const char* value_name;  // Placeholder shown in help; nullptr for booleans.
  const char* help;        // One line for the usage text.
  bool required = false;   // Parsing fails when the flag is absent.
  bool repeated = false;   // May be given more than once; values keep order.
  // Set for a flag the command no longer takes: giving it is a usage error
  // ("flag --NAME is not accepted by COMMAND: <refused>"), so the message can
  // name what replaces it. Usage texts leave such a flag out.
  const char* refused = nullptr;
};

// The flags given on one command line, by name (without "--"), and its
// positional arguments. A boolean flag is stored with one empty value.
class ParsedFlags {
 public:
  // Appends a value of `name`.
  void Add(std::string_view name, std::string value);

  bool Has(std::string_view name) const;
  // The (first) value of `name`, or "" when absent.
  std::string Value(std::string_view name) const;
  // Every value of `name` in command-line order; empty when absent.
  const std::vector<std::string>& Values(std::string_view name) const;

  // Appends a positional (non-flag) argument.
  void AddArgument(std::string argument);
  // The positional arguments in command-line order.
  const std::vector<std::string>& Arguments() const { return arguments_; }

 private:
  std::map<std::string, std::vector<std::string>, std::less<>> values_;
  std::vector<std::string> arguments_;
};

// The flags accepted before or after any subcommand: --addr, --timeout,
// --service-config, the TLS and token flags, --json, --version and --help
// (also written -h).
const std::vector<FlagSpec>& GlobalFlags();

// Where a subcommand may read interactive or bulk input (an OTP, a PID file
// given as "-"), and whether that input is a terminal.
struct InputContext {
  std::istream* in = nullptr;
  std::ostream* prompt = nullptr;  // Prompts go here (the error stream).
  bool in_is_terminal = false;
};

}  // namespace eko::cli

#endif  // EKO_CLIENT_FLAGS_H_
