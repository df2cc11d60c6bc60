#include "server/config_flags.h"

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "adapters/common/log.h"
#include "adapters/redis_record.h"

namespace eko::server {
namespace {

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

// Every boolean flag and environment variable: an empty value is false, so
// that `EKO_GATEWAY_DEV=` (set, but to nothing) never turns a mode on. A flag
// given without a value (`--dev`) reaches here as "true".
absl::Status SetBool(bool* out, const std::string& value, const char* flag) {
  const std::string v = absl::AsciiStrToLower(value);
  if (v == "1" || v == "true" || v == "yes") {
    *out = true;
  } else if (v == "" || v == "0" || v == "false" || v == "no") {
    *out = false;
  } else {
    return absl::InvalidArgumentError(
        absl::StrCat("--", flag, " must be true or false, got '", value, "'"));
  }
  return absl::OkStatus();
}

Option Custom(const char* flag, const char* env, std::string shown, const char* help, Setter set) {
  return {flag, env, std::move(shown), help, false, std::move(set)};
}

Option Text(const char* flag, const char* env, std::string GatewayConfig::*field, const char* help,
            const char* shown = nullptr) {
  return {flag,
          env,
          shown != nullptr ? shown : GatewayConfig{}.*field,
          help,
          false,
          [field](GatewayConfig& c, const std::string& v) {
            c.*field = v;
            return absl::OkStatus();
          }};
}

Option Integer(const char* flag, const char* env, int64_t GatewayConfig::*field, int64_t min,
               int64_t max, const char* help) {
  return {flag,
          env,
          absl::StrCat(GatewayConfig{}.*field),
          help,
          false,
          [=](GatewayConfig& c, const std::string& v) {
            return SetInt(&(c.*field), v, flag, min, max);
          }};
}

// A duration given in whole milliseconds.
Option Millis(const char* flag, const char* env, absl::Duration GatewayConfig::*field,
              int64_t min_ms, int64_t max_ms, const char* help) {
  return {flag,
          env,
          absl::StrCat(absl::ToInt64Milliseconds(GatewayConfig{}.*field)),
          help,
          false,
          [=](GatewayConfig& c, const std::string& v) {
            int64_t ms = 0;
            absl::Status s = SetInt(&ms, v, flag, min_ms, max_ms);
            if (s.ok()) c.*field = absl::Milliseconds(ms);
            return s;
          }};
}

Option Flag(const char* flag, const char* env, bool GatewayConfig::*field, const char* help) {
  return {flag,
          env,
          GatewayConfig{}.*field ? "true" : "false",
          help,
          true,
          [=](GatewayConfig& c, const std::string& v) { return SetBool(&(c.*field), v, flag); }};
}

// Appends the ';'-separated specs in `value` to `list`.
void AppendSpecs(std::vector<std::string>* list, const std::string& value) {
  for (absl::string_view part : absl::StrSplit(value, ';', absl::SkipWhitespace())) {
    list->emplace_back(absl::StripAsciiWhitespace(part));
  }
}

Option List(const char* flag, const char* env, std::vector<std::string> GatewayConfig::*field,
            const char* shown, const char* help) {
  Option option{flag, env, shown, help, false, [field](GatewayConfig& c, const std::string& v) {
                  AppendSpecs(&(c.*field), v);
                  return absl::OkStatus();
                }};
  option.list = field;
  return option;
}

}  // namespace

const std::vector<Option>& Options() {
  static const std::vector<Option> kOptions = {
      Text("listen", "EKO_GATEWAY_LISTEN", &GatewayConfig::listen,
           "gRPC listen address (host:port; port 0 picks a free port)"),
      Text("eko-base-url", "EKO_BASE_URL", &GatewayConfig::eko_base_url,
           "Eko API base URL, e.g. https://staging.eko.in/ekoapi/v3 (UAT) or "
           "https://api.eko.in/ekoicici/v3 (production); http only for loopback hosts; no user "
           "info, query or fragment"),
      Text("eko-developer-key", "EKO_DEVELOPER_KEY", &GatewayConfig::eko_developer_key,
           "Eko developer_key header value"),
      Text("eko-access-key", "EKO_ACCESS_KEY", &GatewayConfig::eko_access_key,
           "Eko access key used to sign requests; as a flag it shows in `ps` to every local user "
           "(the gateway warns), so give it as --eko-access-key-file (a Secret mount) or the "
           "environment variable"),
      Text("eko-access-key-file", "EKO_ACCESS_KEY_FILE", &GatewayConfig::eko_access_key_file,
           "file holding the Eko access key (e.g. a Kubernetes Secret mount); surrounding "
           "whitespace is ignored"),
      Text("eko-initiator-id", "EKO_INITIATOR_ID", &GatewayConfig::eko_initiator_id,
           "registered mobile number of the platform's Eko account (initiator_id)"),
      Text("eko-user-code", "EKO_USER_CODE", &GatewayConfig::eko_user_code,
           "default user_code (retailer/agent) when a request names none; without it every request "
           "must carry user_code"),
      Millis("eko-timeout-ms", "EKO_TIMEOUT_MS", &GatewayConfig::eko_timeout, 100, 600000,
             "upstream budget per call when the caller sets no deadline, and the cap otherwise"),
      Millis("eko-deadline-margin-ms", "EKO_DEADLINE_MARGIN_MS",
             &GatewayConfig::eko_deadline_margin, 0, 10000,
             "time kept back from the caller's deadline for the upstream call, so the gateway "
             "answers (DEADLINE_EXCEEDED, reason UPSTREAM_TIMEOUT) before the caller gives up"),
      Millis("min-deadline-ms", "EKO_MIN_DEADLINE_MS", &GatewayConfig::min_deadline, 0, 60000,
             "a call whose deadline is nearer than this fails at once (DEADLINE_EXCEEDED, reason "
             "DEADLINE_TOO_SHORT)"),
      Custom("max-inflight", "EKO_MAX_INFLIGHT",
             absl::StrCat(GatewayConfig{}.max_inflight, ", less to fit a cgroup memory limit"),
             "upstream calls in flight at once; beyond it calls fail with RESOURCE_EXHAUSTED, "
             "reason GATEWAY_OVERLOADED. Unset, it is derived from the container's memory limit "
             "(cgroup memory.max) at ~38 KiB per call, after the connection cap and the dedupe "
             "store (deploy/README.md, \"Memory\")",
             [](GatewayConfig& c, const std::string& v) {
               c.max_inflight_explicit = true;
               return SetInt(&c.max_inflight, v, "max-inflight", 1, 1000000);
             }),
      Integer("eko-retries", "EKO_RETRIES", &GatewayConfig::eko_retries, 0, 10,
              "extra attempts, with jittered backoff inside the deadline and a fresh signature, "
              "when a request provably never left (connect, DNS or TLS failure); never for a "
              "request that may have reached Eko"),
      Integer("breaker-failures", "EKO_BREAKER_FAILURES", &GatewayConfig::breaker_failures, 0, 1000,
              "consecutive transport failures or HTTP 5xx that open the circuit breaker (0 "
              "disables it); business errors, cancellations and callers' short deadlines never "
              "count"),
      Millis("breaker-open-ms", "EKO_BREAKER_OPEN_MS", &GatewayConfig::breaker_open, 100, 600000,
             "how long the breaker stays open (calls fail with UNAVAILABLE, reason "
             "UPSTREAM_CIRCUIT_OPEN) before one probe call"),
      Millis("dedupe-window-ms", "EKO_DEDUPE_WINDOW_MS", &GatewayConfig::dedupe_window, 0, 86400000,
             "how long the outcome of a call with a caller-given client_ref_id (Eko's answer, or "
             "an unknown outcome) answers repeats of the same request, in this replica or, with a "
             "Redis --idempotency-store, in every replica (0 disables duplicate suppression)"),
      Integer("dedupe-max-entries", "EKO_DEDUPE_MAX_ENTRIES", &GatewayConfig::dedupe_max_entries, 1,
              10000000,
              "most client_ref_ids remembered for duplicate suppression (oldest results are "
              "evicted first)"),
      Custom("idempotency-store", "EKO_IDEMPOTENCY_STORE", GatewayConfig{}.idempotency_store,
             "where duplicate suppression keeps client_ref_ids: 'memory' (this replica only) or "
             "redis://HOST[:PORT][/DB], shared by every replica (claims and results expire after "
             "--dedupe-window-ms)",
             [](GatewayConfig& c, const std::string& v) {
               if (v != "memory") {
                 if (absl::Status s = adapter::ParseRedisUrl(v).status(); !s.ok()) return s;
               }
               c.idempotency_store = v;
               return absl::OkStatus();
             }),
      Custom("idempotency-store-failure", "EKO_IDEMPOTENCY_STORE_FAILURE",
             GatewayConfig{}.idempotency_store_failure,
             "while the Redis idempotency store is unreachable, calls with a client_ref_id are "
             "'closed': refused with UNAVAILABLE / IDEMPOTENCY_STORE_UNAVAILABLE, nothing sent "
             "(safe to retry), or 'open': sent without cross-replica duplicate suppression "
             "(logged and counted); calls without one are served either way",
             [](GatewayConfig& c, const std::string& v) {
               if (v != "closed" && v != "open") {
                 return absl::InvalidArgumentError(absl::StrCat(
                     "--idempotency-store-failure must be closed or open, got '", v, "'"));
               }
               c.idempotency_store_failure = v;
               return absl::OkStatus();
             }),
      Millis("drain-delay-ms", "EKO_DRAIN_DELAY_MS", &GatewayConfig::drain_delay, 0, 600000,
             "on SIGTERM: readiness (health of eko.onboarding.v1.OnboardingService) turns "
             "NOT_SERVING at once, but new calls are still served for this long, while load "
             "balancers and clients stop sending here (Kubernetes: ~5000 for endpoint removal to "
             "reach every node; deploy/k8s sets it); then --shutdown-grace-ms; 0: refuse new "
             "calls at once"),
      Millis("shutdown-grace-ms", "EKO_SHUTDOWN_GRACE_MS", &GatewayConfig::shutdown_grace, 0,
             600000,
             "on SIGTERM, after --drain-delay-ms: new calls are refused, and in-flight calls get "
             "this long to finish; then the gateway ends them with UNKNOWN / GATEWAY_SHUTTING_DOWN "
             "(UNAVAILABLE when nothing had been sent to Eko)"),
      Text("metrics-listen", "EKO_METRICS_LISTEN", &GatewayConfig::metrics_listen,
           "serve Prometheus metrics on http://HOST:PORT/metrics (e.g. 0.0.0.0:9464); empty: off"),
      Text("health-listen", "EKO_HEALTH_LISTEN", &GatewayConfig::health_listen,
           "also serve grpc.health.v1 (only that) in plaintext on HOST:PORT, with the same "
           "statuses as the main port, for probes (kubelet gRPC probes) when the main port is "
           "TLS; empty: off"),
      Millis("max-connection-age-ms", "EKO_MAX_CONNECTION_AGE_MS",
             &GatewayConfig::max_connection_age, 0, 86400000,
             "close client connections after this age (with a grace of --shutdown-grace-ms) so "
             "clients reconnect and spread over replicas; 0: never"),
      Millis("keepalive-time-ms", "EKO_KEEPALIVE_TIME_MS", &GatewayConfig::keepalive_time, 1000,
             86400000,
             "server HTTP/2 keepalive ping interval on idle connections; clients may ping every 10 "
             "s or more without being disconnected"),
      Integer("max-connections", "EKO_MAX_CONNECTIONS", &GatewayConfig::max_connections, 1, 1000000,
              "client connections open at once; a connection beyond it is closed as soon as it is "
              "accepted (counted in eko_gateway_connections_refused_total); lowered at start when "
              "the open-file limit leaves less room after --upstream-reserved-fds"),
      Integer("max-connections-per-peer", "EKO_MAX_CONNECTIONS_PER_PEER",
              &GatewayConfig::max_connections_per_peer, 0, 1000000,
              "client connections open at once from one IP address (0: no per-address cap); keep "
              "it above the connections a proxy or NAT in front of the gateway funnels through one "
              "address"),
      Millis("handshake-timeout-ms", "EKO_HANDSHAKE_TIMEOUT_MS", &GatewayConfig::handshake_timeout,
             100, 120000,
             "a client connection that has not finished its TLS handshake and sent its HTTP/2 "
             "preface and settings within this time is closed"),
      Integer("upstream-reserved-fds", "EKO_UPSTREAM_RESERVED_FDS",
              &GatewayConfig::upstream_reserved_fds, 0, 1000000,
              "file descriptors kept free for upstream connections to Eko whatever clients do: the "
              "connection cap is at most the open-file limit minus this, the descriptors open at "
              "start and a margin of 32"),
      Millis("memory-trim-interval-ms", "EKO_MEMORY_TRIM_INTERVAL_MS",
             &GatewayConfig::memory_trim_interval, 0, 3600000,
             "how often to check whether memory freed after a peak (connections, calls) should be "
             "returned to the system (malloc_trim when the resident size has grown 16 MiB over its "
             "level after the last trim); 0: never"),
      Text("tls-cert-file", "EKO_TLS_CERT_FILE", &GatewayConfig::tls_cert_file,
           "PEM certificate chain of the gRPC listener; with --tls-key-file turns on TLS "
           "(plaintext without)"),
      Text("tls-key-file", "EKO_TLS_KEY_FILE", &GatewayConfig::tls_key_file,
           "PEM private key matching --tls-cert-file"),
      Text("tls-client-ca-file", "EKO_TLS_CLIENT_CA_FILE", &GatewayConfig::tls_client_ca_file,
           "PEM CA bundle for mutual TLS: callers must present a certificate it verifies"),
      Text("auth-tokens-file", "EKO_AUTH_TOKENS_FILE", &GatewayConfig::auth_tokens_file,
           "file of bearer tokens (one per line, optional caller name after it); when set or when "
           "--allowed-client-identities is set, every OnboardingService call must carry "
           "'authorization: Bearer <token>' or an allowed client certificate (UNAUTHENTICATED / "
           "PERMISSION_DENIED otherwise); health and reflection stay open"),
      Custom("allowed-client-identities", "EKO_ALLOWED_CLIENT_IDENTITIES", "",
             "comma-separated client certificate identities (CN, or DNS/URI/email SAN) allowed to "
             "call; needs --tls-client-ca-file",
             [](GatewayConfig& c, const std::string& v) {
               c.allowed_client_identities.clear();
               for (absl::string_view id : absl::StrSplit(v, ',', absl::SkipWhitespace())) {
                 c.allowed_client_identities.emplace_back(absl::StripAsciiWhitespace(id));
               }
               return absl::OkStatus();
             }),
      List("eko-endpoint", "EKO_ENDPOINTS", &GatewayConfig::eko_endpoints, "(Eko's current paths)",
           "override one endpoint, e.g. 'StartSenderEkyc=POST "
           "/customer/account/{customer_id}/dmt-fino/ekyc'; a path without {customer_id} sends it "
           "in the body (query for GET), and a path may carry a query, e.g. 'GetCustomer=GET "
           "/customer/profile/{customer_id}?service_code=80'; repeatable; the environment variable "
           "takes several separated by ';'"),
      List("eko-address-encoding", "EKO_ADDRESS_ENCODINGS", &GatewayConfig::eko_address_encodings,
           "OnboardSender=object-string, OnboardCustomer=array",
           "how an RPC sends the address as residence_address: 'OnboardSender=object-string' (a "
           "string holding a JSON object {line,city,state,pincode,district,area}, as Eko's current "
           "DMT-Fino docs send it), 'RPC=array' (a JSON array of lines, as the customer endpoint "
           "takes it) or 'RPC=array-string' (a string holding that array); OnboardCustomer has "
           "only lines (array or array-string); repeatable; the environment variable takes several "
           "separated by ';'"),
      List("eko-otp-json-type", "EKO_OTP_JSON_TYPES", &GatewayConfig::eko_otp_json_types, "string",
           "JSON type of otp and otp_ref_id per RPC, e.g. 'VerifyCustomerOtp=number' (both fields) "
           "or 'VerifyCustomerOtp.otp_ref_id=string'; with number, a value that is not plain "
           "digits without a leading zero (at most 18) is still sent as a string, so no digit is "
           "lost; repeatable; the environment variable takes several separated by ';'"),
      Text("eko-ca-file", "EKO_CA_FILE", &GatewayConfig::eko_ca_file,
           "PEM bundle of the CAs to trust for Eko's TLS certificate instead of the system store; "
           "verification is always on",
           "(system trust store)"),
      Flag("dev", "EKO_GATEWAY_DEV", &GatewayConfig::dev,
           "development mode: start the embedded Eko simulator and send every call to it; only "
           "eko-gateway-dev has the simulator (the production eko-gateway refuses --dev); refused "
           "with a real developer or access key or a base URL that is not loopback (never for "
           "real traffic); an empty EKO_GATEWAY_DEV is false"),
      Text("dev-simulator-listen", "EKO_DEV_SIMULATOR_LISTEN", &GatewayConfig::dev_simulator_listen,
           "listen address of the embedded simulator in --dev mode"),
      Custom("log-level", "EKO_LOG_LEVEL", GatewayConfig{}.log_level, "debug, info, warn or error",
             [](GatewayConfig& c, const std::string& v) {
               log::Level level;
               if (!log::ParseLevel(v, &level)) {
                 return absl::InvalidArgumentError(
                     absl::StrCat("--log-level must be debug, info, warn or error, got '", v, "'"));
               }
               c.log_level = v;
               return absl::OkStatus();
             }),
      Integer("eko-max-response-bytes", "EKO_MAX_RESPONSE_BYTES",
              &GatewayConfig::eko_max_response_bytes, 1024, 64 << 20,
              "largest Eko response body read; a larger one is UPSTREAM_BAD_RESPONSE"),
      Integer("upstream-loops", "EKO_UPSTREAM_LOOPS", &GatewayConfig::upstream_loops, 1, 16,
              "event-loop threads for upstream calls (named eko-upstream); each spreads its calls "
              "over libcurl connection pools of at most 256 calls in flight (HTTP/1.1) or 4 "
              "connections of --eko-http2-max-streams each (HTTP/2)"),
      Millis("eko-max-idle-connection-ms", "EKO_MAX_IDLE_CONNECTION_MS",
             &GatewayConfig::eko_max_idle_connection, 1000, 3600000,
             "an upstream connection idle this long (whole seconds, rounded down) is closed "
             "instead of reused, so no request is written into a connection the server is "
             "closing; keep it below Eko's keep-alive timeout (nginx 75 s, AWS ALB 60 s; the "
             "default leaves a wide margin, lower it for servers closing sooner, e.g. Apache or "
             "Node.js at 5 s); extra connection pools unused this long are closed too"),
      Custom("eko-http2", "EKO_HTTP2", GatewayConfig{}.eko_http2,
             "'auto': offer HTTP/2 to Eko over TLS (ALPN h2, then http/1.1) and, when Eko picks "
             "it, multiplex calls over a few connections; HTTP/1.1 when Eko does not offer it "
             "(and always on plain http); 'off': HTTP/1.1 only",
             [](GatewayConfig& c, const std::string& v) {
               if (v != "auto" && v != "off") {
                 return absl::InvalidArgumentError(
                     absl::StrCat("--eko-http2 must be auto or off, got '", v, "'"));
               }
               c.eko_http2 = v;
               return absl::OkStatus();
             }),
      Integer("eko-http2-max-streams", "EKO_HTTP2_MAX_STREAMS",
              &GatewayConfig::eko_http2_max_streams, 1, 100000,
              "most calls in flight on one HTTP/2 connection to Eko; set it to at most Eko's "
              "SETTINGS_MAX_CONCURRENT_STREAMS (e.g. nginx 128), since connection pools are sized "
              "by it; beyond it another connection is opened (at most 4 per pool)"),
      Integer("eko-prewarm-connections", "EKO_PREWARM_CONNECTIONS",
              &GatewayConfig::eko_prewarm_connections, 0, 1024,
              "upstream connections opened at start, spread over --upstream-loops, each by a HEAD "
              "request to --eko-base-url (its status is ignored); they are kept for the first "
              "calls, and the DNS answer, TLS session and HTTP version are known before traffic "
              "(the first connections are counted in eko_upstream_connections_opened_total); "
              "0: none"),
      Integer("max-request-bytes", "EKO_MAX_REQUEST_BYTES", &GatewayConfig::max_request_bytes, 4096,
              16 << 20, "largest gRPC request message accepted"),
  };
  return kOptions;
}

}  // namespace eko::server
