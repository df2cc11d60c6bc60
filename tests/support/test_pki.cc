#include "tests/support/test_pki.h"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <stdlib.h>

#include <filesystem>
#include <memory>
#include <utility>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace eko::testing {
namespace {

constexpr long kSecondsPerDay = 24 * 60 * 60;
constexpr long kClockSlackSeconds = 60 * 60;

struct OpensslFree {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
  void operator()(X509* certificate) const { X509_free(certificate); }
  void operator()(BIO* bio) const { BIO_free(bio); }
};
using KeyPtr = std::unique_ptr<EVP_PKEY, OpensslFree>;
using CertPtr = std::unique_ptr<X509, OpensslFree>;
using BioPtr = std::unique_ptr<BIO, OpensslFree>;

// The reason of OpenSSL's latest error, for messages.
std::string OpensslError(const std::string& what) {
  const unsigned long code = ERR_get_error();
  char reason[256] = "unknown error";
  if (code != 0) ERR_error_string_n(code, reason, sizeof(reason));
  ERR_clear_error();
  return absl::StrCat(what, ": ", reason);
}

// What a certificate is made of before it is signed.
struct CertificateSpec {
  std::string common_name;
  long serial = 0;
  long not_before_seconds = 0;  // relative to now
  long not_after_seconds = 0;   // relative to now
  // Extensions as (NID, OpenSSL's text form), e.g. {NID_key_usage, "critical,keyCertSign"}.
  std::vector<std::pair<int, std::string>> extensions;
};

// A certificate for `key` per `spec`, signed by `issuer_key`; self-signed
// when `issuer` is null.
absl::StatusOr<CertPtr> MakeCertificate(const CertificateSpec& spec, EVP_PKEY* key, X509* issuer,
                                        EVP_PKEY* issuer_key) {
  CertPtr certificate(X509_new());
  X509* cert = certificate.get();
  X509_NAME* subject = X509_get_subject_name(cert);
  const bool built =
      X509_set_version(cert, 2) == 1 &&
      ASN1_INTEGER_set(X509_get_serialNumber(cert), spec.serial) == 1 &&
      X509_gmtime_adj(X509_getm_notBefore(cert), spec.not_before_seconds) != nullptr &&
      X509_gmtime_adj(X509_getm_notAfter(cert), spec.not_after_seconds) != nullptr &&
      X509_set_pubkey(cert, key) == 1 &&
      X509_NAME_add_entry_by_txt(subject, "CN", MBSTRING_UTF8,
                                 reinterpret_cast<const unsigned char*>(spec.common_name.c_str()),
                                 -1, -1, 0) == 1 &&
      X509_set_issuer_name(cert, issuer != nullptr ? X509_get_subject_name(issuer) : subject) == 1;
  if (!built) return absl::InternalError(OpensslError("cannot fill in the certificate"));
  X509V3_CTX context;
  X509V3_set_ctx_nodb(&context);
  X509V3_set_ctx(&context, issuer != nullptr ? issuer : cert, cert, nullptr, nullptr, 0);
  for (const auto& [nid, value] : spec.extensions) {
    X509_EXTENSION* extension = X509V3_EXT_conf_nid(nullptr, &context, nid, value.c_str());
    const bool added = extension != nullptr && X509_add_ext(cert, extension, -1) == 1;
    X509_EXTENSION_free(extension);
    if (!added) return absl::InternalError(OpensslError(absl::StrCat("extension ", value)));
  }
  if (X509_sign(cert, issuer_key != nullptr ? issuer_key : key, EVP_sha256()) == 0) {
    return absl::InternalError(OpensslError("cannot sign the certificate"));
  }
  return certificate;
}

absl::Status WritePem(const std::string& path, X509* certificate, EVP_PKEY* key) {
  BioPtr file(BIO_new_file(path.c_str(), "w"));
  const bool written =
      file != nullptr &&
      (certificate != nullptr
           ? PEM_write_bio_X509(file.get(), certificate) == 1
           : PEM_write_bio_PrivateKey(file.get(), key, nullptr, nullptr, 0, nullptr, nullptr) == 1);
  if (!written) return absl::InternalError(OpensslError(absl::StrCat("cannot write ", path)));
  return absl::OkStatus();
}

template <typename T, typename Read>
std::unique_ptr<T, OpensslFree> ReadPem(const std::string& path, Read read) {
  BioPtr file(BIO_new_file(path.c_str(), "r"));
  if (file == nullptr) return nullptr;
  return std::unique_ptr<T, OpensslFree>(read(file.get(), nullptr, nullptr, nullptr));
}

}  // namespace

