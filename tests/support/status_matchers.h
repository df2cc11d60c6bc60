#ifndef EKO_TESTS_SUPPORT_STATUS_MATCHERS_H_
#define EKO_TESTS_SUPPORT_STATUS_MATCHERS_H_

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "adapters/common/rich_status.h"
#include "gmock/gmock.h"

// Small local stand-ins for abseil's status matchers (absent from the Debian
// abseil), plus matchers for the gateway's rich error payloads.
namespace eko::testing {

inline const absl::Status& GetStatus(const absl::Status& status) { return status; }
template <typename T>
const absl::Status& GetStatus(const absl::StatusOr<T>& status_or) {
  return status_or.status();
}

MATCHER(IsOk, "is OK") {
  const absl::Status& status = GetStatus(arg);
  if (!status.ok()) *result_listener << "status is " << status;
  return status.ok();
}

MATCHER_P(StatusIs, code, "has status code " + absl::StatusCodeToString(code)) {
  const absl::Status& status = GetStatus(arg);
  *result_listener << "status is " << status;
  return status.code() == code;
}

// Matches a status with the given code whose ErrorInfo has `reason`.
MATCHER_P2(HasReason, code, reason,
           "has code " + absl::StatusCodeToString(code) + " and reason " + std::string(reason)) {
  const absl::Status& status = GetStatus(arg);
  google::rpc::ErrorInfo info;
  const bool has_info = rich::GetErrorInfo(status, &info);
  *result_listener << "status is " << status << ", reason "
                   << (has_info ? info.reason() : std::string("(none)"));
  return status.code() == code && has_info && info.reason() == reason &&
         info.domain() == rich::kErrorDomain;
}

// The fields named by the status's BadRequest, in order.
inline std::vector<std::string> ViolatedFields(const absl::Status& status) {
  google::rpc::BadRequest bad_request;
  std::vector<std::string> fields;
  if (rich::GetDetail(status, &bad_request)) {
    for (const auto& v : bad_request.field_violations()) fields.push_back(v.field());
  }
  return fields;
}

inline std::string MetadataValue(const absl::Status& status, const std::string& key) {
  google::rpc::ErrorInfo info;
  if (!rich::GetErrorInfo(status, &info)) return "";
  auto it = info.metadata().find(key);
  return it == info.metadata().end() ? "" : it->second;
}

}  // namespace eko::testing

#endif  // EKO_TESTS_SUPPORT_STATUS_MATCHERS_H_
