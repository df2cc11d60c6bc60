#include "server/health_listener.h"

#include <atomic>
#include <chrono>
#include <functional>
#include <mutex>
#include <shared_mutex>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "grpcpp/ext/health_check_service_server_builder_option.h"
#include "grpcpp/security/server_credentials.h"
#include "grpcpp/server_builder.h"
#include "grpcpp/support/byte_buffer.h"
#include "grpcpp/support/channel_arguments.h"

namespace eko::server {
namespace {

constexpr char kCheckMethod[] = "/grpc.health.v1.Health/Check";
constexpr char kWatchMethod[] = "/grpc.health.v1.Health/Watch";

// Drops the server builder plugins registered process-wide (server
// reflection), so the listener serves nothing but its generic service.
class WithoutPlugins final : public grpc::ServerBuilderOption {
 public:
  void UpdateArguments(grpc::ChannelArguments*) override {}
  void UpdatePlugins(std::vector<std::unique_ptr<grpc::ServerBuilderPlugin>>* plugins) override {
    plugins->clear();
  }
};

// Answers a call of any other method with UNIMPLEMENTED.
class Unimplemented final : public grpc::ServerGenericBidiReactor {
 public:
  explicit Unimplemented(const std::string& method) {
    Finish(grpc::Status(grpc::StatusCode::UNIMPLEMENTED,
                        absl::StrCat(method,
                                     " is not served on the health port: it serves only "
                                     "grpc.health.v1.Health")));
  }
  void OnDone() override { delete this; }
};

// One health call: the prober's call (inbound) piped into the same method of
// the main server (outbound). The inbound call's one request is sent on;
// each response of the main server is written back before the next is read
// (so at most one of the two is pending), and the main server's status ends
// the inbound call. A hold keeps the outbound call open until reading is
// over, so its status never overtakes a response. Deletes itself once both
// calls are done.
class ForwardedCall {
 public:
  // Starts `outbound` (the call to the main server) for `context` unless
  // forwarding has stopped; false then.
  using Starter = std::function<bool(grpc::ClientContext* context, const std::string& method,
                                     grpc::ClientBidiReactor<grpc::ByteBuffer, grpc::ByteBuffer>*)>;

  ForwardedCall(grpc::GenericCallbackServerContext* context, const Starter* start)
      : context_(context), start_(start), inbound_(this), outbound_(this) {
    inbound_.StartRead(&request_);
  }

  grpc::ServerGenericBidiReactor* reactor() { return &inbound_; }

 private:
  class Inbound final : public grpc::ServerGenericBidiReactor {
   public:
    explicit Inbound(ForwardedCall* call) : call_(call) {}
    void OnReadDone(bool ok) override { call_->RequestRead(ok); }
    void OnWriteDone(bool ok) override { call_->ResponseWritten(ok); }
    void OnCancel() override { call_->outbound_context_.TryCancel(); }
    void OnDone() override { call_->Release(); }

   private:
    ForwardedCall* const call_;
  };

  class Outbound final : public grpc::ClientBidiReactor<grpc::ByteBuffer, grpc::ByteBuffer> {
   public:
    explicit Outbound(ForwardedCall* call) : call_(call) {}
    void OnReadDone(bool ok) override { call_->ResponseRead(ok); }
    void OnDone(const grpc::Status& status) override {
      call_->inbound_.Finish(status);
      call_->Release();
    }

   private:
    ForwardedCall* const call_;
  };

  void RequestRead(bool ok) {
    if (!ok) {
      inbound_.Finish(
          grpc::Status(grpc::StatusCode::CANCELLED, "the call ended without a request"));
      return;
    }
    outbound_context_.set_deadline(context_->deadline());
    ++parts_left_;
    if (!(*start_)(&outbound_context_, context_->method(), &outbound_)) {
      --parts_left_;
      inbound_.Finish(grpc::Status(grpc::StatusCode::UNAVAILABLE, "the gateway is shutting down"));
      return;
    }
    outbound_.AddHold();
    outbound_.StartWriteLast(&request_, grpc::WriteOptions());
    outbound_.StartRead(&response_);
    outbound_.StartCall();
  }

  void ResponseRead(bool ok) {
    if (ok) {
      inbound_.StartWrite(&response_);
    } else {
      outbound_.RemoveHold();  // the outbound status follows
    }
  }

  void ResponseWritten(bool ok) {
    if (ok) {
      outbound_.StartRead(&response_);
    } else {
      outbound_context_.TryCancel();  // the prober went away
      outbound_.RemoveHold();
    }
  }

  void Release() {
    if (--parts_left_ == 0) delete this;
  }

  grpc::GenericCallbackServerContext* const context_;
  const Starter* const start_;
  Inbound inbound_;
  Outbound outbound_;
  grpc::ClientContext outbound_context_;
  grpc::ByteBuffer request_;
  grpc::ByteBuffer response_;
  // The inbound call, plus the outbound one once started.
  std::atomic<int> parts_left_{1};
};

}  // namespace

class HealthListener::Forwarder final : public grpc::CallbackGenericService {
 public:
  explicit Forwarder(grpc::Server* main)
      : stub_(main->InProcessChannel(grpc::ChannelArguments())),
        start_([this](grpc::ClientContext* context, const std::string& method,
                      grpc::ClientBidiReactor<grpc::ByteBuffer, grpc::ByteBuffer>* reactor) {
          std::shared_lock<std::shared_mutex> lock(mu_);
          if (stopped_) return false;
          stub_.PrepareBidiStreamingCall(context, method, grpc::StubOptions(), reactor);
          return true;
        }) {}

  grpc::ServerGenericBidiReactor* CreateReactor(
      grpc::GenericCallbackServerContext* context) override {
    if (context->method() != kCheckMethod && context->method() != kWatchMethod) {
      return new Unimplemented(context->method());
    }
    return (new ForwardedCall(context, &start_))->reactor();
  }

  void Stop() {
    std::unique_lock<std::shared_mutex> lock(mu_);
    stopped_ = true;
  }

 private:
  grpc::GenericStub stub_;
  // Calls are created on stub_ under a shared lock, so none is created once
  // Stop has returned.
  std::shared_mutex mu_;
  bool stopped_ = false;
  const ForwardedCall::Starter start_;
};

absl::StatusOr<std::unique_ptr<HealthListener>> HealthListener::Start(const std::string& address,
                                                                      grpc::Server* main) {
  std::unique_ptr<HealthListener> listener(new HealthListener());
  listener->forwarder_ = std::make_unique<Forwarder>(main);
  grpc::ServerBuilder builder;
  // No default health service of its own: the main server's answers.
  builder.SetOption(std::make_unique<grpc::HealthCheckServiceServerBuilderOption>(nullptr));
  builder.SetOption(std::make_unique<WithoutPlugins>());
  builder.AddListeningPort(address, grpc::InsecureServerCredentials(), &listener->port_);
  builder.RegisterCallbackGenericService(listener->forwarder_.get());
  listener->server_ = builder.BuildAndStart();
  if (listener->server_ == nullptr || listener->port_ == 0) {
    return absl::UnavailableError(absl::StrCat("cannot listen on ", address, " (--health-listen)"));
  }
  return listener;
}

void HealthListener::StopForwarding() { forwarder_->Stop(); }

HealthListener::~HealthListener() {
  if (server_ != nullptr) {
    server_->Shutdown(std::chrono::system_clock::now());
    server_->Wait();
  }
}

}  // namespace eko::server
