#ifndef EKO_CLIENT_COMMAND_LINE_H_
#define EKO_CLIENT_COMMAND_LINE_H_

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "client/commands.h"
#include "client/connection.h"
#include "client/flags.h"
#include "client/usage.h"
#include "google/protobuf/message.h"

namespace eko::cli {

// Options given by the global flags (--addr, --timeout, --service-config,
// the TLS and token flags, --json).
struct GlobalOptions {
  ConnectionOptions connection;
  bool json = false;  // Machine output: proto3 JSON on the output stream.
};

// A command line ready to run: what to call, with which request. Exactly one
// of `request` (single-call commands) and `runnable` (journeys) is set.
struct Invocation {
  GlobalOptions options;
  const Command* command = nullptr;
  std::unique_ptr<google::protobuf::Message> request;
  std::unique_ptr<Runnable> runnable;
};

// The outcome of parsing a command line.
struct ParseResult {
  enum class Kind {
    kRun,         // `invocation` is complete.
    kHelp,        // --help, -h or `help [SUBCOMMAND]`: show the usage of `command`.
    kVersion,     // --version (without --help): show the version.
    kUsageError,  // `error` says what is wrong; show it and the usage of `command`.
  };
  Kind kind = Kind::kUsageError;
  Invocation invocation;
  // For kHelp and kUsageError: the subcommand whose usage applies, or nullptr
  // for the general usage.
  const Command* command = nullptr;
  std::string error;  // One line, for kUsageError.
};

// Parses `args` (the command line without the program name):
//   [GLOBAL FLAGS] SUBCOMMAND [FLAGS]
// with CLI11: each subcommand (and `help`) is a CLI11 subcommand carrying its
// own flags and the global flags, so global flags may also follow the
// subcommand. SUBCOMMAND is one word, or two for the journeys (`journey
// customer`). Flags are `--name VALUE` or `--name=VALUE`; a separate VALUE may
// not start with "--" (write `--name=--x` for such a value). Only flags marked
// repeated may be given twice. A command with a Command::argument takes one
// positional argument (which may be "-") anywhere after its name. Missing
// required flags, unknown flags or subcommands, flags the command refuses
// (FlagSpec::refused), stray arguments and malformed values are usage errors.
// `default_addr` is used when --addr is absent. Building the request may read
// `input` (see Command::build_request and Command::prepare).
ParseResult ParseCommandLine(const std::vector<std::string>& args, std::string_view default_addr,
                             const InputContext& input);

}  // namespace eko::cli

#endif  // EKO_CLIENT_COMMAND_LINE_H_
