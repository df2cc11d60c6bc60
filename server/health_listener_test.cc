// Tests for server/health_listener: a plaintext port serving only
// grpc.health.v1, answering with the main server's health state, also when
// the main listener is TLS (through the whole Gateway).

#include "server/health_listener.h"

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>

#include "eko/onboarding/v1/onboarding_service.grpc.pb.h"
#include "grpc/health/v1/health.pb.h"
#include "grpcpp/generic/generic_stub.h"
#include "grpcpp/grpcpp.h"
#include "grpcpp/health_check_service_interface.h"
#include "grpcpp/impl/codegen/client_unary_call.h"
#include "grpcpp/impl/codegen/sync_stream.h"
#include "gtest/gtest.h"
#include "server/config.h"
#include "server/gateway.h"
#include "server/tls_test_pki.h"

namespace eko::server {
namespace {

namespace health = ::grpc::health::v1;
namespace v1 = ::eko::onboarding::v1;
using Status = health::HealthCheckResponse::ServingStatus;

constexpr char kOnboardingService[] = "eko.onboarding.v1.OnboardingService";

std::shared_ptr<grpc::Channel> PlaintextChannel(int port) {
  return grpc::CreateChannel("127.0.0.1:" + std::to_string(port),
                             grpc::InsecureChannelCredentials());
}

std::chrono::system_clock::time_point SecondsFromNow(int seconds) {
  return std::chrono::system_clock::now() + std::chrono::seconds(seconds);
}

// The client side of one health call about `service`.
struct HealthCall {
  HealthCall(const std::string& service, int deadline_seconds) {
    context.set_deadline(SecondsFromNow(deadline_seconds));
    request.set_service(service);
  }
  grpc::ClientContext context;
  health::HealthCheckRequest request;
};

// grpc.health.v1.Health/Check of `service`: the status, or the RPC's error.
struct CheckResult {
  grpc::Status rpc;
  Status serving = health::HealthCheckResponse::UNKNOWN;
};
CheckResult Check(const std::shared_ptr<grpc::Channel>& channel, const std::string& service) {
  const grpc::internal::RpcMethod method("/grpc.health.v1.Health/Check",
                                         grpc::internal::RpcMethod::NORMAL_RPC, channel);
  HealthCall call(service, 10);
  health::HealthCheckResponse response;
  CheckResult result;
  result.rpc = grpc::internal::BlockingUnaryCall(channel.get(), method, &call.context, call.request,
                                                 &response);
  result.serving = response.status();
  return result;
}

grpc::StatusCode GetCustomerCode(const std::shared_ptr<grpc::Channel>& channel) {
  grpc::ClientContext context;
  context.set_deadline(SecondsFromNow(10));
  v1::GetCustomerResponse response;
  return v1::OnboardingService::NewStub(channel)
      ->GetCustomer(&context, v1::GetCustomerRequest(), &response)
      .error_code();
}

// The main server: gRPC's default health service and nothing else.
class HealthListenerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    grpc::EnableDefaultHealthCheckService(true);
    grpc::ServerBuilder builder;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &main_port_);
    main_ = builder.BuildAndStart();
    ASSERT_NE(main_, nullptr);
    health_ = main_->GetHealthCheckService();
    health_->SetServingStatus(kOnboardingService, true);
    absl::StatusOr<std::unique_ptr<HealthListener>> listener =
        HealthListener::Start("127.0.0.1:0", main_.get());
    ASSERT_TRUE(listener.ok()) << listener.status();
    listener_ = *std::move(listener);
    channel_ = PlaintextChannel(listener_->port());
  }

  void TearDown() override {
    listener_.reset();
    if (main_ != nullptr) main_->Shutdown(std::chrono::system_clock::now());
  }

  int main_port_ = 0;
  std::unique_ptr<grpc::Server> main_;
  grpc::HealthCheckServiceInterface* health_ = nullptr;
  std::unique_ptr<HealthListener> listener_;
  std::shared_ptr<grpc::Channel> channel_;
};

TEST_F(HealthListenerTest, CheckAnswersWithTheMainServersState) {
  EXPECT_EQ(Check(channel_, "").serving, health::HealthCheckResponse::SERVING);
  EXPECT_EQ(Check(channel_, kOnboardingService).serving, health::HealthCheckResponse::SERVING);
  health_->SetServingStatus(kOnboardingService, false);
  const CheckResult down = Check(channel_, kOnboardingService);
  EXPECT_TRUE(down.rpc.ok()) << down.rpc.error_message();
  EXPECT_EQ(down.serving, health::HealthCheckResponse::NOT_SERVING);
  EXPECT_EQ(Check(channel_, "no.such.Service").rpc.error_code(), grpc::StatusCode::NOT_FOUND);
}

