#ifndef EKO_TESTS_SIM_SIMULATOR_H_
#define EKO_TESTS_SIM_SIMULATOR_H_

#include <memory>
#include <string>
#include <utility>

#include "absl/status/statusor.h"
#include "tests/sim/http_server.h"
#include "tests/sim/sim_core.h"

namespace eko::sim {

// eko-sim: a test double of Eko's customer-onboarding REST API served over
// HTTP/1.1 or HTTPS (see tests/sim/README.md). Eko's endpoints live under
// config.base_path; simulator-only admin endpoints under /__sim.
class Simulator {
 public:
  struct ServeOptions {
    // Options of the server on `listen`; its TLS fields make it HTTPS.
    HttpServer::Options http;
    // When set ("host:port"), a second, plain-HTTP server here answers the
    // admin endpoints only (every other path gets 404), so that tests can
    // drive an HTTPS simulator without trusting its certificate; admin_url()
    // then points here.
    std::string admin_listen;
  };

  // Binds `listen` ("host:port", port 0 = pick a free one), starts its event
  // loop thread, returns once it accepts connections. Fails for an invalid
  // config, bad TLS files or an address that cannot be bound.
  static absl::StatusOr<std::unique_ptr<Simulator>> Start(SimConfig config,
                                                          const std::string& listen,
                                                          const ServeOptions& serve);
  static absl::StatusOr<std::unique_ptr<Simulator>> Start(SimConfig config,
                                                          const std::string& listen) {
    return Start(std::move(config), listen, ServeOptions());
  }

  Simulator(const Simulator&) = delete;
  Simulator& operator=(const Simulator&) = delete;

  ~Simulator();  // stops the loop and joins the thread

  int port() const;
  std::string base_url() const;   // e.g. "https://127.0.0.1:PORT/ekoapi/v3"
  std::string admin_url() const;  // e.g. "http://127.0.0.1:PORT/__sim"

 private:
  explicit Simulator(std::unique_ptr<SimCore> core);

  // Declared before server_ so that the server (and its loop thread, which
  // calls into the core) goes away first.
  std::unique_ptr<SimCore> core_;
  std::unique_ptr<HttpServer> server_;
  std::unique_ptr<HttpServer> admin_server_;  // Only with ServeOptions::admin_listen.
};

}  // namespace eko::sim

#endif  // EKO_TESTS_SIM_SIMULATOR_H_
