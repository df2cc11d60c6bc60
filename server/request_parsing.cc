#include "server/request_parsing.h"

#include <mutex>
#include <string>

#include "adapters/common/log.h"
#include "adapters/eko/error_table.h"
#include "google/protobuf/stubs/logging.h"
#include "grpcpp/impl/codegen/proto_utils.h"
#include "grpcpp/support/proto_buffer_reader.h"
#include "grpcpp/support/proto_buffer_writer.h"

namespace eko::server {
namespace {

// protobuf reports a caller's malformed bytes at ERROR; for the gateway that
// is the caller's fault, like any INVALID_ARGUMENT, so it logs them at warn.
log::Level GatewayLevel(google::protobuf::LogLevel level) {
  switch (level) {
    case google::protobuf::LOGLEVEL_INFO:
      return log::Level::kInfo;
    case google::protobuf::LOGLEVEL_WARNING:
    case google::protobuf::LOGLEVEL_ERROR:
      return log::Level::kWarn;
    case google::protobuf::LOGLEVEL_FATAL:
      break;
  }
  return log::Level::kError;
}

void WriteProtobufLog(google::protobuf::LogLevel level, const char* filename, int line,
                      const std::string& message) {
  const log::Level gateway_level = GatewayLevel(level);
  if (!log::Enabled(gateway_level)) return;
  const std::string source = std::string(filename) + ":" + std::to_string(line);
  log::Write(gateway_level, "protobuf", {{"source", source}, {"message", message}});
}

}  // namespace

bool ParseRequest(const grpc::ByteBuffer& bytes, google::protobuf::Message* request) {
  grpc::ByteBuffer copy(bytes);  // shares the slices; the reader consumes the copy
  grpc::ProtoBufferReader reader(&copy);
  if (reader.status().ok() && request->ParseFromZeroCopyStream(&reader)) return true;
  request->Clear();  // nothing of a malformed request is used, not even to log it
  return false;
}

absl::Status SerializeResponse(const google::protobuf::Message& response, grpc::ByteBuffer* bytes) {
  bool own_buffer = false;
  const grpc::Status status =
      grpc::GenericSerialize<grpc::ProtoBufferWriter, google::protobuf::Message>(response, bytes,
                                                                                 &own_buffer);
  return status.ok() ? absl::OkStatus() : absl::InternalError(status.error_message());
}

absl::Status MalformedRequestError(std::string_view rpc, std::string_view message_type) {
  return adapter::RowError(adapter::ErrorId::kRequestMalformed, {{"<message>", message_type}})
      .Metadata("rpc", rpc);
}

void RouteProtobufLogToGatewayLog() {
  static std::once_flag once;
  std::call_once(once, [] { google::protobuf::SetLogHandler(&WriteProtobufLog); });
}

}  // namespace eko::server
