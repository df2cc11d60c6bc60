#ifndef EKO_ADAPTERS_COMMON_STATUS_MACROS_H_
#define EKO_ADAPTERS_COMMON_STATUS_MACROS_H_

#include "absl/status/status.h"
#include "absl/status/statusor.h"

// Local stand-ins for ABSL_RETURN_IF_ERROR / ABSL_ASSIGN_OR_RETURN, which the
// Debian abseil (20220623) does not have.

#define EKO_RETURN_IF_ERROR(expr)              \
  do {                                         \
    ::absl::Status eko_status_ = (expr);       \
    if (!eko_status_.ok()) return eko_status_; \
  } while (false)

#define EKO_STATUS_CONCAT_INNER_(a, b) a##b
#define EKO_STATUS_CONCAT_(a, b) EKO_STATUS_CONCAT_INNER_(a, b)

#define EKO_ASSIGN_OR_RETURN(lhs, expr) \
  EKO_ASSIGN_OR_RETURN_IMPL_(EKO_STATUS_CONCAT_(eko_statusor_, __LINE__), lhs, expr)

#define EKO_ASSIGN_OR_RETURN_IMPL_(statusor, lhs, expr) \
  auto statusor = (expr);                               \
  if (!statusor.ok()) return statusor.status();         \
  lhs = std::move(statusor).value()

#endif  // EKO_ADAPTERS_COMMON_STATUS_MACROS_H_
