#include "adapters/eko/error_table.h"

#include "absl/strings/str_replace.h"
#include "adapters/common/rich_status.h"
#include "adapters/common/strings.h"

namespace eko::adapter {
namespace {

namespace reason = rich::reason;
using Code = absl::StatusCode;

// The row of `id`, but for error_id and a default code_if_caller_deadline
// (ErrorRows sets both). A switch without default: an enumerator without a
// row is a compile error (-Wswitch, made an error here), as is a row given
// twice (duplicate case).
#pragma GCC diagnostic push
#pragma GCC diagnostic error "-Wswitch"
ErrorRow RowOf(ErrorId id) {
  switch (id) {
    // --- local -----------------------------------------------------------
    case ErrorId::kCallerUnauthenticated:
      return {.id = "caller-unauthenticated",
              .layer = ErrorLayer::kLocal,
              .situation =
                  "caller authorisation is on (--auth-tokens-file or "
                  "--allowed-client-identities) and the call presents no valid "
                  "credential: neither a configured bearer token nor a verified client "
                  "certificate to match against --allowed-client-identities (checked "
                  "before any call to Eko)",
              .code = Code::kUnauthenticated,
              .reason = reason::kCallerUnauthenticated,
              .message = "<problem>; accepted: <credentials>",
              .guidance =
                  "send `authorization: Bearer <token>` with an issued token, or call "
                  "with an allowed client certificate (metadata accepted lists the "
                  "mechanisms taken)"};
    case ErrorId::kCallerForbidden:
      return {.id = "caller-forbidden",
              .layer = ErrorLayer::kLocal,
              .situation =
                  "the caller's verified client certificate matches no identity of "
                  "--allowed-client-identities, and no configured bearer token came "
                  "with the call (checked before any call to Eko)",
              .code = Code::kPermissionDenied,
              .reason = reason::kCallerForbidden,
              .message = "client certificate \"<identity>\" is not allowed to call",
              .guidance =
                  "call with an allowed certificate, or have operators allow this one "
                  "(metadata client_identity) in --allowed-client-identities"};
    case ErrorId::kRequestMalformed:
      return {.id = "request-malformed",
              .layer = ErrorLayer::kLocal,
              .situation =
                  "the request's bytes are not a valid message of the RPC's request type (cut "
                  "short, or a string field that is not UTF-8); checked after caller "
                  "authorisation, before any call to Eko",
              .code = Code::kInvalidArgument,
              .reason = reason::kRequestMalformed,
              .message = "the request is not a well-formed <message>",
              .guidance =
                  "send the request as the generated stubs of proto/eko/onboarding/v1 encode it "
                  "(string fields in UTF-8); resending the same bytes fails again"};
    case ErrorId::kFieldInvalid:
      return {.id = "field-invalid",
              .layer = ErrorLayer::kLocal,
              .situation =
                  "the request fails the gateway's validation (checked before any call to Eko)",
              .code = Code::kInvalidArgument,
              .reason = reason::kFieldInvalid,
              .details = kBadRequest,
              .message = "invalid request field(s): <fields>",
              .guidance = "fix the fields named in BadRequest"};

    // --- gateway -----------------------------------------------------------
    case ErrorId::kDeadlineTooShort:
      return {.id = "deadline-too-short",
              .layer = ErrorLayer::kGateway,
              .situation =
                  "the caller's remaining deadline is below the gateway's minimum "
                  "(--min-deadline-ms); nothing is sent",
              .code = Code::kDeadlineExceeded,
              .reason = reason::kDeadlineTooShort,
              .message = "the call's deadline leaves too little time to call Eko",
              .guidance = "call again with a longer deadline (metadata minDeadlineMs)"};
    case ErrorId::kGatewayOverloaded:
      return {.id = "gateway-overloaded",
              .layer = ErrorLayer::kGateway,
              .situation =
                  "the gateway already has its maximum of upstream calls in flight "
                  "(--max-inflight); nothing is sent",
              .code = Code::kResourceExhausted,
              .reason = reason::kGatewayOverloaded,
              .details = kRetryInfo,
              .message = "the gateway is at its limit of calls in flight",
              .guidance = "retry after RetryInfo's delay, ideally on another replica"};
    case ErrorId::kUpstreamCircuitOpen:
      return {.id = "upstream-circuit-open",
              .layer = ErrorLayer::kGateway,
              .situation =
                  "the circuit breaker is open after consecutive transport failures or HTTP "
                  "5xx from Eko; nothing is sent",
              .code = Code::kUnavailable,
              .reason = reason::kUpstreamCircuitOpen,
              .details = kRetryInfo,
              .message = "Eko is failing; the gateway is not calling it for a while",
              .guidance = "retry after RetryInfo's delay (until the breaker's next probe)",
              .upstream_outcome = "NOT_SENT"};
    case ErrorId::kClientRefIdReused:
      return {.id = "client-ref-id-reused",
              .layer = ErrorLayer::kGateway,
              .situation =
                  "a client_ref_id the caller already used (in flight, or within "
                  "--dedupe-window-ms) arrives with a different request",
              .code = Code::kInvalidArgument,
              .reason = reason::kClientRefIdReused,
              .details = kBadRequest,
              .message = "this client_ref_id was already used for a different request",
              .guidance =
                  "use a fresh client_ref_id per distinct request; repeat the exact same "
                  "request to get the first call's result",
              .default_fields = {{0, "client_ref_id"}}};
    case ErrorId::kClientRefIdOutcomeUnknown:
      return {.id = "client-ref-id-outcome-unknown",
              .layer = ErrorLayer::kGateway,
              .situation =
                  "the same request under a client_ref_id whose first call ended with an "
                  "unknown outcome (within --dedupe-window-ms): its caller's deadline or "
                  "cancellation ended it while the request to Eko was under way; nothing is "
                  "sent again",
              .code = Code::kUnknown,
              .reason = reason::kClientRefIdOutcomeUnknown,
              .message =
                  "an earlier call with this client_ref_id ended before Eko answered; its "
                  "outcome is unknown and the request is not sent again",
              .guidance =
                  "look the customer up (GetCustomer/GetSender); repeat the write only if it "
                  "did not happen, with a new client_ref_id",
              .upstream_outcome = "UNKNOWN"};
    case ErrorId::kIdempotencyStoreUnavailable:
      return {.id = "idempotency-store-unavailable",
              .layer = ErrorLayer::kGateway,
              .situation =
                  "a call with a client_ref_id while the shared idempotency store (Redis) "
                  "cannot be reached, with --idempotency-store-failure=closed; nothing is sent",
              .code = Code::kUnavailable,
              .reason = reason::kIdempotencyStoreUnavailable,
              .details = kRetryInfo,
              .message = "the idempotency store is unreachable; the request was not sent",
              .guidance = "safe to retry after RetryInfo's delay (upstreamOutcome=NOT_SENT)",
              .upstream_outcome = "NOT_SENT"};

    case ErrorId::kShutdownCutOffNotSent:
      return {.id = "shutdown-cut-off-not-sent",
              .layer = ErrorLayer::kGateway,
              .situation =
                  "the gateway is shutting down and its grace period ended before the call "
                  "reached Eko; nothing was sent",
              .code = Code::kUnavailable,
              .reason = reason::kGatewayShuttingDown,
              .message = "the gateway is shutting down; the request was not sent to Eko",
              .guidance = "safe to retry, on another replica (upstreamOutcome=NOT_SENT)",
              .upstream_outcome = "NOT_SENT"};
    case ErrorId::kShutdownCutOffAfterSending:
      return {.id = "shutdown-cut-off-after-sending",
              .layer = ErrorLayer::kGateway,
              .situation =
                  "the gateway is shutting down and its grace period ended while the call's "
                  "request to Eko (or the earlier call a repeat joined) was under way",
              .code = Code::kUnknown,
              .reason = reason::kGatewayShuttingDown,
              .message = "the gateway shut down while calling Eko; the outcome is unknown",
              .guidance =
                  "as for upstream-timeout: Eko may have acted (upstreamOutcome=UNKNOWN); check "
                  "the customer's state before repeating the call",
              .upstream_outcome = "UNKNOWN"};

    // --- transport ---------------------------------------------------------
    case ErrorId::kUpstreamUnreachable:
      return {
          .id = "upstream-unreachable",
          .layer = ErrorLayer::kTransport,
          .situation = "connect, DNS or TLS failure: the request was not sent",
          .code = Code::kUnavailable,
          .reason = reason::kUpstreamUnreachable,
          .details = kRetryInfo,
          .message = "Eko could not be reached; the request was not sent",
          .guidance = "safe to retry after RetryInfo's delay (metadata upstreamOutcome=NOT_SENT)",
          .match = {.outcomes = {TransportOutcome::kNotSent}},
          .upstream_outcome = "NOT_SENT"};
    case ErrorId::kUpstreamTimeout:
      return {.id = "upstream-timeout",
              .layer = ErrorLayer::kTransport,
              .situation = "no answer before the deadline, after the request was sent",
              .code = Code::kUnknown,
              .code_if_caller_deadline = Code::kDeadlineExceeded,
              .reason = reason::kUpstreamTimeout,
              .message = "Eko did not answer in time; the outcome is unknown",
              .guidance =
                  "the outcome is unknown (metadata upstreamOutcome=UNKNOWN): check the "
                  "customer's state (GetCustomer/GetSender) before repeating the call",
              .match = {.outcomes = {TransportOutcome::kTimedOut}},
              .upstream_outcome = "UNKNOWN"};
    case ErrorId::kUpstreamConnectionReset:
      return {
          .id = "upstream-connection-reset",
          .layer = ErrorLayer::kTransport,
          .situation = "the connection is reset after the request was sent, before any response",
          .code = Code::kUnknown,
          .reason = reason::kUpstreamTimeout,
          .message = "the connection to Eko broke; the outcome is unknown",
          .guidance = "as for upstream-timeout: the outcome is unknown (upstreamOutcome=UNKNOWN)",
          .match = {.outcomes = {TransportOutcome::kConnectionLost}},
          .upstream_outcome = "UNKNOWN"};
    case ErrorId::kUpstreamResponseIncomplete:
      return {
          .id = "upstream-response-incomplete",
          .layer = ErrorLayer::kTransport,
          .situation = "Eko's body is cut short on the wire, or exceeds the gateway's size limit",
          .code = Code::kInternal,
          .reason = reason::kUpstreamBadResponse,
          .message = "Eko's reply could not be understood; the outcome is unknown",
          .guidance = "report it; the outcome is unknown (upstreamOutcome=UNKNOWN)",
          .match = {.outcomes = {TransportOutcome::kResponseTooLarge,
                                 TransportOutcome::kResponseIncomplete}},
          .upstream_outcome = "UNKNOWN"};
    case ErrorId::kCancelled:
      return {.id = "cancelled",
              .layer = ErrorLayer::kTransport,
              .situation = "the caller cancelled the call (the upstream transfer is aborted)",
              .code = Code::kCancelled,
              .reason = reason::kCancelled,
              .message = "the call was cancelled",
              .guidance = "none: the caller asked for it",
              .match = {.outcomes = {TransportOutcome::kCancelled}}};
    case ErrorId::kTransportFailed:
      return {.id = "transport-failed",
              .layer = ErrorLayer::kTransport,
              .situation = "any other local failure of the HTTP client",
              .code = Code::kInternal,
              .reason = reason::kInternal,
              .message = "the upstream call failed locally",
              .guidance = "report it",
              .match = {.outcomes = {TransportOutcome::kFailed}}};

    // --- HTTP --------------------------------------------------------------
    case ErrorId::kUpstreamAuthRejected:
      return {.id = "upstream-auth-rejected",
              .layer = ErrorLayer::kHttp,
              .situation = "HTTP 401 or 403: Eko rejected the credentials, signature or timestamp",
              .code = Code::kInternal,
              .reason = reason::kUpstreamAuthRejected,
              .message = "Eko rejected the gateway's credentials or signature",
              .guidance =
                  "operators: check the developer key, access key, IP whitelist and clock (NTP)",
              .match = {.http_ranges = {{401, 401}, {403, 403}}}};
    case ErrorId::kUpstreamContractMismatch:
      return {.id = "upstream-contract-mismatch",
              .layer = ErrorLayer::kHttp,
              .situation = "HTTP 404, 405 or 415: wrong path, method or content type",
              .code = Code::kInternal,
              .reason = reason::kUpstreamContractMismatch,
              .message = "Eko rejected the endpoint, method or content type",
              .guidance = "operators: check --eko-base-url and --eko-endpoint overrides",
              .match = {.http_ranges = {{404, 405}, {415, 415}}}};
    case ErrorId::kUpstreamRateLimited:
      return {.id = "upstream-rate-limited",
              .layer = ErrorLayer::kHttp,
              .situation = "HTTP 429",
              .code = Code::kResourceExhausted,
              .reason = reason::kUpstreamRateLimited,
              .details = kRetryInfo,
              .message = "Eko is rate limiting the gateway",
              .guidance = "retry after RetryInfo's delay (taken from Retry-After)",
              .match = {.http_ranges = {{429, 429}}}};
    case ErrorId::kUpstreamUnavailable:
      return {.id = "upstream-unavailable",
              .layer = ErrorLayer::kHttp,
              .situation = "HTTP 5xx",
              .code = Code::kUnknown,
              .reason = reason::kUpstreamUnavailable,
              .message = "Eko answered with a server error; the outcome is unknown",
              .guidance = "as for upstream-timeout: Eko may have acted (upstreamOutcome=UNKNOWN)",
              .match = {.http_ranges = {{500, 599}}},
              .upstream_outcome = "UNKNOWN"};
    case ErrorId::kUpstreamHttpUnmapped:
      return {.id = "upstream-http-unmapped",
              .layer = ErrorLayer::kHttp,
              .situation = "any other non-2xx HTTP status",
              .code = Code::kUnknown,
              .reason = reason::kUpstreamUnmappedStatus,
              .message = "Eko answered with an unexpected HTTP status",
              .guidance = "report it, with the metadata",
              .match = {.http_ranges = {{100, 199}, {300, 399}, {400, 599}}}};

    // --- envelope ----------------------------------------------------------
    case ErrorId::kUpstreamBadResponse:
      return {.id = "upstream-bad-response",
              .layer = ErrorLayer::kEnvelope,
              .situation =
                  "a 2xx body that is not JSON, is truncated, has wrong types or lacks fields "
                  "a step needs",
              .code = Code::kInternal,
              .reason = reason::kUpstreamBadResponse,
              .message = "Eko's reply could not be understood; the outcome is unknown",
              .guidance = "report it; the outcome is unknown (upstreamOutcome=UNKNOWN)",
              .upstream_outcome = "UNKNOWN"};

    // --- Eko codes ---------------------------------------------------------
    case ErrorId::kOtpInvalid:
      return {.id = "otp-invalid",
              .layer = ErrorLayer::kBusiness,
              .situation =
                  "wrong OTP: Eko 302, 2138, or 2131 with response_status_id 302 (on both OTP "
                  "RPCs), or 2131 with response_status_id 1 (on VerifyCustomerOtp)",
              .code = Code::kInvalidArgument,
              .reason = reason::kOtpInvalid,
              .details = kBadRequest,
              .message = "Eko rejected the OTP",
              .guidance = "ask the customer for the OTP again",
              .match = {.type_status_pairs = {{2131, 302, kOtpRpcs},
                                              {2131, 1, RpcBit(Rpc::kVerifyCustomerOtp)}},
                        .codes = {{302, kOtpRpcs}, {2138, kOtpRpcs}}},
              .default_fields = {{0, "otp"}}};
    case ErrorId::kOtpExpired:
      return {
          .id = "otp-expired",
          .layer = ErrorLayer::kBusiness,
          .situation = "OTP expired: Eko 303, or 2131 with response_status_id 303 (OTP RPCs only)",
          .code = Code::kFailedPrecondition,
          .reason = reason::kOtpExpired,
          .details = kPreconditionFailure,
          .message = "the OTP has expired; request a new one",
          .guidance = "start the step again for a new OTP",
          .match = {.type_status_pairs = {{2131, 303, kOtpRpcs}}, .codes = {{303, kOtpRpcs}}},
          .precondition_type = "OTP",
          .precondition_subject = "otp_ref_id"};
    case ErrorId::kCustomerNotFound:
      return {.id = "customer-not-found",
              .layer = ErrorLayer::kBusiness,
              .situation =
                  "customer not found: Eko 463 (even with response_type_id -1 and "
                  "invalid_params)",
              .code = Code::kNotFound,
              .reason = reason::kCustomerNotFound,
              .details = kResourceInfo,
              .message = "Eko does not know this customer",
              .guidance = "onboard the customer first",
              .match = {.codes = {463}}};
    case ErrorId::kCustomerAlreadyRegistered:
      return {.id = "customer-already-registered",
              .layer = ErrorLayer::kBusiness,
              .situation =
                  "already registered: Eko 17, 585, or 2131 with response_status_id 1 (on "
                  "ValidateEkycOtp: \"Customer Already registred\")",
              .code = Code::kAlreadyExists,
              .reason = reason::kCustomerAlreadyRegistered,
              .details = kResourceInfo,
              .message = "the customer is already registered with Eko",
              .guidance = "treat as done; look the customer up for the profile",
              .match = {.type_status_pairs = {{2131, 1, RpcBit(Rpc::kValidateEkycOtp)}},
                        .codes = {17, 585}}};
    case ErrorId::kVerificationPending:
      return {
          .id = "verification-pending",
          .layer = ErrorLayer::kBusiness,
          .situation = "enrolment done, verification pending: Eko 327",
          .code = Code::kFailedPrecondition,
          .reason = reason::kVerificationPending,
          .details = kPreconditionFailure,
          .message = "enrolment is done but verification is pending",
          .guidance = "verify the OTP sent at enrolment (or look the customer up for a new one)",
          .match = {.codes = {327}},
          .precondition_type = "VERIFICATION",
          .precondition_subject = "customer_id"};
    case ErrorId::kEkycFailed:
      return {.id = "ekyc-failed",
              .layer = ErrorLayer::kBusiness,
              .situation = "biometric eKYC failed: Eko 2135 (reason in data.description)",
              .code = Code::kFailedPrecondition,
              .reason = reason::kEkycFailed,
              .details = kPreconditionFailure,
              .message = "Eko rejected the biometric eKYC",
              .guidance = "capture the fingerprint again and retry StartSenderEkyc",
              .match = {.codes = {2135}},
              .precondition_type = "EKYC",
              .precondition_subject = "pid_data"};
    case ErrorId::kLimitExhausted:
      return {.id = "limit-exhausted",
              .layer = ErrorLayer::kBusiness,
              .situation = "monthly limit exhausted: Eko 945 or 314",
              .code = Code::kResourceExhausted,
              .reason = reason::kLimitExhausted,
              .details = kQuotaFailure,
              .message = "the customer's monthly limit is exhausted",
              .guidance = "wait for the next period (no RetryInfo: retrying sooner cannot succeed)",
              .match = {.codes = {945, 314}}};
    case ErrorId::kAgentNotAllowed:
      return {.id = "agent-not-allowed",
              .layer = ErrorLayer::kBusiness,
              .situation =
                  "agent not allowed or not onboarded: Eko 319, 346, 1297, or a message "
                  "\"Agent not allowed\" / \"Customer not allowed\"",
              .code = Code::kFailedPrecondition,
              .reason = reason::kAgentNotAllowed,
              .details = kPreconditionFailure,
              .message = "Eko does not allow this agent (user_code) or initiator to make the call",
              .guidance = "operators: onboard the agent or activate the service for its user_code",
              .match = {.codes = {319, 346, 1297},
                        .message_fragments = {"agent not allowed", "customer not allowed"}},
              .precondition_type = "AGENT",
              .precondition_subject = "user_code"};
    case ErrorId::kUpstreamFieldInvalid:
      return {.id = "upstream-field-invalid",
              .layer = ErrorLayer::kBusiness,
              .situation =
                  "Eko rejects parameters: response_type_id -1 with invalid_params, 132, or "
                  "\"No Key for Response\"",
              .code = Code::kInvalidArgument,
              .reason = reason::kUpstreamFieldInvalid,
              .details = kBadRequest,
              .message = "Eko rejected the request's parameters",
              .guidance = "fix the fields named in BadRequest (Eko's names mapped to proto fields)",
              .match = {.codes = {132},
                        .parameter_error = true,
                        .message_fragments = {"no key for response"}},
              .default_fields = {{132, "name"}}};

    // --- fallback ----------------------------------------------------------
    case ErrorId::kUpstreamUnmappedStatus:
      return {.id = "upstream-unmapped-status",
              .layer = ErrorLayer::kFallback,
              .situation =
                  "any other envelope: an unknown code, or a known response_type_id that is "
                  "not a step of this RPC",
              .code = Code::kUnknown,
              .reason = reason::kUpstreamUnmappedStatus,
              .message = "Eko answered with a status this gateway does not know; see metadata",
              .guidance = "report it with the metadata (Eko's raw ids); never treated as success"};
  }
  return {};
}
#pragma GCC diagnostic pop

}  // namespace

const std::vector<ErrorRow>& ErrorRows() {
  static const std::vector<ErrorRow> kRows = [] {
    std::vector<ErrorRow> rows;
    rows.reserve(kErrorIdCount);
    for (size_t i = 0; i < kErrorIdCount; ++i) {
      ErrorRow row = RowOf(static_cast<ErrorId>(i));
      row.error_id = static_cast<ErrorId>(i);
      if (row.code_if_caller_deadline == Code::kOk) row.code_if_caller_deadline = row.code;
      rows.push_back(std::move(row));
    }
    return rows;
  }();
  return kRows;
}

const ErrorRow& ErrorRowFor(ErrorId id) { return ErrorRows()[static_cast<size_t>(id)]; }

rich::ErrorBuilder RowError(
    ErrorId id, std::initializer_list<std::pair<std::string_view, std::string_view>> placeholders) {
  const ErrorRow& row = ErrorRowFor(id);
  std::vector<std::pair<absl::string_view, absl::string_view>> replacements;
  for (const auto& [placeholder, value] : placeholders) {
    replacements.emplace_back(ToAbsl(placeholder), ToAbsl(value));
  }
  return rich::ErrorBuilder(row.code, row.reason, absl::StrReplaceAll(row.message, replacements));
}

}  // namespace eko::adapter
