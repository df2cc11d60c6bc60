#ifndef EKO_CLIENT_COMMANDS_H_
#define EKO_CLIENT_COMMANDS_H_

#include <functional>
#include <memory>
#include <ostream>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "client/flags.h"
#include "google/protobuf/message.h"
#include "grpcpp/channel.h"
#include "grpcpp/client_context.h"
#include "grpcpp/support/status.h"

namespace eko::cli {

// One eko-cli subcommand: its flags, how they become a request, how the
// request is sent and how a successful answer is printed for people. Every
// Command lives in the static table returned by Commands().
struct Command {
  // Texts are string literals.
  const char* name;      // e.g. "get-customer".
  const char* synopsis;  // Flags part of the usage line.
  const char* summary;   // One line: what the subcommand does.
  std::vector<FlagSpec> flags;

  // Builds the request from `flags`, which contain only this command's and the
  // global flags and every flag marked required. May read `input` (an OTP, a
  // PID file given as "-"). An error is a usage error; its message names the
  // flag and says what is wrong.
  std::function<absl::StatusOr<std::unique_ptr<google::protobuf::Message>>(
      const ParsedFlags& flags, const InputContext& input)>
      build_request;

  // Sends `request` (made by build_request) on `channel` with `context` and
  // stores the response, complete or not, in `*response`.
  std::function<grpc::Status(const std::shared_ptr<grpc::Channel>& channel,
                             grpc::ClientContext* context, const google::protobuf::Message& request,
                             std::unique_ptr<google::protobuf::Message>* response)>
      call;

  // Prints a successful response (made by call) in human form.
  std::function<void(const google::protobuf::Message& response, std::ostream& out)> print_human;

  // Exit code for a successful call: 0, except `health` answering anything
  // but SERVING, which is 1.
  std::function<int(const google::protobuf::Message& response)> success_exit_code;
};

// Every subcommand, in the order the usage text lists them.
const std::vector<Command>& Commands();

// The subcommand called `name`, or nullptr.
const Command* FindCommand(std::string_view name);

}  // namespace eko::cli

#endif  // EKO_CLIENT_COMMANDS_H_
