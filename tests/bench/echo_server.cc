// bench-echo-server: the gRPC floor. A callback-API unary echo server built
// with the same gRPC as eko-gateway, doing no work per call, so that its CPU
// per call is what gRPC itself costs a server.
//
//   bench-echo-server [--listen=127.0.0.1:0]
//   stdout (one line): bench-echo-server listening on port N
//
// Exits 0 on SIGTERM or SIGINT, 1 if it cannot listen or on an unknown or
// malformed flag, 2 on a positional argument.
#include <signal.h>

#include <chrono>
#include <cstdio>
#include <iostream>
#include <memory>
#include <string>
#include <thread>

#include "absl/flags/flag.h"
#include "grpcpp/security/server_credentials.h"
#include "grpcpp/server.h"
#include "grpcpp/server_builder.h"
#include "tests/bench/bench_common.h"
#include "tests/bench/command_line.h"
#include "tests/bench/echo.grpc.pb.h"

ABSL_FLAG(std::string, listen, "127.0.0.1:0", "listen address, HOST:PORT (port 0: a free port)");

namespace {

constexpr char kUsage[] = R"(the gRPC floor: a unary echo server that does no work.
Usage: bench-echo-server [--listen=HOST:PORT]
Exit status: 0 on SIGTERM or SIGINT; 1 if it cannot listen or on an unknown or
malformed flag; 2 on a positional argument.)";

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

// Blocks SIGTERM and SIGINT in this thread and every thread it starts later,
// and returns them as the set for sigwait.
sigset_t BlockStopSignals() {
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  for (const int stop_signal : {SIGTERM, SIGINT}) sigaddset(&stop_signals, stop_signal);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  return stop_signals;
}

}  // namespace

int main(int argc, char** argv) {
  eko::bench::TurnOffMutexDeadlockDetection();
  eko::bench::ParseCommandLineOrExit(
      argc, argv,
      {.tool = "bench-echo-server", .usage = kUsage, .flag_files = {"tests/bench/echo_server.cc"}});
  const std::string listen = absl::GetFlag(FLAGS_listen);
  signal(SIGPIPE, SIG_IGN);
  const sigset_t stop_signals = BlockStopSignals();
  eko::bench::RaiseOpenFileLimitOrWarn("bench-echo-server");

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
