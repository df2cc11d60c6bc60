#include "server/gateway.h"

#include <dirent.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <unistd.h>

#include <chrono>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "adapters/common/log.h"
#include "adapters/common/status_macros.h"
#include "grpcpp/ext/proto_server_reflection_plugin.h"
#include "grpcpp/health_check_service_interface.h"
#include "grpcpp/security/server_credentials.h"
#include "grpcpp/server_builder.h"
#include "server/connection_gate.h"
#include "server/memory_trimmer.h"
#include "server/tls.h"

namespace eko::server {
namespace {

constexpr char kServiceName[] = "eko.onboarding.v1.OnboardingService";

// A trim is due once the resident size is this much above its level after
// the last trim (see TrimPolicy).
constexpr int64_t kTrimAfterGrowthBytes = 16 << 20;

// Descriptors below the open-file limit from which every new client
// connection is refused, whatever the caps.
constexpr int64_t kRefuseEveryConnectionFds = 16;

// Open file descriptors of this process.
int64_t OpenFdCount() {
  DIR* dir = opendir("/proc/self/fd");
  if (dir == nullptr) return 0;
  int64_t count = 0;
  while (readdir(dir) != nullptr) ++count;
  closedir(dir);
  return count - 3;  // ".", ".." and the directory's own descriptor
}

// Raises the soft limit on open files to the hard limit; returns the soft
// limit then in effect (-1 when unknown).
int64_t RaiseOpenFileLimit() {
  rlimit files{};
  if (getrlimit(RLIMIT_NOFILE, &files) != 0) return -1;
  if (files.rlim_cur < files.rlim_max) {
    files.rlim_cur = files.rlim_max;
    if (setrlimit(RLIMIT_NOFILE, &files) != 0) getrlimit(RLIMIT_NOFILE, &files);
  }
  return files.rlim_cur == RLIM_INFINITY ? INT64_MAX : static_cast<int64_t>(files.rlim_cur);
}

// What the metrics show of the breaker of `scope`.
LiveValues::Breaker BreakerValues(adapter::BreakerScope scope,
                                  const adapter::CircuitBreaker::Snapshot& snapshot) {
  using State = adapter::CircuitBreaker::State;
  using Cause = adapter::CircuitBreaker::Cause;
  LiveValues::Breaker breaker;
  breaker.scope = std::string(adapter::BreakerScopeName(scope));
  breaker.state = snapshot.state == State::kOpen ? 1 : snapshot.state == State::kHalfOpen ? 2 : 0;
  for (size_t cause = 0; cause < snapshot.times_opened.size(); ++cause) {
    breaker.opened_by_cause.emplace_back(
        std::string(adapter::CircuitBreaker::CauseName(static_cast<Cause>(cause))),
        static_cast<double>(snapshot.times_opened[cause]));
  }
  return breaker;
}

}  // namespace

Gateway::~Gateway() {
  health_listener_.reset();  // before server_, which it forwards to
  if (health_monitor_.joinable()) {
    {
      std::lock_guard<std::mutex> lock(monitor_mu_);
      stop_monitor_ = true;
    }
    monitor_cv_.notify_all();
    health_monitor_.join();
  }
  if (maintenance_.joinable()) maintenance_.join();
  if (server_) {
    server_->Shutdown(std::chrono::system_clock::now());
    server_->Wait();
  }
  server_.reset();
  service_.reset();
  upstream_chain_.reset();
  client_.reset();
  authorizer_.reset();
  dev_upstream_.reset();
}

std::string Gateway::dev_upstream_url() const {
  return dev_upstream_ ? dev_upstream_->base_url() : std::string();
}

std::string Gateway::dev_upstream_admin_url() const {
  return dev_upstream_ ? dev_upstream_->admin_url() : std::string();
}

absl::StatusOr<std::unique_ptr<Gateway>> Gateway::Start(const GatewayConfig& config,
                                                        const DevUpstreamFactory& dev_upstream) {
  std::unique_ptr<Gateway> gateway(new Gateway());

  adapter::EkoClientConfig eko;
  eko.base_url = config.eko_base_url;
  eko.developer_key = config.eko_developer_key;
  eko.access_key = config.eko_access_key;
  eko.initiator_id = config.eko_initiator_id;
  eko.default_user_code = config.eko_user_code;
  eko.default_timeout = config.eko_timeout;
  eko.deadline_margin = config.eko_deadline_margin;
  eko.max_retries = static_cast<int>(config.eko_retries);
  eko.transport.extra_ca_file = config.eko_ca_file;
  eko.transport.max_response_bytes = config.eko_max_response_bytes;
  eko.transport.loops = static_cast<int>(config.upstream_loops);
  eko.transport.max_idle_connection = config.eko_max_idle_connection;
  eko.transport.http2 =
      config.eko_http2 == "off" ? adapter::Http2Mode::kOff : adapter::Http2Mode::kAuto;
  eko.transport.http2_max_streams = static_cast<int>(config.eko_http2_max_streams);
  eko.transport.prewarm_connections = static_cast<int>(config.eko_prewarm_connections);
  eko.transport.counters = std::make_shared<adapter::UpstreamConnectionCounters>();
  const std::shared_ptr<const adapter::UpstreamConnectionCounters> upstream_connections =
      eko.transport.counters;
  for (const std::string& spec : config.eko_endpoints) {
    EKO_RETURN_IF_ERROR(eko.endpoints.Override(spec));
  }
  for (const std::string& spec : config.eko_address_encodings) {
    EKO_RETURN_IF_ERROR(eko.endpoints.OverrideAddressEncoding(spec));
  }
  for (const std::string& spec : config.eko_otp_json_types) {
    EKO_RETURN_IF_ERROR(eko.endpoints.OverrideOtpJsonType(spec));
  }

  if (config.dev) {
    if (!dev_upstream) {
      return absl::FailedPreconditionError(
          "--dev needs the embedded Eko simulator, which this production binary does not "
          "contain: run eko-gateway-dev (built next to it), or scripts/demo.sh");
    }
    const DevCredentials credentials;
    EKO_ASSIGN_OR_RETURN(gateway->dev_upstream_,
                         dev_upstream(credentials, config.dev_simulator_listen));
    eko.base_url = gateway->dev_upstream_->base_url();
    eko.developer_key = credentials.developer_key;
    eko.access_key = credentials.access_key;
    eko.initiator_id = credentials.initiator_id;
    if (eko.default_user_code.empty()) eko.default_user_code = credentials.user_code;
    log::Write(log::Level::kWarn, "dev_mode",
               {{"message",
                 "DEVELOPMENT MODE: every call goes to the embedded Eko simulator, not to Eko. "
                 "Never use --dev for real customers."},
                {"simulator", eko.base_url}});
  }

  eko.transport.prewarm_url = eko.base_url;
  EKO_ASSIGN_OR_RETURN(gateway->client_, adapter::EkoClient::Create(std::move(eko)));
  gateway->upstream_chain_ = std::make_unique<UpstreamChain>(config, gateway->client_.get());
  CallerAuthConfig auth;
  auth.tokens_file = config.auth_tokens_file;
  auth.allowed_client_identities = config.allowed_client_identities;
  EKO_ASSIGN_OR_RETURN(gateway->authorizer_, CallerAuthorizer::Create(auth));
  EKO_RETURN_IF_ERROR(gateway->StartConnectionLimiter(config));
  if (!config.metrics_listen.empty()) {
    Gateway* g = gateway.get();
    EKO_ASSIGN_OR_RETURN(
        gateway->metrics_, GatewayMetrics::Start(config.metrics_listen, [g, upstream_connections] {
          LiveValues v;
          const adapter::AdmissionClient& admission = g->upstream_chain_->admission();
          v.upstream_in_flight = static_cast<double>(admission.in_flight());
          for (const adapter::BreakerScope scope :
               {adapter::BreakerScope::kCustomer, adapter::BreakerScope::kSender}) {
            v.breakers.push_back(BreakerValues(scope, admission.breaker(scope)));
          }
          v.dedupe_entries = static_cast<double>(g->upstream_chain_->duplicate_entries());
          v.lookups_coalesced_total = static_cast<double>(g->upstream_chain_->coalesced_lookups());
          if (const auto redis = g->upstream_chain_->redis_stats(); redis.has_value()) {
            v.idempotency_store_redis = true;
            v.idempotency_store_connected = redis->connected ? 1 : 0;
            v.idempotency_store_errors_total = static_cast<double>(redis->errors);
            v.idempotency_store_passed_open_total = static_cast<double>(redis->passed_open);
            v.idempotency_store_refused_total = static_cast<double>(redis->refused);
          }
          v.event_loop_lag_seconds =
              absl::ToDoubleSeconds(absl::Now() - g->client_->transport_progress());
          v.serving = g->draining_.load() ? 0 : 1;
          g->limiter_->Reconcile();
          const ConnectionLimiter::Stats connections = g->limiter_->stats();
          v.connections_open = static_cast<double>(connections.open);
          v.connections_accepted_total = static_cast<double>(connections.accepted_total);
          v.connections_refused_max_connections =
              static_cast<double>(connections.refused_total_cap);
          v.connections_refused_max_connections_per_peer =
              static_cast<double>(connections.refused_peer_cap);
          v.max_connections = static_cast<double>(g->limiter_->limits().max_connections);
          v.max_connections_per_peer =
              static_cast<double>(g->limiter_->limits().max_connections_per_peer);
          v.memory_trims_total = static_cast<double>(g->memory_trims_.load());
          v.memory_trimmed_bytes_total = static_cast<double>(g->memory_trimmed_bytes_.load());
          const auto read = [](const std::atomic<uint64_t>& counter) {
            return static_cast<double>(counter.load(std::memory_order_relaxed));
          };
          v.upstream_connections_opened_http1 = read(upstream_connections->opened_http1);
          v.upstream_connections_opened_http2 = read(upstream_connections->opened_http2);
          v.upstream_connections_opened_unknown = read(upstream_connections->opened_unknown);
          v.upstream_tls_handshakes_full = read(upstream_connections->tls_handshakes_full);
          v.upstream_tls_handshakes_resumed = read(upstream_connections->tls_handshakes_resumed);
          return v;
        }));
  }
  gateway->service_ = std::make_unique<OnboardingServiceImpl>(OnboardingServiceImpl::Dependencies{
      .client = gateway->upstream_chain_->front(),
      .has_default_user_code = !gateway->client_->config().default_user_code.empty(),
      .authorizer = gateway->authorizer_.get(),
      .metrics = gateway->metrics_.get()});
  ServerTlsConfig tls;
  tls.cert_file = config.tls_cert_file;
  tls.key_file = config.tls_key_file;
  tls.client_ca_file = config.tls_client_ca_file;
  EKO_ASSIGN_OR_RETURN(std::shared_ptr<grpc::ServerCredentials> credentials,
                       MakeServerCredentials(tls));

  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  builder.AddListeningPort(config.listen, credentials, &gateway->port_);
  builder.RegisterService(gateway->service_.get());
  builder.SetMaxReceiveMessageSize(static_cast<int>(config.max_request_bytes));
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIME_MS,
                             static_cast<int>(absl::ToInt64Milliseconds(config.keepalive_time)));
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, 20000);
  // Clients may ping every 10 s, also without calls in flight, without being
  // told to calm down.
  builder.AddChannelArgument(GRPC_ARG_HTTP2_MIN_RECV_PING_INTERVAL_WITHOUT_DATA_MS, 10000);
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, 1);
  // Also bounds the wait for the client's HTTP/2 preface and settings, so
  // connections that never send them are closed.
  builder.AddChannelArgument(GRPC_ARG_SERVER_HANDSHAKE_TIMEOUT_MS,
                             static_cast<int>(absl::ToInt64Milliseconds(config.handshake_timeout)));
  ConnectionGate::Install(builder, gateway->limiter_, gateway->fd_lines_);
  if (config.max_connection_age > absl::ZeroDuration()) {
    builder.AddChannelArgument(
        GRPC_ARG_MAX_CONNECTION_AGE_MS,
        static_cast<int>(absl::ToInt64Milliseconds(config.max_connection_age)));
    builder.AddChannelArgument(GRPC_ARG_MAX_CONNECTION_AGE_GRACE_MS,
                               static_cast<int>(absl::ToInt64Milliseconds(config.shutdown_grace)));
  }
  gateway->server_ = builder.BuildAndStart();
  if (!gateway->server_ || gateway->port_ == 0) {
    return absl::UnavailableError(absl::StrCat("cannot listen on ", config.listen));
  }
  auto* health = gateway->server_->GetHealthCheckService();
  health->SetServingStatus(kServiceName, true);
  health->SetServingStatus(true);
  if (!config.health_listen.empty()) {
    EKO_ASSIGN_OR_RETURN(gateway->health_listener_,
                         HealthListener::Start(config.health_listen, gateway->server_.get()));
    log::Write(log::Level::kInfo, "health_listening",
               {{"listen", config.health_listen},
                {"port", std::to_string(gateway->health_listener_->port())}});
  }
  gateway->health_monitor_ = std::thread([g = gateway.get()] { g->MonitorLiveness(); });
  gateway->maintenance_ = std::thread(
      [g = gateway.get(), interval = config.memory_trim_interval] { g->Maintain(interval); });
  return gateway;
}

