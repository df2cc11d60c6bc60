// bench-echo-server: the gRPC floor. A callback-API unary echo server built
// with the same gRPC as eko-gateway, doing no work per call, so that its CPU
// per call is what gRPC itself costs a server.
//
//   bench-echo-server [--listen=127.0.0.1:0] [--reply-after-ms=0]
//   stdout (one line): bench-echo-server listening on port N
//
// Exits 0 on SIGTERM or SIGINT, 1 if it cannot listen or on an unknown or
// malformed flag, 2 on a positional argument.
#include <signal.h>

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
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
ABSL_FLAG(int64_t, reply_after_ms, 0,
          "hold each reply this long (0: at once), so that many calls are in flight and the "
          "memory gRPC itself needs per call in flight can be measured");

namespace {

constexpr char kUsage[] = R"(the gRPC floor: a unary echo server that does no work.
Usage: bench-echo-server [--listen=HOST:PORT] [--reply-after-ms=N]
Exit status: 0 on SIGTERM or SIGINT; 1 if it cannot listen or on an unknown or
malformed flag; 2 on a positional argument.)";

// Finishes reactors when they are due, on a thread of its own; Stop
// finishes the rest at once.
class DelayedReplies {
 public:
  DelayedReplies() : thread_([this] { Run(); }) {}
  ~DelayedReplies() { Stop(); }

  void Add(std::chrono::steady_clock::time_point due, grpc::ServerUnaryReactor* reactor) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (!stopping_) {
        due_.emplace(due, reactor);
        reactor = nullptr;
      }
    }
    if (reactor != nullptr) {
      reactor->Finish(grpc::Status::OK);  // stopping: nothing is held any more
      return;
    }
    wake_.notify_one();
  }

  void Stop() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stopping_ = true;
    }
    wake_.notify_one();
    if (thread_.joinable()) thread_.join();
  }

 private:
  void Run() {
    std::unique_lock<std::mutex> lock(mu_);
    while (true) {
      if (!due_.empty() && (stopping_ || due_.begin()->first <= std::chrono::steady_clock::now())) {
        grpc::ServerUnaryReactor* reactor = due_.begin()->second;
        due_.erase(due_.begin());
        lock.unlock();
        reactor->Finish(grpc::Status::OK);
        lock.lock();
      } else if (stopping_) {
        return;
      } else if (due_.empty()) {
        wake_.wait(lock);
      } else {
        wake_.wait_until(lock, due_.begin()->first);
      }
    }
  }

  std::mutex mu_;
  std::condition_variable wake_;
  std::multimap<std::chrono::steady_clock::time_point, grpc::ServerUnaryReactor*> due_;
  bool stopping_ = false;
  std::thread thread_;
};

// Echo returns the request's payload, at once or after `reply_after`; it
// never blocks.
class EchoService final : public eko::bench::v1::EchoService::CallbackService {
 public:
  explicit EchoService(std::chrono::milliseconds reply_after) : reply_after_(reply_after) {}

  grpc::ServerUnaryReactor* Echo(grpc::CallbackServerContext* context,
                                 const eko::bench::v1::EchoRequest* request,
                                 eko::bench::v1::EchoResponse* response) override {
    response->set_payload(request->payload());
    grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
    if (reply_after_.count() > 0) {
      delayed_.Add(std::chrono::steady_clock::now() + reply_after_, reactor);
    } else {
      reactor->Finish(grpc::Status::OK);
    }
    return reactor;
  }

  void StopHolding() { delayed_.Stop(); }

 private:
  const std::chrono::milliseconds reply_after_;
  DelayedReplies delayed_;
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

  const int64_t reply_after_ms = absl::GetFlag(FLAGS_reply_after_ms);
  if (reply_after_ms < 0) {
    std::cerr << "bench-echo-server: --reply-after-ms must be 0 or more\n";
    return 1;
  }
  EchoService service{std::chrono::milliseconds(reply_after_ms)};
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
    service.StopHolding();  // held calls are answered now, before the shutdown waits for them
    server->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(2));
  });
  server->Wait();
  stopper.join();
  return 0;
}
