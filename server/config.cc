#include "server/config.h"

#include <arpa/inet.h>

#include <optional>
#include <string_view>
#include <utility>

#include "absl/algorithm/container.h"
#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "adapters/common/log.h"
#include "adapters/eko/endpoints.h"
#include "openssl/crypto.h"
#include "server/config_flags.h"
#include "server/dev_upstream.h"
#include "server/secret_file.h"

namespace eko::server {
namespace {

bool AllDigits(const std::string& text) {
  if (text.empty()) return false;
  for (const char c : text) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

// Trims surrounding whitespace (a Secret or env file often ends in a
// newline) and refuses a control character inside: it would break every
// upstream request's headers or signature. The message never holds the key.
absl::Status CleanCredential(const char* flag, std::string* value) {
  *value = std::string(absl::StripAsciiWhitespace(*value));
  for (size_t i = 0; i < value->size(); ++i) {
    const auto c = static_cast<unsigned char>((*value)[i]);
    if (c < 0x20 || c == 0x7F) {
      return absl::InvalidArgumentError(absl::StrCat(
          flag, " holds a control character (byte ", static_cast<int>(c), " at offset ", i,
          "); check the Secret, file or environment variable it comes from"));
    }
  }
  return absl::OkStatus();
}

// The endpoint, address-encoding and OTP-type overrides, applied to a
// scratch table so a bad one stops start-up with its own message.
absl::Status CheckEndpointOverrides(const GatewayConfig& c) {
  adapter::EndpointTable table;
  for (const std::string& spec : c.eko_endpoints) {
    if (absl::Status s = table.Override(spec); !s.ok()) {
      return absl::InvalidArgumentError(absl::StrCat("--eko-endpoint: ", s.message()));
    }
  }
  for (const std::string& spec : c.eko_address_encodings) {
    if (absl::Status s = table.OverrideAddressEncoding(spec); !s.ok()) {
      return absl::InvalidArgumentError(absl::StrCat("--eko-address-encoding: ", s.message()));
    }
  }
  for (const std::string& spec : c.eko_otp_json_types) {
    if (absl::Status s = table.OverrideOtpJsonType(spec); !s.ok()) {
      return absl::InvalidArgumentError(absl::StrCat("--eko-otp-json-type: ", s.message()));
    }
  }
  return absl::OkStatus();
}

// The authority of `url` (user info, host, port: between "://" and the first
// '/', '?' or '#'); nullopt without "://".
std::optional<std::string_view> UrlAuthority(std::string_view url) {
  const size_t scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) return std::nullopt;
  const std::string_view rest = url.substr(scheme_end + 3);
  return rest.substr(0, rest.find_first_of("/?#"));
}

// The shape of --eko-base-url: scheme://host[:port][/path], nothing else.
// User info would send a password to a proxy or log it; a query or a
// fragment would be glued to every endpoint path. Messages never repeat the
// URL when it may hold credentials.
absl::Status CheckBaseUrlShape(const std::string& url) {
  for (const char ch : url) {
    if (static_cast<unsigned char>(ch) <= ' ' || ch == 0x7f) {
      return absl::InvalidArgumentError(
          "--eko-base-url must not contain spaces or control characters");
    }
  }
  const std::optional<std::string_view> found = UrlAuthority(url);
  if (!found.has_value()) {
    return absl::InvalidArgumentError(
        "--eko-base-url must be an absolute URL such as https://api.eko.in/ekoapi/v3");
  }
  const std::string_view authority = *found;
  if (authority.find('@') != std::string_view::npos) {
    return absl::InvalidArgumentError(
        "--eko-base-url must not carry user info (user:password@host): Eko authenticates by "
        "developer key and secret-key headers");
  }
  if (authority.empty() || authority.front() == ':') {
    return absl::InvalidArgumentError(absl::StrCat("--eko-base-url has no host: '", url, "'"));
  }
  if (url.find('?') != std::string::npos) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--eko-base-url must not carry a query (put it in --eko-endpoints): '", url, "'"));
  }
  if (url.find('#') != std::string::npos) {
    return absl::InvalidArgumentError(
        absl::StrCat("--eko-base-url must not carry a fragment: '", url, "'"));
  }
  return absl::OkStatus();
}

// --dev sends every call to the embedded simulator with its own credentials
// (DevCredentials); a real developer or access key, or an Eko host, means
// the environment was meant for Eko and dev mode was set by accident.
absl::Status CheckDevConfig(const GatewayConfig& c) {
  const DevCredentials simulator;
  const auto refuse = [](const std::string& what) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--dev (EKO_GATEWAY_DEV) answers every call from the embedded Eko simulator, but ", what,
        ": unset it to run in development mode, or drop --dev to call Eko"));
  };
  if (!c.eko_developer_key.empty() && c.eko_developer_key != simulator.developer_key) {
    return refuse("--eko-developer-key (EKO_DEVELOPER_KEY) holds a real developer key");
  }
  if (!c.eko_access_key.empty() && c.eko_access_key != simulator.access_key) {
    return refuse(c.eko_access_key_file.empty()
                      ? "--eko-access-key (EKO_ACCESS_KEY) holds a real access key"
                      : "--eko-access-key-file (EKO_ACCESS_KEY_FILE) holds a real access key");
  }
  if (!c.eko_base_url.empty() && !IsLoopbackUrl(c.eko_base_url)) {
    return refuse(absl::StrCat("--eko-base-url (EKO_BASE_URL) names a host that is not loopback: '",
                               c.eko_base_url, "'"));
  }
  return absl::OkStatus();
}

