#ifndef EKO_CLIENT_COMMANDS_H_
#define EKO_CLIENT_COMMANDS_H_

#include <functional>
#include <memory>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "client/connection.h"
#include "client/flags.h"
#include "eko/onboarding/v1/onboarding_service.pb.h"
#include "google/protobuf/message.h"
#include "grpcpp/channel.h"
#include "grpcpp/client_context.h"
#include "grpcpp/support/status.h"

namespace eko::cli {

// What a multi-call command (a journey) runs with.
struct RunContext {
  ConnectionOptions connection;  // Address and the deadline of each call.
  bool json = false;             // --json: machine output on `out`.
  InputContext input;            // Where OTPs are read and prompts go.
  std::ostream* out = nullptr;   // Step output.
  std::ostream* err = nullptr;   // Human errors and other diagnostics.
};

// How a multi-call command ended.
struct RunOutcome {
  int exit_code = 0;
  // Set when the command found part-way through that its command line
  // cannot finish it (e.g. onboarding flags needed for a new customer). The
  // caller prints it with the command's usage; `exit_code` is then 2.
  std::string usage_error;
};

// A multi-call command line, checked and ready to run once.
class Runnable {
 public:
  virtual ~Runnable() = default;
  virtual RunOutcome Run(const RunContext& context) = 0;
};

// One eko-cli subcommand: its flags, how they become a request, how the
// request is sent and how a successful answer is printed for people. Every
// Command lives in the static table returned by Commands().
struct Command {
  // Texts are string literals.
  const char* name;      // e.g. "get-customer" or "journey customer".
  const char* synopsis;  // Flags part of the usage line.
  const char* summary;   // One line: what the subcommand does.
  std::vector<FlagSpec> flags;
  // The one optional positional argument the command takes, shown in its
  // help as `argument  argument_help` (e.g. "VALUE"); nullptr when it takes
  // none. The parser puts it in ParsedFlags::Arguments().
  const char* argument = nullptr;
  const char* argument_help = nullptr;

  // A command either sends one request (build_request, call, print_human and
  // success_exit_code are set) or runs several calls (only `prepare` is set).

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

  // Multi-call commands: checks `flags` (as build_request does, with the same
  // guarantees and the same meaning of an error) and returns what to run.
  // May read `input` (a PID file given as "-").
  std::function<absl::StatusOr<std::unique_ptr<Runnable>>(const ParsedFlags& flags,
                                                          const InputContext& input)>
      prepare;
};

// The PID block from exactly one of --pid-data and --pid-data-file, byte for
// byte; `--pid-data-file -` reads `input.in` to its end. An error (neither or
// both flags, an unreadable file) is a usage error.
absl::StatusOr<std::string> ResolvePidData(const ParsedFlags& flags, const InputContext& input);

// Why the sender commands (onboard-sender, journey sender) refuse --address:
// OnboardSender takes a structured `address`, and the gateway rejects the
// deprecated `residence_address` lines. Names the flags that replace it.
inline constexpr char kSenderAddressRefused[] =
    "OnboardSender takes a structured address; give --address-line LINE --city CITY "
    "--state STATE --pincode PIN [--district DISTRICT] [--area AREA]";

// Flags with the same meaning in the single-call commands and the journeys.
inline constexpr FlagSpec kCustomerId{"customer-id", "MOBILE",
                                      "customer's 10-digit mobile number (customer_id)", true};
inline constexpr FlagSpec kDistrict{"district", "DISTRICT", "district (address.district)"};
inline constexpr FlagSpec kArea{"area", "AREA", "area or locality (address.area)"};
inline constexpr FlagSpec kPidData{"pid-data", "XML", "PID block from the RD service (pid_data)"};
// The sender commands' former --address LINE, refused with a pointer to the
// structured address flags.
inline constexpr FlagSpec kSenderAddress{
    .name = "address", .value_name = "LINE", .help = "", .refused = kSenderAddressRefused};

// Sets every field of `address` from its flag: --address-line (line), --city,
// --state, --pincode, --district, --area. An absent flag leaves its field
// empty. Values are copied unchecked; the gateway validates them.
void FillAddress(const ParsedFlags& flags, onboarding::v1::Address* address);

// The flags the gateway requires of an address (--address-line, --city,
// --state, --pincode) that `flags` lacks, with their "--", in that order.
std::vector<std::string> MissingAddressFlags(const ParsedFlags& flags);

// Every subcommand, in the order the usage text lists them.
const std::vector<Command>& Commands();

// The subcommand called `name`, or nullptr.
const Command* FindCommand(std::string_view name);

}  // namespace eko::cli

#endif  // EKO_CLIENT_COMMANDS_H_
