#ifndef EKO_SERVER_HEALTH_LISTENER_H_
#define EKO_SERVER_HEALTH_LISTENER_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "grpcpp/generic/async_generic_service.h"
#include "grpcpp/generic/generic_stub.h"
#include "grpcpp/server.h"

namespace eko::server {

// A second, plaintext gRPC listener that serves only grpc.health.v1.Health
// (Check and Watch), for probes (kubelet's gRPC probes cannot use TLS) when
// the main listener is TLS. Every call is forwarded, unchanged, to the health
// service of the main server over an in-process channel, so both listeners
// report the same state: whatever the main server answers (its serving
// statuses, NOT_FOUND for an unknown service) is the answer here. Any other
// method, reflection included, is UNIMPLEMENTED. No caller authorisation
// applies, as on the main listener's health service.
class HealthListener {
 public:
  // Listens on `address` (HOST:PORT; port 0 picks one) for `main`, which
  // must outlive the listener.
  static absl::StatusOr<std::unique_ptr<HealthListener>> Start(const std::string& address,
                                                               grpc::Server* main);
  // Shuts the listener down at once (calls in progress are cancelled).
  ~HealthListener();

  // Must be called before `main` shuts down (gRPC 1.51 crashes when a call
  // is started on the in-process channel of a server that has shut down):
  // from then on every call is answered UNAVAILABLE at once, as the main
  // port refuses new calls then. Calls already forwarded end as the main
  // server ends them. Thread-safe; later calls do nothing.
  void StopForwarding();

  int port() const { return port_; }

 private:
  class Forwarder;

  HealthListener() = default;

  std::unique_ptr<Forwarder> forwarder_;
  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;
};

}  // namespace eko::server

#endif  // EKO_SERVER_HEALTH_LISTENER_H_