TEST_F(HealthListenerTest, WatchStreamsTheMainServersChanges) {
  const grpc::internal::RpcMethod method("/grpc.health.v1.Health/Watch",
                                         grpc::internal::RpcMethod::SERVER_STREAMING, channel_);
  HealthCall call(kOnboardingService, 20);
  std::unique_ptr<grpc::ClientReader<health::HealthCheckResponse>> reader(
      grpc::internal::ClientReaderFactory<health::HealthCheckResponse>::Create(
          channel_.get(), method, &call.context, call.request));
  health::HealthCheckResponse response;
  ASSERT_TRUE(reader->Read(&response));
  EXPECT_EQ(response.status(), health::HealthCheckResponse::SERVING);
  health_->SetServingStatus(kOnboardingService, false);
  ASSERT_TRUE(reader->Read(&response));
  EXPECT_EQ(response.status(), health::HealthCheckResponse::NOT_SERVING);
  call.context.TryCancel();
  while (reader->Read(&response)) {
  }
  EXPECT_EQ(reader->Finish().error_code(), grpc::StatusCode::CANCELLED);
}

TEST_F(HealthListenerTest, ServesNothingButHealth) {
  EXPECT_EQ(GetCustomerCode(channel_), grpc::StatusCode::UNIMPLEMENTED);
  // Not even server reflection, which the process registers for every server.
  grpc::ClientContext context;
  context.set_deadline(SecondsFromNow(10));
  grpc::GenericStub stub(channel_);
  const grpc::Slice empty_message("");
  grpc::ByteBuffer request(&empty_message, 1);
  grpc::ByteBuffer response;
  std::mutex mu;
  std::condition_variable done_cv;
  bool done = false;
  grpc::Status status;
  stub.UnaryCall(&context, "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo",
                 grpc::StubOptions(), &request, &response, [&](grpc::Status s) {
                   std::lock_guard<std::mutex> lock(mu);
                   status = std::move(s);
                   done = true;
                   done_cv.notify_all();
                 });
  std::unique_lock<std::mutex> lock(mu);
  done_cv.wait(lock, [&] { return done; });
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNIMPLEMENTED);
}

TEST_F(HealthListenerTest, AnswersUnavailableOnceForwardingStops) {
  listener_->StopForwarding();
  main_->Shutdown(std::chrono::system_clock::now());
  const CheckResult result = Check(channel_, "");
  EXPECT_EQ(result.rpc.error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(result.rpc.error_message(), "the gateway is shutting down");
}

TEST(HealthListenerStartTest, AnAddressItCannotListenOnIsAnError) {
  grpc::ServerBuilder builder;
  std::unique_ptr<grpc::Server> main = builder.BuildAndStart();
  ASSERT_NE(main, nullptr);
  // 192.0.2.0/24 (TEST-NET-1) is on no interface of this host.
  const absl::Status status = HealthListener::Start("192.0.2.1:0", main.get()).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kUnavailable);
  EXPECT_NE(status.message().find("192.0.2.1:0 (--health-listen)"), std::string::npos) << status;
  main->Shutdown(std::chrono::system_clock::now());
}

// The case --health-listen is for: the main port is TLS, the probe is not.
TEST(GatewayHealthListenTest, PlaintextHealthPortBesideATlsMainPort) {
  const test_pki::Pki& pki = *test_pki::Pki::Get();
  ASSERT_TRUE(pki.ok()) << pki.error();
  GatewayConfig config;
  config.listen = "127.0.0.1:0";
  config.health_listen = "127.0.0.1:0";
  config.tls_cert_file = pki.Path("server.pem");
  config.tls_key_file = pki.Path("server.key");
  config.eko_base_url = "http://127.0.0.1:9";
  config.eko_developer_key = "developer-key";
  config.eko_access_key = "access-key";
  config.eko_initiator_id = "9999999999";
  absl::StatusOr<std::unique_ptr<Gateway>> gateway = Gateway::Start(config);
  ASSERT_TRUE(gateway.ok()) << gateway.status();
  ASSERT_NE((*gateway)->health_port(), 0);
  ASSERT_NE((*gateway)->health_port(), (*gateway)->port());

  const std::shared_ptr<grpc::Channel> health_port = PlaintextChannel((*gateway)->health_port());
  EXPECT_EQ(Check(health_port, "").serving, health::HealthCheckResponse::SERVING);
  EXPECT_EQ(Check(health_port, kOnboardingService).serving, health::HealthCheckResponse::SERVING);
  EXPECT_EQ(GetCustomerCode(health_port), grpc::StatusCode::UNIMPLEMENTED);

  // The main port stays TLS only: a plaintext probe gets nowhere there.
  EXPECT_EQ(Check(PlaintextChannel((*gateway)->port()), "").rpc.error_code(),
            grpc::StatusCode::UNAVAILABLE);
  grpc::SslCredentialsOptions tls;
  tls.pem_root_certs = pki.Pem("ca.pem");
  const std::shared_ptr<grpc::Channel> main_port = grpc::CreateChannel(
      "127.0.0.1:" + std::to_string((*gateway)->port()), grpc::SslCredentials(tls));
  EXPECT_EQ(Check(main_port, kOnboardingService).serving, health::HealthCheckResponse::SERVING);
}

}  // namespace
}  // namespace eko::server