int Gateway::metrics_port() const { return metrics_ ? metrics_->port() : 0; }

void Gateway::MonitorLiveness() {
  constexpr absl::Duration kStuckAfter = absl::Seconds(5);
  bool alive = true;
  std::unique_lock<std::mutex> lock(monitor_mu_);
  while (!monitor_cv_.wait_for(lock, std::chrono::seconds(1), [this] { return stop_monitor_; })) {
    const bool now_alive = absl::Now() - client_->transport_progress() < kStuckAfter;
    if (now_alive == alive || draining_.load()) continue;
    alive = now_alive;
    log::Write(alive ? log::Level::kInfo : log::Level::kError, "liveness",
               {{"event_loop", alive ? "progressing" : "stuck"}});
    server_->GetHealthCheckService()->SetServingStatus("", alive);
  }
}

absl::Status Gateway::StartConnectionLimiter(const GatewayConfig& config) {
  const int64_t open_file_limit = RaiseOpenFileLimit();
  const int64_t in_use = OpenFdCount();
  ConnectionLimiter::Limits limits;
  limits.max_connections_per_peer = config.max_connections_per_peer;
  limits.max_connections = config.max_connections;
  if (open_file_limit >= 0) {
    limits.max_connections = FdBoundedConnectionCap(config.max_connections, open_file_limit,
                                                    config.upstream_reserved_fds, in_use);
    // Refused sockets are closed late (see connection_gate.h): from these
    // descriptor numbers on the gate empties the accept queue itself, and
    // refuses every connection just short of the limit.
    fd_lines_.refuse_at = open_file_limit - kRefuseEveryConnectionFds;
    fd_lines_.drain_at =
        std::min(open_file_limit - config.upstream_reserved_fds, fd_lines_.refuse_at);
  }
  if (limits.max_connections <= 0) {
    return absl::FailedPreconditionError(
        absl::StrCat("the open-file limit (", open_file_limit,
                     ") leaves no room for client connections after "
                     "--upstream-reserved-fds ",
                     config.upstream_reserved_fds, ", the ", in_use,
                     " descriptors open at start and a margin of ", kConnectionFdMargin,
                     ": raise the limit (ulimit -n) or lower the reserve"));
  }
  if (limits.max_connections < config.max_connections) {
    log::Write(log::Level::kWarn, "max_connections_lowered",
               {{"configured", std::to_string(config.max_connections)},
                {"effective", std::to_string(limits.max_connections)},
                {"open_file_limit", std::to_string(open_file_limit)},
                {"upstream_reserved_fds", std::to_string(config.upstream_reserved_fds)},
                {"message",
                 "the open-file limit leaves room for fewer client connections than "
                 "--max-connections; raise the limit to allow more"}});
  }
  log::Write(log::Level::kInfo, "connection_limits",
             {{"max_connections", std::to_string(limits.max_connections)},
              {"max_connections_per_peer", std::to_string(limits.max_connections_per_peer)},
              {"handshake_timeout_ms",
               std::to_string(absl::ToInt64Milliseconds(config.handshake_timeout))},
              {"drain_queue_from_fd", std::to_string(fd_lines_.drain_at)},
              {"open_file_limit", std::to_string(open_file_limit)},
              {"upstream_reserved_fds", std::to_string(config.upstream_reserved_fds)}});
  limiter_ = std::make_shared<ConnectionLimiter>(limits, FdInode);
  return absl::OkStatus();
}

