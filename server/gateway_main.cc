// The gateway's whole process: flags, start, serve until SIGTERM/SIGINT.
#include "server/gateway_main.h"

#include <signal.h>
#include <sys/resource.h>

#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <thread>

#include "absl/synchronization/mutex.h"
#include "adapters/common/grpc_library.h"
#include "adapters/common/log.h"
#include "adapters/eko/error_table.h"
#include "adapters/eko/next_steps.h"
#include "server/build_info.h"
#include "server/config.h"
#include "server/gateway.h"
#include "server/memory_budget.h"

namespace eko::server {
namespace {

const char* SignalName(int signal_number) {
  return signal_number == SIGTERM ? "SIGTERM" : "SIGINT";
}

}  // namespace

int RunGateway(int argc, char** argv, const DevUpstreamFactory& dev_upstream) {
  // Debian's Abseil is built with absl::Mutex deadlock detection on: every
  // lock (gRPC's included) updates a global lock-order graph. That is a debug
  // aid; it cost ~5 % of the gateway's CPU at 10,000 calls in flight.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  signal(SIGPIPE, SIG_IGN);
  // Block the stop signals in every thread; a dedicated thread waits for them.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  auto parsed = ParseArgs(argc, argv, [](const char* name) { return std::getenv(name); });
  if (!parsed.ok()) {
    std::cerr << "eko-gateway: " << parsed.status().message() << "\n";
    return 2;
  }
  if (parsed->help) {
    std::cout << Usage();
    return 0;
  }
  if (parsed->version) {
    std::cout << VersionLine(dev_upstream ? "eko-gateway-dev" : "eko-gateway") << std::endl;
    return 0;
  }
  if (parsed->print_config_table) {
    std::cout << ConfigMarkdownTable();
    return 0;
  }
  if (parsed->print_flow_table) {
    std::cout << adapter::StepTableMarkdown();
    return 0;
  }
  if (parsed->print_error_table) {
    std::cout << adapter::ErrorTableMarkdown();
    return 0;
  }
  const MaxInflightChoice max_inflight =
      ApplyMemoryBudget(&parsed->config, [](const char* name) { return std::getenv(name); });
  const GatewayConfig& config = parsed->config;
  log::Level level = log::Level::kInfo;
  log::ParseLevel(config.log_level, &level);
  log::SetLevel(level);
  if (parsed->access_key_on_command_line) {
    log::Write(log::Level::kWarn, "access_key_on_command_line",
               {{"message",
                 "the Eko access key was given as --eko-access-key, which every local user can "
                 "read in `ps` and /proc; give it as --eko-access-key-file (e.g. a Secret mount) "
                 "or in EKO_ACCESS_KEY instead"}});
  }

  auto gateway = Gateway::Start(config, dev_upstream);
  if (!gateway.ok()) {
    std::cerr << "eko-gateway: " << gateway.status().message() << "\n";
    return 1;
  }
  if (config.dev) {
    std::cerr << "\n*** eko-gateway --dev: DEVELOPMENT MODE. Calls go to the embedded Eko "
                 "simulator at "
              << (*gateway)->dev_upstream_url() << ", never to Eko. ***\n\n";
    std::cout << "eko-gateway simulator on " << (*gateway)->dev_upstream_admin_url() << std::endl;
  }
  if ((*gateway)->metrics_port() != 0) {
    std::cout << "eko-gateway metrics on port " << (*gateway)->metrics_port() << std::endl;
  }
  std::cout << "eko-gateway listening on port " << (*gateway)->port() << std::endl;
  // Every upstream call in flight holds a connection; Gateway::Start raised
  // the soft limit on open files to the hard limit and capped client
  // connections below it. Say so when upstream calls may still run short.
  rlimit files{};
  const int64_t client_connections = (*gateway)->max_connections();
  if (getrlimit(RLIMIT_NOFILE, &files) == 0 && files.rlim_cur != RLIM_INFINITY &&
      static_cast<int64_t>(files.rlim_cur) < config.max_inflight + client_connections + 64) {
    log::Write(log::Level::kWarn, "open_file_limit",
               {{"limit", std::to_string(files.rlim_cur)},
                {"max_inflight", std::to_string(config.max_inflight)},
                {"max_connections", std::to_string(client_connections)},
                {"message",
                 "the open-file limit is below --max-inflight plus the client connection cap; "
                 "upstream calls beyond it fail as UPSTREAM_UNREACHABLE"}});
  }
  const BuildInfo& build = GetBuildInfo();
  log::Write(log::Level::kInfo, "started",
             {{"listen", config.listen},
              {"port", std::to_string((*gateway)->port())},
              {"version", build.version},
              {"commit", build.commit},
              {"grpc", build.grpc},
              {"curl", build.curl},
              {"max_inflight", std::to_string(config.max_inflight)},
              {"max_inflight_from", max_inflight.source}});

  // The first SIGTERM/SIGINT starts the graceful shutdown (drain delay, then
  // the grace); a second one during it ends the process at once (exit 128 +
  // signal), after logging how many upstream calls it cut off.
  // What a forced exit may read of the gateway; shared with a thread that
  // may outlive this function.
  struct ForcedExitView {
    absl::Mutex mu;
    Gateway* gateway ABSL_GUARDED_BY(mu) = nullptr;
  };
  auto view = std::make_shared<ForcedExitView>();
  {
    absl::MutexLock lock(&view->mu);
    view->gateway = gateway->get();
  }
  std::thread stopper([&] {
    int signal_number = 0;
    sigwait(&stop_signals, &signal_number);
    log::Write(log::Level::kInfo, "stopping", {{"signal", SignalName(signal_number)}});
    std::thread([view, stop_signals] {
      int second = 0;
      sigwait(&stop_signals, &second);
      int64_t cut_off = 0;
      {
        absl::MutexLock lock(&view->mu);
        if (view->gateway != nullptr) cut_off = view->gateway->upstream_calls_in_flight();
      }
      log::Write(log::Level::kWarn, "forced_exit",
                 {{"signal", SignalName(second)},
                  {"upstream_calls_cut_off", std::to_string(cut_off)},
                  {"message", "second stop signal during shutdown: exiting without waiting"}});
      std::_Exit(128 + second);
    }).detach();
    (*gateway)->Shutdown(config.drain_delay, config.shutdown_grace);
  });
  (*gateway)->Wait();
  stopper.join();
  {
    absl::MutexLock lock(&view->mu);
    view->gateway = nullptr;
  }
  gateway->reset();
  if (!WaitForGrpcLibraryShutdown(absl::Seconds(5))) {
    log::Write(log::Level::kWarn, "grpc_cleanup_unfinished",
               {{"message", "gRPC's clean-up had not finished 5 s after the server stopped"}});
  }
  log::Write(log::Level::kInfo, "stopped");
  return 0;
}

}  // namespace eko::server
