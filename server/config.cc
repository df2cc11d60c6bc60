#include "server/config.h"

#include <arpa/inet.h>

#include <fstream>
#include <optional>
#include <sstream>

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

namespace eko::server {
namespace {

using Setter = std::function<absl::Status(GatewayConfig&, const std::string&)>;

struct Option {
  const char* flag;  // without the leading "--"
  const char* env;
  const char* default_text;
  const char* help;
  bool is_bool;
  Setter set;
};

absl::Status SetInt(int64_t* out, const std::string& value, const char* flag, int64_t min,
                    int64_t max) {
  int64_t parsed = 0;
  if (!absl::SimpleAtoi(value, &parsed) || parsed < min || parsed > max) {
    return absl::InvalidArgumentError(absl::StrCat("--", flag, " must be an integer in [", min,
                                                   ", ", max, "], got '", value, "'"));
  }
  *out = parsed;
  return absl::OkStatus();
}

absl::Status SetBool(bool* out, const std::string& value, const char* flag) {
  const std::string v = absl::AsciiStrToLower(value);
  if (v == "" || v == "1" || v == "true" || v == "yes") {
    *out = true;
  } else if (v == "0" || v == "false" || v == "no") {
    *out = false;
  } else {
    return absl::InvalidArgumentError(
        absl::StrCat("--", flag, " must be true or false, got '", value, "'"));
  }
  return absl::OkStatus();
}

// Appends the ';'-separated specs in `value` to `list`.
void AppendSpecs(std::vector<std::string>* list, const std::string& value) {
  for (absl::string_view part : absl::StrSplit(value, ';', absl::SkipWhitespace())) {
    list->emplace_back(absl::StripAsciiWhitespace(part));
  }
}

// The repeatable flags: given on the command line, they replace the list
// their environment variable gave.
std::vector<std::string>* ListOf(GatewayConfig& c, std::string_view flag) {
  if (flag == "eko-endpoint") return &c.eko_endpoints;
  if (flag == "eko-address-encoding") return &c.eko_address_encodings;
  if (flag == "eko-otp-json-type") return &c.eko_otp_json_types;
  return nullptr;
}

const std::vector<Option>& Options() {
  static const std::vector<Option> kOptions = {
      {"listen", "EKO_GATEWAY_LISTEN", "0.0.0.0:50051",
       "gRPC listen address (host:port; port 0 picks a free port)", false,
       [](GatewayConfig& c, const std::string& v) {
         c.listen = v;
         return absl::OkStatus();
       }},
      {"eko-base-url", "EKO_BASE_URL", "",
       "Eko API base URL, e.g. https://staging.eko.in/ekoapi/v3 (UAT) or "
       "https://api.eko.in/ekoicici/v3 (production); http only for loopback hosts",
       false,
       [](GatewayConfig& c, const std::string& v) {
         c.eko_base_url = v;
         return absl::OkStatus();
       }},
      {"eko-developer-key", "EKO_DEVELOPER_KEY", "", "Eko developer_key header value", false,
       [](GatewayConfig& c, const std::string& v) {
         c.eko_developer_key = v;
         return absl::OkStatus();
       }},
      {"eko-access-key", "EKO_ACCESS_KEY", "",
       "Eko access key used to sign requests (prefer --eko-access-key-file)", false,
       [](GatewayConfig& c, const std::string& v) {
         c.eko_access_key = v;
         return absl::OkStatus();
       }},
      {"eko-access-key-file", "EKO_ACCESS_KEY_FILE", "",
       "file holding the Eko access key (e.g. a Kubernetes Secret mount); surrounding "
       "whitespace is ignored",
       false,
       [](GatewayConfig& c, const std::string& v) {
         c.eko_access_key_file = v;
         return absl::OkStatus();
       }},
      {"eko-initiator-id", "EKO_INITIATOR_ID", "",
       "registered mobile number of the platform's Eko account (initiator_id)", false,
       [](GatewayConfig& c, const std::string& v) {
         c.eko_initiator_id = v;
         return absl::OkStatus();
       }},
      {"eko-user-code", "EKO_USER_CODE", "",
       "default user_code (retailer/agent) when a request names none; without it every "
       "request must carry user_code",
       false,
       [](GatewayConfig& c, const std::string& v) {
         c.eko_user_code = v;
         return absl::OkStatus();
       }},
      {"eko-timeout-ms", "EKO_TIMEOUT_MS", "30000",
       "upstream budget per call when the caller sets no deadline, and the cap otherwise", false,
       [](GatewayConfig& c, const std::string& v) {
         return SetInt(&c.eko_timeout_ms, v, "eko-timeout-ms", 100, 600000);
       }},
      {"eko-deadline-margin-ms", "EKO_DEADLINE_MARGIN_MS", "50",
       "time kept back from the caller's deadline for the upstream call, so the gateway answers "
       "(DEADLINE_EXCEEDED, reason UPSTREAM_TIMEOUT) before the caller gives up",
       false,
       [](GatewayConfig& c, const std::string& v) {
         return SetInt(&c.eko_deadline_margin_ms, v, "eko-deadline-margin-ms", 0, 10000);
       }},
      {"min-deadline-ms", "EKO_MIN_DEADLINE_MS", "100",
       "a call whose deadline is nearer than this fails at once (DEADLINE_EXCEEDED, reason "
       "DEADLINE_TOO_SHORT)",
       false,
       [](GatewayConfig& c, const std::string& v) {
         return SetInt(&c.min_deadline_ms, v, "min-deadline-ms", 0, 60000);
       }},
      {"max-inflight", "EKO_MAX_INFLIGHT", "20000",
       "upstream calls in flight at once; beyond it calls fail with RESOURCE_EXHAUSTED, reason "
       "GATEWAY_OVERLOADED",
       false,
       [](GatewayConfig& c, const std::string& v) {
         return SetInt(&c.max_inflight, v, "max-inflight", 1, 1000000);
       }},
      {"eko-retries", "EKO_RETRIES", "2",
       "extra attempts, with jittered backoff inside the deadline and a fresh signature, when a "
       "request provably never left (connect, DNS or TLS failure); never for a request that may "
       "have reached Eko",
       false,
       [](GatewayConfig& c, const std::string& v) {
         return SetInt(&c.eko_retries, v, "eko-retries", 0, 10);
       }},
      {"breaker-failures", "EKO_BREAKER_FAILURES", "5",
       "consecutive transport failures or HTTP 5xx that open the circuit breaker (0 disables it); "
       "business errors never count",
       false,
       [](GatewayConfig& c, const std::string& v) {
         return SetInt(&c.breaker_failures, v, "breaker-failures", 0, 1000);
       }},
      {"breaker-open-ms", "EKO_BREAKER_OPEN_MS", "5000",
       "how long the breaker stays open (calls fail with UNAVAILABLE, reason "
       "UPSTREAM_CIRCUIT_OPEN) before one probe call",
       false,
       [](GatewayConfig& c, const std::string& v) {
         return SetInt(&c.breaker_open_ms, v, "breaker-open-ms", 100, 600000);
       }},
      {"dedupe-window-ms", "EKO_DEDUPE_WINDOW_MS", "600000",
       "how long a definitive result stays available to repeats of the same request with the same "
       "caller-given client_ref_id (per replica; 0 disables duplicate suppression)",
       false,
       [](GatewayConfig& c, const std::string& v) {
         return SetInt(&c.dedupe_window_ms, v, "dedupe-window-ms", 0, 86400000);
       }},
      {"dedupe-max-entries", "EKO_DEDUPE_MAX_ENTRIES", "100000",
       "most client_ref_ids remembered for duplicate suppression (oldest results are evicted "
       "first)",
       false,
       [](GatewayConfig& c, const std::string& v) {
         return SetInt(&c.dedupe_max_entries, v, "dedupe-max-entries", 1, 10000000);
       }},
      {"shutdown-grace-ms", "EKO_SHUTDOWN_GRACE_MS", "10000",
       "on SIGTERM: health turns NOT_SERVING, new calls are refused, and in-flight calls get this "
       "long to finish before they are cancelled",
       false,
       [](GatewayConfig& c, const std::string& v) {
         return SetInt(&c.shutdown_grace_ms, v, "shutdown-grace-ms", 0, 600000);
       }},
      {"metrics-listen", "EKO_METRICS_LISTEN", "",
       "serve Prometheus metrics on http://HOST:PORT/metrics (e.g. 0.0.0.0:9464); empty: off",
       false,
       [](GatewayConfig& c, const std::string& v) {
         c.metrics_listen = v;
         return absl::OkStatus();
       }},
      {"max-connection-age-ms", "EKO_MAX_CONNECTION_AGE_MS", "0",
       "close client connections after this age (with a grace of --shutdown-grace-ms) so "
       "clients reconnect and spread over replicas; 0: never",
       false,
       [](GatewayConfig& c, const std::string& v) {
         return SetInt(&c.max_connection_age_ms, v, "max-connection-age-ms", 0, 86400000);
       }},
      {"keepalive-time-ms", "EKO_KEEPALIVE_TIME_MS", "60000",
       "server HTTP/2 keepalive ping interval on idle connections; clients may ping every "
       "10 s or more without being disconnected",
       false,
       [](GatewayConfig& c, const std::string& v) {
         return SetInt(&c.keepalive_time_ms, v, "keepalive-time-ms", 1000, 86400000);
       }},
      {"tls-cert-file", "EKO_TLS_CERT_FILE", "",
       "PEM certificate chain of the gRPC listener; with --tls-key-file turns on TLS (plaintext "
       "without)",
       false,
       [](GatewayConfig& c, const std::string& v) {
         c.tls_cert_file = v;
         return absl::OkStatus();
       }},
      {"tls-key-file", "EKO_TLS_KEY_FILE", "", "PEM private key matching --tls-cert-file", false,
       [](GatewayConfig& c, const std::string& v) {
         c.tls_key_file = v;
         return absl::OkStatus();
       }},
      {"tls-client-ca-file", "EKO_TLS_CLIENT_CA_FILE", "",
       "PEM CA bundle for mutual TLS: callers must present a certificate it verifies", false,
       [](GatewayConfig& c, const std::string& v) {
         c.tls_client_ca_file = v;
         return absl::OkStatus();
       }},
      {"auth-tokens-file", "EKO_AUTH_TOKENS_FILE", "",
       "file of bearer tokens (one per line, optional caller name after it); when set or when "
       "--allowed-client-identities is set, every OnboardingService call must carry "
       "'authorization: Bearer <token>' or an allowed client certificate (UNAUTHENTICATED / "
       "PERMISSION_DENIED otherwise); health and reflection stay open",
       false,
       [](GatewayConfig& c, const std::string& v) {
         c.auth_tokens_file = v;
         return absl::OkStatus();
       }},
      {"allowed-client-identities", "EKO_ALLOWED_CLIENT_IDENTITIES", "",
       "comma-separated client certificate identities (CN, or DNS/URI/email SAN) allowed to call; "
       "needs --tls-client-ca-file",
       false,
       [](GatewayConfig& c, const std::string& v) {
         c.allowed_client_identities.clear();
         for (absl::string_view id : absl::StrSplit(v, ',', absl::SkipWhitespace())) {
           c.allowed_client_identities.emplace_back(absl::StripAsciiWhitespace(id));
         }
         return absl::OkStatus();
       }},
      {"eko-endpoint", "EKO_ENDPOINTS", "(Eko's current paths)",
       "override one endpoint, e.g. 'StartSenderEkyc=POST "
       "/customer/account/{customer_id}/dmt-fino/ekyc'; a path without {customer_id} sends it "
       "in the body (query for GET), and a path may carry a query, e.g. 'GetCustomer=GET "
       "/customer/profile/{customer_id}?service_code=80'; repeatable; the environment "
       "variable takes several separated by ';'",
       false,
       [](GatewayConfig& c, const std::string& v) {
         AppendSpecs(&c.eko_endpoints, v);
         return absl::OkStatus();
       }},
      {"eko-address-encoding", "EKO_ADDRESS_ENCODINGS",
       "OnboardSender=object-string, OnboardCustomer=array",
       "how an RPC sends the address as residence_address: 'OnboardSender=object-string' (a "
       "string holding a JSON object {line,city,state,pincode,district,area}, as Eko's current "
       "DMT-Fino docs send it), 'RPC=array' (a JSON array of lines, as the customer endpoint "
       "takes it) or 'RPC=array-string' (a string holding that array); OnboardCustomer has only "
       "lines (array or array-string); repeatable; the environment variable takes several "
       "separated by ';'",
       false,
       [](GatewayConfig& c, const std::string& v) {
         AppendSpecs(&c.eko_address_encodings, v);
         return absl::OkStatus();
       }},
      {"eko-otp-json-type", "EKO_OTP_JSON_TYPES", "string",
       "JSON type of otp and otp_ref_id per RPC, e.g. 'VerifyCustomerOtp=number' (both fields) "
       "or 'VerifyCustomerOtp.otp_ref_id=string'; with number, a value that is not plain digits "
       "without a leading zero (at most 18) is still sent as a string, so no digit is lost; "
       "repeatable; the environment variable takes several separated by ';'",
       false,
       [](GatewayConfig& c, const std::string& v) {
         AppendSpecs(&c.eko_otp_json_types, v);
         return absl::OkStatus();
       }},
      {"eko-ca-file", "EKO_CA_FILE", "(system trust store)",
       "PEM bundle of the CAs to trust for Eko's TLS certificate instead of the system store; "
       "verification is always on",
       false,
       [](GatewayConfig& c, const std::string& v) {
         c.eko_ca_file = v;
         return absl::OkStatus();
       }},
      {"dev", "EKO_GATEWAY_DEV", "false",
       "development mode: start the embedded Eko simulator and send every call to it; only "
       "eko-gateway-dev has the simulator (the production eko-gateway refuses --dev) "
       "(never for real traffic)",
       true, [](GatewayConfig& c, const std::string& v) { return SetBool(&c.dev, v, "dev"); }},
      {"dev-simulator-listen", "EKO_DEV_SIMULATOR_LISTEN", "127.0.0.1:0",
       "listen address of the embedded simulator in --dev mode", false,
       [](GatewayConfig& c, const std::string& v) {
         c.dev_simulator_listen = v;
         return absl::OkStatus();
       }},
      {"log-level", "EKO_LOG_LEVEL", "info", "debug, info, warn or error", false,
       [](GatewayConfig& c, const std::string& v) {
         log::Level level;
         if (!log::ParseLevel(v, &level)) {
           return absl::InvalidArgumentError(
               absl::StrCat("--log-level must be debug, info, warn or error, got '", v, "'"));
         }
         c.log_level = v;
         return absl::OkStatus();
       }},
      {"eko-max-response-bytes", "EKO_MAX_RESPONSE_BYTES", "1048576",
       "largest Eko response body read; a larger one is UPSTREAM_BAD_RESPONSE", false,
       [](GatewayConfig& c, const std::string& v) {
         return SetInt(&c.eko_max_response_bytes, v, "eko-max-response-bytes", 1024, 64 << 20);
       }},
      {"upstream-loops", "EKO_UPSTREAM_LOOPS", "4",
       "event-loop threads for upstream calls (named eko-upstream); each spreads its calls over "
       "libcurl connection pools of at most 256 calls in flight",
       false,
       [](GatewayConfig& c, const std::string& v) {
         return SetInt(&c.upstream_loops, v, "upstream-loops", 1, 16);
       }},
      {"max-request-bytes", "EKO_MAX_REQUEST_BYTES", "262144",
       "largest gRPC request message accepted", false,
       [](GatewayConfig& c, const std::string& v) {
         return SetInt(&c.max_request_bytes, v, "max-request-bytes", 4096, 16 << 20);
       }},
  };
  return kOptions;
}

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

absl::Status CheckConfig(GatewayConfig& c) {
  if (!c.eko_access_key_file.empty()) {
    if (!c.eko_access_key.empty()) {
      return absl::InvalidArgumentError(
          "give the access key once: --eko-access-key or --eko-access-key-file, not both");
    }
    std::ifstream file(c.eko_access_key_file);
    if (!file) {
      return absl::InvalidArgumentError(
          absl::StrCat("cannot read --eko-access-key-file ", c.eko_access_key_file));
    }
    std::stringstream content;
    content << file.rdbuf();
    c.eko_access_key = std::string(absl::StripAsciiWhitespace(content.str()));
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
  if (c.dev) return absl::OkStatus();

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
  const size_t scheme = url.find("://");
  if (scheme == std::string::npos) return false;
  std::string rest = url.substr(scheme + 3);
  rest = rest.substr(0, rest.find_first_of("/?#"));
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
    if (arg == "--help" || arg == "-h") {
      out.help = true;
      return out;
    }
    if (arg == "--print-config-table") {
      out.print_config_table = true;
      return out;
    }
    if (arg == "--print-flow-table") {
      out.print_flow_table = true;
      return out;
    }
    if (arg == "--print-error-table") {
      out.print_error_table = true;
      return out;
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
    if (std::vector<std::string>* list = ListOf(config, match->flag);
        list != nullptr && absl::c_find(lists_from_flags, match->flag) == lists_from_flags.end()) {
      list->clear();  // flags replace the environment's list
      lists_from_flags.emplace_back(match->flag);
    }
    if (absl::Status s = match->set(config, *value); !s.ok()) return s;
  }
  if (absl::Status s = CheckConfig(config); !s.ok()) return s;
  return out;
}

std::string Usage() {
  std::string out =
      "eko-gateway: typed gRPC API over Eko's customer-onboarding REST API\n\n"
      "usage: eko-gateway [flags]\n"
      "       eko-gateway-dev --dev    # embedded Eko simulator, no credentials needed\n\n"
      "Every flag has an environment variable twin; a flag wins over it.\n\n";
  for (const Option& option : Options()) {
    absl::StrAppend(&out, "  --", option.flag, option.is_bool ? "" : " VALUE", "\n      ",
                    option.help, "\n      env ", option.env);
    if (*option.default_text != '\0') absl::StrAppend(&out, ", default ", option.default_text);
    absl::StrAppend(&out, "\n");
  }
  return out;
}

std::string ConfigMarkdownTable() {
  std::string out = "| flag | environment | default | meaning |\n| --- | --- | --- | --- |\n";
  for (const Option& option : Options()) {
    absl::StrAppend(&out, "| `--", option.flag, "` | `", option.env, "` | ",
                    *option.default_text ? absl::StrCat("`", option.default_text, "`") : "", " | ",
                    option.help, " |\n");
  }
  return out;
}

}  // namespace eko::server