absl::Status CheckConfig(GatewayConfig& c) {
  if (!c.eko_access_key_file.empty()) {
    if (!c.eko_access_key.empty()) {
      return absl::InvalidArgumentError(
          "give the access key once: --eko-access-key or --eko-access-key-file, not both");
    }
    absl::StatusOr<std::string> content =
        ReadSecretFile("--eko-access-key-file", c.eko_access_key_file, 64 * 1024);
    if (!content.ok()) return content.status();
    c.eko_access_key = std::string(absl::StripAsciiWhitespace(*content));
    OPENSSL_cleanse(content->data(), content->size());
    if (c.eko_access_key.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat("--eko-access-key-file ", c.eko_access_key_file, " is empty"));
    }
  }
  if (absl::Status s = CleanCredential("--eko-developer-key", &c.eko_developer_key); !s.ok()) {
    return s;
  }
  if (absl::Status s = CleanCredential(
          c.eko_access_key_file.empty() ? "--eko-access-key" : "--eko-access-key-file",
          &c.eko_access_key);
      !s.ok()) {
    return s;
  }
  if (absl::Status s = CheckEndpointOverrides(c); !s.ok()) return s;
  if (!c.allowed_client_identities.empty() && c.tls_client_ca_file.empty()) {
    return absl::InvalidArgumentError(
        "--allowed-client-identities needs mutual TLS: set --tls-client-ca-file (with "
        "--tls-cert-file and --tls-key-file)");
  }
  if (!c.eko_base_url.empty()) {
    if (absl::Status s = CheckBaseUrlShape(c.eko_base_url); !s.ok()) return s;
  }
  if (c.dev) return CheckDevConfig(c);

  std::vector<std::string> missing;
  if (c.eko_base_url.empty()) missing.push_back("--eko-base-url (EKO_BASE_URL)");
  if (c.eko_developer_key.empty()) missing.push_back("--eko-developer-key (EKO_DEVELOPER_KEY)");
  if (c.eko_access_key.empty()) {
    missing.push_back("--eko-access-key-file or --eko-access-key (EKO_ACCESS_KEY[_FILE])");
  }
  if (c.eko_initiator_id.empty()) missing.push_back("--eko-initiator-id (EKO_INITIATOR_ID)");
  if (!missing.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "Eko credentials are required; missing: ", absl::StrJoin(missing, ", "),
        ". To try the gateway without Eko, run eko-gateway-dev --dev (embedded simulator)."));
  }
  const bool https = absl::StartsWith(c.eko_base_url, "https://");
  const bool http = absl::StartsWith(c.eko_base_url, "http://");
  if (!https && !(http && IsLoopbackUrl(c.eko_base_url))) {
    return absl::InvalidArgumentError(
        absl::StrCat("--eko-base-url must be an https:// URL (plain http is allowed only for "
                     "loopback hosts), got '",
                     c.eko_base_url, "'"));
  }
  if (!AllDigits(c.eko_initiator_id)) {
    return absl::InvalidArgumentError("--eko-initiator-id must be digits (a mobile number)");
  }
  if (!c.eko_user_code.empty() && !AllDigits(c.eko_user_code)) {
    return absl::InvalidArgumentError("--eko-user-code must be digits");
  }
  return absl::OkStatus();
}

}  // namespace

bool IsLoopbackUrl(const std::string& url) {
  const std::optional<std::string_view> authority = UrlAuthority(url);
  if (!authority.has_value()) return false;
  std::string rest(*authority);
  if (const size_t at = rest.rfind('@'); at != std::string::npos) rest = rest.substr(at + 1);
  std::string host;
  if (!rest.empty() && rest[0] == '[') {
    host = rest.substr(1, rest.find(']') == std::string::npos ? 0 : rest.find(']') - 1);
  } else {
    host = rest.substr(0, rest.find(':'));
  }
  host = absl::AsciiStrToLower(host);
  in_addr v4{};
  if (inet_pton(AF_INET, host.c_str(), &v4) == 1) return (ntohl(v4.s_addr) >> 24) == 127;
  return host == "localhost" || host == "::1";
}

