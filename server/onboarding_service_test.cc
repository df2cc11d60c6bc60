// The real OnboardingServiceImpl on an in-process gRPC channel, against a
// fake UpstreamClient: authorisation, validation, deadlines, cancellation,
// duplicate suppression and status conversion, without processes or sockets.
#include "server/onboarding_service.h"

#include <condition_variable>
#include <fstream>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "adapters/common/rich_status.h"
#include "adapters/eko/classifier.h"
#include "gmock/gmock.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"

namespace eko::server {
namespace {

using adapter::CallOptions;
using adapter::CallSummary;
using adapter::UpstreamDone;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

// Answers every call on a thread of its own (never inside the call, as the
// interface requires), or holds it until the test releases or cancels it.
class FakeUpstream final : public adapter::UpstreamClient {
 public:
  ~FakeUpstream() override {
    for (std::thread& t : threads_) t.join();
  }

  // Calls from now on are held until Release() or Cancel().
  void Hold() { hold_ = true; }
  // Calls from now on are refused with `status` (done never runs).
  void Refuse(absl::Status status) { refusal_ = std::move(status); }
  // Calls from now on complete with `status` and `client_ref_id`.
  void FailWith(absl::Status status, std::string client_ref_id) {
    failure_ = std::move(status);
    failure_ref_ = std::move(client_ref_id);
  }
  // The OTP reference an OK answer carries.
  void AnswerOtpRefId(std::string value) { otp_ref_id_ = std::move(value); }

  // Completes every held call OK.
  void Release() {
    std::map<uint64_t, absl::AnyInvocable<void(absl::Status) &&>> held;
    {
      std::lock_guard<std::mutex> lock(mu_);
      held.swap(held_);
    }
    for (auto& [id, complete] : held) RunLater(std::move(complete), absl::OkStatus());
  }

  void Cancel(uint64_t call_id) override {
    absl::AnyInvocable<void(absl::Status) &&> complete;
    {
      std::lock_guard<std::mutex> lock(mu_);
      cancelled_.push_back(call_id);
      auto it = held_.find(call_id);
      if (it == held_.end()) return;
      complete = std::move(it->second);
      held_.erase(it);
    }
    RunLater(std::move(complete), absl::CancelledError("cancelled"));
    cv_.notify_all();
  }

