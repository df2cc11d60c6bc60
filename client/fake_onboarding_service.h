#ifndef EKO_CLIENT_FAKE_ONBOARDING_SERVICE_H_
#define EKO_CLIENT_FAKE_ONBOARDING_SERVICE_H_

// Test-only: an in-process OnboardingService whose answers the test scripts,
// and a fixture running eko-cli (RunCli) against it.

#include <deque>
#include <memory>
#include <mutex>
#include <sstream>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "adapters/rpc_registry.h"
#include "client/cli.h"
#include "client/test_support.h"
#include "eko/onboarding/v1/onboarding_service.grpc.pb.h"
#include "google/protobuf/text_format.h"
#include "grpcpp/grpcpp.h"
#include "grpcpp/health_check_service_interface.h"
#include "gtest/gtest.h"

namespace eko::cli::test_support {

namespace fake_v1 = ::eko::onboarding::v1;

inline fake_v1::GetCustomerResponse CannedGetCustomer() {
  return Proto<fake_v1::GetCustomerResponse>(kCannedGetCustomer);
}

// The request type of the RPC answering with Response.
#define EKO_FAKE_REQUEST_FOR(NAME, ...) \
  fake_v1::NAME##Request RequestFor(const fake_v1::NAME##Response&);
EKO_ONBOARDING_RPCS(EKO_FAKE_REQUEST_FOR)
#undef EKO_FAKE_REQUEST_FOR
template <typename Response>
using RequestOf = decltype(RequestFor(std::declval<const Response&>()));

// Each RPC answers with the next answer scripted for it (Reply, Fail), in
// order. Once its script is used up, an RPC falls back to its default:
// GetCustomer answers kCannedGetCustomer, OnboardCustomer fails with
// RichError(), VerifyCustomerOtp never answers until Release(), and the other
// RPCs are UNIMPLEMENTED. Every request is recorded. Thread-safe.
class FakeOnboardingService final : public fake_v1::OnboardingService::CallbackService {
 public:
  // Queues an OK answer of the RPC answering with Response.
  template <typename Response>
  void Reply(const Response& response) {
    std::lock_guard<std::mutex> lock(mu_);
    Of<Response>().answers.emplace_back(grpc::Status::OK, response);
  }

  // Queues a failure of the RPC answering with Response.
  template <typename Response>
  void Fail(grpc::Status status) {
    std::lock_guard<std::mutex> lock(mu_);
    Of<Response>().answers.emplace_back(std::move(status), Response());
  }

  // The requests the RPC answering with Response received, in order.
  template <typename Response>
  std::vector<RequestOf<Response>> Requests() {
    std::lock_guard<std::mutex> lock(mu_);
    return Of<Response>().requests;
  }

  // Finishes the calls VerifyCustomerOtp left hanging.
  void Release() {
    std::lock_guard<std::mutex> lock(mu_);
    for (grpc::ServerUnaryReactor* reactor : pending_) {
      reactor->Finish(grpc::Status(grpc::StatusCode::CANCELLED, "released"));
    }
    pending_.clear();
  }

  // RPCs received, all methods together.
  int calls() {
    std::lock_guard<std::mutex> lock(mu_);
    return calls_;
  }

  // Names of the RPCs received, in order.
  std::vector<std::string> rpcs() {
    std::lock_guard<std::mutex> lock(mu_);
    return rpcs_;
  }

