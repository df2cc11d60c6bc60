#ifndef EKO_TESTS_SUPPORT_TEST_PKI_H_
#define EKO_TESTS_SUPPORT_TEST_PKI_H_

// Test-only: throwaway certificate authorities and server certificates made
// with OpenSSL's C API (no openssl CLI), written as PEM files to a temporary
// directory, for tests that serve or reach HTTPS.

#include <string>
#include <vector>

#include "absl/status/status.h"

namespace eko::testing {

class TestPki {
 public:
  // A server certificate's names and validity, relative to now.
  struct ServerCertificate {
    std::vector<std::string> dns_names = {"localhost"};
    std::vector<std::string> ip_addresses = {"127.0.0.1"};
    int not_before_days = 0;  // negative: in the past (an hour's slack is added)
    int not_after_days = 2;   // negative: already expired
  };

  // Makes an empty temporary directory; error() says why when that fails.
  TestPki();
  ~TestPki();  // removes the directory and everything in it
  TestPki(const TestPki&) = delete;
  TestPki& operator=(const TestPki&) = delete;

  // A self-signed CA valid for two days: files NAME.pem and NAME.key.
  absl::Status AddCa(const std::string& name, const std::string& common_name);
  // A server certificate (serverAuth, P-256) issued by the CA `ca`, added
  // before: files NAME.pem (the leaf only) and NAME.key (unencrypted PKCS#8).
  absl::Status AddServerCertificate(const std::string& name, const std::string& ca,
                                    const ServerCertificate& certificate);

  const std::string& dir() const { return dir_; }
  const std::string& error() const { return error_; }
  std::string CertFile(const std::string& name) const { return dir_ + "/" + name + ".pem"; }
  std::string KeyFile(const std::string& name) const { return dir_ + "/" + name + ".key"; }

 private:
  std::string dir_;
  std::string error_;
  long next_serial_ = 1;
};

// The PKI of tests that talk HTTPS to an upstream (eko-sim, nghttpx ...),
// made on first use and shared by the whole test process (removed at exit).
// Its names:
//   "ca"             the CA the gateway is told to trust (--eko-ca-file)
//   "other-ca"       a CA nobody trusts
//   "server"         localhost + 127.0.0.1, from "ca"
//   "untrusted"      localhost + 127.0.0.1, from "other-ca"
//   "wrong-host"     only eko.invalid, from "ca"
//   "expired"        localhost + 127.0.0.1, from "ca", expired yesterday
// ok() is false (and error() says why) if any of them could not be made.
class UpstreamTestPki {
 public:
  static const UpstreamTestPki& Get();

  bool ok() const { return error_.empty(); }
  const std::string& error() const { return error_; }
  std::string CertFile(const std::string& name) const { return pki_.CertFile(name); }
  std::string KeyFile(const std::string& name) const { return pki_.KeyFile(name); }

 private:
  UpstreamTestPki();
  TestPki pki_;
  std::string error_;
};

}  // namespace eko::testing

#endif  // EKO_TESTS_SUPPORT_TEST_PKI_H_
