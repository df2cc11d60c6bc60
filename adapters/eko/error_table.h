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

// How a row is recognised. Within the business layer the signals are tried
// in this order across all rows: (response_type_id, response_status_id)
// pairs, then a code in `status`, then in a granular response_status_id (not
// a coarse state -2..5), then in response_type_id, then response_type_id -1,
// then the journey's steps, then message fragments.
struct ErrorMatch {
  std::vector<TransportOutcome> outcomes;                      // kTransport
  std::vector<std::pair<int, int>> http_ranges;                // kHttp, inclusive
  std::vector<std::pair<int32_t, int32_t>> type_status_pairs;  // kBusiness
  std::vector<int32_t> codes;                                  // kBusiness
  bool parameter_error = false;                                // response_type_id -1
  std::vector<std::string> message_fragments;                  // lower case
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

// "BadRequest, RetryInfo" for a DetailType bit set ("" for none).
std::string DetailTypeNames(unsigned details);

// The table as Markdown, as docs/errors.md carries it.
std::string ErrorTableMarkdown();

}  // namespace eko::adapter

#endif  // EKO_ADAPTERS_EKO_ERROR_TABLE_H_