absl::StatusOr<ParsedArgs> ParseArgs(int argc, const char* const* argv, const EnvLookup& env) {
  // Arguments that make the process print something and exit 0; the rest of
  // the command line is not read.
  static constexpr std::pair<std::string_view, bool ParsedArgs::*> kPrintAndExit[] = {
      {"--help", &ParsedArgs::help},
      {"-h", &ParsedArgs::help},
      {"--version", &ParsedArgs::version},
      {"--print-config-table", &ParsedArgs::print_config_table},
      {"--print-flow-table", &ParsedArgs::print_flow_table},
      {"--print-error-table", &ParsedArgs::print_error_table},
  };
  ParsedArgs out;
  GatewayConfig& config = out.config;
  const std::vector<Option>& options = Options();

  // Environment first, so flags override it.
  for (const Option& option : options) {
    const char* value = env ? env(option.env) : nullptr;
    if (value == nullptr || (*value == '\0' && !option.is_bool)) continue;
    if (absl::Status s = option.set(config, value); !s.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("environment variable ", option.env, ": ", s.message()));
    }
  }
  std::vector<std::string> lists_from_flags;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    for (const auto& [flag, field] : kPrintAndExit) {
      if (arg == flag) {
        out.*field = true;
        return out;
      }
    }
    if (!absl::StartsWith(arg, "--")) {
      return absl::InvalidArgumentError(absl::StrCat("unexpected argument '", arg, "'"));
    }
    std::string name = arg.substr(2);
    std::optional<std::string> value;
    if (const size_t eq = name.find('='); eq != std::string::npos) {
      value = name.substr(eq + 1);
      name = name.substr(0, eq);
    }
    const Option* match = nullptr;
    for (const Option& option : options) {
      if (name == option.flag) match = &option;
    }
    if (match == nullptr) {
      return absl::InvalidArgumentError(absl::StrCat("unknown flag --", name, " (see --help)"));
    }
    if (!value) {
      if (match->is_bool) {
        value = "true";
      } else if (i + 1 < argc) {
        value = argv[++i];
      } else {
        return absl::InvalidArgumentError(absl::StrCat("--", name, " needs a value"));
      }
    }
    if (match->list != nullptr &&
        absl::c_find(lists_from_flags, match->flag) == lists_from_flags.end()) {
      (config.*(match->list)).clear();  // flags replace the environment's list
      lists_from_flags.emplace_back(match->flag);
    }
    if (absl::Status s = match->set(config, *value); !s.ok()) return s;
    if (std::string_view(match->flag) == "eko-access-key") {
      out.access_key_on_command_line = !value->empty();
    }
  }
  if (absl::Status s = CheckConfig(config); !s.ok()) return s;
  return out;
}

std::string Usage() {
  std::string out =
      "eko-gateway: typed gRPC API over Eko's customer-onboarding REST API\n\n"
      "usage: eko-gateway [flags]\n"
      "       eko-gateway --version    # version, source commit, gRPC and libcurl versions\n"
      "       eko-gateway-dev --dev    # embedded Eko simulator, no credentials needed\n"
      "       eko-gateway --print-config-table   # this list as the README's Markdown table\n"
      "       eko-gateway --print-error-table    # docs/errors.md's error table\n"
      "       eko-gateway --print-flow-table     # docs/flow.md's next-step table\n\n"
      "Every flag has an environment variable twin; a flag wins over it.\n\n";
  for (const Option& option : Options()) {
    absl::StrAppend(&out, "  --", option.flag, option.is_bool ? "" : " VALUE", "\n      ",
                    option.help, "\n      env ", option.env);
    if (!option.default_text.empty()) {
      absl::StrAppend(&out, ", default ", option.default_text);
    }
    absl::StrAppend(&out, "\n");
  }
  return out;
}

std::string ConfigMarkdownTable() {
  std::string out = "| flag | environment | default | meaning |\n| --- | --- | --- | --- |\n";
  for (const Option& option : Options()) {
    absl::StrAppend(&out, "| `--", option.flag, "` | `", option.env, "` | ",
                    option.default_text.empty() ? "" : absl::StrCat("`", option.default_text, "`"),
                    " | ", option.help, " |\n");
  }
  return out;
}

}  // namespace eko::server
