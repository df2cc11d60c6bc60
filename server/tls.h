#ifndef EKO_SERVER_TLS_H_
#define EKO_SERVER_TLS_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "grpcpp/security/server_credentials.h"

namespace eko::server {

// How often the listener's certificate, key and client CA files are read
// again; a change takes effect for connections opened after that.
inline constexpr absl::Duration kTlsReloadInterval = absl::Seconds(10);

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
  // How often the files are read again (whole seconds, at least one).
  absl::Duration reload_interval = kTlsReloadInterval;
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
// certificate, when the key does not belong to the leaf certificate, or when
// reload_interval is under a second. Encrypted private keys are refused
// (there is no way to supply a passphrase).
//
// With TLS, gRPC's FileWatcherCertificateProvider reads the files again every
// reload_interval: when their contents changed, connections opened from then
// on get the new certificate chain and key and are verified against the new
// client CA bundle (open connections keep what they negotiated). So a
// rotation needs no restart. The files read at run time are not checked
// here: a rotation must replace the certificate and its key together (the
// provider retries while a file's modification time changes under it;
// Kubernetes Secret volumes swap both at once). gRPC logs a file it cannot
// read, and new handshakes may fail while the files are invalid.
absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> MakeServerCredentials(
    const ServerTlsConfig& config);

}  // namespace eko::server

#endif  // EKO_SERVER_TLS_H_
