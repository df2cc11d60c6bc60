#include "server/caller_auth.h"

#include <fcntl.h>
#include <openssl/crypto.h>
#include <openssl/sha.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string_view>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "adapters/common/log.h"
#include "adapters/common/rich_status.h"
#include "adapters/common/status_macros.h"
#include "adapters/common/strings.h"
#include "adapters/eko/error_table.h"
#include "grpc/grpc_security_constants.h"
#include "grpcpp/security/auth_context.h"
#include "server/secret_file.h"

namespace eko::server {
namespace {

constexpr size_t kMinTokenChars = 16;
// A tokens file larger than this is a mistake (wrong path), not a token list.
constexpr size_t kMaxTokensFileBytes = 1 << 20;

constexpr char kAuthorizationHeader[] = "authorization";
constexpr char kBearerScheme[] = "bearer";
constexpr char kMechanismToken[] = "bearer_token";
constexpr char kMechanismCert[] = "client_certificate";

// Certificate properties that name the caller, in the order CallerName and
// the error metadata prefer them. gRPC 1.51 puts the subject CN in
// x509_common_name and each SAN in x509_subject_alternative_name, and also
// files SANs by type under peer_dns / peer_uri / peer_email / peer_ip; the
// typed ones are used so that IP-address SANs never match an identity.
constexpr const char* kIdentityProperties[] = {
    GRPC_X509_CN_PROPERTY_NAME, GRPC_PEER_DNS_PROPERTY_NAME, GRPC_PEER_URI_PROPERTY_NAME,
    GRPC_PEER_EMAIL_PROPERTY_NAME};

std::string_view Trim(std::string_view text) {
  const size_t begin = text.find_first_not_of(" \t");
  if (begin == std::string_view::npos) return {};
  const size_t end = text.find_last_not_of(" \t");
  return text.substr(begin, end - begin + 1);
}

bool IsVisibleAscii(std::string_view text) {
  return std::all_of(text.begin(), text.end(), [](char c) { return c > 0x20 && c < 0x7f; });
}

bool IsPrintableAscii(std::string_view text) {
  return std::all_of(text.begin(), text.end(), [](char c) { return c >= 0x20 && c < 0x7f; });
}

std::array<unsigned char, 32> Sha256(std::string_view text) {
  std::array<unsigned char, 32> digest;
  SHA256(reinterpret_cast<const unsigned char*>(text.data()), text.size(), digest.data());
  return digest;
}

absl::Status TokensFileError(const std::string& path, std::string_view problem) {
  return absl::InvalidArgumentError(absl::StrCat("tokens file \"", path, "\": ", ToAbsl(problem)));
}

std::string ToString(const grpc::string_ref& ref) { return std::string(ref.data(), ref.size()); }

}  // namespace

absl::StatusOr<std::unique_ptr<CallerAuthorizer>> CallerAuthorizer::Create(
    const CallerAuthConfig& config) {
  std::unique_ptr<CallerAuthorizer> authorizer(new CallerAuthorizer());
  for (const std::string& identity : config.allowed_client_identities) {
    if (identity.empty()) {
      return absl::InvalidArgumentError("an allowed client identity is empty");
    }
    authorizer->identities_.push_back(identity);
  }
  authorizer->tokens_file_ = config.tokens_file;
  authorizer->check_interval_ = config.tokens_file_check_interval;
  if (config.tokens_file.empty()) return authorizer;
  authorizer->stamp_ = StampOf(config.tokens_file);
  authorizer->next_check_ = absl::Now() + config.tokens_file_check_interval;
  EKO_ASSIGN_OR_RETURN(authorizer->tokens_, LoadTokens(config.tokens_file));
  return authorizer;
}

absl::StatusOr<std::shared_ptr<const CallerAuthorizer::Tokens>> CallerAuthorizer::LoadTokens(
    const std::string& path) {
  absl::StatusOr<std::string> file = ReadSecretFile("tokens file", path, kMaxTokensFileBytes);
  if (!file.ok()) return file.status();
  std::string contents = *std::move(file);
  auto tokens = std::make_shared<Tokens>();
  absl::Status status;
  std::vector<int> token_lines;  // source line of each entry in tokens
  std::string_view rest = contents;
  for (int line_number = 1; status.ok() && !rest.empty(); ++line_number) {
    const size_t newline = rest.find('\n');
    std::string_view line = rest.substr(0, newline);
    rest = newline == std::string_view::npos ? std::string_view() : rest.substr(newline + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    line = Trim(line);
    if (line.empty() || line.front() == '#') continue;

    const size_t separator = line.find_first_of(" \t");
    const std::string_view token = line.substr(0, separator);
    const std::string_view name =
        separator == std::string_view::npos ? std::string_view() : Trim(line.substr(separator));
    const std::string where = absl::StrCat("line ", line_number, ": ");
    if (!IsVisibleAscii(token)) {
      status = TokensFileError(path, where + "token has a non-printable or non-ASCII character");
    } else if (token.size() < kMinTokenChars) {
      status = TokensFileError(
          path, absl::StrCat(where, "token is shorter than ", kMinTokenChars, " characters"));
    } else if (!IsPrintableAscii(name)) {
      status =
          TokensFileError(path, where + "caller name has a non-printable or non-ASCII character");
    } else {
      Token entry{Sha256(token),
                  name.empty() ? absl::StrCat("line-", line_number) : std::string(name)};
      for (size_t i = 0; i < tokens->size(); ++i) {
        if (CRYPTO_memcmp((*tokens)[i].digest.data(), entry.digest.data(), entry.digest.size()) ==
            0) {
          status = TokensFileError(
              path, absl::StrCat(where, "duplicate token (first on line ", token_lines[i], ")"));
        }
      }
      tokens->push_back(std::move(entry));
      token_lines.push_back(line_number);
    }
  }
  OPENSSL_cleanse(contents.data(), contents.size());
  if (!status.ok()) return status;
  if (tokens->empty()) return TokensFileError(path, "holds no tokens");
  return tokens;
}

CallerAuthorizer::FileStamp CallerAuthorizer::StampOf(const std::string& path) {
  struct stat info {};
  if (stat(path.c_str(), &info) != 0) return FileStamp{};
  constexpr int64_t kNanosPerSecond = 1000000000;
  return FileStamp{
      .exists = true,
      .device = static_cast<uint64_t>(info.st_dev),
      .inode = static_cast<uint64_t>(info.st_ino),
      .size = static_cast<int64_t>(info.st_size),
      .modified_ns =
          static_cast<int64_t>(info.st_mtim.tv_sec) * kNanosPerSecond + info.st_mtim.tv_nsec,
      .changed_ns =
          static_cast<int64_t>(info.st_ctim.tv_sec) * kNanosPerSecond + info.st_ctim.tv_nsec,
  };
}

std::shared_ptr<const CallerAuthorizer::Tokens> CallerAuthorizer::CurrentTokens() const {
  if (tokens_file_.empty()) return nullptr;
  std::lock_guard<std::mutex> lock(mu_);
  const absl::Time now = absl::Now();
  if (now < next_check_) return tokens_;
  next_check_ = now + check_interval_;
  // Stamped before reading: a change made while the file is read shows at
  // the next look.
  const FileStamp stamp = StampOf(tokens_file_);
  if (stamp == stamp_) return tokens_;
  stamp_ = stamp;
  absl::StatusOr<std::shared_ptr<const Tokens>> loaded = LoadTokens(tokens_file_);
  if (!loaded.ok()) {
    log::Write(log::Level::kError, "auth_tokens_reload_failed",
               {{"file", tokens_file_},
                {"error", std::string(loaded.status().message())},
                {"tokens_kept", std::to_string(tokens_->size())}});
    return tokens_;
  }
  tokens_ = *std::move(loaded);
  log::Write(log::Level::kInfo, "auth_tokens_reloaded",
             {{"file", tokens_file_}, {"tokens", std::to_string(tokens_->size())}});
  return tokens_;
}

const CallerAuthorizer::Token* CallerAuthorizer::FindToken(const Tokens& tokens,
                                                           std::string_view presented) {
  Digest digest = Sha256(presented);
  const Token* found = nullptr;
  // Every entry is compared, whatever matched, so timing reveals nothing
  // about the configured tokens.
  for (const Token& token : tokens) {
    const bool equal = CRYPTO_memcmp(token.digest.data(), digest.data(), digest.size()) == 0;
    if (equal) found = &token;
  }
  OPENSSL_cleanse(digest.data(), digest.size());
  return found;
}

CallerAuthorizer::CallerCredentials CallerAuthorizer::Inspect(
    const grpc::ServerContextBase& context) const {
  CallerCredentials credentials;
  credentials.tokens = CurrentTokens();

  const auto& metadata = context.client_metadata();
  const auto [begin, end] = metadata.equal_range(kAuthorizationHeader);
  for (auto it = begin; it != end && credentials.token == nullptr; ++it) {
    credentials.has_authorization = true;
    const std::string_view value(it->second.data(), it->second.size());
    const size_t scheme_length = sizeof(kBearerScheme) - 1;
    if (value.size() <= scheme_length || (value[scheme_length] != ' ')) continue;
    bool bearer = true;
    for (size_t i = 0; i < scheme_length; ++i) {
      bearer &= (value[i] | 0x20) == kBearerScheme[i];
    }
    if (!bearer || credentials.tokens == nullptr) continue;
    credentials.token = FindToken(*credentials.tokens, Trim(value.substr(scheme_length)));
  }

  const std::shared_ptr<const grpc::AuthContext> auth = context.auth_context();
  if (auth != nullptr && auth->IsPeerAuthenticated()) {
    credentials.has_verified_cert = true;
    for (const char* property : kIdentityProperties) {
      for (const grpc::string_ref& value : auth->FindPropertyValues(property)) {
        credentials.cert_ids.push_back(ToString(value));
      }
    }
    for (const std::string& id : credentials.cert_ids) {
      const auto allowed = std::find(identities_.begin(), identities_.end(), id);
      if (allowed != identities_.end()) {
        credentials.allowed = &*allowed;
        break;
      }
    }
  }
  return credentials;
}

absl::Status CallerAuthorizer::Authorize(const grpc::ServerContextBase& context) const {
  return AuthorizedCaller(context).status();
}

absl::StatusOr<std::string> CallerAuthorizer::AuthorizedCaller(
    const grpc::ServerContextBase& context) const {
  if (!enabled()) return std::string();
  const CallerCredentials credentials = Inspect(context);
  std::string name = NameOf(credentials);
  if (!name.empty()) return name;
  return Refusal(credentials);
}

std::string CallerAuthorizer::CallerName(const grpc::ServerContextBase& context) const {
  if (!enabled()) return "";
  return NameOf(Inspect(context));
}

std::string CallerAuthorizer::NameOf(const CallerCredentials& credentials) {
  if (credentials.allowed != nullptr) return absl::StrCat("cert:", *credentials.allowed);
  if (credentials.token != nullptr) return absl::StrCat("token:", credentials.token->name);
  return "";
}

absl::Status CallerAuthorizer::Refusal(const CallerCredentials& credentials) const {
  if (!identities_.empty() && credentials.has_verified_cert) {
    const std::string identity =
        credentials.cert_ids.empty() ? std::string("(none)") : credentials.cert_ids.front();
    return adapter::RowError(adapter::ErrorId::kCallerForbidden, {{"<identity>", identity}})
        .Metadata("mechanism", kMechanismCert)
        .Metadata("client_identity", identity);
  }

  std::vector<const char*> tried;
  if (credentials.has_authorization) tried.push_back(kMechanismToken);
  if (credentials.has_verified_cert) tried.push_back(kMechanismCert);
  std::vector<const char*> accepted;
  if (!tokens_file_.empty()) accepted.push_back(kMechanismToken);
  if (!identities_.empty()) accepted.push_back(kMechanismCert);
  const std::string accepted_text = absl::StrJoin(accepted, ",");
  const std::string_view problem = credentials.has_authorization
                                       ? "the authorization header carries no valid bearer token"
                                       : "the call carries no accepted credential";
  const std::string credentials_text =
      absl::StrCat(tokens_file_.empty() ? "" : "authorization: Bearer <token>",
                   tokens_file_.empty() || identities_.empty() ? "" : " or ",
                   identities_.empty() ? "" : "an allowed client certificate");
  return adapter::RowError(adapter::ErrorId::kCallerUnauthenticated,
                           {{"<problem>", problem}, {"<credentials>", credentials_text}})
      .Metadata("mechanism", tried.empty() ? std::string("none") : absl::StrJoin(tried, ","))
      .Metadata("accepted", accepted_text);
}

}  // namespace eko::server
