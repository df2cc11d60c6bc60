#include "server/gateway.h"

#include <chrono>

#include "absl/strings/str_cat.h"
#include "adapters/common/log.h"
#include "adapters/common/status_macros.h"
#include "grpcpp/ext/proto_server_reflection_plugin.h"
#include "grpcpp/health_check_service_interface.h"
#include "grpcpp/security/server_credentials.h"
#include "grpcpp/server_builder.h"
#include "server/tls.h"

namespace eko::server {
namespace {

constexpr char kServiceName[] = "eko.onboarding.v1.OnboardingService";

}  // namespace

Gateway::~Gateway() {
  if (health_monitor_.joinable()) {
    {
      std::lock_guard<std::mutex> lock(monitor_mu_);
      stop_monitor_ = true;
    }
    monitor_cv_.notify_all();
    health_monitor_.join();
  }
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

  EKO_ASSIGN_OR_RETURN(gateway->client_, adapter::EkoClient::Create(std::move(eko)));
  gateway->upstream_chain_ = std::make_unique<UpstreamChain>(config, gateway->client_.get());
  CallerAuthConfig auth;
  auth.tokens_file = config.auth_tokens_file;
  auth.allowed_client_identities = config.allowed_client_identities;
  EKO_ASSIGN_OR_RETURN(gateway->authorizer_, CallerAuthorizer::Create(auth));
  if (!config.metrics_listen.empty()) {
    Gateway* g = gateway.get();
    EKO_ASSIGN_OR_RETURN(
        gateway->metrics_, GatewayMetrics::Start(config.metrics_listen, [g] {
          LiveValues v;
          const adapter::AdmissionClient& admission = g->upstream_chain_->admission();
          v.upstream_in_flight = static_cast<double>(admission.in_flight());
          v.breaker_state = static_cast<double>(admission.breaker_state());
          v.dedupe_entries = static_cast<double>(g->upstream_chain_->duplicate_entries());
          v.event_loop_lag_seconds =
              absl::ToDoubleSeconds(absl::Now() - g->client_->transport_progress());
          v.serving = g->draining_.load() ? 0 : 1;
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
  gateway->health_monitor_ = std::thread([g = gateway.get()] { g->MonitorLiveness(); });
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

int64_t Gateway::upstream_calls_in_flight() const {
  return upstream_chain_ == nullptr ? 0 : upstream_chain_->admission().in_flight();
}

void Gateway::Shutdown(absl::Duration grace) {
  draining_.store(true);
  // Readiness goes first; liveness stays SERVING while in-flight calls drain.
  if (auto* health = server_->GetHealthCheckService()) {
    health->SetServingStatus(kServiceName, false);
  }
  server_->Shutdown(std::chrono::system_clock::now() + absl::ToChronoMilliseconds(grace));
}

void Gateway::Wait() { server_->Wait(); }

}  // namespace eko::server
