#ifndef EKO_SERVER_STATUS_CONVERSION_H_
#define EKO_SERVER_STATUS_CONVERSION_H_

#include <string>

#include "absl/status/status.h"
#include "grpcpp/support/status.h"

namespace eko::server {

// Identifies the call an error belongs to, for google.rpc.RequestInfo.
struct RequestIdentity {
  std::string request_id;
  std::string client_ref_id;  // empty when none was sent upstream
  std::string trace_id;       // W3C trace context of the RPC (trace_context.h); may be empty
  std::string span_id;
};

// The one place an internal absl::Status becomes a grpc::Status: same code and
// message, and a serialized google.rpc.Status (grpc-status-details-bin) with
// exactly one ErrorInfo, the detail payloads the status carries, and a
// RequestInfo naming the request id and client_ref_id.
grpc::Status ToGrpcStatus(const absl::Status& status, const RequestIdentity& identity);

}  // namespace eko::server

#endif  // EKO_SERVER_STATUS_CONVERSION_H_
