#include "server/tls.h"

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <cerrno>
#include <cstring>
#include <string_view>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "adapters/common/strings.h"
#include "grpcpp/security/server_credentials.h"
#include "grpcpp/security/tls_certificate_provider.h"
#include "grpcpp/security/tls_credentials_options.h"
#include "server/secret_file.h"

namespace eko::server {
namespace {

// A PEM file larger than this is certainly not a certificate chain or key.
constexpr size_t kMaxPemBytes = 1 << 20;

// Overwrites a buffer that held private key material when it goes out of scope.
class ScopedCleanse {
 public:
  explicit ScopedCleanse(std::string* secret) : secret_(secret) {}
  ScopedCleanse(const ScopedCleanse&) = delete;
  ScopedCleanse& operator=(const ScopedCleanse&) = delete;
  ~ScopedCleanse() {
    if (!secret_->empty()) OPENSSL_cleanse(secret_->data(), secret_->size());
  }

 private:
  std::string* secret_;
};

struct BioDeleter {
  void operator()(BIO* bio) const { BIO_free(bio); }
};
struct X509Deleter {
  void operator()(X509* cert) const { X509_free(cert); }
};
struct PkeyDeleter {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
using BioPtr = std::unique_ptr<BIO, BioDeleter>;
using X509Ptr = std::unique_ptr<X509, X509Deleter>;
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyDeleter>;

absl::Status FileError(std::string_view what, const std::string& path, std::string_view problem) {
  return absl::InvalidArgumentError(
      absl::StrCat(ToAbsl(what), " \"", path, "\": ", ToAbsl(problem)));
}

// A PEM file's contents; an empty one is an error too.
absl::StatusOr<std::string> ReadPemFile(std::string_view what, const std::string& path) {
  absl::StatusOr<std::string> contents = ReadSecretFile(what, path, kMaxPemBytes);
  if (!contents.ok()) return contents.status();
  if (contents->find_first_not_of(" \t\r\n") == std::string::npos) {
    return FileError(what, path, "file is empty");
  }
  return contents;
}

// True when the last OpenSSL error only says "no further PEM block"; that is
// how a successful read loop over a PEM bundle ends.
bool OnlyNoMorePemBlocks() {
  const unsigned long error = ERR_peek_last_error();
  return ERR_GET_LIB(error) == ERR_LIB_PEM && ERR_GET_REASON(error) == PEM_R_NO_START_LINE;
}

// Parses every certificate in `pem`; returns the first (the leaf of a chain).
// Other PEM block types are skipped; a damaged certificate block is an error.
absl::StatusOr<X509Ptr> ParseCertificates(std::string_view what, const std::string& path,
                                          const std::string& pem) {
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (bio == nullptr) return absl::ResourceExhaustedError("out of memory reading PEM");
  X509Ptr first;
  int count = 0;
  ERR_clear_error();
  while (true) {
    X509Ptr cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
    if (cert == nullptr) break;
    if (first == nullptr) first = std::move(cert);
    ++count;
  }
  const bool clean_end = OnlyNoMorePemBlocks();
  ERR_clear_error();
  if (!clean_end) {
    return FileError(what, path,
                     absl::StrCat("invalid PEM certificate (certificate #", count + 1, ")"));
  }
  if (count == 0) return FileError(what, path, "no PEM certificate found");
  return first;
}

absl::StatusOr<PkeyPtr> ParsePrivateKey(const std::string& path, const std::string& pem) {
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (bio == nullptr) return absl::ResourceExhaustedError("out of memory reading PEM");
  // A passphrase callback that supplies none: an encrypted key fails to load
  // instead of prompting on the terminal.
  pem_password_cb* no_passphrase = [](char*, int, int, void*) { return -1; };
  ERR_clear_error();
  PkeyPtr key(PEM_read_bio_PrivateKey(bio.get(), nullptr, no_passphrase, nullptr));
  ERR_clear_error();
  if (key == nullptr) {
    return FileError("TLS key file", path,
                     "no usable PEM private key (encrypted keys are not supported)");
  }
  return key;
}

}  // namespace

absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> MakeServerCredentials(
    const ServerTlsConfig& config) {
  const bool has_cert = !config.cert_file.empty();
  const bool has_key = !config.key_file.empty();
  const bool has_client_ca = !config.client_ca_file.empty();
  if (!has_cert && !has_key && !has_client_ca) return grpc::InsecureServerCredentials();
  if (!has_cert && !has_key) {
    return absl::InvalidArgumentError(
        absl::StrCat("TLS client CA file \"", config.client_ca_file,
                     "\" is set but the server has no certificate and key: mutual TLS needs both"));
  }
  if (has_cert != has_key) {
    return absl::InvalidArgumentError(
        has_cert ? absl::StrCat("TLS certificate file \"", config.cert_file,
                                "\" is set without a key file")
                 : absl::StrCat("TLS key file \"", config.key_file,
                                "\" is set without a certificate file"));
  }

  absl::StatusOr<std::string> cert_pem = ReadPemFile("TLS certificate file", config.cert_file);
  if (!cert_pem.ok()) return cert_pem.status();
  absl::StatusOr<X509Ptr> leaf =
      ParseCertificates("TLS certificate file", config.cert_file, *cert_pem);
  if (!leaf.ok()) return leaf.status();

  absl::StatusOr<std::string> key_pem = ReadPemFile("TLS key file", config.key_file);
  if (!key_pem.ok()) return key_pem.status();
  std::string private_key = *std::move(key_pem);
  ScopedCleanse cleanse_key(&private_key);
  absl::StatusOr<PkeyPtr> key = ParsePrivateKey(config.key_file, private_key);
  if (!key.ok()) return key.status();
  const bool key_matches = X509_check_private_key(leaf->get(), key->get()) == 1;
  ERR_clear_error();
  if (!key_matches) {
    return absl::InvalidArgumentError(absl::StrCat(
        "TLS key file \"", config.key_file,
        "\" does not hold the private key of the certificate in \"", config.cert_file, "\""));
  }

  if (has_client_ca) {
    absl::StatusOr<std::string> ca_pem = ReadPemFile("TLS client CA file", config.client_ca_file);
    if (!ca_pem.ok()) return ca_pem.status();
    absl::StatusOr<X509Ptr> ca =
        ParseCertificates("TLS client CA file", config.client_ca_file, *ca_pem);
    if (!ca.ok()) return ca.status();
  }

  const int64_t interval_seconds = absl::ToInt64Seconds(config.reload_interval);
  if (interval_seconds < 1) {
    return absl::InvalidArgumentError("the TLS reload interval must be at least one second");
  }
  grpc::experimental::TlsServerCredentialsOptions options(
      std::make_shared<grpc::experimental::FileWatcherCertificateProvider>(
          config.key_file, config.cert_file, config.client_ca_file,
          static_cast<unsigned int>(interval_seconds)));
  options.watch_identity_key_cert_pairs();
  if (has_client_ca) {
    options.watch_root_certs();
    options.set_cert_request_type(GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY);
  } else {
    options.set_cert_request_type(GRPC_SSL_DONT_REQUEST_CLIENT_CERTIFICATE);
  }
  return grpc::experimental::TlsServerCredentials(options);
}

}  // namespace eko::server
