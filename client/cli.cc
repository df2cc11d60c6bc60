#include "client/cli.h"

#include <unistd.h>

#include <cstdlib>
#include <iostream>
#include <memory>
#include <optional>

#include "client/command_line.h"
#include "client/output.h"
#include "server/build_info.h"

namespace eko::cli {
namespace {

// Sends the request of `invocation` and prints the outcome.
int Execute(const Invocation& invocation, const CliEnvironment& env) {
  const Command& command = *invocation.command;
  const GlobalOptions& options = invocation.options;
  std::shared_ptr<grpc::Channel> channel = MakeChannel(options.connection);
  grpc::ClientContext context;
  ApplyCallOptions(options.connection, &context);
  std::unique_ptr<google::protobuf::Message> response;
  const grpc::Status status = command.call(channel, &context, *invocation.request, &response);
  if (!status.ok()) {
    if (options.json) {
      *env.out << FormatErrorJson(status) << "\n";
    } else {
      *env.err << FormatErrorHuman(status);
    }
    return kExitCallFailed;
  }
  if (options.json) {
    std::optional<std::string> json = ToJson(*response);
    if (!json.has_value()) {
      *env.err << "error: the response cannot be printed as JSON\n";
      return kExitCallFailed;
    }
    *env.out << *json << "\n";
  } else {
    command.print_human(*response, *env.out);
  }
  return command.success_exit_code(*response);
}

}  // namespace

int RunCli(const std::vector<std::string>& args, const CliEnvironment& env) {
  const InputContext input{env.in, env.err, env.in_is_terminal};
  ParseResult parsed = ParseCommandLine(args, env.default_addr, input);
  switch (parsed.kind) {
    case ParseResult::Kind::kHelp:
      *env.out << (parsed.command == nullptr ? GeneralUsage() : CommandUsage(*parsed.command));
      return kExitOk;
    case ParseResult::Kind::kVersion:
      *env.out << server::VersionLine("eko-cli") << "\n";
      return kExitOk;
    case ParseResult::Kind::kUsageError:
      *env.err << "eko-cli: " << parsed.error << "\n\n"
               << (parsed.command == nullptr ? GeneralUsage() : CommandUsage(*parsed.command));
      return kExitUsage;
    case ParseResult::Kind::kRun:
      break;
  }
  if (absl::Status loaded =
          LoadServiceConfig(env.default_service_config, &parsed.invocation.options.connection);
      !loaded.ok()) {
    *env.err << "eko-cli: " << loaded.message() << "\n";
    return kExitUsage;
  }
  if (parsed.invocation.runnable != nullptr) {
    RunContext context;
    context.connection = parsed.invocation.options.connection;
    context.json = parsed.invocation.options.json;
    context.input = input;
    context.out = env.out;
    context.err = env.err;
    const RunOutcome outcome = parsed.invocation.runnable->Run(context);
    env.out->flush();
    if (!outcome.usage_error.empty()) {
      *env.err << "eko-cli: " << outcome.usage_error << "\n\n"
               << CommandUsage(*parsed.invocation.command);
      return kExitUsage;
    }
    return outcome.exit_code;
  }
  const int code = Execute(parsed.invocation, env);
  env.out->flush();
  return code;
}

int RunCli(int argc, char** argv, std::istream& in, std::ostream& out, std::ostream& err) {
  CliEnvironment env;
  env.in = &in;
  env.out = &out;
  env.err = &err;
  env.in_is_terminal = &in == &std::cin && isatty(STDIN_FILENO) == 1;
  const char* addr = std::getenv(kAddrEnvVar);
  if (addr != nullptr && addr[0] != '\0') env.default_addr = addr;
  env.default_service_config = DefaultServiceConfigFile(argc > 0 ? argv[0] : "");
  std::vector<std::string> args;
  for (int i = 1; i < argc; ++i) args.emplace_back(argv[i]);
  return RunCli(args, env);
}

}  // namespace eko::cli
