#include "client/decode_error.h"

#include <iterator>
#include <memory>
#include <optional>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "client/cli.h"
#include "client/output.h"
#include "google/protobuf/any.pb.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "google/rpc/status.pb.h"

namespace eko::cli {
namespace {

using google::protobuf::Struct;
using google::protobuf::Value;

// The largest google.rpc.Status code that is a gRPC status code
// (UNAUTHENTICATED).
constexpr int kMaxStatusCode = 16;

// Prefix of type names given without one (buf prints `google.rpc.ErrorInfo`).
constexpr char kTypeUrlPrefix[] = "type.googleapis.com/";

// The value of base64 digit `c` in the standard or the URL-safe alphabet, or
// -1 when `c` is in neither.
int Base64Digit(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+' || c == '-') return 62;
  if (c == '/' || c == '_') return 63;
  return -1;
}

// `c` for an error message: printable ASCII as it is, anything else escaped.
std::string Printable(char c) {
  return absl::ascii_isprint(static_cast<unsigned char>(c)) ? std::string(1, c)
                                                            : absl::CHexEscape(std::string(1, c));
}

// True when `message` (a Status, or an Any inside one) holds fields that its
// type does not have: bytes that only happened to parse.
bool HasUnknownFields(const google::protobuf::Message& message) {
  return !message.GetReflection()->GetUnknownFields(message).empty();
}

// `bytes` parsed as a google.rpc.Status that looks like one: nothing unknown
// in it or its details, a gRPC code, and a type URL on every detail.
std::optional<google::rpc::Status> ParseRpcStatus(const std::string& bytes) {
  google::rpc::Status status;
  if (!status.ParseFromString(bytes) || HasUnknownFields(status) || status.code() < 0 ||
      status.code() > kMaxStatusCode) {
    return std::nullopt;
  }
  for (const google::protobuf::Any& any : status.details()) {
    if (HasUnknownFields(any) || any.type_url().empty()) return std::nullopt;
  }
  return status;
}

// The code called `name`: gRPC's name in any case (`INVALID_ARGUMENT`,
// `invalid_argument`) or Connect's spelling `canceled`.
std::optional<int> CodeFromName(const std::string& name) {
  const std::string lower = absl::AsciiStrToLower(name);
  if (lower == "canceled") return static_cast<int>(grpc::StatusCode::CANCELLED);
  for (int code = 0; code <= kMaxStatusCode; ++code) {
    if (absl::AsciiStrToLower(StatusCodeName(static_cast<grpc::StatusCode>(code))) == lower) {
      return code;
    }
  }
  return std::nullopt;
}

absl::Status NotBufJson(const std::string& why) {
  return absl::InvalidArgumentError(absl::StrCat("not buf's JSON error: ", why));
}

// The member `key` of `object`, or nullptr.
const Value* Member(const Struct& object, const char* key) {
  auto it = object.fields().find(key);
  return it == object.fields().end() ? nullptr : &it->second;
}

// The "code" member: a code name (Connect's or gRPC's), or a code number.
absl::StatusOr<int> JsonCode(const Struct& object) {
  const Value* code = Member(object, "code");
  if (code == nullptr) return NotBufJson("it has no \"code\"");
  if (code->kind_case() == Value::kStringValue) {
    std::optional<int> number = CodeFromName(code->string_value());
    if (number.has_value()) return *number;
    return NotBufJson(absl::StrCat("unknown \"code\" \"", code->string_value(), "\""));
  }
  if (code->kind_case() == Value::kNumberValue) {
    for (int number = 0; number <= kMaxStatusCode; ++number) {
      if (code->number_value() == number) return number;
    }
  }
  return NotBufJson("\"code\" must be a gRPC code name such as \"invalid_argument\"");
}

// One element of "details", `{"type":"google.rpc.ErrorInfo","value":"<base64>"}`,
// as an Any. Other members (buf's "debug") are ignored.
absl::Status JsonDetail(const Value& detail, size_t index, google::protobuf::Any* any) {
  const std::string where = absl::StrCat("details[", index, "]");
  if (detail.kind_case() != Value::kStructValue) {
    return NotBufJson(absl::StrCat(where, " is not an object"));
  }
  const Value* type = Member(detail.struct_value(), "type");
  const Value* value = Member(detail.struct_value(), "value");
  if (type == nullptr || type->kind_case() != Value::kStringValue || type->string_value().empty()) {
    return NotBufJson(absl::StrCat(where, " has no \"type\" string"));
  }
  if (value == nullptr || value->kind_case() != Value::kStringValue) {
    return NotBufJson(absl::StrCat(where, " has no \"value\" string"));
  }
  absl::StatusOr<std::string> bytes = DecodeBase64(value->string_value());
  if (!bytes.ok()) {
    return NotBufJson(absl::StrCat(where, ".value is not base64: ", bytes.status().message()));
  }
  const std::string& name = type->string_value();
  any->set_type_url(name.find('/') == std::string::npos ? absl::StrCat(kTypeUrlPrefix, name)
                                                        : name);
  any->set_value(*std::move(bytes));
  return absl::OkStatus();
}

// buf curl's JSON error (see ParseExternalError).
absl::StatusOr<grpc::Status> ParseBufJson(const std::string& text) {
  Struct object;
  const google::protobuf::util::Status parsed =
      google::protobuf::util::JsonStringToMessage(text, &object);
  if (!parsed.ok()) {
    // The parser's message may go on with the input and a caret: keep its first line.
    std::string why(parsed.message().data(), parsed.message().size());
    why = why.substr(0, why.find('\n'));
    return NotBufJson(absl::StrCat("invalid JSON object: ", why));
  }
  absl::StatusOr<int> code = JsonCode(object);
  if (!code.ok()) return code.status();
  google::rpc::Status status;
  status.set_code(*code);
  if (const Value* message = Member(object, "message"); message != nullptr) {
    if (message->kind_case() != Value::kStringValue) {
      return NotBufJson("\"message\" is not a string");
    }
    status.set_message(message->string_value());
  }
  if (const Value* details = Member(object, "details"); details != nullptr) {
    if (details->kind_case() != Value::kListValue) {
      return NotBufJson("\"details\" is not an array");
    }
    const auto& values = details->list_value().values();
    for (int i = 0; i < values.size(); ++i) {
      absl::Status added = JsonDetail(values[i], static_cast<size_t>(i), status.add_details());
      if (!added.ok()) return added;
    }
  }
  return grpc::Status(static_cast<grpc::StatusCode>(status.code()), status.message(),
                      status.SerializeAsString());
}

// Decodes the error in `value`, or in all of stdin when there is no value,
// and prints it on the output stream.
class DecodeErrorRun : public Runnable {
 public:
  explicit DecodeErrorRun(std::optional<std::string> value) : value_(std::move(value)) {}