void Gateway::Maintain(absl::Duration trim_interval) {
  setpriority(PRIO_PROCESS, static_cast<id_t>(gettid()), 10);  // this thread only
  constexpr absl::Duration kTick = absl::Seconds(1);
  const int64_t ticks_per_trim_check =
      trim_interval <= absl::ZeroDuration()
          ? 0
          : std::max<int64_t>(1, absl::ToInt64Milliseconds(trim_interval) / 1000);
  TrimPolicy policy(kTrimAfterGrowthBytes, ResidentBytes());
  int64_t tick = 0;
  std::unique_lock<std::mutex> lock(monitor_mu_);
  while (!monitor_cv_.wait_for(lock, absl::ToChronoMilliseconds(kTick),
                               [this] { return stop_monitor_; })) {
    lock.unlock();
    limiter_->Reconcile();
    if (auto unlogged = limiter_->TakeUnloggedRefusals()) {
      LogRefusal(unlogged->peer, unlogged->decision.verdict, unlogged->decision,
                 limiter_->limits());
    }
    if (ticks_per_trim_check > 0 && ++tick % ticks_per_trim_check == 0 &&
        policy.Due(ResidentBytes())) {
      const TrimResult trim = TrimMemory();
      policy.Trimmed(trim);
      ++memory_trims_;
      memory_trimmed_bytes_ += std::max<int64_t>(0, trim.rss_before - trim.rss_after);
      log::Write(log::Level::kDebug, "memory_trimmed",
                 {{"rss_before", std::to_string(trim.rss_before)},
                  {"rss_after", std::to_string(trim.rss_after)},
                  {"took_us", std::to_string(absl::ToInt64Microseconds(trim.took))}});
    }
    lock.lock();
  }
}

