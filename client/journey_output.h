#ifndef EKO_CLIENT_JOURNEY_OUTPUT_H_
#define EKO_CLIENT_JOURNEY_OUTPUT_H_

#include <functional>
#include <ostream>

#include "client/commands.h"
#include "google/protobuf/message.h"
#include "grpcpp/support/status.h"

// How a journey prints its steps (client/README.md, "Journeys"). In human
// form each step is a header line on `context.out`, then the response
// indented by two spaces on `context.out` or the decoded error on
// `context.err`. With --json each step is one line on `context.out`:
//   {"step":N,"rpc":"GetCustomer","response":{...}}
//   {"step":N,"rpc":"GetCustomer","error":{...}}   (FormatErrorJson)
namespace eko::cli {

// Before step `number` is sent, in human form only: "step N: RPC" followed
// by " (note)" when `note` is not empty.
void PrintStepHeader(const RunContext& context, int number, const char* rpc, const char* note);

// Step `number` failed with `status`.
void PrintStepError(const RunContext& context, int number, const char* rpc,
                    const grpc::Status& status);

// Step `number` answered `response`; `print_human` writes its human form.
void PrintStepResponse(const RunContext& context, int number, const char* rpc,
                       const google::protobuf::Message& response,
                       const std::function<void(std::ostream&)>& print_human);

}  // namespace eko::cli

#endif  // EKO_CLIENT_JOURNEY_OUTPUT_H_