  fake_v1::GetCustomerRequest last_get_customer() {
    std::lock_guard<std::mutex> lock(mu_);
    const auto& requests = Of<fake_v1::GetCustomerResponse>().requests;
    return requests.empty() ? fake_v1::GetCustomerRequest() : requests.back();
  }

#define EKO_FAKE_ANSWER(NAME, ...)                                             \
  grpc::ServerUnaryReactor* NAME(grpc::CallbackServerContext* context,         \
                                 const fake_v1::NAME##Request* request,        \
                                 fake_v1::NAME##Response* response) override { \
    return Answer(#NAME, context, *request, response);                         \
  }
  EKO_ONBOARDING_RPCS(EKO_FAKE_ANSWER)
#undef EKO_FAKE_ANSWER

 private:
  enum class Default { kCanned, kRichError, kHang, kUnimplemented };

  template <typename Response>
  struct Script {
    std::deque<std::pair<grpc::Status, Response>> answers;
    std::vector<RequestOf<Response>> requests;
  };

  // The script of the RPC answering with Response. Requires mu_.
  template <typename Response>
  Script<Response>& Of() {
    return std::get<Script<Response>>(scripts_);
  }

  // What an RPC does once its script is used up (see the class comment).
  template <typename Response>
  static constexpr Default DefaultOf() {
    if constexpr (std::is_same_v<Response, fake_v1::GetCustomerResponse>) return Default::kCanned;
    if constexpr (std::is_same_v<Response, fake_v1::OnboardCustomerResponse>) {
      return Default::kRichError;
    }
    if constexpr (std::is_same_v<Response, fake_v1::VerifyCustomerOtpResponse>) {
      return Default::kHang;
    }
    return Default::kUnimplemented;
  }

  template <typename Request, typename Response>
  grpc::ServerUnaryReactor* Answer(const char* rpc, grpc::CallbackServerContext* context,
                                   const Request& request, Response* response) {
    grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
    grpc::Status status;
    {
      std::lock_guard<std::mutex> lock(mu_);
      ++calls_;
      rpcs_.push_back(rpc);
      Script<Response>& script = Of<Response>();
      script.requests.push_back(request);
      if (!script.answers.empty()) {
        status = script.answers.front().first;
        *response = std::move(script.answers.front().second);
        script.answers.pop_front();
      } else {
        switch (DefaultOf<Response>()) {
          case Default::kCanned:
            if constexpr (std::is_same_v<Response, fake_v1::GetCustomerResponse>) {
              *response = CannedGetCustomer();
            }
            break;
          case Default::kRichError:
            status = RichError();
            break;
          case Default::kHang:
            pending_.push_back(reactor);
            return reactor;
          case Default::kUnimplemented:
            status = grpc::Status(grpc::StatusCode::UNIMPLEMENTED, "not scripted");
            break;
        }
      }
    }
    reactor->Finish(status);
    return reactor;
  }

  std::mutex mu_;
  int calls_ = 0;
  std::vector<std::string> rpcs_;
  std::tuple<Script<fake_v1::GetCustomerResponse>, Script<fake_v1::OnboardCustomerResponse>,
             Script<fake_v1::VerifyCustomerOtpResponse>, Script<fake_v1::GetSenderResponse>,
             Script<fake_v1::OnboardSenderResponse>, Script<fake_v1::StartSenderEkycResponse>,
             Script<fake_v1::ValidateEkycOtpResponse>>
      scripts_;
  std::vector<grpc::ServerUnaryReactor*> pending_;
};

// Starts FakeOnboardingService (with gRPC's default health service) on
// 127.0.0.1:0 and runs eko-cli against it.
class FakeServiceTest : public ::testing::Test {
 protected:
  // The listener's credentials: plaintext unless a test says otherwise.
  virtual std::shared_ptr<grpc::ServerCredentials> ListenerCredentials() {
    return grpc::InsecureServerCredentials();
  }

  void SetUp() override {
    grpc::EnableDefaultHealthCheckService(true);
    grpc::ServerBuilder builder;
    int port = 0;
    builder.AddListeningPort("127.0.0.1:0", ListenerCredentials(), &port);
    builder.RegisterService(&service_);
    server_ = builder.BuildAndStart();
    ASSERT_NE(server_, nullptr);
    ASSERT_GT(port, 0);
    addr_ = "127.0.0.1:" + std::to_string(port);
  }

  void TearDown() override {
    service_.Release();
    if (server_ != nullptr) server_->Shutdown();
  }

  // Runs eko-cli with `args` and `stdin_text` on stdin (a terminal when
  // `terminal`); the default address is the fake server's.
  CliRun Run(const std::vector<std::string>& args, const std::string& stdin_text = "",
             bool terminal = false) {
    return RunEkoCli(args, stdin_text, addr_, terminal);
  }

  FakeOnboardingService service_;
  std::unique_ptr<grpc::Server> server_;
  std::string addr_;
};

}  // namespace eko::cli::test_support

#endif  // EKO_CLIENT_FAKE_ONBOARDING_SERVICE_H_
