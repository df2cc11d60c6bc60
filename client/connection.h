#ifndef EKO_CLIENT_CONNECTION_H_
#define EKO_CLIENT_CONNECTION_H_

#include <chrono>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "client/flags.h"
#include "grpcpp/channel.h"
#include "grpcpp/client_context.h"
#include "grpcpp/security/credentials.h"

namespace eko::cli {

// Default gateway address when neither --addr nor EKO_GATEWAY_ADDR is set.
inline constexpr char kDefaultAddr[] = "127.0.0.1:50051";
// Environment variable that overrides kDefaultAddr.
inline constexpr char kAddrEnvVar[] = "EKO_GATEWAY_ADDR";

// How eko-cli reaches the gateway; filled from the global flags.
struct ConnectionOptions {
  // gRPC target, e.g. `127.0.0.1:50051` or `dns:///gateway.internal:443`.
  std::string addr = kDefaultAddr;
  // Deadline of each call, counted from when it starts.
  std::chrono::microseconds timeout = std::chrono::seconds(30);
  // --service-config: the gRPC service config file to load, "none" for none;
  // empty: the default (CliEnvironment::default_service_config).
  std::string service_config_file;
  // The loaded service config (JSON text) the channel is made with; empty:
  // gRPC's defaults (no retries, no per-method timeouts).
  std::string service_config_json;
  // TLS (--tls or any --tls-* flag); plaintext HTTP/2 otherwise.
  bool tls = false;
  std::string tls_root_certs;   // PEM of --tls-ca-file; empty: the system's CAs
  std::string tls_cert_chain;   // PEM of --tls-cert-file (mutual TLS)
  std::string tls_private_key;  // PEM of --tls-key-file
  std::string tls_server_name;  // --tls-server-name; empty: the host of `addr`
  // The token of --token-file, sent as `authorization: Bearer <token>` with
  // every call; empty: no authorization header.
  std::string bearer_token;
};

// Fills the TLS and token fields of `options` from --tls, --tls-ca-file,
// --tls-cert-file, --tls-key-file, --tls-server-name and --token-file,
// reading the files now. INVALID_ARGUMENT (a usage error; the message names
// the flag and file, never their contents) for an empty value, a file that
// cannot be read or holds no PEM block, only one of --tls-cert-file and
// --tls-key-file, or a token file that holds no token or more than one
// word. The token file holds the token alone; surrounding whitespace is
// ignored.
absl::Status ApplyTransportFlags(const ParsedFlags& flags, ConnectionOptions* options);

// Environment variable naming the service config used without --service-config.
inline constexpr char kServiceConfigEnvVar[] = "EKO_SERVICE_CONFIG";
// File name of the service config the gateway ships
// (deploy/grpc-service-config.json), looked for next to eko-cli.
inline constexpr char kServiceConfigFileName[] = "grpc-service-config.json";

// The service config eko-cli uses without --service-config: $EKO_SERVICE_CONFIG
// when set and non-empty, else kServiceConfigFileName in the directory of
// `program` (eko-cli's own path) when it exists, else the source tree's
// deploy/grpc-service-config.json when it exists, else "" (none).
std::string DefaultServiceConfigFile(const std::string& program);

// Reads the service config of `options` (service_config_file, else
// `default_file`; "none" or "" loads nothing) into service_config_json. An
// unreadable file is an error; gRPC itself checks the JSON when the channel is
// made (a channel with an invalid service config fails every call).
absl::Status LoadServiceConfig(const std::string& default_file, ConnectionOptions* options);

// Credentials for `options`: TLS (with a client certificate when one is
// set) or insecure (plaintext HTTP/2).
std::shared_ptr<grpc::ChannelCredentials> MakeChannelCredentials(const ConnectionOptions& options);

// A channel to `options.addr`, with `options.service_config_json` as its
// default service config when set and `options.tls_server_name` as the
// name the server certificate is checked against when set. It connects
// lazily, on the first call.
std::shared_ptr<grpc::Channel> MakeChannel(const ConnectionOptions& options);

// Sets the deadline of a call about to start on `context`, and its
// authorization header when `options` has a bearer token.
void ApplyCallOptions(const ConnectionOptions& options, grpc::ClientContext* context);

}  // namespace eko::cli

#endif  // EKO_CLIENT_CONNECTION_H_
