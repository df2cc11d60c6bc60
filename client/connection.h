#ifndef EKO_CLIENT_CONNECTION_H_
#define EKO_CLIENT_CONNECTION_H_

#include <chrono>
#include <memory>
#include <string>

#include "grpcpp/channel.h"
#include "grpcpp/client_context.h"
#include "grpcpp/security/credentials.h"

namespace eko::cli {

// Default gateway address when neither --addr nor EKO_GATEWAY_ADDR is set.
inline constexpr char kDefaultAddr[] = "127.0.0.1:50051";
// Environment variable that overrides kDefaultAddr.
inline constexpr char kAddrEnvVar[] = "EKO_GATEWAY_ADDR";

// How eko-cli reaches the gateway; filled from the global flags.
//
// Adding transport security later: add the fields here (e.g. `tls_ca_file`,
// `tls_cert_file`, `tls_key_file`, `tls_server_name`), their FlagSpecs to the
// global flag table and their parsing to ApplyGlobalFlags (command_line.cc),
// and branch on them in MakeChannelCredentials. Nothing else changes.
struct ConnectionOptions {
  // gRPC target, e.g. `127.0.0.1:50051` or `dns:///gateway.internal:443`.
  std::string addr = kDefaultAddr;
  // Deadline of each call, counted from when it starts.
  std::chrono::microseconds timeout = std::chrono::seconds(30);
};

// Credentials for `options`; insecure (plaintext HTTP/2) for now.
std::shared_ptr<grpc::ChannelCredentials> MakeChannelCredentials(const ConnectionOptions& options);

// A channel to `options.addr`. It connects lazily, on the first call.
std::shared_ptr<grpc::Channel> MakeChannel(const ConnectionOptions& options);

// Sets the deadline of a call about to start on `context`.
void ApplyCallOptions(const ConnectionOptions& options, grpc::ClientContext* context);

}  // namespace eko::cli

#endif  // EKO_CLIENT_CONNECTION_H_
