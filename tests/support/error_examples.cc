#include "tests/support/error_examples.h"

namespace eko::testing {

using adapter::ErrorId;
using adapter::Rpc;
using Wire = ErrorExample::Wire;

const std::vector<std::pair<ErrorId, ErrorExample>>& ErrorExamples() {
  static const std::vector<std::pair<ErrorId, ErrorExample>> kExamples = {
      {ErrorId::kFieldInvalid, {.wire = Wire::kInvalidRequest, .rpc = Rpc::kOnboardCustomer}},
      {ErrorId::kUpstreamUnreachable, {.wire = Wire::kRefused}},
      {ErrorId::kUpstreamTimeout, {.wire = Wire::kStall, .rpc = Rpc::kOnboardCustomer}},
      {ErrorId::kUpstreamConnectionReset, {.wire = Wire::kReset, .rpc = Rpc::kOnboardCustomer}},
      {ErrorId::kUpstreamResponseIncomplete,
       {.wire = Wire::kTruncate,
        .rpc = Rpc::kOnboardCustomer,
        .body = R"({"status":2129,"response_status_id":1,"response_type_id":2129,)"
                R"("message":"Validate the OTP","data":{"otp_ref_id":"abc"}})"}},
      {ErrorId::kUpstreamAuthRejected,
       {.wire = Wire::kRespond,
        .http_status = 403,
        .body = R"({"status":403,"message":"Forbidden"})"}},
      {ErrorId::kUpstreamContractMismatch,
       {.wire = Wire::kRespond,
        .http_status = 404,
        .body = R"({"status":404,"message":"No mapping rule matched"})"}},
      {ErrorId::kUpstreamRateLimited,
       {.wire = Wire::kRespond,
        .http_status = 429,
        .retry_after = "7",
        .body = "Too Many Requests"}},
      {ErrorId::kUpstreamUnavailable,
       {.wire = Wire::kRespond, .http_status = 503, .body = "<html>Service Unavailable</html>"}},
      {ErrorId::kUpstreamHttpUnmapped, {.wire = Wire::kRespond, .http_status = 418, .body = "{}"}},
      {ErrorId::kUpstreamBadResponse,
       {.wire = Wire::kRespond,
        .http_status = 200,
        .body = R"({"status":{},"response_type_id":"x"})"}},
      {ErrorId::kOtpInvalid,
       {.wire = Wire::kRespond,
        .rpc = Rpc::kVerifyCustomerOtp,
        .body = R"({"status":302,"response_status_id":302,"response_type_id":2131,)"
                R"("message":"Wrong OTP"})"}},
      {ErrorId::kOtpExpired,
       {.wire = Wire::kRespond,
        .rpc = Rpc::kValidateEkycOtp,
        .body = R"({"status":2131,"response_status_id":303,"response_type_id":2131,)"
                R"("message":"OTP expired"})"}},
      {ErrorId::kCustomerNotFound,
       {.wire = Wire::kRespond,
        .rpc = Rpc::kStartSenderEkyc,
        .body = R"({"status":463,"response_status_id":1,"response_type_id":-1,)"
                R"("message":"User not found","invalid_params":)"
                R"({"customer_id":"Customer does not exist in System"}})"}},
      {ErrorId::kCustomerAlreadyRegistered,
       {.wire = Wire::kRespond,
        .rpc = Rpc::kOnboardCustomer,
        .body = R"({"status":17,"response_status_id":17,"response_type_id":17,)"
                R"("message":"User wallet already exists"})"}},
      {ErrorId::kVerificationPending,
       {.wire = Wire::kRespond,
        .rpc = Rpc::kOnboardCustomer,
        .body = R"({"status":327,"response_status_id":1,"response_type_id":327,)"
                R"("message":"Enrollment done. Verification pending"})"}},
      {ErrorId::kEkycFailed,
       {.wire = Wire::kRespond,
        .rpc = Rpc::kStartSenderEkyc,
        .body = R"({"status":2135,"response_status_id":1,"response_type_id":2135,)"
                R"("message":"Customer KYC Pending","data":)"
                R"({"description":"K-100 EKYC Verification failed"}})"}},
      {ErrorId::kLimitExhausted,
       {.wire = Wire::kRespond,
        .rpc = Rpc::kGetSender,
        .body = R"({"status":945,"response_status_id":1,"response_type_id":945,)"
                R"("message":"Sender monthly limit exhausted"})"}},
      {ErrorId::kAgentNotAllowed,
       {.wire = Wire::kRespond,
        .rpc = Rpc::kGetCustomer,
        .body = R"({"status":1,"response_status_id":1,"response_type_id":0,)"
                R"("message":"Agent not allowed to do this transaction"})"}},
      {ErrorId::kUpstreamFieldInvalid,
       {.wire = Wire::kRespond,
        .rpc = Rpc::kStartSenderEkyc,
        .body = R"({"status":461,"response_status_id":1,"response_type_id":-1,)"
                R"("message":"Invalid parameters","invalid_params":)"
                R"({"aadhar":"Invalid Aadhaar number"}})"}},
      {ErrorId::kUpstreamUnmappedStatus,
       {.wire = Wire::kRespond,
        .rpc = Rpc::kVerifyCustomerOtp,
        .body = R"({"status":9999,"response_status_id":1,"response_type_id":9999,)"
                R"("message":"Something new"})"}},
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
      {ErrorId::kDeadlineTooShort, NoExampleReason::kDedicatedTest,
       "tests/integration/resilience_test.cc"},
      {ErrorId::kGatewayOverloaded, NoExampleReason::kDedicatedTest,
       "tests/integration/resilience_test.cc"},
      {ErrorId::kUpstreamCircuitOpen, NoExampleReason::kDedicatedTest,
       "tests/integration/resilience_test.cc"},
      {ErrorId::kClientRefIdReused, NoExampleReason::kDedicatedTest,
       "tests/integration/resilience_test.cc"},
      // The caller who cancels does not see the answer.
      {ErrorId::kCancelled, NoExampleReason::kNotProvokable, "adapters/eko/classifier_test.cc"},
      // A local failure of the HTTP client has no trigger.
      {ErrorId::kTransportFailed, NoExampleReason::kNotProvokable,
       "adapters/eko/classifier_test.cc"},
  };
  return kRows;
}

}  // namespace eko::testing
