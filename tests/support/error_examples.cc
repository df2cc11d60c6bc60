#include "tests/support/error_examples.h"

#include <string>
#include <utility>

#include "absl/strings/str_cat.h"

namespace eko::testing {

using adapter::ErrorId;
using adapter::Rpc;
using Wire = ErrorExample::Wire;

namespace {

// The fields every Eko reply starts with, then any further members of the
// object (`more`, JSON text without the braces).
struct Envelope {
  int status;
  int response_status_id;
  int response_type_id;
  const char* message;
  const char* more = "";
};

// The upstream answers HTTP 200 to `rpc` with `envelope`.
ErrorExample EkoReply(Rpc rpc, const Envelope& envelope) {
  std::string body =
      absl::StrCat(R"({"status":)", envelope.status, R"(,"response_status_id":)",
                   envelope.response_status_id, R"(,"response_type_id":)",
                   envelope.response_type_id, R"(,"message":")", envelope.message, "\"");
  if (*envelope.more != '\0') absl::StrAppend(&body, ",", envelope.more);
  return {.wire = Wire::kRespond, .rpc = rpc, .body = body + "}"};
}

// The upstream answers GetCustomer with `http_status` and `body`.
ErrorExample HttpReply(int http_status, std::string body, std::string retry_after = "") {
  return {.wire = Wire::kRespond,
          .http_status = http_status,
          .retry_after = std::move(retry_after),
          .body = std::move(body)};
}

// `example` with its body cut short on the wire.
ErrorExample Truncated(ErrorExample example) {
  example.wire = Wire::kTruncate;
  return example;
}

}  // namespace

const std::vector<std::pair<ErrorId, ErrorExample>>& ErrorExamples() {
  static const std::vector<std::pair<ErrorId, ErrorExample>> kExamples = {
      {ErrorId::kFieldInvalid, {.wire = Wire::kInvalidRequest, .rpc = Rpc::kOnboardCustomer}},
      {ErrorId::kUpstreamUnreachable, {.wire = Wire::kRefused}},
      {ErrorId::kUpstreamTimeout, {.wire = Wire::kStall, .rpc = Rpc::kOnboardCustomer}},
      {ErrorId::kUpstreamConnectionReset, {.wire = Wire::kReset, .rpc = Rpc::kOnboardCustomer}},
      {ErrorId::kUpstreamResponseIncomplete,
       Truncated(EkoReply(Rpc::kOnboardCustomer,
                          {2129, 1, 2129, "Validate the OTP", R"("data":{"otp_ref_id":"abc"})"}))},
      {ErrorId::kUpstreamAuthRejected, HttpReply(403, R"({"status":403,"message":"Forbidden"})")},
      {ErrorId::kUpstreamContractMismatch,
       HttpReply(404, R"({"status":404,"message":"No mapping rule matched"})")},
      {ErrorId::kUpstreamRateLimited, HttpReply(429, "Too Many Requests", /*retry_after=*/"7")},
      {ErrorId::kUpstreamUnavailable, HttpReply(503, "<html>Service Unavailable</html>")},
      {ErrorId::kUpstreamHttpUnmapped, HttpReply(418, "{}")},
      {ErrorId::kUpstreamBadResponse, HttpReply(200, R"({"status":{},"response_type_id":"x"})")},
      {ErrorId::kOtpInvalid, EkoReply(Rpc::kVerifyCustomerOtp, {302, 302, 2131, "Wrong OTP"})},
      {ErrorId::kOtpExpired, EkoReply(Rpc::kValidateEkycOtp, {2131, 303, 2131, "OTP expired"})},
      {ErrorId::kCustomerNotFound,
       EkoReply(Rpc::kStartSenderEkyc,
                {463, 1, -1, "User not found",
                 R"("invalid_params":{"customer_id":"Customer does not exist in System"})"})},
      {ErrorId::kCustomerAlreadyRegistered,
       EkoReply(Rpc::kOnboardCustomer, {17, 17, 17, "User wallet already exists"})},
      {ErrorId::kVerificationPending,
       EkoReply(Rpc::kOnboardCustomer, {327, 1, 327, "Enrollment done. Verification pending"})},
      {ErrorId::kEkycFailed,
       EkoReply(Rpc::kStartSenderEkyc,
                {2135, 1, 2135, "Customer KYC Pending",
                 R"("data":{"description":"K-100 EKYC Verification failed"})"})},
      {ErrorId::kLimitExhausted,
       EkoReply(Rpc::kGetSender, {945, 1, 945, "Sender monthly limit exhausted"})},
      {ErrorId::kAgentNotAllowed,
       EkoReply(Rpc::kGetCustomer, {1, 1, 0, "Agent not allowed to do this transaction"})},
      {ErrorId::kUpstreamFieldInvalid,
       EkoReply(Rpc::kStartSenderEkyc,
                {461, 1, -1, "Invalid parameters",
                 R"("invalid_params":{"aadhar":"Invalid Aadhaar number"})"})},
      {ErrorId::kUpstreamUnmappedStatus,
       EkoReply(Rpc::kVerifyCustomerOtp, {9999, 1, 9999, "Something new"})},
  };
  return kExamples;
}

const ErrorExample* FindErrorExample(ErrorId id) {
  for (const auto& [row, example] : ErrorExamples()) {
    if (row == id) return &example;
  }
  return nullptr;
}

const std::vector<RowWithoutExample>& RowsWithoutExample() {
  static const std::vector<RowWithoutExample> kRows = {
      {ErrorId::kCallerUnauthenticated, NoExampleReason::kDedicatedTest, "server/tls_auth_test.cc"},
      {ErrorId::kCallerForbidden, NoExampleReason::kDedicatedTest, "server/tls_auth_test.cc"},
      {ErrorId::kRequestMalformed, NoExampleReason::kDedicatedTest,
       "tests/integration/hostile_requests_test.cc"},
      {ErrorId::kDeadlineTooShort, NoExampleReason::kDedicatedTest,
       "tests/integration/resilience_test.cc"},
      {ErrorId::kGatewayOverloaded, NoExampleReason::kDedicatedTest,
       "tests/integration/resilience_test.cc"},
      {ErrorId::kUpstreamCircuitOpen, NoExampleReason::kDedicatedTest,
       "tests/integration/resilience_test.cc"},
      {ErrorId::kClientRefIdReused, NoExampleReason::kDedicatedTest,
       "tests/integration/resilience_test.cc"},
      {ErrorId::kClientRefIdOutcomeUnknown, NoExampleReason::kDedicatedTest,
       "adapters/deduplicating_client_test.cc"},
      {ErrorId::kIdempotencyStoreUnavailable, NoExampleReason::kDedicatedTest,
       "tests/integration/idempotency_test.cc"},
      {ErrorId::kShutdownCutOffNotSent, NoExampleReason::kDedicatedTest,
       "server/onboarding_service_test.cc"},
      {ErrorId::kShutdownCutOffAfterSending, NoExampleReason::kDedicatedTest,
       "tests/integration/hostile_requests_test.cc"},
      // The caller who cancels does not see the answer.
      {ErrorId::kCancelled, NoExampleReason::kNotProvokable, "adapters/eko/classifier_test.cc"},
      // A local failure of the HTTP client has no trigger.
      {ErrorId::kTransportFailed, NoExampleReason::kNotProvokable,
       "adapters/eko/classifier_test.cc"},
  };
  return kRows;
}

}  // namespace eko::testing
