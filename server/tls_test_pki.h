#ifndef EKO_SERVER_TLS_TEST_PKI_H_
#define EKO_SERVER_TLS_TEST_PKI_H_

// Test-only: a throwaway PKI made with the openssl CLI once per test binary,
// and small file helpers.

#include <stdlib.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace eko::server::test_pki {

// OpenSSL configuration for the test PKI: one section per certificate profile.
inline constexpr char kOpensslConfig[] = R"(
[req]
distinguished_name = dn
prompt = no
[dn]
CN = unused
[ca_ext]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
[server_ext]
basicConstraints = CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost,IP:127.0.0.1
[payments_ext]
basicConstraints = CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = clientAuth
subjectAltName = DNS:payments.svc.test,URI:spiffe://eko.test/payments,email:payments@eko.test,IP:10.1.2.3
[reports_ext]
basicConstraints = CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = clientAuth
subjectAltName = DNS:reports.svc.test
)";

inline std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream out;
  out << in.rdbuf();
  return out.str();
}

inline void WriteFile(const std::filesystem::path& path, const std::string& contents) {
  std::ofstream(path, std::ios::binary) << contents;
}

// The throwaway PKI, shared by all tests of a binary: CAs "ca" and
// "other-ca"; server certificates "server" (from ca) and "server-other"
// (from other-ca, same names) for localhost and 127.0.0.1; client
// certificates "payments", "reports" (from ca) and "rogue" (from other-ca,
// with payments' names); "server-encrypted.key". Each NAME has NAME.pem and
// NAME.key.
class Pki {
 public:
  static Pki* Get() {
    static Pki pki;  // its destructor removes the directory at exit
    return &pki;
  }

  bool ok() const { return ok_; }
  const std::string& error() const { return error_; }
  std::string Path(const std::string& name) const { return (dir_ / name).string(); }
  std::string Pem(const std::string& name) const { return ReadFile(dir_ / name); }

  // Writes `contents` to a new file in the PKI directory; returns its path.
  std::string Write(const std::string& name, const std::string& contents) const {
    WriteFile(dir_ / name, contents);
    return Path(name);
  }

  // Replaces file `name` at once, by renaming a new file over it (as a
  // Secret volume update swaps files); returns its path.
  std::string Replace(const std::string& name, const std::string& contents) const {
    WriteFile(dir_ / (name + ".new"), contents);
    std::filesystem::rename(dir_ / (name + ".new"), dir_ / name);
    return Path(name);
  }

  ~Pki() { std::filesystem::remove_all(dir_); }

 private:
  Pki() {
    char dir_template[] = "/tmp/eko-tls-test-XXXXXX";
    if (mkdtemp(dir_template) == nullptr) {
      error_ = "mkdtemp failed";
      return;
    }
    dir_ = dir_template;
    WriteFile(dir_ / "openssl.cnf", kOpensslConfig);
    ok_ = MakeCa("ca", "Eko Test CA") && MakeCa("other-ca", "Other Test CA") &&
          MakeLeaf("server", "localhost", "ca", "server_ext", 1) &&
          MakeLeaf("server-other", "localhost", "other-ca", "server_ext", 5) &&
          MakeLeaf("payments", "payments-svc", "ca", "payments_ext", 2) &&
          MakeLeaf("reports", "reports-svc", "ca", "reports_ext", 3) &&
          MakeLeaf("rogue", "payments-svc", "other-ca", "payments_ext", 4) &&
          Run("openssl pkey -in server.key -aes256 -passout pass:test-passphrase "
              "-out server-encrypted.key");
  }

  bool Run(const std::string& command) {
    const std::string full = "cd '" + dir_.string() + "' && " + command + " >>openssl.log 2>&1";
    if (std::system(full.c_str()) == 0) return true;
    error_ = "failed: " + command + "\n" + ReadFile(dir_ / "openssl.log");
    return false;
  }

  bool MakeCa(const std::string& name, const std::string& common_name) {
    return Run(
        "openssl req -x509 -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes "
        "-keyout " +
        name + ".key -out " + name + ".pem -days 2 -subj '/CN=" + common_name +
        "' -config openssl.cnf -extensions ca_ext");
  }

  bool MakeLeaf(const std::string& name, const std::string& common_name, const std::string& ca,
                const std::string& extensions, int serial) {
    return Run("openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout " +
               name + ".key -out " + name + ".csr -subj '/CN=" + common_name +
               "' -config openssl.cnf") &&
           Run("openssl x509 -req -in " + name + ".csr -CA " + ca + ".pem -CAkey " + ca +
               ".key -set_serial " + std::to_string(serial) + " -days 2 -out " + name +
               ".pem -extfile openssl.cnf -extensions " + extensions);
  }

  std::filesystem::path dir_;
  bool ok_ = false;
  std::string error_;
};

}  // namespace eko::server::test_pki

#endif  // EKO_SERVER_TLS_TEST_PKI_H_
