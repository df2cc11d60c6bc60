#ifndef EKO_CLIENT_TEST_SUPPORT_H_
#define EKO_CLIENT_TEST_SUPPORT_H_

// Test-only helpers shared by the client tests.

#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "client/cli.h"
#include "gmock/gmock.h"
#include "google/protobuf/any.pb.h"
#include "google/protobuf/text_format.h"
#include "google/protobuf/util/message_differencer.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "grpcpp/support/status.h"
#include "gtest/gtest.h"

namespace eko::cli::test_support {

// Parses the text-format `text` into a message of type T (a test failure
// when it does not parse).
template <typename T>
T Proto(const std::string& text) {
  T message;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(text, &message)) << text;
  return message;
}

MATCHER_P(EqualsProto, expected, "equals " + expected.ShortDebugString()) {
  *result_listener << "is " << arg.ShortDebugString();
  return google::protobuf::util::MessageDifferencer::Equals(arg, expected);
}

// A status with `code`, `message` and google.rpc.Status details packing
// each of `details`, in order.
template <typename... Details>
grpc::Status StatusWithDetails(grpc::StatusCode code, const std::string& message,
                               const Details&... details) {
  google::rpc::Status status;
  status.set_code(code);
  status.set_message(message);
  (status.add_details()->PackFrom(details), ...);
  return grpc::Status(code, message, status.SerializeAsString());
}

// An ErrorInfo of the gateway's domain.
inline google::rpc::ErrorInfo GatewayErrorInfo(const std::string& reason) {
  google::rpc::ErrorInfo info;
  info.set_reason(reason);
  info.set_domain("eko-onboarding-gateway");
  return info;
}

// A BadRequest with one violation of `field`.
inline google::rpc::BadRequest FieldViolation(const std::string& field,
                                              const std::string& description) {
  google::rpc::BadRequest bad_request;
  auto* violation = bad_request.add_field_violations();
  violation->set_field(field);
  violation->set_description(description);
  return bad_request;
}

// What one eko-cli run printed and returned.
struct CliRun {
  int code;
  std::string out;
  std::string err;
};

// Runs eko-cli (RunCli) with `args`, `stdin_text` on stdin (a terminal when
// `terminal`), `default_addr` as the address used without --addr and
// `default_service_config` as the service config file used without
// --service-config (none by default).
inline CliRun RunEkoCli(const std::vector<std::string>& args, const std::string& stdin_text,
                        const std::string& default_addr, bool terminal = false,
                        const std::string& default_service_config = "") {
  std::istringstream in(stdin_text);
  std::ostringstream out;
  std::ostringstream err;
  CliEnvironment env;
  env.in = &in;
  env.out = &out;
  env.err = &err;
  env.in_is_terminal = terminal;
  env.default_addr = default_addr;
  env.default_service_config = default_service_config;
  const int code = RunCli(args, env);
  return {code, out.str(), err.str()};
}

// The OnboardSenderRequest that onboards sender Asha Rao (customer
// 9876543210) with the structured address only, without user_code or
// client_ref_id.
inline constexpr char kSenderOnboardingRequest[] = R"pb(
  customer_id: "9876543210"
  name: "Asha Rao"
  dob { year: 1990 month: 4 day: 1 }
  address { line: "12 MG Road" city: "Indore" state: "Madhya Pradesh" pincode: "452001" }
)pb";

// A GetCustomer answer asking for the OTP, and its human form.
inline constexpr char kCannedGetCustomer[] = R"pb(
  next_step: NEXT_STEP_VERIFY_CUSTOMER_OTP
  otp_ref_id: "otp-ref-1"
  upstream {
    status: 0
    response_status_id: 0
    response_type_id: 2129
    message: "Validate the OTP"
    http_status: 200
  }
)pb";
inline constexpr char kCannedGetCustomerHuman[] =
    "next step: VERIFY_CUSTOMER_OTP\n"
    "otp_ref_id: otp-ref-1\n"
    "upstream:\n"
    "  status: 0\n"
    "  response_status_id: 0\n"
    "  response_type_id: 2129\n"
    "  message: Validate the OTP\n"
    "  http_status: 200\n";

inline constexpr char kRichErrorMessage[] = "dob is not a \"real\" date";

// A status shaped like the gateway's errors: INVALID_ARGUMENT carrying
// ErrorInfo, BadRequest, RetryInfo and RequestInfo in error_details().
// `dob_violation` is the BadRequest description of field `dob`.
inline grpc::Status RichError(
    const std::string& dob_violation = "must be a real date in the past") {
  google::rpc::ErrorInfo info = GatewayErrorInfo("FIELD_INVALID");
  (*info.mutable_metadata())["rpc"] = "OnboardCustomer";
  (*info.mutable_metadata())["field"] = "dob";
  google::rpc::RetryInfo retry;
  retry.mutable_retry_delay()->set_seconds(1);
  retry.mutable_retry_delay()->set_nanos(500000000);
  google::rpc::RequestInfo request;
  request.set_request_id("req-42");
  return StatusWithDetails(grpc::StatusCode::INVALID_ARGUMENT, kRichErrorMessage, info,
                           FieldViolation("dob", dob_violation), retry, request);
}

// The human form of RichError().
inline constexpr char kRichErrorHuman[] =
    "error: INVALID_ARGUMENT: dob is not a \"real\" date\n"
    "  reason: FIELD_INVALID (domain eko-onboarding-gateway)\n"
    "    field=dob\n"
    "    rpc=OnboardCustomer\n"
    "  field dob: must be a real date in the past\n"
    "  retry after 1.5s\n"
    "  request id: req-42\n";

// True when `text` holds something that looks like a base64 blob: a run of
// 16 or more base64 alphabet characters (no words in eko-cli's output are
// that long).
inline bool ContainsBase64Blob(const std::string& text) {
  static const std::regex* const kBlob = new std::regex("[A-Za-z0-9+/]{16,}={0,2}");
  return std::regex_search(text, *kBlob);
}

}  // namespace eko::cli::test_support

#endif  // EKO_CLIENT_TEST_SUPPORT_H_
