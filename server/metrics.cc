#include "server/metrics.h"

#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "adapters/common/strings.h"
#include "prometheus/collectable.h"
#include "prometheus/counter.h"
#include "prometheus/exposer.h"
#include "prometheus/family.h"
#include "prometheus/gauge.h"
#include "prometheus/histogram.h"
#include "prometheus/metric_family.h"
#include "prometheus/registry.h"
#include "server/build_info.h"

namespace eko::server {
namespace {

// 1 ms .. ~33 s, doubling.
prometheus::Histogram::BucketBoundaries LatencyBuckets() {
  prometheus::Histogram::BucketBoundaries buckets;
  for (double b = 0.001; b < 40; b *= 2) buckets.push_back(b);
  return buckets;
}

// Gauges whose values are read when Prometheus scrapes.
class LiveCollectable final : public prometheus::Collectable {
 public:
  explicit LiveCollectable(std::function<LiveValues()> live) : live_(std::move(live)) {}

  std::vector<prometheus::MetricFamily> Collect() const override {
    const LiveValues v = live_();
    std::vector<prometheus::MetricFamily> out;
    const auto family = [&out](const char* name, const char* help, prometheus::MetricType type) {
      out.push_back(prometheus::MetricFamily{name, help, type, {}});
      return &out.back();
    };
    const auto gauge = [&family](const char* name, const char* help, double value) {
      prometheus::ClientMetric metric;
      metric.gauge.value = value;
      family(name, help, prometheus::MetricType::Gauge)->metric.push_back(metric);
    };
    // A counter with one metric per {label, value} pair given.
    const auto counter = [&family](const char* name, const char* help, const char* label,
                                   std::initializer_list<std::pair<const char*, double>> values) {
      prometheus::MetricFamily* f = family(name, help, prometheus::MetricType::Counter);
      for (const auto& [label_value, value] : values) {
        prometheus::ClientMetric metric;
        if (label != nullptr) metric.label.push_back({label, label_value});
        metric.counter.value = value;
        f->metric.push_back(metric);
      }
    };
    gauge("eko_gateway_upstream_in_flight", "Upstream (Eko) calls in flight.",
          v.upstream_in_flight);
    prometheus::MetricFamily* breaker_state =
        family("eko_gateway_breaker_state",
               "Circuit breaker of each Eko back end (scope): 0 closed, 1 open, 2 half-open.",
               prometheus::MetricType::Gauge);
    for (const LiveValues::Breaker& breaker : v.breakers) {
      prometheus::ClientMetric metric;
      metric.label.push_back({"scope", breaker.scope});
      metric.gauge.value = breaker.state;
      breaker_state->metric.push_back(std::move(metric));
    }
    prometheus::MetricFamily* breaker_opened =
        family("eko_gateway_breaker_opened_total",
               "Times a circuit breaker opened, by scope and the cause of the failure that "
               "opened it.",
               prometheus::MetricType::Counter);
    for (const LiveValues::Breaker& breaker : v.breakers) {
      for (const auto& [cause, times] : breaker.opened_by_cause) {
        prometheus::ClientMetric metric;
        metric.label = {{"cause", cause}, {"scope", breaker.scope}};
        metric.counter.value = times;
        breaker_opened->metric.push_back(std::move(metric));
      }
    }
    gauge("eko_gateway_dedupe_entries", "client_ref_ids remembered for duplicate suppression.",
          v.dedupe_entries);
    counter("eko_gateway_lookups_coalesced_total",
            "GetCustomer/GetSender calls answered by joining an identical call in flight "
            "(no upstream call, no extra OTP SMS of their own).",
            nullptr, {{"", v.lookups_coalesced_total}});
    gauge("eko_gateway_event_loop_lag_seconds",
          "Time since the upstream event loop last made progress.", v.event_loop_lag_seconds);
    gauge("eko_gateway_serving",
          "1 while ready (readiness SERVING), 0 from the stop signal on (calls are still served "
          "during --drain-delay-ms).",
          v.serving);
    gauge("eko_gateway_connections_open", "Client connections open.", v.connections_open);
    gauge("eko_gateway_max_connections",
          "Cap on client connections in effect (--max-connections, lowered to fit the open-file "
          "limit).",
          v.max_connections);
    gauge("eko_gateway_max_connections_per_peer",
          "Cap on client connections per IP address (0: none).", v.max_connections_per_peer);
    counter("eko_gateway_connections_accepted_total", "Client connections accepted.", nullptr,
            {{"", v.connections_accepted_total}});
    counter("eko_gateway_connections_refused_total",
            "Client connections closed on accept because a cap was reached, by cap.", "reason",
            {{"max_connections", v.connections_refused_max_connections},
             {"max_connections_per_peer", v.connections_refused_max_connections_per_peer}});
    counter("eko_gateway_memory_trims_total",
            "Times freed memory was returned to the system (malloc_trim).", nullptr,
            {{"", v.memory_trims_total}});
    counter("eko_gateway_memory_trimmed_bytes_total",
            "Resident bytes the trims returned (resident size before minus after).", nullptr,
            {{"", v.memory_trimmed_bytes_total}});
    counter("eko_upstream_connections_opened_total",
            "Connections opened to Eko, by the protocol their first response came in (http/2, "
            "http/1.1; unknown: no response on it).",
            "protocol",
            {{"http/2", v.upstream_connections_opened_http2},
             {"http/1.1", v.upstream_connections_opened_http1},
             {"unknown", v.upstream_connections_opened_unknown}});
    counter(
        "eko_upstream_tls_handshakes_total",
        "TLS handshakes with Eko, by session: resumed (an earlier session, no certificate "
        "exchange) or full.",
        "session",
        {{"resumed", v.upstream_tls_handshakes_resumed}, {"full", v.upstream_tls_handshakes_full}});
    if (v.idempotency_store_redis) {
      gauge("eko_gateway_idempotency_store_connected",
            "1 while the Redis idempotency store is connected, 0 otherwise.",
            v.idempotency_store_connected);
      counter("eko_gateway_idempotency_store_errors_total",
              "Failed Redis commands and failed or dropped connections to the idempotency store.",
              nullptr, {{"", v.idempotency_store_errors_total}});
      counter("eko_gateway_idempotency_store_unreachable_calls_total",
              "Calls with a client_ref_id while the idempotency store was unreachable, by what "
              "happened: passed (sent without cross-replica duplicate suppression, "
              "--idempotency-store-failure=open) or refused (closed).",
              "action",
              {{"passed", v.idempotency_store_passed_open_total},
               {"refused", v.idempotency_store_refused_total}});
    }
    return out;
  }

