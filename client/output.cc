#include "client/output.h"

#include <algorithm>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "client/values.h"
#include "google/protobuf/any.pb.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"

namespace eko::cli {
namespace {

namespace v1 = ::eko::onboarding::v1;

// The name of enum value `number` without `prefix`, or the number itself
// when the value is unknown to this build (a newer server).
std::string EnumLabel(const google::protobuf::EnumDescriptor* type, int number,
                      const std::string& prefix) {
  const google::protobuf::EnumValueDescriptor* value = type->FindValueByNumber(number);
  if (value == nullptr) return absl::StrCat(number);
  const std::string& name = value->name();
  return name.rfind(prefix, 0) == 0 ? name.substr(prefix.size()) : name;
}

// A JSON string literal (quotes and escapes) for `text`.
std::string JsonString(const std::string& text) {
  google::protobuf::Value value;
  value.set_string_value(text);
  std::optional<std::string> json = ToJson(value);
  // Printing a string Value cannot fail; keep the output valid JSON anyway.
  return json.has_value() ? *json : "\"\"";
}

// Writes `label: value` when `value` is not empty.
void PrintIfSet(const char* indent, const char* label, const std::string& value,
                std::ostream& out) {
  if (!value.empty()) out << indent << label << ": " << value << "\n";
}

// Writes `label: value` when `value` is not 0.
void PrintIfNonZero(const char* indent, const char* label, int32_t value, std::ostream& out) {
  if (value != 0) out << indent << label << ": " << value << "\n";
}

// Writes `label: true` or `label: false` when `has` (the field is set).
void PrintBool(const char* indent, const char* label, bool has, bool value, std::ostream& out) {
  if (has) out << indent << label << ": " << (value ? "true" : "false") << "\n";
}

void PrintNextStep(v1::NextStep step, std::ostream& out) {
  out << "next step: " << EnumLabel(v1::NextStep_descriptor(), step, "NEXT_STEP_") << "\n";
}

void PrintMoney(const char* indent, const char* label, bool has, const google::type::Money& money,
                std::ostream& out) {
  if (has) out << indent << label << ": " << FormatMoney(money) << "\n";
}

void PrintProfile(bool has, const v1::CustomerProfile& profile, std::ostream& out) {
  if (!has) return;
  out << "customer_profile:\n";
  PrintIfSet("  ", "name", profile.name(), out);
  PrintIfSet("  ", "mobile", profile.mobile(), out);
  PrintMoney("  ", "balance", profile.has_balance(), profile.balance(), out);
  PrintMoney("  ", "next_allowed_limit", profile.has_next_allowed_limit(),
             profile.next_allowed_limit(), out);
  PrintMoney("  ", "total_monthly_limit", profile.has_total_monthly_limit(),
             profile.total_monthly_limit(), out);
  out << "  kyc_state: " << EnumLabel(v1::KycState_descriptor(), profile.kyc_state(), "KYC_STATE_")
      << "\n";
  out << "  eko_kyc_state: " << profile.eko_kyc_state() << "\n";
  if (profile.has_limit_usage()) {
    const v1::LimitUsage& usage = profile.limit_usage();
    out << "  limit_usage:\n";
    PrintMoney("    ", "used", usage.has_used(), usage.used(), out);
    PrintMoney("    ", "remaining", usage.has_remaining(), usage.remaining(), out);
    PrintMoney("    ", "unavailable", usage.has_unavailable(), usage.unavailable(), out);
  }
}

void PrintUpstream(bool has, const v1::UpstreamResult& upstream, std::ostream& out) {
  if (!has) return;
  out << "upstream:\n";
  out << "  status: " << upstream.status() << "\n";
  out << "  response_status_id: " << upstream.response_status_id() << "\n";
  out << "  response_type_id: " << upstream.response_type_id() << "\n";
  PrintIfSet("  ", "message", upstream.message(), out);
  PrintIfSet("  ", "client_ref_id", upstream.client_ref_id(), out);
  out << "  http_status: " << upstream.http_status() << "\n";
}

// One human line (or a few) per google.rpc detail message.
void AppendDetail(const google::rpc::ErrorInfo& info, std::string* out) {
  absl::StrAppend(out, "  reason: ", info.reason(), " (domain ", info.domain(), ")\n");
  std::vector<std::pair<std::string, std::string>> metadata(info.metadata().begin(),
                                                            info.metadata().end());
  std::sort(metadata.begin(), metadata.end());
  for (const auto& [key, value] : metadata) absl::StrAppend(out, "    ", key, "=", value, "\n");
}

void AppendDetail(const google::rpc::BadRequest& bad_request, std::string* out) {
  for (const auto& violation : bad_request.field_violations()) {
    absl::StrAppend(out, "  field ", violation.field(), ": ", violation.description(), "\n");
  }
}

// "<words...>: <description>", leaving out empty parts.
std::string Joined(std::vector<std::string> words, const std::string& description) {
  words.erase(std::remove(words.begin(), words.end(), std::string()), words.end());
  std::string line = absl::StrJoin(words, " ");
  if (!description.empty()) absl::StrAppend(&line, ": ", description);
  return line;
}

void AppendDetail(const google::rpc::PreconditionFailure& failure, std::string* out) {
  for (const auto& violation : failure.violations()) {
    absl::StrAppend(
        out, "  ",
        Joined({"precondition", violation.type(), violation.subject()}, violation.description()),
        "\n");
  }
}

void AppendDetail(const google::rpc::QuotaFailure& failure, std::string* out) {
  for (const auto& violation : failure.violations()) {
    absl::StrAppend(out, "  ", Joined({"quota", violation.subject()}, violation.description()),
                    "\n");
  }
}

void AppendDetail(const google::rpc::ResourceInfo& info, std::string* out) {
  absl::StrAppend(
      out, "  ",
      Joined({"resource", info.resource_type(), info.resource_name()}, info.description()));
  if (!info.owner().empty()) absl::StrAppend(out, " (owner ", info.owner(), ")");
  absl::StrAppend(out, "\n");
}

void AppendDetail(const google::rpc::RetryInfo& info, std::string* out) {
  absl::StrAppend(out, "  retry after ", FormatDuration(info.retry_delay()), "\n");
}

void AppendDetail(const google::rpc::RequestInfo& info, std::string* out) {
  absl::StrAppend(out, "  request id: ", info.request_id(), "\n");
  if (!info.serving_data().empty()) {
    absl::StrAppend(out, "  serving data: ", info.serving_data(), "\n");
  }
}

void AppendDetail(const google::rpc::DebugInfo& info, std::string* out) {
  absl::StrAppend(out, "  debug: ", info.detail(), "\n");
  for (const auto& entry : info.stack_entries()) absl::StrAppend(out, "    at ", entry, "\n");
}

void AppendDetail(const google::rpc::Help& help, std::string* out) {
  for (const auto& link : help.links()) {
    absl::StrAppend(out, "  ", Joined({"help:", link.description(), link.url()}, ""), "\n");
  }
}

void AppendDetail(const google::rpc::LocalizedMessage& message, std::string* out) {
  absl::StrAppend(out, "  localized message (", message.locale(), "): ", message.message(), "\n");
}

// Appends `any` as a T when it holds one; false when it holds another type.
template <typename T>
bool AppendIf(const google::protobuf::Any& any, std::string* out) {
  if (!any.Is<T>()) return false;
  T detail;
  if (any.UnpackTo(&detail)) {
    AppendDetail(detail, out);
  } else {
    absl::StrAppend(out, "  detail: ", any.type_url(), " (malformed)\n");
  }
  return true;
}

void AppendAny(const google::protobuf::Any& any, std::string* out) {
  const bool known =
      AppendIf<google::rpc::ErrorInfo>(any, out) || AppendIf<google::rpc::BadRequest>(any, out) ||
      AppendIf<google::rpc::PreconditionFailure>(any, out) ||
      AppendIf<google::rpc::QuotaFailure>(any, out) ||
      AppendIf<google::rpc::ResourceInfo>(any, out) || AppendIf<google::rpc::RetryInfo>(any, out) ||
      AppendIf<google::rpc::RequestInfo>(any, out) || AppendIf<google::rpc::DebugInfo>(any, out) ||
      AppendIf<google::rpc::Help>(any, out) || AppendIf<google::rpc::LocalizedMessage>(any, out);
  if (!known) {
    const size_t size = any.value().size();
    absl::StrAppend(out, "  detail: ", any.type_url(), " (", size, size == 1 ? " byte" : " bytes",
                    ", not decoded)\n");
  }
}

}  // namespace

std::optional<std::string> ToJson(const google::protobuf::Message& message) {
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  std::string json;
  if (!google::protobuf::util::MessageToJsonString(message, &json, options).ok()) {
    return std::nullopt;
  }
  return json;
}

std::string StatusCodeName(grpc::StatusCode code) {
  switch (code) {
    case grpc::StatusCode::OK:
      return "OK";
    case grpc::StatusCode::CANCELLED:
      return "CANCELLED";
    case grpc::StatusCode::UNKNOWN:
      return "UNKNOWN";
    case grpc::StatusCode::INVALID_ARGUMENT:
      return "INVALID_ARGUMENT";
    case grpc::StatusCode::DEADLINE_EXCEEDED:
      return "DEADLINE_EXCEEDED";
    case grpc::StatusCode::NOT_FOUND:
      return "NOT_FOUND";
    case grpc::StatusCode::ALREADY_EXISTS:
      return "ALREADY_EXISTS";
    case grpc::StatusCode::PERMISSION_DENIED:
      return "PERMISSION_DENIED";
    case grpc::StatusCode::RESOURCE_EXHAUSTED:
      return "RESOURCE_EXHAUSTED";
    case grpc::StatusCode::FAILED_PRECONDITION:
      return "FAILED_PRECONDITION";
    case grpc::StatusCode::ABORTED:
      return "ABORTED";
    case grpc::StatusCode::OUT_OF_RANGE:
      return "OUT_OF_RANGE";
    case grpc::StatusCode::UNIMPLEMENTED:
      return "UNIMPLEMENTED";
    case grpc::StatusCode::INTERNAL:
      return "INTERNAL";
    case grpc::StatusCode::UNAVAILABLE:
      return "UNAVAILABLE";
    case grpc::StatusCode::DATA_LOSS:
      return "DATA_LOSS";
    case grpc::StatusCode::UNAUTHENTICATED:
      return "UNAUTHENTICATED";
    default:
      return absl::StrCat("CODE_", static_cast<int>(code));
  }
}

std::string FormatErrorHuman(const grpc::Status& status) {
  std::string out = absl::StrCat("error: ", StatusCodeName(status.error_code()));
  if (!status.error_message().empty()) absl::StrAppend(&out, ": ", status.error_message());
  absl::StrAppend(&out, "\n");
  if (status.error_details().empty()) return out;
  google::rpc::Status details;
  if (!details.ParseFromString(status.error_details())) {
    absl::StrAppend(&out, "  (grpc-status-details-bin is not a google.rpc.Status)\n");
    return out;
  }
  for (const google::protobuf::Any& any : details.details()) AppendAny(any, &out);
  return out;
}

std::string FormatErrorJson(const grpc::Status& status) {
  std::vector<std::string> details;
  google::rpc::Status rpc_status;
  if (!status.error_details().empty() && rpc_status.ParseFromString(status.error_details())) {
    for (const google::protobuf::Any& any : rpc_status.details()) {
      std::optional<std::string> json = ToJson(any);
      details.push_back(
          json.has_value() ? *json : absl::StrCat("{\"@type\":", JsonString(any.type_url()), "}"));
    }
  }
  return absl::StrCat("{\"code\":", JsonString(StatusCodeName(status.error_code())),
                      ",\"code_number\":", static_cast<int>(status.error_code()),
                      ",\"message\":", JsonString(status.error_message()), ",\"details\":[",
                      absl::StrJoin(details, ","), "]}");
}

std::string ErrorReason(const grpc::Status& status) {
  google::rpc::Status rpc_status;
  if (status.error_details().empty() || !rpc_status.ParseFromString(status.error_details())) {
    return "";
  }
  for (const google::protobuf::Any& any : rpc_status.details()) {
    google::rpc::ErrorInfo info;
    if (any.Is<google::rpc::ErrorInfo>() && any.UnpackTo(&info)) return info.reason();
  }
  return "";
}

void PrintHuman(const v1::GetCustomerResponse& response, std::ostream& out) {
  PrintNextStep(response.next_step(), out);
  PrintIfSet("", "otp_ref_id", response.otp_ref_id(), out);
  PrintIfNonZero("", "intent_id", response.intent_id(), out);
  PrintUpstream(response.has_upstream(), response.upstream(), out);
}

void PrintHuman(const v1::OnboardCustomerResponse& response, std::ostream& out) {
  PrintNextStep(response.next_step(), out);
  PrintIfSet("", "otp_ref_id", response.otp_ref_id(), out);
  PrintIfNonZero("", "intent_id", response.intent_id(), out);
  PrintUpstream(response.has_upstream(), response.upstream(), out);
}

void PrintHuman(const v1::VerifyCustomerOtpResponse& response, std::ostream& out) {
  PrintNextStep(response.next_step(), out);
  PrintIfSet("", "application_id", response.application_id(), out);
  PrintProfile(response.has_customer_profile(), response.customer_profile(), out);
  PrintUpstream(response.has_upstream(), response.upstream(), out);
}

void PrintHuman(const v1::GetSenderResponse& response, std::ostream& out) {
  PrintNextStep(response.next_step(), out);
  PrintIfSet("", "otp_ref_id", response.otp_ref_id(), out);
  PrintIfSet("", "kyc_request_id", response.kyc_request_id(), out);
  PrintProfile(response.has_customer_profile(), response.customer_profile(), out);
  PrintUpstream(response.has_upstream(), response.upstream(), out);
}

void PrintHuman(const v1::OnboardSenderResponse& response, std::ostream& out) {
  PrintNextStep(response.next_step(), out);
  PrintProfile(response.has_customer_profile(), response.customer_profile(), out);
  PrintUpstream(response.has_upstream(), response.upstream(), out);
}

void PrintHuman(const v1::StartSenderEkycResponse& response, std::ostream& out) {
  PrintNextStep(response.next_step(), out);
  PrintIfSet("", "otp_ref_id", response.otp_ref_id(), out);
  PrintIfSet("", "kyc_request_id", response.kyc_request_id(), out);
  PrintUpstream(response.has_upstream(), response.upstream(), out);
}

void PrintHuman(const v1::ValidateEkycOtpResponse& response, std::ostream& out) {
  PrintNextStep(response.next_step(), out);
  PrintIfSet("", "customer_id", response.customer_id(), out);
  PrintBool("", "kyc_verified", response.has_kyc_verified(), response.kyc_verified(), out);
  PrintMoney("", "available_limit", response.has_available_limit(), response.available_limit(),
             out);
  PrintUpstream(response.has_upstream(), response.upstream(), out);
}

void PrintHuman(const grpc::health::v1::HealthCheckResponse& response, std::ostream& out) {
  out << "status: "
      << EnumLabel(grpc::health::v1::HealthCheckResponse::ServingStatus_descriptor(),
                   response.status(), "")
      << "\n";
}

}  // namespace eko::cli
