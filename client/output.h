#ifndef EKO_CLIENT_OUTPUT_H_
#define EKO_CLIENT_OUTPUT_H_

#include <optional>
#include <ostream>
#include <string>

#include "eko/onboarding/v1/onboarding_service.pb.h"
#include "google/protobuf/message.h"
#include "grpc/health/v1/health.pb.h"
#include "grpcpp/support/status.h"

// What eko-cli prints: responses (human lines or proto3 JSON) and failed
// calls (decoded google.rpc details, human or JSON). Nothing here does I/O
// beyond the stream it is given.
namespace eko::cli {

// `message` as compact one-line proto3 JSON with the original proto field
// names (`customer_id`, not `customerId`); fields with default values are
// omitted, as proto3 JSON does. nullopt when protobuf cannot print it (an
// `Any` of a type not linked into the binary).
std::optional<std::string> ToJson(const google::protobuf::Message& message);

// The canonical name of a gRPC code (`INVALID_ARGUMENT`), or `CODE_<n>` for a
// number outside the known range.
std::string StatusCodeName(grpc::StatusCode code);

// A failed call for people, one item per line:
//   error: INVALID_ARGUMENT: <message>
//     reason: FIELD_INVALID (domain eko-onboarding-gateway)
//       <metadata key>=<value>          (sorted by key)
//     field <name>: <description>       (BadRequest, one per violation)
//     precondition <type> <subject>: <description>
//     quota <subject>: <description>
//     resource <type> <name>: <description> (owner <owner>)
//     retry after 1.5s
//     request id: <id>
//     detail: <type URL> (<n> bytes, not decoded)  (types eko-cli does not know)
// Details come from `status.error_details()` (a serialized
// google.rpc.Status). Raw bytes are never printed, neither as text nor as
// base64. Ends with a newline.
std::string FormatErrorHuman(const grpc::Status& status);

// A failed call as one line of JSON:
//   {"code":"INVALID_ARGUMENT","code_number":3,"message":"...","details":[...]}
// Each detail is the decoded message in proto3 JSON with its "@type" and
// original field names; a detail of a type not linked into the binary is
// just {"@type":"<type URL>"}. No trailing newline.
std::string FormatErrorJson(const grpc::Status& status);

// The `reason` of the google.rpc.ErrorInfo in `status.error_details()`, or ""
// when there is none (or the details cannot be decoded).
std::string ErrorReason(const grpc::Status& status);

// Human-readable successful responses: `next step: <NEXT_STEP without its
// prefix>`; the other top-level fields that are set, one `name: value` line
// each (`otp_ref_id`, `kyc_request_id`, `application_id`, `customer_id` when
// not empty; `intent_id` when not 0; `kyc_verified: true|false` when present;
// `available_limit: INR 25000.50` when present); the customer_profile block
// (money as `INR 25000.50`) and the `upstream:` block with Eko's raw ids.
void PrintHuman(const onboarding::v1::GetCustomerResponse& response, std::ostream& out);
void PrintHuman(const onboarding::v1::OnboardCustomerResponse& response, std::ostream& out);
void PrintHuman(const onboarding::v1::VerifyCustomerOtpResponse& response, std::ostream& out);
void PrintHuman(const onboarding::v1::GetSenderResponse& response, std::ostream& out);
void PrintHuman(const onboarding::v1::OnboardSenderResponse& response, std::ostream& out);
void PrintHuman(const onboarding::v1::StartSenderEkycResponse& response, std::ostream& out);
void PrintHuman(const onboarding::v1::ValidateEkycOtpResponse& response, std::ostream& out);
// `status: SERVING` (or the other serving status).
void PrintHuman(const grpc::health::v1::HealthCheckResponse& response, std::ostream& out);

}  // namespace eko::cli

#endif  // EKO_CLIENT_OUTPUT_H_
