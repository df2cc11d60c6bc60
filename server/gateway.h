#ifndef EKO_SERVER_GATEWAY_H_
#define EKO_SERVER_GATEWAY_H_

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "adapters/eko/eko_client.h"
#include "grpcpp/server.h"
#include "server/caller_auth.h"
#include "server/config.h"
#include "server/connection_gate.h"
#include "server/connection_limiter.h"
#include "server/dev_upstream.h"
#include "server/health_listener.h"
#include "server/metrics.h"
#include "server/onboarding_service.h"
#include "server/upstream_chain.h"

namespace eko::server {

// The running gateway: gRPC server (OnboardingService, grpc.health.v1,
// reflection), the Eko adapter and, in --dev mode, the stand-in for Eko that
// `dev_upstream` starts.
class Gateway {
 public:
  // Starts everything; returns once the gRPC port accepts calls. With
  // config.dev, `dev_upstream` must be set (eko-gateway-dev's simulator);
  // without it --dev is refused with an error saying where dev mode lives.
  static absl::StatusOr<std::unique_ptr<Gateway>> Start(
      const GatewayConfig& config, const DevUpstreamFactory& dev_upstream = nullptr);
  ~Gateway();

  int port() const { return port_; }
  // Port of the --health-listen listener; 0 when there is none.
  int health_port() const { return health_listener_ ? health_listener_->port() : 0; }
  // Base URL of the stand-in for Eko; empty unless --dev.
  std::string dev_upstream_url() const;
  // Admin URL of the stand-in (OTPs etc.); empty unless --dev.
  std::string dev_upstream_admin_url() const;

  // The cap on client connections in effect (--max-connections, lowered to
  // fit the open-file limit).
  int64_t max_connections() const { return limiter_->limits().max_connections; }

  // Turns readiness (grpc.health.v1 for the OnboardingService) NOT_SERVING
  // at once and keeps serving new calls for `drain_delay`, while load
  // balancers and clients stop sending here; liveness ("") stays SERVING.
  // Then stops accepting calls and gives in-flight calls `grace` to finish;
  // then ends the rest itself (OnboardingServiceImpl::CutOffInFlight: UNKNOWN
  // when the request may have reached Eko, UNAVAILABLE when nothing was sent)
  // and logs `shutdown_cut_off` with both counts. Blocks until the server has
  // no call left. Safe to call from any thread, once.
  void Shutdown(absl::Duration drain_delay, absl::Duration grace);
  // Blocks until the server has shut down.
  void Wait();

  // Port of the metrics endpoint; 0 when metrics are off.
  int metrics_port() const;

  // Upstream calls started and not yet completed.
  int64_t upstream_calls_in_flight() const;

 private:
  Gateway() = default;
  void MonitorLiveness();
  // Low-priority housekeeping: drops closed connections from the limiter
  // every second and, every --memory-trim-interval-ms, returns memory freed
  // after a peak when TrimPolicy says so.
  void Maintain(absl::Duration trim_interval);
  // Creates limiter_ from the caps and the open-file limit (see
  // --upstream-reserved-fds) and logs the values in effect.
  absl::Status StartConnectionLimiter(const GatewayConfig& config);

  std::unique_ptr<DevUpstream> dev_upstream_;
  std::unique_ptr<adapter::EkoClient> client_;
  // Duplicate suppression and admission in front of client_.
  std::unique_ptr<UpstreamChain> upstream_chain_;
  std::unique_ptr<CallerAuthorizer> authorizer_;
  std::unique_ptr<GatewayMetrics> metrics_;
  std::shared_ptr<ConnectionLimiter> limiter_;
  ConnectionGate::FdLines fd_lines_;
  std::atomic<int64_t> memory_trims_{0};
  std::atomic<int64_t> memory_trimmed_bytes_{0};
  std::atomic<bool> draining_{false};
  // Liveness: reports grpc.health.v1 "" SERVING while the upstream event loop
  // makes progress.
  std::thread health_monitor_;
  std::thread maintenance_;
  // Shutdown: set once the server has no call left, which ends the wait
  // for the end of the grace.
  std::mutex shutdown_mu_;
  std::condition_variable shutdown_cv_;
  bool calls_drained_ = false;
  std::mutex monitor_mu_;
  std::condition_variable monitor_cv_;
  bool stop_monitor_ = false;
  std::unique_ptr<OnboardingServiceImpl> service_;
  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;
  // --health-listen: forwards to server_'s health service.
  std::unique_ptr<HealthListener> health_listener_;
};

}  // namespace eko::server

#endif  // EKO_SERVER_GATEWAY_H_
