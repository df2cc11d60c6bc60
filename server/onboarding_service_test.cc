// The real OnboardingServiceImpl on an in-process gRPC channel, against a
// fake UpstreamClient: authorisation, validation, deadlines, cancellation,
// duplicate suppression and status conversion, without processes or sockets.
#include "server/onboarding_service.h"

#include <fstream>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "adapters/common/fake_clock.h"
#include "adapters/common/rich_status.h"
#include "adapters/eko/classifier.h"
#include "adapters/testing/fake_upstream_client.h"
#include "gmock/gmock.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "server/upstream_chain.h"

namespace eko::server {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

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
  // Serves with `deps`; the fake upstream is the client unless deps name one.
  void Start(OnboardingServiceImpl::Dependencies deps) {
    if (deps.client == nullptr) deps.client = &upstream_;
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
    return OnboardCustomerAs("", request, response);
  }
  // OnboardCustomer with `authorization: Bearer <token>` unless `token` is
  // empty.
  grpc::Status OnboardCustomerAs(const std::string& token,
                                 const v1::OnboardCustomerRequest& request,
                                 v1::OnboardCustomerResponse* response) {
    auto context = Context();
    if (!token.empty()) context->AddMetadata("authorization", "Bearer " + token);
    return stub_->OnboardCustomer(context.get(), request, response);
  }

  // Makes authorizer_ from a tokens file holding `tokens_file` (an empty one
  // authorises every call).
  void MakeAuthorizer(const std::string& tokens_file) {
    CallerAuthConfig config;
    if (!tokens_file.empty()) {
      config.tokens_file = ::testing::TempDir() + "/onboarding_service_tokens_" +
                           ::testing::UnitTest::GetInstance()->current_test_info()->name();
      std::ofstream(config.tokens_file) << tokens_file;
    }
    auto authorizer = CallerAuthorizer::Create(config);
    ASSERT_TRUE(authorizer.ok()) << authorizer.status();
    authorizer_ = *std::move(authorizer);
  }

  // Sends `request`, expects it refused with `code` and `reason` before it
  // reaches the upstream client, and returns the error's details.
  Details ExpectRefused(const v1::OnboardCustomerRequest& request, grpc::StatusCode code,
                        const std::string& reason) {
    const int calls_before = upstream_.calls();
    v1::OnboardCustomerResponse response;
    grpc::Status status = OnboardCustomer(request, &response);
    EXPECT_EQ(status.error_code(), code) << status.error_message();
    Details details = Decode(status);
    EXPECT_EQ(details.reason, reason);
    EXPECT_EQ(upstream_.calls(), calls_before);
    return details;
  }

  bool skip_default_start_ = false;
  adapter::FakeUpstreamClient upstream_;
  std::unique_ptr<CallerAuthorizer> authorizer_;
  std::unique_ptr<OnboardingServiceImpl> service_;
  std::unique_ptr<grpc::Server> server_;
  std::unique_ptr<v1::OnboardingService::Stub> stub_;
};

TEST_F(OnboardingServiceTest, AnswerComesFromTheUpstreamClient) {
  upstream_.Answer("from-upstream");
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
  const Details details =
      ExpectRefused(request, grpc::StatusCode::INVALID_ARGUMENT, "FIELD_INVALID");
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
  EXPECT_THAT(ExpectRefused(Onboard(), grpc::StatusCode::INVALID_ARGUMENT, "FIELD_INVALID").fields,
              ElementsAre("user_code"));
  EXPECT_EQ(upstream_.calls(), 0);
}

class AuthorizedServiceTest : public OnboardingServiceTest {
 protected:
  AuthorizedServiceTest() { skip_default_start_ = true; }
};

