#ifndef EKO_TESTS_SIM_SIMULATOR_H_
#define EKO_TESTS_SIM_SIMULATOR_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "tests/sim/http_server.h"
#include "tests/sim/sim_core.h"

namespace eko::sim {

// eko-sim: a test double of Eko's customer-onboarding REST API served over
// HTTP/1.1 (see tests/sim/README.md). Eko's endpoints live under
// config.base_path; simulator-only admin endpoints under /__sim.
class Simulator {
 public:
  // Binds `listen` ("host:port", port 0 = pick a free one), starts its event
  // loop thread, returns once it accepts connections. Fails for an invalid
  // config or an address that cannot be bound.
  static absl::StatusOr<std::unique_ptr<Simulator>> Start(SimConfig config,
                                                          const std::string& listen);

  Simulator(const Simulator&) = delete;
  Simulator& operator=(const Simulator&) = delete;

  ~Simulator();  // stops the loop and joins the thread

  int port() const;
  std::string base_url() const;   // e.g. "http://127.0.0.1:PORT/ekoapi/v3"
  std::string admin_url() const;  // e.g. "http://127.0.0.1:PORT/__sim"

 private:
  explicit Simulator(std::unique_ptr<SimCore> core);

  // Declared before server_ so that the server (and its loop thread, which
  // calls into the core) goes away first.
  std::unique_ptr<SimCore> core_;
  std::unique_ptr<HttpServer> server_;
};

}  // namespace eko::sim

#endif  // EKO_TESTS_SIM_SIMULATOR_H_