int64_t Gateway::upstream_calls_in_flight() const {
  return upstream_chain_ == nullptr ? 0 : upstream_chain_->admission().in_flight();
}

void Gateway::Shutdown(absl::Duration drain_delay, absl::Duration grace) {
  draining_.store(true);
  // Readiness goes first; liveness stays SERVING while in-flight calls drain.
  if (auto* health = server_->GetHealthCheckService()) {
    health->SetServingStatus(kServiceName, false);
  }
  log::Write(log::Level::kInfo, "draining",
             {{"readiness", "NOT_SERVING"},
              {"drain_delay_ms", std::to_string(absl::ToInt64Milliseconds(drain_delay))},
              {"shutdown_grace_ms", std::to_string(absl::ToInt64Milliseconds(grace))}});
  // A second stop signal ends the process during this wait (gateway_main.cc).
  if (drain_delay > absl::ZeroDuration()) absl::SleepFor(drain_delay);
  log::Write(log::Level::kInfo, "refusing_new_calls",
             {{"shutdown_grace_ms", std::to_string(absl::ToInt64Milliseconds(grace))}});
  // gRPC's own end of the grace cancels what is left with a bare status, so
  // the gateway ends those calls itself when the grace runs out and gives
  // their answers kCutOffDelivery to go out before gRPC's deadline.
  constexpr absl::Duration kCutOffDelivery = absl::Seconds(2);
  const auto grace_end = std::chrono::system_clock::now() + absl::ToChronoMilliseconds(grace);
  std::thread cutter([this, grace_end] {
    {
      std::unique_lock<std::mutex> lock(shutdown_mu_);
      if (shutdown_cv_.wait_until(lock, grace_end, [this] { return calls_drained_; })) return;
    }
    const OnboardingServiceImpl::CutOffResult cut = service_->CutOffInFlight();
    if (cut.after_sending + cut.not_sent == 0) return;
    log::Write(log::Level::kWarn, "shutdown_cut_off",
               {{"sent", std::to_string(cut.after_sending)},
                {"not_sent", std::to_string(cut.not_sent)},
                {"message",
                 "the shutdown grace ended: calls whose request had reached Eko were answered "
                 "UNKNOWN (outcome unknown), the others UNAVAILABLE (nothing sent)"}});
  });
  if (health_listener_) health_listener_->StopForwarding();
  server_->Shutdown(grace_end + absl::ToChronoMilliseconds(kCutOffDelivery));
  {
    std::lock_guard<std::mutex> lock(shutdown_mu_);
    calls_drained_ = true;
  }
  shutdown_cv_.notify_all();
  cutter.join();
}

void Gateway::Wait() { server_->Wait(); }

}  // namespace eko::server
