#ifndef EKO_ADAPTERS_COMMON_RICH_STATUS_H_
#define EKO_ADAPTERS_COMMON_RICH_STATUS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"

// Errors travel through the gateway as absl::Status values whose payloads are
// serialized google.rpc detail messages (keyed by their type URL). The gRPC
// edge turns them into a google.rpc.Status once (see server/status_conversion).
namespace eko::rich {

// ErrorInfo.domain of every error the gateway returns.
inline constexpr char kErrorDomain[] = "eko-onboarding-gateway";

// Stable ErrorInfo reasons. Clients branch on these; never rename one.
namespace reason {
inline constexpr char kRequestMalformed[] = "REQUEST_MALFORMED";
inline constexpr char kFieldInvalid[] = "FIELD_INVALID";
inline constexpr char kUpstreamFieldInvalid[] = "UPSTREAM_FIELD_INVALID";
inline constexpr char kOtpInvalid[] = "OTP_INVALID";
inline constexpr char kOtpExpired[] = "OTP_EXPIRED";
inline constexpr char kCustomerNotFound[] = "CUSTOMER_NOT_FOUND";
inline constexpr char kCustomerAlreadyRegistered[] = "CUSTOMER_ALREADY_REGISTERED";
inline constexpr char kVerificationPending[] = "VERIFICATION_PENDING";
inline constexpr char kEkycFailed[] = "EKYC_FAILED";
inline constexpr char kLimitExhausted[] = "LIMIT_EXHAUSTED";
inline constexpr char kAgentNotAllowed[] = "AGENT_NOT_ALLOWED";
inline constexpr char kUpstreamAuthRejected[] = "UPSTREAM_AUTH_REJECTED";
inline constexpr char kUpstreamContractMismatch[] = "UPSTREAM_CONTRACT_MISMATCH";
inline constexpr char kUpstreamRateLimited[] = "UPSTREAM_RATE_LIMITED";
inline constexpr char kUpstreamUnavailable[] = "UPSTREAM_UNAVAILABLE";
inline constexpr char kUpstreamUnreachable[] = "UPSTREAM_UNREACHABLE";
inline constexpr char kUpstreamTimeout[] = "UPSTREAM_TIMEOUT";
inline constexpr char kUpstreamBadResponse[] = "UPSTREAM_BAD_RESPONSE";
inline constexpr char kUpstreamUnmappedStatus[] = "UPSTREAM_UNMAPPED_STATUS";
inline constexpr char kCancelled[] = "CANCELLED";
inline constexpr char kDeadlineTooShort[] = "DEADLINE_TOO_SHORT";
inline constexpr char kGatewayOverloaded[] = "GATEWAY_OVERLOADED";
inline constexpr char kUpstreamCircuitOpen[] = "UPSTREAM_CIRCUIT_OPEN";
inline constexpr char kClientRefIdReused[] = "CLIENT_REF_ID_REUSED";
inline constexpr char kClientRefIdOutcomeUnknown[] = "CLIENT_REF_ID_OUTCOME_UNKNOWN";
inline constexpr char kIdempotencyStoreUnavailable[] = "IDEMPOTENCY_STORE_UNAVAILABLE";
inline constexpr char kGatewayShuttingDown[] = "GATEWAY_SHUTTING_DOWN";
inline constexpr char kInternal[] = "INTERNAL_ERROR";
inline constexpr char kCallerUnauthenticated[] = "CALLER_UNAUTHENTICATED";
inline constexpr char kCallerForbidden[] = "CALLER_FORBIDDEN";
}  // namespace reason

// Builds an absl::Status carrying exactly one ErrorInfo plus optional detail
// messages. Each detail type appears at most once; repeated calls add
// violations to the same message.
class ErrorBuilder {
 public:
  ErrorBuilder(absl::StatusCode code, std::string_view reason, std::string message);

  ErrorBuilder& Metadata(std::string_view key, std::string_view value);
  ErrorBuilder& FieldViolation(std::string_view field, std::string_view description);
  ErrorBuilder& PreconditionViolation(std::string_view type, std::string_view subject,
                                      std::string_view description);
  ErrorBuilder& QuotaViolation(std::string_view subject, std::string_view description);
  ErrorBuilder& Resource(std::string_view type, std::string_view name,
                         std::string_view description);
  ErrorBuilder& RetryAfter(absl::Duration delay);

  absl::Status Build() const;
  operator absl::Status() const { return Build(); }  // NOLINT: builder idiom

 private:
  absl::StatusCode code_;
  std::string message_;
  google::rpc::ErrorInfo info_;
  google::rpc::BadRequest bad_request_;
  google::rpc::PreconditionFailure precondition_;
  google::rpc::QuotaFailure quota_;
  std::optional<google::rpc::ResourceInfo> resource_;
  std::optional<google::rpc::RetryInfo> retry_;
};

// Type URL under which a detail message of type T is stored as a payload.
std::string TypeUrl(const google::protobuf::Message& prototype);

// Reads the ErrorInfo payload of `status`; false when it has none.
bool GetErrorInfo(const absl::Status& status, google::rpc::ErrorInfo* out);

// Reads the payload of type T; false when absent or unparsable.
template <typename T>
bool GetDetail(const absl::Status& status, T* out) {
  auto payload = status.GetPayload(TypeUrl(T::default_instance()));
  return payload.has_value() && out->ParseFromString(std::string(*payload));
}

// Converts to a google.rpc.Status with every payload packed into `details`.
// A status without an ErrorInfo gets one (reason INTERNAL_ERROR for unknown
// codes), so the result always carries exactly one ErrorInfo.
google::rpc::Status ToRpcStatus(const absl::Status& status);

}  // namespace eko::rich

#endif  // EKO_ADAPTERS_COMMON_RICH_STATUS_H_
