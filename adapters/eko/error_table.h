#ifndef EKO_ADAPTERS_EKO_ERROR_TABLE_H_
#define EKO_ADAPTERS_EKO_ERROR_TABLE_H_

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "adapters/common/rich_status.h"
#include "adapters/eko/endpoints.h"
#include "adapters/eko/transport.h"

// The gateway's error model as one table of data: every situation the
// gateway can report, how it is recognised (transport outcome, HTTP status,
// Eko's status / response_status_id / response_type_id / message), and what
// it becomes (gRPC code, ErrorInfo reason, detail types). The classifier
// (classifier.h) reads it; other producers name their row by ErrorId and
// build their error from it (GatewayError, RowError); docs/errors.md carries
// it (ErrorTableMarkdown). Test data that reproduces each row lives with the
// tests (tests/support/error_examples.h), not here.
namespace eko::adapter {

// One enumerator per row of the table, in table order: producers name the
// row they report by enumerator, so a misspelt row does not compile. Each
// row also has a stable kebab-case id ("field-invalid") for docs and tests.
enum class ErrorId {
  // local
  kCallerUnauthenticated,
  kCallerForbidden,
  kRequestMalformed,
  kFieldInvalid,
  // gateway
  kDeadlineTooShort,
  kGatewayOverloaded,
  kUpstreamCircuitOpen,
  kClientRefIdReused,
  kClientRefIdOutcomeUnknown,
  kIdempotencyStoreUnavailable,
  kShutdownCutOffNotSent,
  kShutdownCutOffAfterSending,
  // transport
  kUpstreamUnreachable,
  kUpstreamTimeout,
  kUpstreamConnectionReset,
  kUpstreamResponseIncomplete,
  kCancelled,
  kTransportFailed,
  // HTTP
  kUpstreamAuthRejected,
  kUpstreamContractMismatch,
  kUpstreamRateLimited,
  kUpstreamUnavailable,
  kUpstreamHttpUnmapped,
  // envelope
  kUpstreamBadResponse,
  // Eko codes
  kOtpInvalid,
  kOtpExpired,
  kCustomerNotFound,
  kCustomerAlreadyRegistered,
  kVerificationPending,
  kEkycFailed,
  kLimitExhausted,
  kAgentNotAllowed,
  kUpstreamFieldInvalid,
  // fallback: stays last (kErrorIdCount counts up to it)
  kUpstreamUnmappedStatus,
};
inline constexpr size_t kErrorIdCount = static_cast<size_t>(ErrorId::kUpstreamUnmappedStatus) + 1;

enum class ErrorLayer {
  kLocal,  // the gateway's own checks of the call (caller, bytes, fields), before any upstream call
  kGateway,  // the gateway protecting itself or Eko (deadline, load, breaker, duplicates, shutdown)
  kTransport,  // the HTTP exchange did not complete
  kHttp,       // a non-2xx HTTP status
  kEnvelope,   // a 2xx body that is not a valid Eko envelope
  kBusiness,   // an Eko envelope carrying an error code
  kFallback,   // an envelope nothing else recognises
};

// Detail messages a row attaches besides ErrorInfo (always one) and
// RequestInfo (always, added at the gRPC edge).
enum DetailType : unsigned {
  kBadRequest = 1u << 0,
  kPreconditionFailure = 1u << 1,
  kQuotaFailure = 1u << 2,
  kResourceInfo = 1u << 3,
  kRetryInfo = 1u << 4,
};

// A set of RPCs, one bit per Rpc: the RPCs an Eko code means something on.
using RpcSet = unsigned;
constexpr RpcSet RpcBit(Rpc rpc) { return 1u << static_cast<int>(rpc); }
inline constexpr RpcSet kAllRpcs = (1u << kRpcCount) - 1;
// The RPCs that send an OTP to Eko.
inline constexpr RpcSet kOtpRpcs = RpcBit(Rpc::kVerifyCustomerOtp) | RpcBit(Rpc::kValidateEkycOtp);

// An Eko code, recognised only on the RPCs in `rpcs`.
struct CodeMatch {
  constexpr CodeMatch(int32_t c, RpcSet r = kAllRpcs) : code(c), rpcs(r) {}
  int32_t code;
  RpcSet rpcs;
};

// A (response_type_id, response_status_id) pair, recognised only on `rpcs`.
struct TypeStatusMatch {
  constexpr TypeStatusMatch(int32_t type, int32_t status, RpcSet r = kAllRpcs)
      : response_type_id(type), response_status_id(status), rpcs(r) {}
  int32_t response_type_id;
  int32_t response_status_id;
  RpcSet rpcs;
};

// How a row is recognised. Within the business layer the signals are tried
// in this order across all rows: (response_type_id, response_status_id)
// pairs, then a code in `status`, then in a granular response_status_id (not
// a coarse state -2..5), then in response_type_id, then response_type_id -1,
// then the journey's steps, then message fragments. A code or pair counts
// only on the RPCs it is scoped to: the same code can mean different things
// on different endpoints.
struct ErrorMatch {
  std::vector<TransportOutcome> outcomes;          // kTransport
  std::vector<std::pair<int, int>> http_ranges;    // kHttp, inclusive
  std::vector<TypeStatusMatch> type_status_pairs;  // kBusiness
  std::vector<CodeMatch> codes;                    // kBusiness
  bool parameter_error = false;                    // response_type_id -1
  std::vector<std::string> message_fragments;      // lower case
};

struct ErrorRow {
  ErrorId error_id;  // this row's enumerator: ErrorRows()[i].error_id == ErrorId(i)
  std::string id;    // stable kebab-case name, as docs/errors.md shows it
  ErrorLayer layer;
  std::string situation;  // for docs/errors.md
  absl::StatusCode code;
  // Code when the caller's own deadline caused the failure (timeouts).
  absl::StatusCode code_if_caller_deadline;
  std::string reason;
  unsigned details = 0;  // DetailType bits; rows without detail types leave it out
  // For developers, not to branch on. A placeholder in angle brackets
  // ("<fields>") stands for text the producer fills in (RowError).
  std::string message;
  std::string guidance;  // what the caller should do
  ErrorMatch match;
  // BadRequest field used when Eko names none (e.g. "otp"), per Eko code
  // (code 0 = any).
  std::vector<std::pair<int32_t, std::string>> default_fields;
  // ErrorInfo metadata upstreamOutcome: "NOT_SENT" (safe to retry), "UNKNOWN"
  // (Eko may have acted), or empty when Eko's answer is known.
  std::string upstream_outcome;
  std::string precondition_type;  // PreconditionFailure.violations[].type
  std::string precondition_subject;
};

// Every row, one per ErrorId in enumerator order (the order of
// docs/errors.md), built once; never empty.
const std::vector<ErrorRow>& ErrorRows();

// The row of `id`.
const ErrorRow& ErrorRowFor(ErrorId id);

// An error of row `id` for a producer outside the classifier (local
// validation, caller authorisation): the row's code, reason and message, each
// "<placeholder>" of the message replaced by its value from `placeholders`
// (in one pass: values are not scanned again). The producer adds metadata and
// the row's detail types; the gRPC edge adds RequestInfo.
rich::ErrorBuilder RowError(
    ErrorId id,
    std::initializer_list<std::pair<std::string_view, std::string_view>> placeholders = {});

// Where a row's Eko codes apply, for docs/errors.md: "every RPC", or e.g.
// "302, 2138, 2131/302: VerifyCustomerOtp, ValidateEkycOtp; 2131/1:
// VerifyCustomerOtp".
std::string RowScopeText(const ErrorRow& row);

// "BadRequest, RetryInfo" for a DetailType bit set ("" for none).
std::string DetailTypeNames(unsigned details);

// Whether the caller may send the call again after row `row`'s error, as the
// "safe to retry?" column of docs/errors.md shows it. Derived from the row's
// upstream outcome, code and RetryInfo only: "no: Eko may have acted; look
// the customer up first" for an unknown outcome (or code UNKNOWN), "yes (same
// request)" for UNAVAILABLE (nothing reached Eko), e.g. "no: fix the request"
// for INVALID_ARGUMENT.
std::string RetrySafetyText(const ErrorRow& row);

// The table as Markdown, as docs/errors.md carries it.
std::string ErrorTableMarkdown();

}  // namespace eko::adapter

#endif  // EKO_ADAPTERS_EKO_ERROR_TABLE_H_
