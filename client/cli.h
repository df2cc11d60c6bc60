#ifndef EKO_CLIENT_CLI_H_
#define EKO_CLIENT_CLI_H_

#include <istream>
#include <ostream>
#include <string>
#include <vector>

#include "client/connection.h"

// eko-cli: a command-line client of eko.onboarding.v1.OnboardingService.
// client/README.md documents the subcommands, flags and output.
namespace eko::cli {

// Exit codes of eko-cli.
// The call succeeded; for a journey: it reached its end (COMPLETE or a
// documented stop).
inline constexpr int kExitOk = 0;
// The call failed (any non-OK gRPC status), or `health` got an answer other
// than SERVING. For a journey: an RPC failed, the OTP could not be obtained
// (--otp-from-sim), or the journey could not go on (loop guard, unexpected
// next step).
inline constexpr int kExitCallFailed = 1;
// Bad command line or unreadable local input; nothing was sent. A journey
// may find this only part-way (a new customer without onboarding flags, no
// OTP on stdin), after earlier RPCs were sent.
inline constexpr int kExitUsage = 2;

// Where eko-cli reads and writes, and what it knows about its environment.
struct CliEnvironment {
  std::istream* in = nullptr;   // OTPs and `-` files are read from here.
  std::ostream* out = nullptr;  // Responses, --json errors, --help text.
  std::ostream* err = nullptr;  // Human errors, usage errors, prompts.
  // Whether `in` is an interactive terminal (an omitted --otp is then asked
  // for; journeys read the OTP from `in` either way).
  bool in_is_terminal = false;
  // Address used without --addr.
  std::string default_addr = kDefaultAddr;
  // Service config file used without --service-config; empty: none.
  std::string default_service_config;
};

// Runs one eko-cli command line; `args` excludes the program name. All I/O
// goes through `env`. Returns the process exit code (kExitOk,
// kExitCallFailed or kExitUsage).
int RunCli(const std::vector<std::string>& args, const CliEnvironment& env);

// RunCli for main(): `argv[0]` is the program name. Stdin counts as a
// terminal only when `in` is std::cin and file descriptor 0 is a TTY. The
// default address is $EKO_GATEWAY_ADDR when set and non-empty, else
// kDefaultAddr; the default service config is DefaultServiceConfigFile.
int RunCli(int argc, char** argv, std::istream& in, std::ostream& out, std::ostream& err);

}  // namespace eko::cli

#endif  // EKO_CLIENT_CLI_H_