TEST_F(AuthorizedServiceTest, AuthorisationComesBeforeEverythingElse) {
  ASSERT_NO_FATAL_FAILURE(MakeAuthorizer("in-process-token-0123456789 tester\n"));
  Start({.has_default_user_code = true, .authorizer = authorizer_.get()});

  // Even an invalid request is first refused for its missing credential.
  v1::OnboardCustomerRequest invalid = Onboard();
  invalid.set_customer_id("1");
  ExpectRefused(invalid, grpc::StatusCode::UNAUTHENTICATED, "CALLER_UNAUTHENTICATED");
  EXPECT_EQ(upstream_.calls(), 0);

  v1::OnboardCustomerResponse response;
  grpc::Status status = OnboardCustomerAs("in-process-token-0123456789", Onboard(), &response);
  EXPECT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(upstream_.calls(), 1);
  // The upstream client is told who called by name, never by token.
  EXPECT_EQ(upstream_.last_options().caller, "token:tester");
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

// Duplicate suppression through the chain the gateway builds (upstream_chain.h),
// over the fake upstream, on a fake clock.
class DuplicateSuppressionTest : public OnboardingServiceTest {
 protected:
  DuplicateSuppressionTest() { skip_default_start_ = true; }

  void StartChain(GatewayConfig config = {}, const CallerAuthorizer* authorizer = nullptr) {
    chain_ = std::make_unique<UpstreamChain>(config, &upstream_, clock_);
    Start({.client = chain_->front(),
           .has_default_user_code = true,
           .authorizer = authorizer,
           .clock = &clock_});
  }
  // The upstream message the caller with `token` gets for Onboard("ref-1").
  std::string MessageFor(const std::string& token) {
    v1::OnboardCustomerResponse response;
    const grpc::Status status = OnboardCustomerAs(token, Onboard("ref-1"), &response);
    return status.ok() ? response.upstream().message() : "error: " + status.error_message();
  }
  // Waits until `n` repeats wait for a call in flight.
  bool WaitForRepeats(size_t n) const {
    const absl::Time give_up = absl::Now() + absl::Seconds(5);
    while (chain_->pending_repeats() != n) {
      if (absl::Now() > give_up) return false;
      std::this_thread::yield();
    }
    return true;
  }
  void TearDown() override {
    OnboardingServiceTest::TearDown();
    chain_.reset();
  }

  FakeClock clock_{absl::Now()};
  std::unique_ptr<UpstreamChain> chain_;
};

TEST_F(DuplicateSuppressionTest, RepeatsShareOneUpstreamCallAndReuseIsRefused) {
  StartChain();
  upstream_.Hold();
  upstream_.Answer("one-call");
  v1::OnboardCustomerResponse first;
  v1::OnboardCustomerResponse second;
  grpc::Status first_status;
  grpc::Status second_status;
  std::thread a([&] { first_status = OnboardCustomer(Onboard("ref-1"), &first); });
  ASSERT_TRUE(upstream_.WaitForHeld(1));
  std::thread b([&] { second_status = OnboardCustomer(Onboard("ref-1"), &second); });
  // The repeat joins the first call instead of reaching upstream.
  ASSERT_TRUE(WaitForRepeats(1));
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
  ExpectRefused(other, grpc::StatusCode::INVALID_ARGUMENT, "CLIENT_REF_ID_REUSED");
  EXPECT_EQ(upstream_.calls(), 1);
}

TEST_F(DuplicateSuppressionTest, EachCallerHasItsOwnClientRefIds) {
  const std::string alice = "alice-token-0123456789";
  const std::string bob = "bob-token-0123456789";
  ASSERT_NO_FATAL_FAILURE(MakeAuthorizer(alice + " alice\n" + bob + " bob\n"));
  StartChain({}, authorizer_.get());
  upstream_.Answer("for-alice");
  EXPECT_EQ(MessageFor(alice), "for-alice");
  EXPECT_EQ(upstream_.last_options().caller, "token:alice");
  // Bob sends the same request under Alice's client_ref_id: his own call.
  upstream_.Answer("for-bob");
  EXPECT_EQ(MessageFor(bob), "for-bob");
  EXPECT_EQ(upstream_.last_options().caller, "token:bob");
  EXPECT_EQ(upstream_.calls(), 2);
  // Each caller repeating gets their own stored result.
  upstream_.Answer("not-replayed");
  EXPECT_EQ(MessageFor(alice), "for-alice");
  EXPECT_EQ(MessageFor(bob), "for-bob");
  EXPECT_EQ(upstream_.calls(), 2);
}

TEST_F(DuplicateSuppressionTest, WithoutAuthenticationAllCallsShareClientRefIds) {
  ASSERT_NO_FATAL_FAILURE(MakeAuthorizer(""));
  ASSERT_FALSE(authorizer_->enabled());
  StartChain({}, authorizer_.get());
  upstream_.Answer("first");
  EXPECT_EQ(MessageFor(""), "first");
  EXPECT_EQ(upstream_.last_options().caller, "");
  upstream_.Answer("not-replayed");
  EXPECT_EQ(MessageFor(""), "first");
  // A token, unchecked when authentication is off, makes no other caller.
  EXPECT_EQ(MessageFor("alice-token-0123456789"), "first");
  EXPECT_EQ(upstream_.calls(), 1);
}

TEST_F(DuplicateSuppressionTest, ARepeatTakesNoAdmissionSlot) {
  StartChain({.max_inflight = 1});
  upstream_.Hold();
  std::thread a([&] {
    v1::OnboardCustomerResponse response;
    EXPECT_TRUE(OnboardCustomer(Onboard("ref-1"), &response).ok());
  });
  ASSERT_TRUE(upstream_.WaitForHeld(1));
  std::thread b([&] {
    v1::OnboardCustomerResponse response;
    EXPECT_TRUE(OnboardCustomer(Onboard("ref-1"), &response).ok());
  });
  ASSERT_TRUE(WaitForRepeats(1));
  // The one slot is the first call's: another client_ref_id is refused.
  ExpectRefused(Onboard("ref-2"), grpc::StatusCode::RESOURCE_EXHAUSTED, "GATEWAY_OVERLOADED");
  upstream_.Release();
  a.join();
  b.join();
  EXPECT_EQ(upstream_.calls(), 1);
}

TEST_F(DuplicateSuppressionTest, StoredResultsAreReplayedWithinTheWindowOnly) {
  StartChain({.dedupe_window = absl::Minutes(10)});
  // Calls without a deadline: the fake clock runs ahead of gRPC's real one.
  const auto onboard = [this](v1::OnboardCustomerResponse* response) {
    grpc::ClientContext no_deadline;
    return stub_->OnboardCustomer(&no_deadline, Onboard("ref-1"), response).ok();
  };
  upstream_.Answer("first");
  v1::OnboardCustomerResponse response;
  ASSERT_TRUE(onboard(&response));
  upstream_.Answer("second");
  clock_.Advance(absl::Minutes(9));
  ASSERT_TRUE(onboard(&response));
  EXPECT_EQ(response.upstream().message(), "first");
  EXPECT_EQ(upstream_.calls(), 1);
  clock_.Advance(absl::Minutes(2));
  ASSERT_TRUE(onboard(&response));
  EXPECT_EQ(response.upstream().message(), "second");
  EXPECT_EQ(upstream_.calls(), 2);
}

TEST_F(DuplicateSuppressionTest, ACancelledRepeatEndsAtOnceAndTheFirstGoesOn) {
  StartChain();
  upstream_.Hold();
  std::thread a([&] {
    v1::OnboardCustomerResponse response;
    EXPECT_TRUE(OnboardCustomer(Onboard("ref-1"), &response).ok());
  });
  ASSERT_TRUE(upstream_.WaitForHeld(1));
  grpc::ClientContext context;
  v1::OnboardCustomerResponse response;
  grpc::Status status;
  std::thread b([&] { status = stub_->OnboardCustomer(&context, Onboard("ref-1"), &response); });
  ASSERT_TRUE(WaitForRepeats(1));
  context.TryCancel();
  b.join();
  EXPECT_EQ(status.error_code(), grpc::StatusCode::CANCELLED);
  // The repeat is answered without waiting for the first call, which goes on.
  EXPECT_TRUE(WaitForRepeats(0));
  EXPECT_TRUE(upstream_.cancelled().empty());
  upstream_.Release();
  a.join();
  EXPECT_EQ(upstream_.calls(), 1);
}

}  // namespace
}  // namespace eko::server
