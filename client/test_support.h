#ifndef EKO_CLIENT_TEST_SUPPORT_H_
#define EKO_CLIENT_TEST_SUPPORT_H_

// Test-only helpers shared by the client tests.

#include <regex>
#include <string>

#include "google/protobuf/any.pb.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "grpcpp/support/status.h"

namespace eko::cli::test_support {

inline constexpr char kRichErrorMessage[] = "dob is not a \"real\" date";

// A status shaped like the gateway's errors: INVALID_ARGUMENT carrying
// ErrorInfo, BadRequest, RetryInfo and RequestInfo in error_details().
// `dob_violation` is the BadRequest description of field `dob`.
inline grpc::Status RichError(
    const std::string& dob_violation = "must be a real date in the past") {
  google::rpc::ErrorInfo info;
  info.set_reason("FIELD_INVALID");
  info.set_domain("eko-onboarding-gateway");
  (*info.mutable_metadata())["rpc"] = "OnboardCustomer";
  (*info.mutable_metadata())["field"] = "dob";
  google::rpc::BadRequest bad_request;
  auto* violation = bad_request.add_field_violations();
  violation->set_field("dob");
  violation->set_description(dob_violation);
  google::rpc::RetryInfo retry;
  retry.mutable_retry_delay()->set_seconds(1);
  retry.mutable_retry_delay()->set_nanos(500000000);
  google::rpc::RequestInfo request;
  request.set_request_id("req-42");

  google::rpc::Status status;
  status.set_code(3);
  status.set_message(kRichErrorMessage);
  status.add_details()->PackFrom(info);
  status.add_details()->PackFrom(bad_request);
  status.add_details()->PackFrom(retry);
  status.add_details()->PackFrom(request);
  return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, kRichErrorMessage,
                      status.SerializeAsString());
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
