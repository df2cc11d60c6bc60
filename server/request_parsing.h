#ifndef EKO_SERVER_REQUEST_PARSING_H_
#define EKO_SERVER_REQUEST_PARSING_H_

#include <string_view>

#include "absl/status/status.h"
#include "adapters/rpc_registry.h"
#include "google/protobuf/message.h"
#include "grpcpp/support/byte_buffer.h"

// The bytes of a call, as the service handles them itself (every RPC is a
// raw callback method, see onboarding_service.h): a request that does not
// parse is answered like any other refused call, after authorisation, logged
// and counted, rather than by gRPC's own deserialisation failure.
namespace eko::server {

// Parses `bytes` into `request`; false, with `request` left empty, when they
// are not a well-formed message of its type: cut short, or a proto3 string
// field that is not UTF-8.
bool ParseRequest(const grpc::ByteBuffer& bytes, google::protobuf::Message* request);

// `response` as bytes; INTERNAL when it cannot be serialised.
absl::Status SerializeResponse(const google::protobuf::Message& response, grpc::ByteBuffer* bytes);

// The error for a request of `rpc` whose bytes do not parse as
// `message_type`: INVALID_ARGUMENT, reason REQUEST_MALFORMED (error table
// row request-malformed), metadata rpc.
absl::Status MalformedRequestError(std::string_view rpc, std::string_view message_type);

// Sends protobuf's own log lines to the gateway's log (adapters/common/log.h)
// as event "protobuf" instead of protobuf's default stderr format. Parsing a
// malformed request makes protobuf log, e.g. "String field
// 'eko.onboarding.v1.OnboardCustomerRequest.name' contains invalid UTF-8 data
// when parsing a protocol buffer": it names the field, never its value, so
// the line is kept (it says which field a REQUEST_MALFORMED was about), as
// one JSON line like every other. Process-wide; calling it again is a no-op.
void RouteProtobufLogToGatewayLog();

}  // namespace eko::server

#endif  // EKO_SERVER_REQUEST_PARSING_H_
