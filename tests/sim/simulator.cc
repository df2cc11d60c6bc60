#include "tests/sim/simulator.h"

#include <chrono>
#include <memory>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"

namespace eko::sim {
namespace {

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

Simulator::Simulator(std::unique_ptr<SimCore> core) : core_(std::move(core)) {}

Simulator::~Simulator() { server_.reset(); }

absl::StatusOr<std::unique_ptr<Simulator>> Simulator::Start(SimConfig config,
                                                            const std::string& listen) {
  if (absl::Status valid = ValidateConfig(config); !valid.ok()) return valid;
  std::unique_ptr<Simulator> simulator(new Simulator(std::make_unique<SimCore>(std::move(config))));
  SimCore* core = simulator->core_.get();
  absl::StatusOr<std::unique_ptr<HttpServer>> server = HttpServer::Start(
      listen, [core](const SimRequest& request) { return core->Handle(request, NowMs()); });
  if (!server.ok()) return server.status();
  simulator->server_ = *std::move(server);
  return simulator;
}

int Simulator::port() const { return server_->port(); }

std::string Simulator::base_url() const {
  return absl::StrCat("http://", server_->url_host(), ":", server_->port(),
                      core_->config().base_path);
}

std::string Simulator::admin_url() const {
  return absl::StrCat("http://", server_->url_host(), ":", server_->port(), kAdminPrefix);
}

}  // namespace eko::sim
