// eko-gateway-dev: the gateway plus the Eko simulator (tests/sim/) for
// --dev mode, so that local runs and demos need no Eko credentials. Never
// shipped: the production image carries eko-gateway, which links no test code.
#include <memory>
#include <string>

#include "server/dev_upstream.h"
#include "server/gateway_main.h"
#include "tests/sim/simulator.h"

namespace eko::server {
namespace {

class SimulatorUpstream final : public DevUpstream {
 public:
  explicit SimulatorUpstream(std::unique_ptr<sim::Simulator> simulator)
      : simulator_(std::move(simulator)) {}
  std::string base_url() const override { return simulator_->base_url(); }
  std::string admin_url() const override { return simulator_->admin_url(); }

 private:
  std::unique_ptr<sim::Simulator> simulator_;
};

absl::StatusOr<std::unique_ptr<DevUpstream>> StartSimulator(const DevCredentials& credentials,
                                                            const std::string& listen) {
  sim::SimConfig config;
  config.developer_key = credentials.developer_key;
  config.access_key = credentials.access_key;
  config.initiator_id = credentials.initiator_id;
  auto simulator = sim::Simulator::Start(config, listen);
  if (!simulator.ok()) return simulator.status();
  return std::make_unique<SimulatorUpstream>(*std::move(simulator));
}

}  // namespace
}  // namespace eko::server

int main(int argc, char** argv) {
  return eko::server::RunGateway(argc, argv, &eko::server::StartSimulator);
}