  int calls() const {
    std::lock_guard<std::mutex> lock(mu_);
    return static_cast<int>(rpcs_.size());
  }
  std::vector<std::string> rpcs() const {
    std::lock_guard<std::mutex> lock(mu_);
    return rpcs_;
  }
  CallOptions last_options() const {
    std::lock_guard<std::mutex> lock(mu_);
    return last_options_;
  }
  std::vector<uint64_t> cancelled() const {
    std::lock_guard<std::mutex> lock(mu_);
    return cancelled_;
  }
  // Waits until `n` calls are held.
  bool WaitForHeld(size_t n) {
    std::unique_lock<std::mutex> lock(mu_);
    return cv_.wait_for(lock, std::chrono::seconds(5), [&] { return held_.size() >= n; });
  }
  bool WaitForCancel() {
    std::unique_lock<std::mutex> lock(mu_);
    return cv_.wait_for(lock, std::chrono::seconds(5), [&] { return !cancelled_.empty(); });
  }

#define EKO_FAKE_CALL(NAME, ...)                                                              \
  absl::StatusOr<uint64_t> NAME(const onboarding::v1::NAME##Request& /*request*/,             \
                                const CallOptions& options,                                   \
                                UpstreamDone<onboarding::v1::NAME##Response> done) override { \
    return Handle(#NAME, options, std::move(done));                                           \
  }
  EKO_ONBOARDING_RPCS(EKO_FAKE_CALL)
#undef EKO_FAKE_CALL

 private:
  template <typename Response>
  absl::StatusOr<uint64_t> Handle(const char* rpc, const CallOptions& options,
                                  UpstreamDone<Response> done) {
    std::unique_lock<std::mutex> lock(mu_);
    rpcs_.emplace_back(rpc);
    last_options_ = options;
    if (!refusal_.ok()) return refusal_;
    const uint64_t id = ++next_id_;
    absl::AnyInvocable<void(absl::Status)&&> complete =
        [this, done = std::move(done)](absl::Status status) mutable {
          CallSummary summary;
          summary.client_ref_id = failure_ref_;
          summary.attempts = 1;
          if (!status.ok()) {
            std::move(done)(status, summary);
            return;
          }
          Response response;
          response.set_next_step(onboarding::v1::NEXT_STEP_COMPLETE);
          response.mutable_upstream()->set_message(otp_ref_id_);
          std::move(done)(std::move(response), summary);
        };
    if (hold_) {
      held_.emplace(id, std::move(complete));
      lock.unlock();
      cv_.notify_all();
      return id;
    }
    const absl::Status outcome = failure_;
    lock.unlock();
    RunLater(std::move(complete), outcome);
    return id;
  }

  void RunLater(absl::AnyInvocable<void(absl::Status) &&> complete, absl::Status status) {
    std::lock_guard<std::mutex> lock(threads_mu_);
    threads_.emplace_back(
        [complete = std::move(complete), status]() mutable { std::move(complete)(status); });
  }

  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool hold_ = false;
  absl::Status refusal_;
  absl::Status failure_;
  std::string failure_ref_;
  std::string otp_ref_id_ = "answered";
  uint64_t next_id_ = 0;
  std::vector<std::string> rpcs_;
  CallOptions last_options_;
  std::vector<uint64_t> cancelled_;
  std::map<uint64_t, absl::AnyInvocable<void(absl::Status) &&>> held_;
  std::mutex threads_mu_;
  std::vector<std::thread> threads_;
};

struct Details {
  std::string reason;
  std::map<std::string, std::string> metadata;
  std::vector<std::string> fields;
  std::string request_id;
  std::string serving_data;
};

Details Decode(const grpc::Status& status) {
  Details out;
  google::rpc::Status rpc;
  if (!rpc.ParseFromString(status.error_details())) return out;
  for (const auto& any : rpc.details()) {
    google::rpc::ErrorInfo info;
    google::rpc::BadRequest bad_request;
    google::rpc::RequestInfo request_info;
    if (any.UnpackTo(&info)) {
      out.reason = info.reason();
      out.metadata.insert(info.metadata().begin(), info.metadata().end());
    } else if (any.UnpackTo(&bad_request)) {
      for (const auto& v : bad_request.field_violations()) out.fields.push_back(v.field());
    } else if (any.UnpackTo(&request_info)) {
      out.request_id = request_info.request_id();
      out.serving_data = request_info.serving_data();
    }
  }
  return out;
}

v1::OnboardCustomerRequest Onboard(const std::string& client_ref_id = "") {
  v1::OnboardCustomerRequest request;
  request.set_customer_id("9876543210");
  request.set_name("Asha Rao");
  request.mutable_dob()->set_year(1990);
  request.mutable_dob()->set_month(5);
  request.mutable_dob()->set_day(15);
  request.add_residence_address("12 MG Road");
  request.set_client_ref_id(client_ref_id);
  return request;
}

class OnboardingServiceTest : public ::testing::Test {
 protected:
  void Start(OnboardingServiceImpl::Dependencies deps) {
    deps.client = &upstream_;
    service_ = std::make_unique<OnboardingServiceImpl>(deps);
    grpc::ServerBuilder builder;
    builder.RegisterService(service_.get());
    server_ = builder.BuildAndStart();
    ASSERT_NE(server_, nullptr);
    stub_ = v1::OnboardingService::NewStub(server_->InProcessChannel(grpc::ChannelArguments()));
  }
  void SetUp() override {
    if (!skip_default_start_) Start({.has_default_user_code = true});
  }
  void TearDown() override {
    if (server_) server_->Shutdown();
  }

  static std::unique_ptr<grpc::ClientContext> Context(
      std::chrono::milliseconds deadline = std::chrono::seconds(10)) {
    auto context = std::make_unique<grpc::ClientContext>();
    context->set_deadline(std::chrono::system_clock::now() + deadline);
    return context;
  }

  grpc::Status OnboardCustomer(const v1::OnboardCustomerRequest& request,
                               v1::OnboardCustomerResponse* response) {
    return stub_->OnboardCustomer(Context().get(), request, response);
  }

