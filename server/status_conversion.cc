#include "server/status_conversion.h"

#include <string>
#include <vector>

#include "absl/strings/str_join.h"
#include "adapters/common/rich_status.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"

namespace eko::server {

grpc::Status ToGrpcStatus(const absl::Status& status, const RequestIdentity& identity) {
  if (status.ok()) return grpc::Status::OK;
  google::rpc::Status rpc_status = rich::ToRpcStatus(status);
  google::rpc::RequestInfo request_info;
  request_info.set_request_id(identity.request_id);
  // "trace_id=...;span_id=...;client_ref_id=...", each part when known.
  std::vector<std::string> serving;
  if (!identity.trace_id.empty()) serving.push_back("trace_id=" + identity.trace_id);
  if (!identity.span_id.empty()) serving.push_back("span_id=" + identity.span_id);
  if (!identity.client_ref_id.empty()) serving.push_back("client_ref_id=" + identity.client_ref_id);
  request_info.set_serving_data(absl::StrJoin(serving, ";"));
  rpc_status.add_details()->PackFrom(request_info);
  return grpc::Status(static_cast<grpc::StatusCode>(status.code()), rpc_status.message(),
                      rpc_status.SerializeAsString());
}

}  // namespace eko::server