 private:
  std::function<LiveValues()> live_;
};

}  // namespace

struct GatewayMetrics::Families {
  prometheus::Family<prometheus::Counter>* rpc_total = nullptr;
  prometheus::Family<prometheus::Histogram>* rpc_duration = nullptr;
  prometheus::Family<prometheus::Counter>* upstream_total = nullptr;
  prometheus::Family<prometheus::Histogram>* upstream_duration = nullptr;
  prometheus::Family<prometheus::Counter>* upstream_attempts = nullptr;
  prometheus::Family<prometheus::Counter>* fields_ignored = nullptr;

  // Family::Add builds a label map, hashes it and locks the family on every
  // call; the handful of label combinations are looked up once and kept here.
  // Metrics a Family hands out live as long as it (the registry) does.
  absl::Mutex mu;
  std::tuple<absl::flat_hash_map<std::string, prometheus::Counter*>,
             absl::flat_hash_map<std::string, prometheus::Histogram*>>
      cached ABSL_GUARDED_BY(mu);

  // The metric `make` returns, made once per `key`, which must identify the
  // family and every label value.
  template <typename MakeMetric>
  auto& Get(const std::string& key, MakeMetric make) {
    using Metric = std::remove_reference_t<decltype(make())>;
    absl::MutexLock lock(&mu);
    Metric*& metric = std::get<absl::flat_hash_map<std::string, Metric*>>(cached)[key];
    if (metric == nullptr) metric = &make();
    return *metric;
  }
};

absl::StatusOr<std::unique_ptr<GatewayMetrics>> GatewayMetrics::Start(
    const std::string& listen, std::function<LiveValues()> live) {
  std::unique_ptr<GatewayMetrics> metrics(new GatewayMetrics());
  metrics->registry_ = std::make_shared<prometheus::Registry>();
  auto& registry = *metrics->registry_;
  metrics->families_ = std::make_unique<Families>();
  Families& families = *metrics->families_;
  const auto counter = [&registry](const char* name, const char* help) {
    return &prometheus::BuildCounter().Name(name).Help(help).Register(registry);
  };
  const auto histogram = [&registry](const char* name, const char* help) {
    return &prometheus::BuildHistogram().Name(name).Help(help).Register(registry);
  };
  families.rpc_total =
      counter("eko_gateway_rpc_total", "RPCs finished, by method, gRPC code and ErrorInfo reason.");
  families.rpc_duration =
      histogram("eko_gateway_rpc_duration_seconds", "RPC latency as the gateway saw it.");
  families.upstream_total =
      counter("eko_gateway_upstream_responses_total",
              "Upstream calls by method and HTTP status (0: no HTTP response).");
  families.upstream_duration =
      histogram("eko_gateway_upstream_duration_seconds", "Upstream call latency, all attempts.");
  families.upstream_attempts = counter("eko_gateway_upstream_attempts_total",
                                       "Upstream attempts started (retries included).");
  families.fields_ignored =
      counter("eko_upstream_fields_ignored_total",
              "Optional fields of Eko replies left unset because of an unusable type or value, "
              "by RPC and JSON path.");
  const BuildInfo& build = GetBuildInfo();
  prometheus::BuildGauge()
      .Name("eko_gateway_build_info")
      .Help("Always 1; the labels name the build: version, source commit, gRPC and libcurl.")
      .Register(registry)
      .Add({{"version", build.version},
            {"commit", build.commit},
            {"grpc", build.grpc},
            {"curl", build.curl}})
      .Set(1);
  auto collectable = std::make_shared<LiveCollectable>(std::move(live));
  metrics->live_collectable_ = collectable;
  try {
    // civetweb: one listener; two worker threads are plenty for scrapes.
    metrics->exposer_ = std::make_unique<prometheus::Exposer>(listen, 2);
  } catch (const std::exception& e) {
    return absl::UnavailableError(absl::StrCat("cannot serve metrics on ", listen, ": ", e.what()));
  }
  metrics->exposer_->RegisterCollectable(metrics->registry_);
  metrics->exposer_->RegisterCollectable(collectable);
  const std::vector<int> ports = metrics->exposer_->GetListeningPorts();
  if (ports.empty())
    return absl::UnavailableError(absl::StrCat("cannot serve metrics on ", listen));
  metrics->port_ = ports.front();
  return metrics;
}

GatewayMetrics::~GatewayMetrics() = default;

void GatewayMetrics::RecordRpc(std::string_view method, std::string_view code,
                               std::string_view reason, absl::Duration latency) {
  Families& f = *families_;
  f.Get(
       absl::StrCat("rpc_total\x1f", ToAbsl(method), "\x1f", ToAbsl(code), "\x1f", ToAbsl(reason)),
       [&]() -> auto& {
         return f.rpc_total->Add({{"method", std::string(method)},
                                  {"code", std::string(code)},
                                  {"reason", std::string(reason)}});
       })
      .Increment();
  f.Get(
       absl::StrCat("rpc_duration\x1f", ToAbsl(method)),
       [&]() -> auto& {
         return f.rpc_duration->Add({{"method", std::string(method)}}, LatencyBuckets());
       })
      .Observe(absl::ToDoubleSeconds(latency));
}

void GatewayMetrics::RecordUpstream(std::string_view method, int http_status, int attempts,
                                    absl::Duration latency) {
  Families& f = *families_;
  f.Get(
       absl::StrCat("upstream_total\x1f", ToAbsl(method), "\x1f", http_status),
       [&]() -> auto& {
         return f.upstream_total->Add(
             {{"method", std::string(method)}, {"http_status", std::to_string(http_status)}});
       })
      .Increment();
  f.Get(
       absl::StrCat("upstream_attempts\x1f", ToAbsl(method)),
       [&]() -> auto& {
         return f.upstream_attempts->Add({{"method", std::string(method)}});
       })
      .Increment(attempts);
  f.Get(
       absl::StrCat("upstream_duration\x1f", ToAbsl(method)),
       [&]() -> auto& {
         return f.upstream_duration->Add({{"method", std::string(method)}}, LatencyBuckets());
       })
      .Observe(absl::ToDoubleSeconds(latency));
}

void GatewayMetrics::RecordIgnoredField(std::string_view rpc, std::string_view field) {
  Families& f = *families_;
  f.Get(
       absl::StrCat("fields_ignored\x1f", ToAbsl(rpc), "\x1f", ToAbsl(field)),
       [&]() -> auto& {
         return f.fields_ignored->Add({{"rpc", std::string(rpc)}, {"field", std::string(field)}});
       })
      .Increment();
}

}  // namespace eko::server