  RunOutcome Run(const RunContext& context) override {
    std::string text;
    if (value_.has_value()) {
      text = *value_;
    } else {
      if (context.input.in_is_terminal) {
        *context.input.prompt << "Paste the error, then press Ctrl-D:\n" << std::flush;
      }
      text.assign(std::istreambuf_iterator<char>(*context.input.in),
                  std::istreambuf_iterator<char>());
    }
    RunOutcome outcome;
    absl::StatusOr<grpc::Status> status = ParseExternalError(text);
    if (!status.ok()) {
      *context.err << "eko-cli: decode-error: " << status.status().message() << "\n";
      outcome.exit_code = kExitUsage;
      return outcome;
    }
    if (context.json) {
      *context.out << FormatErrorJson(*status) << "\n";
    } else {
      *context.out << FormatErrorHuman(*status);
    }
    outcome.exit_code = kExitOk;
    return outcome;
  }

 private:
  std::optional<std::string> value_;  // nullopt: read stdin.
};

}  // namespace

absl::StatusOr<std::string> DecodeBase64(const std::string& text) {
  std::string decoded;
  unsigned int bits = 0;  // Decoded bits not yet emitted, in the low `bit_count` bits.
  int bit_count = 0;
  size_t digits = 0;
  size_t padding = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (absl::ascii_isspace(static_cast<unsigned char>(c))) continue;
    if (c == '=') {
      ++padding;
      continue;
    }
    const int digit = Base64Digit(c);
    if (digit < 0) {
      return absl::InvalidArgumentError(absl::StrCat("character '", Printable(c), "' at offset ", i,
                                                     " is in neither the standard nor the "
                                                     "URL-safe base64 alphabet"));
    }
    if (padding > 0) {
      return absl::InvalidArgumentError(absl::StrCat("'=' padding before offset ", i));
    }
    ++digits;
    bits = (bits << 6) | static_cast<unsigned int>(digit);
    bit_count += 6;
    if (bit_count >= 8) {
      bit_count -= 8;
      decoded.push_back(static_cast<char>((bits >> bit_count) & 0xff));
      bits &= (1u << bit_count) - 1;
    }
  }
  if (digits == 0) return absl::InvalidArgumentError("no base64 digits");
  if (digits % 4 == 1) {
    return absl::InvalidArgumentError(
        absl::StrCat(digits,
                     " base64 digits: no base64 text has that length (4n+1); a "
                     "digit is missing or extra"));
  }
  if (padding > 0 && (padding > 2 || (digits + padding) % 4 != 0)) {
    return absl::InvalidArgumentError(
        absl::StrCat(padding, " '=' after ", digits, " base64 digits: wrong padding"));
  }
  return decoded;
}

absl::StatusOr<grpc::Status> ParseExternalError(const std::string& text) {
  const std::string trimmed(absl::StripAsciiWhitespace(text));
  if (trimmed.empty()) {
    return absl::InvalidArgumentError(
        "no input: give the base64 value of grpc-status-details-bin as VALUE, or pipe it or "
        "buf curl's JSON error to stdin");
  }
  if (trimmed.front() == '{') return ParseBufJson(trimmed);
  absl::StatusOr<std::string> bytes = DecodeBase64(trimmed);
  if (!bytes.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "not base64 (nor buf's JSON error, which starts with '{'): ", bytes.status().message()));
  }
  std::optional<google::rpc::Status> status = ParseRpcStatus(*bytes);
  if (!status.has_value()) {
    return absl::InvalidArgumentError(
        absl::StrCat("the base64 decodes to ", bytes->size(),
                     " bytes that are not a google.rpc.Status (the value of "
                     "grpc-status-details-bin)"));
  }
  return grpc::Status(static_cast<grpc::StatusCode>(status->code()), status->message(),
                      *std::move(bytes));
}

Command DecodeErrorCommand() {
  Command command;
  command.name = "decode-error";
  command.synopsis = "[--json] [VALUE | -]";
  command.summary =
      "print an error got elsewhere (base64 grpc-status-details-bin, or buf curl's JSON error) "
      "as eko-cli prints errors; sends nothing";
  command.argument = "VALUE | -";
  command.argument_help =
      "base64 (standard or URL-safe, padding optional) of a google.rpc.Status, or buf curl's "
      "JSON error; '-' or none reads stdin";
  command.prepare = [](const ParsedFlags& flags,
                       const InputContext&) -> absl::StatusOr<std::unique_ptr<Runnable>> {
    std::optional<std::string> value;
    if (!flags.Arguments().empty() && flags.Arguments().front() != "-") {
      value = flags.Arguments().front();
    }
    return std::make_unique<DecodeErrorRun>(std::move(value));
  };
  return command;
}

}  // namespace eko::cli
