#include "client/journey_output.h"

#include <optional>
#include <sstream>
#include <string>

#include "absl/strings/str_cat.h"
#include "client/output.h"

namespace eko::cli {
namespace {

// The start of a step's JSON line, up to the "response" or "error" member.
std::string JsonPrefix(int number, const char* rpc) {
  return absl::StrCat("{\"step\":", number, ",\"rpc\":\"", rpc, "\",");
}

}  // namespace

void PrintStepHeader(const RunContext& context, int number, const char* rpc, const char* note) {
  if (context.json) return;
  std::ostream& out = *context.out;
  out << "step " << number << ": " << rpc;
  if (note[0] != '\0') out << " (" << note << ")";
  out << "\n";
}

void PrintStepError(const RunContext& context, int number, const char* rpc,
                    const grpc::Status& status) {
  if (context.json) {
    *context.out << JsonPrefix(number, rpc) << "\"error\":" << FormatErrorJson(status) << "}\n";
    return;
  }
  context.out->flush();
  *context.err << FormatErrorHuman(status);
}

void PrintStepResponse(const RunContext& context, int number, const char* rpc,
                       const google::protobuf::Message& response,
                       const std::function<void(std::ostream&)>& print_human) {
  std::ostream& out = *context.out;
  if (context.json) {
    const std::optional<std::string> json = ToJson(response);
    out << JsonPrefix(number, rpc) << "\"response\":" << json.value_or("{}") << "}\n";
    return;
  }
  std::ostringstream text;
  print_human(text);
  std::istringstream lines(text.str());
  for (std::string line; std::getline(lines, line);) out << "  " << line << "\n";
}

}  // namespace eko::cli