TestPki::TestPki() {
  std::string dir_template = std::filesystem::temp_directory_path().string() + "/eko-pki-XXXXXX";
  if (mkdtemp(dir_template.data()) == nullptr) {
    error_ = "mkdtemp failed";
    return;
  }
  dir_ = dir_template;
}

TestPki::~TestPki() {
  if (dir_.empty()) return;
  std::error_code ignored;
  std::filesystem::remove_all(dir_, ignored);
}

absl::Status TestPki::AddCa(const std::string& name, const std::string& common_name) {
  KeyPtr key(EVP_EC_gen("P-256"));
  if (key == nullptr) return absl::InternalError(OpensslError("cannot make a key"));
  CertificateSpec spec = {.common_name = common_name,
                          .serial = next_serial_++,
                          .not_before_seconds = -kClockSlackSeconds,
                          .not_after_seconds = 2 * kSecondsPerDay,
                          .extensions = {{NID_basic_constraints, "critical,CA:TRUE"},
                                         {NID_key_usage, "critical,keyCertSign,cRLSign"},
                                         {NID_subject_key_identifier, "hash"}}};
  absl::StatusOr<CertPtr> certificate = MakeCertificate(spec, key.get(), nullptr, nullptr);
  if (!certificate.ok()) return certificate.status();
  if (absl::Status written = WritePem(KeyFile(name), nullptr, key.get()); !written.ok()) {
    return written;
  }
  return WritePem(CertFile(name), certificate->get(), nullptr);
}

absl::Status TestPki::AddServerCertificate(const std::string& name, const std::string& ca,
                                           const ServerCertificate& certificate) {
  CertPtr ca_certificate = ReadPem<X509>(CertFile(ca), &PEM_read_bio_X509);
  KeyPtr ca_key = ReadPem<EVP_PKEY>(KeyFile(ca), &PEM_read_bio_PrivateKey);
  if (ca_certificate == nullptr || ca_key == nullptr) {
    return absl::FailedPreconditionError(absl::StrCat("no CA named ", ca, " in ", dir_));
  }
  KeyPtr key(EVP_EC_gen("P-256"));
  if (key == nullptr) return absl::InternalError(OpensslError("cannot make a key"));
  std::vector<std::string> alt_names;
  for (const std::string& dns : certificate.dns_names) alt_names.push_back("DNS:" + dns);
  for (const std::string& ip : certificate.ip_addresses) alt_names.push_back("IP:" + ip);
  CertificateSpec spec = {
      .common_name = certificate.dns_names.empty() ? name : certificate.dns_names.front(),
      .serial = next_serial_++,
      .not_before_seconds = certificate.not_before_days * kSecondsPerDay - kClockSlackSeconds,
      .not_after_seconds = certificate.not_after_days * kSecondsPerDay,
      .extensions = {{NID_basic_constraints, "CA:FALSE"},
                     {NID_key_usage, "critical,digitalSignature"},
                     {NID_ext_key_usage, "serverAuth"},
                     {NID_authority_key_identifier, "keyid"}}};
  if (!alt_names.empty()) {
    spec.extensions.emplace_back(NID_subject_alt_name, absl::StrJoin(alt_names, ","));
  }
  absl::StatusOr<CertPtr> signed_certificate =
      MakeCertificate(spec, key.get(), ca_certificate.get(), ca_key.get());
  if (!signed_certificate.ok()) return signed_certificate.status();
  if (absl::Status written = WritePem(KeyFile(name), nullptr, key.get()); !written.ok()) {
    return written;
  }
  return WritePem(CertFile(name), signed_certificate->get(), nullptr);
}

const UpstreamTestPki& UpstreamTestPki::Get() {
  static const UpstreamTestPki pki;  // its TestPki removes the directory at exit
  return pki;
}

UpstreamTestPki::UpstreamTestPki() {
  if (!pki_.error().empty()) {
    error_ = pki_.error();
    return;
  }
  const TestPki::ServerCertificate local;
  const absl::Status made[] = {
      pki_.AddCa("ca", "Eko Upstream Test CA"),
      pki_.AddCa("other-ca", "Untrusted Test CA"),
      pki_.AddServerCertificate("server", "ca", local),
      pki_.AddServerCertificate("untrusted", "other-ca", local),
      pki_.AddServerCertificate("wrong-host", "ca",
                                {.dns_names = {"eko.invalid"}, .ip_addresses = {}}),
      pki_.AddServerCertificate("expired", "ca", {.not_before_days = -3, .not_after_days = -1}),
  };
  for (const absl::Status& status : made) {
    if (!status.ok()) {
      error_ = std::string(status.message());
      return;
    }
  }
}

}  // namespace eko::testing
