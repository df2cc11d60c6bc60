#ifndef EKO_ADAPTERS_EKO_ERROR_TABLE_H_
#define EKO_ADAPTERS_EKO_ERROR_TABLE_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "adapters/eko/endpoints.h"
#include "adapters/eko/transport.h"

// The gateway's error model as one table of data: every situation the
// gateway can report, how it is recognised (transport outcome, HTTP status,
// Eko's status / response_status_id / response_type_id / message), and what
// it becomes (gRPC code, ErrorInfo reason, detail types). The classifier
// (classifier.h) reads it; docs/errors.md carries it (ErrorTableMarkdown);
// tests drive every row through its example.
namespace eko::adapter {

enum class ErrorLayer {
  kLocal,      // the gateway's own checks, before any upstream call
  kGateway,    // the gateway protecting itself or Eko (deadline, load, breaker, duplicates)
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

// A concrete upstream behaviour that must produce the row; tests replay it
// (in the classifier's unit tests, and through the simulator's fault
// injection against the real gateway).
struct ErrorExample {
  enum class Wire {
    kNone,            // not reproducible from outside (documented, unit-tested only)
    kInvalidRequest,  // the caller sends a request that fails local validation
    kRespond,         // the upstream answers `http_status` with `body`
    kReset,           // the upstream resets the connection after reading the request
    kStall,           // the upstream never answers (caller deadline runs out)
    kTruncate,        // the upstream sends fewer body bytes than it announced
    kRefused,         // nothing listens at the upstream address
  };
  Wire wire = Wire::kNone;
  Rpc rpc = Rpc::kGetCustomer;
  int http_status = 200;
  std::string retry_after;  // Retry-After header value, if any
  std::string body;
};

struct ErrorRow {
  std::string id;  // stable kebab-case name
  ErrorLayer layer;
  std::string situation;  // for docs/errors.md
  absl::StatusCode code;
  // Code when the caller's own deadline caused the failure (timeouts).
  absl::StatusCode code_if_caller_deadline;
  std::string reason;
  unsigned details;  // DetailType bits
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
  ErrorExample example;
};

const std::vector<ErrorRow>& ErrorRows();

// The row with `id`; aborts on an unknown id (a programming error).
const ErrorRow& ErrorRowById(std::string_view id);

// Where a row's Eko codes apply, for docs/errors.md: "every RPC", or e.g.
// "302, 2138, 2131/302: VerifyCustomerOtp, ValidateEkycOtp; 2131/1:
// VerifyCustomerOtp".
std::string RowScopeText(const ErrorRow& row);

// "BadRequest, RetryInfo" for a DetailType bit set ("" for none).
std::string DetailTypeNames(unsigned details);

// The table as Markdown, as docs/errors.md carries it.
std::string ErrorTableMarkdown();

}  // namespace eko::adapter

#endif  // EKO_ADAPTERS_EKO_ERROR_TABLE_H_
