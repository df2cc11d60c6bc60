#ifndef EKO_ADAPTERS_EKO_CLASSIFIER_H_
#define EKO_ADAPTERS_EKO_CLASSIFIER_H_

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "adapters/eko/endpoints.h"
#include "adapters/eko/envelope.h"
#include "adapters/eko/error_table.h"
#include "adapters/eko/transport.h"
#include "eko/onboarding/v1/onboarding_service.pb.h"

// Turns what came back from Eko into either the next step of the journey or
// a rich error (see adapters/common/rich_status.h). Decided in layers:
// transport, HTTP status, envelope, Eko business codes, per-RPC steps.
// Nothing unknown is ever mapped to a step: it is UPSTREAM_UNMAPPED_STATUS.
namespace eko::adapter {

// OK when an HTTP 2xx response arrived; otherwise the error for the transport
// outcome or HTTP status. `caller_deadline_passed` tells a timeout caused by
// the caller's deadline (DEADLINE_EXCEEDED) from one that was not
// (UNKNOWN: the request had been sent, Eko may have acted).
absl::Status ClassifyHttp(Rpc rpc, const HttpResponse& response, bool caller_deadline_passed);

// The error of table row `id` (e.g. ErrorId::kGatewayOverloaded) for a call
// that never reached the transport; `metadata` is added to ErrorInfo and
// `retry_after` becomes RetryInfo when the row has one.
absl::Status GatewayError(ErrorId id, Rpc rpc,
                          const std::vector<std::pair<std::string, std::string>>& metadata,
                          absl::Duration retry_after = absl::Seconds(1));

// The error for a 2xx body that is not a valid envelope.
absl::Status BadResponseError(Rpc rpc, int http_status, std::string_view why);

// The next step for a successful envelope, or the error it encodes.
absl::StatusOr<onboarding::v1::NextStep> ClassifyEnvelope(Rpc rpc, const Envelope& envelope,
                                                          int http_status);

// Proto field name for an Eko parameter name ("aadhar" -> "aadhaar",
// "piddata" -> "pid_data"); other names are returned unchanged.
std::string_view ProtoFieldForEkoParam(std::string_view eko_param);

}  // namespace eko::adapter

#endif  // EKO_ADAPTERS_EKO_CLASSIFIER_H_