  bool skip_default_start_ = false;
  FakeUpstream upstream_;
  std::unique_ptr<OnboardingServiceImpl> service_;
  std::unique_ptr<grpc::Server> server_;
  std::unique_ptr<v1::OnboardingService::Stub> stub_;
};

TEST_F(OnboardingServiceTest, AnswerComesFromTheUpstreamClient) {
  upstream_.AnswerOtpRefId("from-upstream");
  grpc::ClientContext context;
  context.AddMetadata("x-request-id", "req-123");
  v1::OnboardCustomerResponse response;
  grpc::Status status = stub_->OnboardCustomer(&context, Onboard(), &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(response.next_step(), v1::NEXT_STEP_COMPLETE);
  EXPECT_EQ(response.upstream().message(), "from-upstream");
  EXPECT_THAT(upstream_.rpcs(), ElementsAre("OnboardCustomer"));
  const auto& trailers = context.GetServerTrailingMetadata();
  auto it = trailers.find("x-request-id");
  ASSERT_NE(it, trailers.end());
  EXPECT_EQ(std::string(it->second.data(), it->second.size()), "req-123");
}

TEST_F(OnboardingServiceTest, InvalidRequestsNeverReachUpstream) {
  v1::OnboardCustomerRequest request = Onboard();
  request.set_customer_id("12345");
  v1::OnboardCustomerResponse response;
  grpc::Status status = OnboardCustomer(request, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  const Details details = Decode(status);
  EXPECT_EQ(details.reason, "FIELD_INVALID");
  EXPECT_THAT(details.fields, ElementsAre("customer_id"));
  EXPECT_FALSE(details.request_id.empty());
  EXPECT_EQ(upstream_.calls(), 0);
}

class NoDefaultUserCodeTest : public OnboardingServiceTest {
 protected:
  NoDefaultUserCodeTest() { skip_default_start_ = true; }
};

TEST_F(NoDefaultUserCodeTest, UserCodeIsRequiredWhenTheClientHasNoDefault) {
  Start({.has_default_user_code = false});
  v1::OnboardCustomerResponse response;
  grpc::Status status = OnboardCustomer(Onboard(), &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(Decode(status).fields, ElementsAre("user_code"));
  EXPECT_EQ(upstream_.calls(), 0);
}

class AuthorizedServiceTest : public OnboardingServiceTest {
 protected:
  AuthorizedServiceTest() { skip_default_start_ = true; }
};

TEST_F(AuthorizedServiceTest, AuthorisationComesBeforeEverythingElse) {
  const std::string path = ::testing::TempDir() + "/onboarding_service_tokens";
  std::ofstream(path) << "in-process-token-0123456789 tester\n";
  auto authorizer = CallerAuthorizer::Create({.tokens_file = path});
  ASSERT_TRUE(authorizer.ok()) << authorizer.status();
  Start({.has_default_user_code = true, .authorizer = authorizer->get()});

  // Even an invalid request is first refused for its missing credential.
  v1::OnboardCustomerRequest invalid = Onboard();
  invalid.set_customer_id("1");
  v1::OnboardCustomerResponse response;
  grpc::Status status = OnboardCustomer(invalid, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(Decode(status).reason, "CALLER_UNAUTHENTICATED");
  EXPECT_EQ(upstream_.calls(), 0);

  auto context = Context();
  context->AddMetadata("authorization", "Bearer in-process-token-0123456789");
  status = stub_->OnboardCustomer(context.get(), Onboard(), &response);
  EXPECT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(upstream_.calls(), 1);
}

TEST_F(OnboardingServiceTest, UpstreamErrorsAreConvertedOnceWithRequestInfo) {
  upstream_.FailWith(adapter::GatewayError(adapter::ErrorId::kUpstreamCircuitOpen,
                                           adapter::Rpc::kOnboardCustomer, {}, absl::Seconds(2)),
                     "ref-from-upstream");
  v1::OnboardCustomerResponse response;
  grpc::Status status = OnboardCustomer(Onboard(), &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE);
  const Details details = Decode(status);
  EXPECT_EQ(details.reason, "UPSTREAM_CIRCUIT_OPEN");
  EXPECT_EQ(details.metadata.at("upstreamOutcome"), "NOT_SENT");
  EXPECT_THAT(details.serving_data, HasSubstr("client_ref_id=ref-from-upstream"));
}

TEST_F(OnboardingServiceTest, ACallRefusedBeforeItStartsIsAnsweredWithTheRefusal) {
  upstream_.Refuse(
      adapter::GatewayError(adapter::ErrorId::kGatewayOverloaded, adapter::Rpc::kGetCustomer, {}));
  v1::GetCustomerRequest request;
  request.set_customer_id("9876543210");
  v1::GetCustomerResponse response;
  grpc::Status status = stub_->GetCustomer(Context().get(), request, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_EQ(Decode(status).reason, "GATEWAY_OVERLOADED");
}

TEST_F(OnboardingServiceTest, TheCallersDeadlineReachesTheUpstreamClient) {
  v1::GetCustomerRequest request;
  request.set_customer_id("9876543210");
  v1::GetCustomerResponse response;
  const absl::Time expected = absl::Now() + absl::Seconds(3);
  ASSERT_TRUE(stub_->GetCustomer(Context(std::chrono::seconds(3)).get(), request, &response).ok());
  EXPECT_LT(absl::AbsDuration(upstream_.last_options().caller_deadline - expected),
            absl::Seconds(1));

  // Without a deadline the upstream client gets none either.
  grpc::ClientContext no_deadline;
  ASSERT_TRUE(stub_->GetCustomer(&no_deadline, request, &response).ok());
  EXPECT_EQ(upstream_.last_options().caller_deadline, absl::InfiniteFuture());
}

TEST_F(OnboardingServiceTest, ACancelledCallCancelsItsUpstreamCall) {
  upstream_.Hold();
  grpc::ClientContext context;
  v1::OnboardCustomerResponse response;
  grpc::Status status;
  std::thread caller([&] { status = stub_->OnboardCustomer(&context, Onboard(), &response); });
  ASSERT_TRUE(upstream_.WaitForHeld(1));
  context.TryCancel();
  caller.join();
  EXPECT_EQ(status.error_code(), grpc::StatusCode::CANCELLED);
  ASSERT_TRUE(upstream_.WaitForCancel());
  EXPECT_THAT(upstream_.cancelled(), ElementsAre(1u));
}

class DuplicateSuppressionTest : public OnboardingServiceTest {
 protected:
  DuplicateSuppressionTest() { skip_default_start_ = true; }
  DuplicateSuppressor duplicates_{absl::Minutes(10), 1000};
};

TEST_F(DuplicateSuppressionTest, RepeatsShareOneUpstreamCallAndReuseIsRefused) {
  Start({.has_default_user_code = true, .duplicates = &duplicates_});
  upstream_.Hold();
  upstream_.AnswerOtpRefId("one-call");
  v1::OnboardCustomerResponse first;
  v1::OnboardCustomerResponse second;
  grpc::Status first_status;
  grpc::Status second_status;
  std::thread a([&] { first_status = OnboardCustomer(Onboard("ref-1"), &first); });
  ASSERT_TRUE(upstream_.WaitForHeld(1));
  std::thread b([&] { second_status = OnboardCustomer(Onboard("ref-1"), &second); });
  // The repeat joins the first call instead of reaching upstream.
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_EQ(upstream_.calls(), 1);
  upstream_.Release();
  a.join();
  b.join();
  ASSERT_TRUE(first_status.ok()) << first_status.error_message();
  ASSERT_TRUE(second_status.ok()) << second_status.error_message();
  EXPECT_EQ(second.upstream().message(), "one-call");
  EXPECT_EQ(upstream_.calls(), 1);

  // The same client_ref_id with another request is refused.
  v1::OnboardCustomerRequest other = Onboard("ref-1");
  other.set_name("Someone Else");
  v1::OnboardCustomerResponse refused;
  grpc::Status status = OnboardCustomer(other, &refused);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(Decode(status).reason, "CLIENT_REF_ID_REUSED");
  EXPECT_EQ(upstream_.calls(), 1);
}

}  // namespace
}  // namespace eko::server
