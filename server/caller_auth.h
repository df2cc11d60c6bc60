#ifndef EKO_SERVER_CALLER_AUTH_H_
#define EKO_SERVER_CALLER_AUTH_H_

#include <array>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "grpcpp/server_context.h"

namespace eko::server {

// How often, at most, a call makes CallerAuthorizer look whether the tokens
// file changed.
inline constexpr absl::Duration kTokensFileCheckInterval = absl::Seconds(1);

struct CallerAuthConfig {
  // File of accepted bearer tokens; empty = no bearer tokens. Format, one
  // entry per line: `<token> [<caller name>]`, separated by spaces or tabs.
  // Blank lines and lines starting with `#` are ignored. A token is at least
  // 16 printable ASCII characters without spaces; a caller name is printable
  // ASCII and is what logs show ("token:<name>"; an unnamed token shows as
  // "token:line-<N>"). Duplicate tokens are refused.
  std::string tokens_file;
  // Client certificate identities allowed to call: compared exactly with the
  // certificate's subject CN and its DNS, URI and email SANs. They only take
  // effect when the listener verifies client certificates, i.e.
  // ServerTlsConfig::client_ca_file is set (see server/tls.h).
  std::vector<std::string> allowed_client_identities;
  // At most this often a call checks whether tokens_file changed (path,
  // inode, size, modification or change time), and then the file is read
  // again (see CallerAuthorizer).
  absl::Duration tokens_file_check_interval = kTokensFileCheckInterval;
};

// Decides whether the caller of an RPC may use the gateway. Thread-safe: one
// instance serves all threads.
//
// The tokens file is read again when it changes, without a restart: a call
// that finds tokens_file_check_interval passed since the last look stats the
// file, and when it changed, reads it with the same rules as Create. A valid
// file replaces the tokens for the calls checked from then on (logged as
// auth_tokens_reloaded with the token count); an invalid or unreadable one
// leaves the tokens as they were (logged as auth_tokens_reload_failed with
// Create's message, never a token) until the file changes again.
class CallerAuthorizer {
 public:
  // Loads the tokens file. INVALID_ARGUMENT (message names the file and, for
  // a bad entry, its line number, never a token) when the file is unreadable,
  // holds no token, or has a token shorter than 16 characters, a duplicate
  // token or a non-printable character; also for an empty allowed identity.
  static absl::StatusOr<std::unique_ptr<CallerAuthorizer>> Create(const CallerAuthConfig& config);

  // False when neither tokens nor identities are configured: every call is
  // then authorised.
  bool enabled() const { return !tokens_file_.empty() || !identities_.empty(); }

  // OK when authorisation is disabled, when the call carries
  // `authorization: Bearer <token>` (scheme case-insensitive) with a token from
  // the file, or when the peer's auth context is authenticated by a client
  // certificate whose CN or a DNS/URI/email SAN is an allowed identity.
  // Otherwise:
  //  * PERMISSION_DENIED, reason CALLER_FORBIDDEN, when certificate identities
  //    are configured and the caller is identified by a verified certificate
  //    whose identities are all not allowed (metadata: mechanism
  //    "client_certificate", client_identity = the certificate's CN, or its
  //    first SAN when it has no CN);
  //  * UNAUTHENTICATED, reason CALLER_UNAUTHENTICATED, when the caller
  //    presented no valid credential (metadata: mechanism = what the call
  //    tried, "bearer_token", "client_certificate" or "none"; accepted = the
  //    configured mechanisms, comma-separated).
  // Errors are built from rows caller-forbidden and caller-unauthenticated of
  // the error table (adapters/eko/error_table.h) and never contain the
  // presented token. Tokens are compared as SHA-256 digests in constant time;
  // only the digests are kept in memory.
  absl::Status Authorize(const grpc::ServerContextBase& context) const;

  // The authorised caller, for logs: "cert:<allowed identity>" when a
  // certificate authorises the call (checked first, as in Authorize), else
  // "token:<caller name>", else "" (also when authorisation is disabled).
  // Never a secret: a token is named by its configured caller name, so the
  // tokens of one name are one caller.
  std::string CallerName(const grpc::ServerContextBase& context) const;

  // Authorize and CallerName from one inspection of the call: the caller's
  // name when the call is authorised ("" for every call when authorisation
  // is disabled), else Authorize's error.
  absl::StatusOr<std::string> AuthorizedCaller(const grpc::ServerContextBase& context) const;

 private:
  using Digest = std::array<unsigned char, 32>;
  struct Token {
    Digest digest;
    std::string name;
  };
  using Tokens = std::vector<Token>;
  // What identifies one version of the tokens file.
  struct FileStamp {
    bool exists = false;
    uint64_t device = 0;
    uint64_t inode = 0;
    int64_t size = 0;
    int64_t modified_ns = 0;
    int64_t changed_ns = 0;
    bool operator==(const FileStamp&) const = default;
  };
  // Identity facts of one call.
  struct CallerCredentials {
    std::shared_ptr<const Tokens> tokens;  // the tokens the call was checked against
    bool has_authorization = false;        // an authorization header was sent
    const Token* token = nullptr;          // the configured token it carried, if any
    bool has_verified_cert = false;        // the auth context is authenticated
    std::vector<std::string> cert_ids;     // CN first, then DNS/URI/email SANs
    const std::string* allowed = nullptr;  // the first allowed identity among cert_ids
  };

  CallerAuthorizer() = default;
  // Parses the tokens file `path` (Create's rules).
  static absl::StatusOr<std::shared_ptr<const Tokens>> LoadTokens(const std::string& path);
  static FileStamp StampOf(const std::string& path);
  // The tokens in effect, after reading the file again if it is time to look
  // and it changed.
  std::shared_ptr<const Tokens> CurrentTokens() const;
  CallerCredentials Inspect(const grpc::ServerContextBase& context) const;
  // CallerName of a call with `credentials`.
  static std::string NameOf(const CallerCredentials& credentials);
  // Authorize's error for a call whose `credentials` authorise nothing.
  absl::Status Refusal(const CallerCredentials& credentials) const;
  static const Token* FindToken(const Tokens& tokens, std::string_view presented);

  std::string tokens_file_;
  absl::Duration check_interval_;
  std::vector<std::string> identities_;
  mutable std::mutex mu_;
  // Guarded by mu_: the tokens in effect, the stamp of the file version last
  // read (valid or not) and when to look at the file next.
  mutable std::shared_ptr<const Tokens> tokens_;
  mutable FileStamp stamp_;
  mutable absl::Time next_check_;
};

}  // namespace eko::server

#endif  // EKO_SERVER_CALLER_AUTH_H_
