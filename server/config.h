#ifndef EKO_SERVER_CONFIG_H_
#define EKO_SERVER_CONFIG_H_

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace eko::server {

// Everything the gateway can be told on start-up, with its default. Each
// field has a flag and an environment-variable twin (see Options() in
// config.cc, which shows these defaults); a flag wins over its environment
// variable, which wins over the default. Durations are set in milliseconds.
struct GatewayConfig {
  std::string listen = "0.0.0.0:50051";
  std::string eko_base_url;
  std::string eko_developer_key;
  std::string eko_access_key;  // from --eko-access-key or --eko-access-key-file
  std::string eko_access_key_file;
  std::string eko_initiator_id;
  std::string eko_user_code;
  absl::Duration eko_timeout = absl::Seconds(30);
  absl::Duration eko_deadline_margin = absl::Milliseconds(50);
  absl::Duration min_deadline = absl::Milliseconds(100);
  int64_t max_inflight = 20000;
  // Set by --max-inflight or EKO_MAX_INFLIGHT; otherwise the gateway derives
  // max_inflight from its memory limit (server/memory_budget.h).
  bool max_inflight_explicit = false;
  int64_t eko_retries = 2;
  int64_t breaker_failures = 5;
  absl::Duration breaker_open = absl::Seconds(5);
  absl::Duration dedupe_window = absl::Minutes(10);
  int64_t dedupe_max_entries = 100000;
  std::string idempotency_store = "memory";          // or redis://HOST[:PORT][/DB]
  std::string idempotency_store_failure = "closed";  // or "open"
  // On SIGTERM: readiness turns NOT_SERVING at once, calls are still served
  // for drain_delay, then refused while in-flight calls get shutdown_grace.
  absl::Duration drain_delay = absl::ZeroDuration();
  absl::Duration shutdown_grace = absl::Seconds(10);
  std::string metrics_listen;
  // Plaintext listener serving only grpc.health.v1 (server/health_listener.h);
  // empty: none.
  std::string health_listen;
  absl::Duration max_connection_age = absl::ZeroDuration();
  absl::Duration keepalive_time = absl::Minutes(1);
  int64_t max_connections = 2048;
  int64_t max_connections_per_peer = 256;  // 0: no per-peer cap
  absl::Duration handshake_timeout = absl::Seconds(5);
  int64_t upstream_reserved_fds = 1024;
  absl::Duration memory_trim_interval = absl::Seconds(5);  // 0: never trim
  std::string tls_cert_file;
  std::string tls_key_file;
  std::string tls_client_ca_file;
  std::string auth_tokens_file;
  std::vector<std::string> allowed_client_identities;
  std::vector<std::string> eko_endpoints;          // "Rpc=METHOD /path/{customer_id}" overrides
  std::vector<std::string> eko_address_encodings;  // "Rpc=object-string|array|array-string"
  std::vector<std::string> eko_otp_json_types;     // "Rpc[.field]=string|number"
  std::string eko_ca_file;
  bool dev = false;
  std::string dev_simulator_listen = "127.0.0.1:0";
  std::string log_level = "info";
  int64_t max_request_bytes = 256 * 1024;
  int64_t eko_max_response_bytes = 1 << 20;
  int64_t upstream_loops = 4;
  // Upstream connections (adapters/eko/transport.h, CurlTransportOptions).
  absl::Duration eko_max_idle_connection = absl::Seconds(30);
  std::string eko_http2 = "auto";  // or "off"
  int64_t eko_http2_max_streams = 1000;
  int64_t eko_prewarm_connections = 0;
};

struct ParsedArgs {
  bool help = false;  // --help was given: print Usage() and exit 0
  // --version was given: print VersionLine() (server/build_info.h), exit 0
  bool version = false;
  // --print-config-table was given: print ConfigMarkdownTable() and exit 0
  bool print_config_table = false;
  // --print-flow-table was given: print the next-step table and exit 0
  bool print_flow_table = false;
  // --print-error-table was given: print the error table and exit 0
  bool print_error_table = false;
  GatewayConfig config;
  // The access key came from --eko-access-key, so every local user can read
  // it in `ps`; the gateway warns at start.
  bool access_key_on_command_line = false;
};

using EnvLookup = std::function<const char*(const char* name)>;

// Parses flags (`--name value` or `--name=value`) over environment variables
// and defaults, reads the access key file, and checks the result: the
// developer and access keys are trimmed of surrounding whitespace whatever
// their source, and a control character left inside one is an error;
// endpoint, address-encoding and OTP-type overrides must parse; without
// --dev, the Eko base URL, developer key, access key and initiator id are
// required; the base URL must be https unless its host is loopback. With
// --dev, a developer or access key other than the simulator's
// (DevCredentials) or a base URL whose host is not loopback is an error, so
// real credentials never start a gateway that answers from a simulator.
// Boolean flags take true/false, 1/0 or yes/no; an empty value (e.g.
// EKO_GATEWAY_DEV=) is false. Errors are INVALID_ARGUMENT with a message
// meant for the operator (never holding a secret).
absl::StatusOr<ParsedArgs> ParseArgs(int argc, const char* const* argv, const EnvLookup& env);

// `--help` text listing every flag, its environment twin and default.
std::string Usage();

// The configuration reference as a Markdown table (flag, environment
// variable, default, meaning); the README carries the same table.
std::string ConfigMarkdownTable();

// True for URLs whose host is 127.0.0.0/8, ::1 or localhost.
bool IsLoopbackUrl(const std::string& url);

}  // namespace eko::server

#endif  // EKO_SERVER_CONFIG_H_
