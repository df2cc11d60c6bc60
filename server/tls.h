#ifndef EKO_SERVER_TLS_H_
#define EKO_SERVER_TLS_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "grpcpp/security/server_credentials.h"

namespace eko::server {

// Transport security of the gRPC listener. Paths name PEM files.
struct ServerTlsConfig {
  // Server certificate chain, leaf first. Empty together with key_file (and
  // client_ca_file) = plaintext.
  std::string cert_file;
  // Unencrypted private key of the leaf certificate.
  std::string key_file;
  // Non-empty = mutual TLS: every client must present a certificate that
  // chains to one of the CAs in this bundle.
  std::string client_ca_file;
};

// Builds the listener's credentials:
//  * cert_file, key_file and client_ca_file all empty: plaintext
//    (grpc::InsecureServerCredentials);
//  * cert_file and key_file set: TLS, no client certificate requested;
//  * plus client_ca_file: mutual TLS with
//    GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY, so a call's
//    auth context is authenticated only by a certificate verified against
//    client_ca_file.
// Every file is read and parsed here, so a misconfiguration fails at startup
// instead of at the first handshake. Returns INVALID_ARGUMENT, with a message
// naming the offending file (never its contents), when a file is unreadable,
// empty or holds no valid PEM object of the expected kind, when only one of
// cert_file/key_file is set, when client_ca_file is set without a server
// certificate, or when the key does not belong to the leaf certificate.
// Encrypted private keys are refused (there is no way to supply a passphrase).
absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> MakeServerCredentials(
    const ServerTlsConfig& config);

}  // namespace eko::server

#endif  // EKO_SERVER_TLS_H_
