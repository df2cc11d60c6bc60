#ifndef EKO_SERVER_METRICS_H_
#define EKO_SERVER_METRICS_H_

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace prometheus {
class Exposer;
class Registry;
}  // namespace prometheus

namespace eko::server {

// Values read at scrape time rather than recorded per event.
struct LiveValues {
  double upstream_in_flight = 0;
  // One per circuit-breaker scope (adapters/eko/admission_client.h).
  struct Breaker {
    std::string scope;  // "customer", "sender"
    double state = 0;   // 0 closed, 1 open, 2 half-open
    // Times it opened, by the cause of the failure that opened it.
    std::vector<std::pair<std::string, double>> opened_by_cause;
  };
  std::vector<Breaker> breakers;
  double dedupe_entries = 0;
  double lookups_coalesced_total = 0;
  // The Redis idempotency store (--idempotency-store=redis://...); its
  // series are left out when the store is this replica's memory.
  bool idempotency_store_redis = false;
  double idempotency_store_connected = 0;
  double idempotency_store_errors_total = 0;
  double idempotency_store_passed_open_total = 0;
  double idempotency_store_refused_total = 0;
  double event_loop_lag_seconds = 0;
  double serving = 1;  // 0 from the stop signal on
  double connections_open = 0;
  double connections_accepted_total = 0;
  double connections_refused_max_connections = 0;
  double connections_refused_max_connections_per_peer = 0;
  double max_connections = 0;           // the effective cap
  double max_connections_per_peer = 0;  // 0: none
  double memory_trims_total = 0;
  double memory_trimmed_bytes_total = 0;
  // Upstream connections opened, by the HTTP version they carried (unknown:
  // closed before any response), and TLS handshakes by session (full or
  // resumed); adapters/eko/transport.h, UpstreamConnectionCounters.
  double upstream_connections_opened_http1 = 0;
  double upstream_connections_opened_http2 = 0;
  double upstream_connections_opened_unknown = 0;
  double upstream_tls_handshakes_full = 0;
  double upstream_tls_handshakes_resumed = 0;
};

// Prometheus metrics of the gateway, served as text on http://LISTEN/metrics:
//   eko_gateway_build_info{version,commit,grpc,curl}     gauge, always 1
//   eko_gateway_rpc_total{method,code,reason}            counter
//   eko_gateway_rpc_duration_seconds{method}             histogram
//   eko_gateway_upstream_responses_total{method,http_status}  counter
//   eko_gateway_upstream_duration_seconds{method}        histogram
//   eko_gateway_upstream_attempts_total{method}          counter
//   eko_upstream_fields_ignored_total{rpc,field}         counter
//   eko_gateway_breaker_state{scope}                     gauge (read live)
//   eko_gateway_breaker_opened_total{cause,scope}        counter (read live)
//   eko_gateway_upstream_in_flight,
//   eko_gateway_lookups_coalesced_total                 counter (read live)
//   eko_gateway_dedupe_entries, eko_gateway_event_loop_lag_seconds,
//   eko_gateway_serving, eko_gateway_connections_open,
//   eko_gateway_max_connections,
//   eko_gateway_max_connections_per_peer                 gauges (read live)
//   eko_gateway_connections_accepted_total,
//   eko_gateway_connections_refused_total{reason},
//   eko_gateway_memory_trims_total,
//   eko_gateway_memory_trimmed_bytes_total               counters (read live)
//   eko_upstream_connections_opened_total{protocol},
//   eko_upstream_tls_handshakes_total{session}           counters (read live)
//   eko_gateway_idempotency_store_connected              gauge (read live)
//   eko_gateway_idempotency_store_errors_total,
//   eko_gateway_idempotency_store_unreachable_calls_total{action}
//                                                        counters (read live)
// (the idempotency store's only with --idempotency-store=redis://...)
// Recording is thread-safe.
class GatewayMetrics {
 public:
  // Serves /metrics on `listen` ("host:port", port 0 picks one).
  static absl::StatusOr<std::unique_ptr<GatewayMetrics>> Start(const std::string& listen,
                                                               std::function<LiveValues()> live);
  ~GatewayMetrics();

  int port() const { return port_; }

  void RecordRpc(std::string_view method, std::string_view code, std::string_view reason,
                 absl::Duration latency);
  // `http_status` 0: no HTTP response (transport failure).
  void RecordUpstream(std::string_view method, int http_status, int attempts,
                      absl::Duration latency);
  // An optional field Eko sent with an unusable type or value, left unset.
  // `field` is its JSON path as the adapter names it (a bounded set).
  void RecordIgnoredField(std::string_view rpc, std::string_view field);

 private:
  struct Families;
  GatewayMetrics() = default;

  std::shared_ptr<prometheus::Registry> registry_;
  std::unique_ptr<Families> families_;
  std::shared_ptr<void> live_collectable_;
  std::unique_ptr<prometheus::Exposer> exposer_;
  int port_ = 0;
};

}  // namespace eko::server

#endif  // EKO_SERVER_METRICS_H_
