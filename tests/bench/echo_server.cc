// bench-echo-server: the gRPC floor. A callback-API unary echo server built
// with the same gRPC as eko-gateway, doing no work per call, so that its CPU
// per call is what gRPC itself costs a server.
//
//   bench-echo-server [--listen=127.0.0.1:0]
//   stdout (one line): bench-echo-server listening on port N
//
// Exits 0 on SIGTERM or SIGINT, 2 on bad flags, 1 if it cannot listen.
#include <signal.h>

#include <chrono>
#include <cstdio>
#include <iostream>
#include <memory>
#include <string>
#include <thread>

#include "grpcpp/security/server_credentials.h"
#include "grpcpp/server.h"
#include "grpcpp/server_builder.h"
#include "tests/bench/bench_common.h"
#include "tests/bench/echo.grpc.pb.h"

namespace {

constexpr char kUsage[] =
    "usage: bench-echo-server [--listen=HOST:PORT]\n"
    "  --listen=HOST:PORT  listen address (default 127.0.0.1:0: a free port)\n";

// Echo returns the request's payload; it never blocks.
class EchoService final : public eko::bench::v1::EchoService::CallbackService {
 public:
  grpc::ServerUnaryReactor* Echo(grpc::CallbackServerContext* context,
                                 const eko::bench::v1::EchoRequest* request,
                                 eko::bench::v1::EchoResponse* response) override {
    response->set_payload(request->payload());
    grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
    reactor->Finish(grpc::Status::OK);
    return reactor;
  }
};

}  // namespace

int main(int argc, char** argv) {
  eko::bench::TurnOffMutexDeadlockDetection();
  std::string listen = "127.0.0.1:0";
  eko::bench::FlagParser flags(argc, argv);
  while (std::optional<std::string> name = flags.Next()) {
    if (*name == "help") {
      std::cout << kUsage;
      return 0;
    }
    if (*name != "listen") {
      std::cerr << "bench-echo-server: unknown flag --" << *name << "\n" << kUsage;
      return 2;
    }
    absl::StatusOr<std::string> value = flags.Value();
    if (!value.ok()) {
      std::cerr << "bench-echo-server: " << value.status().message() << "\n";
      return 2;
    }
    listen = *value;
  }
  if (!flags.error().empty()) {
    std::cerr << "bench-echo-server: " << flags.error() << "\n" << kUsage;
    return 2;
  }

  signal(SIGPIPE, SIG_IGN);
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  if (absl::StatusOr<uint64_t> limit = eko::bench::RaiseOpenFileLimit(); !limit.ok()) {
    std::cerr << "bench-echo-server: warning: " << limit.status().message() << "\n";
  }

  EchoService service;
  grpc::ServerBuilder builder;
  int port = 0;
  builder.AddListeningPort(listen, grpc::InsecureServerCredentials(), &port);
  builder.RegisterService(&service);
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (!server || port == 0) {
    std::cerr << "bench-echo-server: cannot listen on " << listen << "\n";
    return 1;
  }
  std::cout << "bench-echo-server listening on port " << port << std::endl;

  std::thread stopper([&] {
    int signal_number = 0;
    sigwait(&stop_signals, &signal_number);
    server->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(2));
  });
  server->Wait();
  stopper.join();
  return 0;
}
