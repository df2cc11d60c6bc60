#include "tests/sim/simulator.h"

#include <chrono>
#include <memory>
#include <string>
#include <utility>

#include "absl/strings/match.h"
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

Simulator::~Simulator() {
  admin_server_.reset();
  server_.reset();
}

absl::StatusOr<std::unique_ptr<Simulator>> Simulator::Start(SimConfig config,
                                                            const std::string& listen,
                                                            const ServeOptions& serve) {
  if (absl::Status valid = ValidateConfig(config); !valid.ok()) return valid;
  std::unique_ptr<Simulator> simulator(new Simulator(std::make_unique<SimCore>(std::move(config))));
  SimCore* core = simulator->core_.get();
  absl::StatusOr<std::unique_ptr<HttpServer>> server = HttpServer::Start(
      listen, [core](const SimRequest& request) { return core->Handle(request, NowMs()); },
      serve.http);
  if (!server.ok()) return server.status();
  simulator->server_ = *std::move(server);
  if (!serve.admin_listen.empty()) {
    absl::StatusOr<std::unique_ptr<HttpServer>> admin =
        HttpServer::Start(serve.admin_listen, [core](const SimRequest& request) {
          if (!absl::StartsWith(request.path, absl::StrCat(kAdminPrefix, "/"))) {
            return SimResponse{.http_status = 404, .body = "only admin endpoints here\n"};
          }
          return core->Handle(request, NowMs());
        });
    if (!admin.ok()) return admin.status();
    simulator->admin_server_ = *std::move(admin);
  }
  return simulator;
}

int Simulator::port() const { return server_->port(); }

std::string Simulator::base_url() const {
  return absl::StrCat(server_->scheme(), "://", server_->url_host(), ":", server_->port(),
                      core_->config().base_path);
}

std::string Simulator::admin_url() const {
  const HttpServer& admin = admin_server_ != nullptr ? *admin_server_ : *server_;
  return absl::StrCat(admin.scheme(), "://", admin.url_host(), ":", admin.port(), kAdminPrefix);
}

}  // namespace eko::sim
