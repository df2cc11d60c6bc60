#include "adapters/eko/classifier.h"

#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "adapters/common/rich_status.h"
#include "adapters/eko/next_steps.h"

namespace eko::adapter {
namespace {

using onboarding::v1::NextStep;
using rich::ErrorBuilder;
namespace reason = rich::reason;

// Extra detail attached to a business error besides ErrorInfo.
enum class Detail {
  kNone,
  kOtpField,          // BadRequest on `otp`
  kOtpPrecondition,   // PreconditionFailure OTP
  kCustomerResource,  // ResourceInfo eko.customer
  kVerification,      // PreconditionFailure VERIFICATION
  kEkyc,              // PreconditionFailure EKYC with Eko's description
  kQuota,             // QuotaFailure
  kAgent,             // PreconditionFailure AGENT
};

struct CodeRule {
  int32_t code;
  absl::StatusCode grpc_code;
  const char* reason;
  Detail detail;
  const char* message;
};

// Eko codes that mean the same thing wherever they appear (`status`, a
// granular `response_status_id`, or `response_type_id`).
constexpr CodeRule kCodeRules[] = {
    {302, absl::StatusCode::kInvalidArgument, reason::kOtpInvalid, Detail::kOtpField,
     "Eko rejected the OTP as wrong"},
    {2138, absl::StatusCode::kInvalidArgument, reason::kOtpInvalid, Detail::kOtpField,
     "Eko rejected the OTP as invalid"},
    {303, absl::StatusCode::kFailedPrecondition, reason::kOtpExpired, Detail::kOtpPrecondition,
     "the OTP has expired; request a new one"},
    {463, absl::StatusCode::kNotFound, reason::kCustomerNotFound, Detail::kCustomerResource,
     "Eko does not know this customer"},
    {17, absl::StatusCode::kAlreadyExists, reason::kCustomerAlreadyRegistered,
     Detail::kCustomerResource, "the customer is already registered with Eko"},
    {585, absl::StatusCode::kAlreadyExists, reason::kCustomerAlreadyRegistered,
     Detail::kCustomerResource, "the customer is already KYC approved"},
    {327, absl::StatusCode::kFailedPrecondition, reason::kVerificationPending,
     Detail::kVerification, "enrolment is done but verification is pending"},
    {2135, absl::StatusCode::kFailedPrecondition, reason::kEkycFailed, Detail::kEkyc,
     "Eko rejected the biometric eKYC"},
    {945, absl::StatusCode::kResourceExhausted, reason::kLimitExhausted, Detail::kQuota,
     "the customer's monthly limit is exhausted"},
    {314, absl::StatusCode::kResourceExhausted, reason::kLimitExhausted, Detail::kQuota,
     "the monthly limit is exceeded"},
    {319, absl::StatusCode::kFailedPrecondition, reason::kAgentNotAllowed, Detail::kAgent,
     "Eko does not accept the initiator for this call"},
    {346, absl::StatusCode::kFailedPrecondition, reason::kAgentNotAllowed, Detail::kAgent,
     "the agent (user_code) is not onboarded with Eko"},
    {1297, absl::StatusCode::kFailedPrecondition, reason::kAgentNotAllowed, Detail::kAgent,
     "the agent (user_code) is not onboarded with Eko"},
};

// (response_type_id, response_status_id) pairs whose meaning depends on both.
struct PairRule {
  int32_t response_type_id;
  int32_t response_status_id;
  CodeRule rule;
};
constexpr PairRule kPairRules[] = {
    {2131,
     1,
     {2131, absl::StatusCode::kAlreadyExists, reason::kCustomerAlreadyRegistered,
      Detail::kCustomerResource, "the customer is already registered"}},
};

// response_status_id values -2..5 are coarse states, not error codes.
bool IsCoarseState(int32_t value) { return value >= -2 && value <= 5; }

const CodeRule* FindCodeRule(int32_t code) {
  for (const CodeRule& rule : kCodeRules) {
    if (rule.code == code) return &rule;
  }
  return nullptr;
}

const CodeRule* FindBusinessRule(const Envelope& env) {
  for (const PairRule& pair : kPairRules) {
    if (env.response_type_id == pair.response_type_id &&
        env.response_status_id == pair.response_status_id) {
      return &pair.rule;
    }
  }
  if (const CodeRule* rule = FindCodeRule(env.status)) return rule;
  if (env.response_status_id && !IsCoarseState(*env.response_status_id)) {
    if (const CodeRule* rule = FindCodeRule(*env.response_status_id)) return rule;
  }
  return FindCodeRule(env.response_type_id);
}

std::string Truncated(std::string_view text, size_t limit = 200) {
  return std::string(text.substr(0, limit));
}

void AddEnvelopeMetadata(ErrorBuilder& error, Rpc rpc, const Envelope& env, int http_status) {
  error.Metadata("rpc", RpcName(rpc))
      .Metadata("httpStatus", std::to_string(http_status))
      .Metadata("ekoStatus", std::to_string(env.status))
      .Metadata("ekoResponseTypeId", std::to_string(env.response_type_id))
      .Metadata("ekoMessage", Truncated(env.message));
  if (env.response_status_id) {
    error.Metadata("ekoResponseStatusId", std::to_string(*env.response_status_id));
  }
}

absl::Status BusinessError(Rpc rpc, const CodeRule& rule, const Envelope& env, int http_status) {
  ErrorBuilder error(rule.grpc_code, rule.reason, rule.message);
  AddEnvelopeMetadata(error, rpc, env, http_status);
  const std::string eko_text = Truncated(env.description.empty() ? env.message : env.description);
  switch (rule.detail) {
    case Detail::kNone:
      break;
    case Detail::kOtpField:
      error.FieldViolation("otp", "Eko did not accept the OTP for this otp_ref_id");
      break;
    case Detail::kOtpPrecondition:
      error.PreconditionViolation("OTP", "otp_ref_id",
                                  "the OTP expired; start the step again for a new one");
      break;
    case Detail::kCustomerResource:
      error.Resource("eko.customer", "customer_id", eko_text);
      break;
    case Detail::kVerification:
      error.PreconditionViolation("VERIFICATION", "customer_id",
                                  "verify the OTP sent at enrolment first");
      break;
    case Detail::kEkyc:
      error.PreconditionViolation("EKYC", "pid_data", eko_text);
      break;
    case Detail::kQuota:
      error.QuotaViolation("customer_id", eko_text);
      break;
    case Detail::kAgent:
      error.PreconditionViolation("AGENT", "user_code", eko_text);
      break;
  }
  return error;
}

absl::Status UnmappedError(Rpc rpc, const Envelope& env, int http_status) {
  ErrorBuilder error(absl::StatusCode::kUnknown, reason::kUpstreamUnmappedStatus,
                     "Eko answered with a status this gateway does not know; see metadata");
  AddEnvelopeMetadata(error, rpc, env, http_status);
  return error;
}

}  // namespace

std::string_view ProtoFieldForEkoParam(std::string_view eko_param) {
  if (eko_param == "aadhar") return "aadhaar";
  if (eko_param == "piddata") return "pid_data";
  return eko_param;
}

absl::Status BadResponseError(Rpc rpc, int http_status, std::string_view why) {
  return ErrorBuilder(absl::StatusCode::kInternal, reason::kUpstreamBadResponse,
                      "Eko's reply could not be understood; the outcome is unknown")
      .Metadata("rpc", RpcName(rpc))
      .Metadata("httpStatus", std::to_string(http_status))
      .Metadata("problem", Truncated(why))
      .Metadata("upstreamOutcome", "UNKNOWN");
}

absl::Status ClassifyHttp(Rpc rpc, const HttpResponse& response, bool caller_deadline_passed) {
  const std::string rpc_name(RpcName(rpc));
  switch (response.outcome) {
    case TransportOutcome::kCompleted:
      break;
    case TransportOutcome::kCancelled:
      return ErrorBuilder(absl::StatusCode::kCancelled, reason::kCancelled,
                          "the call was cancelled")
          .Metadata("rpc", rpc_name);
    case TransportOutcome::kNotSent:
      return ErrorBuilder(absl::StatusCode::kUnavailable, reason::kUpstreamUnreachable,
                          "Eko could not be reached; the request was not sent")
          .Metadata("rpc", rpc_name)
          .Metadata("upstreamOutcome", "NOT_SENT")
          .Metadata("transportError", Truncated(response.error_detail))
          .RetryAfter(absl::Seconds(1));
    case TransportOutcome::kTimedOut:
    case TransportOutcome::kConnectionLost:
      return ErrorBuilder(caller_deadline_passed ? absl::StatusCode::kDeadlineExceeded
                                                 : absl::StatusCode::kUnavailable,
                          reason::kUpstreamTimeout,
                          response.outcome == TransportOutcome::kTimedOut
                              ? "Eko did not answer in time; the outcome is unknown"
                              : "the connection to Eko broke; the outcome is unknown")
          .Metadata("rpc", rpc_name)
          .Metadata("upstreamOutcome", "UNKNOWN")
          .Metadata("transportError", Truncated(response.error_detail));
    case TransportOutcome::kResponseTooLarge:
      return BadResponseError(rpc, response.http_status, "response body exceeds the size limit");
    case TransportOutcome::kFailed:
      return ErrorBuilder(absl::StatusCode::kInternal, reason::kInternal,
                          "the upstream call failed locally")
          .Metadata("rpc", rpc_name)
          .Metadata("transportError", Truncated(response.error_detail));
  }

  const int http = response.http_status;
  if (http >= 200 && http < 300) return absl::OkStatus();
  const std::string http_text = std::to_string(http);
  if (http == 401 || http == 403) {
    return ErrorBuilder(absl::StatusCode::kInternal, reason::kUpstreamAuthRejected,
                        "Eko rejected the gateway's credentials or signature")
        .Metadata("rpc", rpc_name)
        .Metadata("httpStatus", http_text);
  }
  if (http == 404 || http == 405 || http == 415) {
    return ErrorBuilder(absl::StatusCode::kInternal, reason::kUpstreamContractMismatch,
                        "Eko rejected the endpoint, method or content type")
        .Metadata("rpc", rpc_name)
        .Metadata("httpStatus", http_text);
  }
  if (http == 429) {
    return ErrorBuilder(absl::StatusCode::kResourceExhausted, reason::kUpstreamRateLimited,
                        "Eko is rate limiting the gateway")
        .Metadata("rpc", rpc_name)
        .Metadata("httpStatus", http_text)
        .RetryAfter(response.retry_after.value_or(absl::Seconds(1)));
  }
  if (http >= 500 && http < 600) {
    return ErrorBuilder(absl::StatusCode::kUnavailable, reason::kUpstreamUnavailable,
                        "Eko is failing; retry later")
        .Metadata("rpc", rpc_name)
        .Metadata("httpStatus", http_text)
        .Metadata("upstreamOutcome", "UNKNOWN")
        .RetryAfter(response.retry_after.value_or(absl::Seconds(1)));
  }
  return ErrorBuilder(absl::StatusCode::kUnknown, reason::kUpstreamUnmappedStatus,
                      "Eko answered with an unexpected HTTP status")
      .Metadata("rpc", rpc_name)
      .Metadata("httpStatus", http_text);
}

absl::StatusOr<NextStep> ClassifyEnvelope(Rpc rpc, const Envelope& env, int http_status) {
  // A specific business code wins over everything else (e.g. 463 arrives with
  // response_type_id -1 and invalid_params, and is CUSTOMER_NOT_FOUND).
  if (const CodeRule* rule = FindBusinessRule(env)) {
    return BusinessError(rpc, *rule, env, http_status);
  }

  if (env.response_type_id == -1) {
    ErrorBuilder error(absl::StatusCode::kInvalidArgument, reason::kUpstreamFieldInvalid,
                       "Eko rejected the request's parameters");
    AddEnvelopeMetadata(error, rpc, env, http_status);
    for (const auto& [param, why] : env.invalid_params) {
      error.FieldViolation(ProtoFieldForEkoParam(param), Truncated(why));
    }
    return error.Build();
  }

  // A step counts only when `status` is 0 or repeats the response type;
  // any other status is a code this table does not know.
  if (env.status == 0 || env.status == env.response_type_id) {
    if (std::optional<NextStep> step = FindStep(rpc, env.response_type_id)) return *step;
  }

  const std::string message = absl::AsciiStrToLower(env.message);
  if (absl::StrContains(message, "no key for response")) {
    ErrorBuilder error(absl::StatusCode::kInvalidArgument, reason::kUpstreamFieldInvalid,
                       "Eko reports a missing or malformed parameter");
    AddEnvelopeMetadata(error, rpc, env, http_status);
    return error.Build();
  }
  if (absl::StrContains(message, "agent not allowed") ||
      absl::StrContains(message, "customer not allowed")) {
    static constexpr CodeRule kNotAllowed = {
        0, absl::StatusCode::kFailedPrecondition, reason::kAgentNotAllowed, Detail::kAgent,
        "the service is not activated for this agent (user_code)"};
    return BusinessError(rpc, kNotAllowed, env, http_status);
  }
  return UnmappedError(rpc, env, http_status);
}

}  // namespace eko::adapter
