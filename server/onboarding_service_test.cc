// The real OnboardingServiceImpl on an in-process gRPC channel, against a
// fake UpstreamClient: authorisation, request parsing, validation, deadlines,
// cancellation, duplicate suppression, cut-off at shutdown and status
// conversion, without processes (metrics are scraped over loopback).
#include "server/onboarding_service.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fstream>
#include <future>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "adapters/common/fake_clock.h"
#include "adapters/common/rich_status.h"
#include "adapters/eko/classifier.h"
#include "adapters/testing/fake_upstream_client.h"
#include "gmock/gmock.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "google/protobuf/wire_format_lite.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "grpcpp/generic/generic_stub.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "server/metrics.h"
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
    channel_ = server_->InProcessChannel(grpc::ChannelArguments());
    stub_ = v1::OnboardingService::NewStub(channel_);
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
  std::shared_ptr<grpc::Channel> channel_;
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

// --- Requests whose bytes do not parse --------------------------------------

// A length-delimited field `field` of OnboardCustomerRequest holding `value`
// but announcing `declared_length` bytes.
std::string StringField(const std::string& field, const std::string& value,
                        uint32_t declared_length) {
  using google::protobuf::internal::WireFormatLite;
  const auto* descriptor = v1::OnboardCustomerRequest::descriptor()->FindFieldByName(field);
  std::string bytes;
  {
    google::protobuf::io::StringOutputStream stream(&bytes);
    google::protobuf::io::CodedOutputStream out(&stream);
    out.WriteTag(
        WireFormatLite::MakeTag(descriptor->number(), WireFormatLite::WIRETYPE_LENGTH_DELIMITED));
    out.WriteVarint32(declared_length);
    out.WriteRaw(value.data(), static_cast<int>(value.size()));
  }
  return bytes;
}

// What a client that sends raw bytes (or a hostile one) gets.
struct RawReply {
  grpc::Status status;
  std::string bytes;
};

class MalformedRequestTest : public OnboardingServiceTest {
 protected:
  MalformedRequestTest() { skip_default_start_ = true; }

  // Calls `rpc` with `bytes` through a generic stub on the fixture's channel.
  RawReply RawCall(const std::string& rpc, const std::string& bytes,
                   const std::string& token = "") {
    grpc::GenericStub generic(channel_);
    auto context = Context();
    if (!token.empty()) context->AddMetadata("authorization", "Bearer " + token);
    grpc::Slice slice(bytes);
    grpc::ByteBuffer request(&slice, 1);
    grpc::ByteBuffer response;
    std::promise<grpc::Status> done;
    generic.UnaryCall(context.get(), "/eko.onboarding.v1.OnboardingService/" + rpc,
                      grpc::StubOptions(), &request, &response,
                      [&done](grpc::Status status) { done.set_value(std::move(status)); });
    RawReply reply{done.get_future().get(), ""};
    std::vector<grpc::Slice> slices;
    if (reply.status.ok() && response.Dump(&slices).ok()) {
      for (const grpc::Slice& part : slices) {
        reply.bytes.append(reinterpret_cast<const char*>(part.begin()), part.size());
      }
    }
    return reply;
  }

  // Sends `bytes` as OnboardCustomer and expects REQUEST_MALFORMED, with
  // RequestInfo, before anything reaches upstream.
  void ExpectMalformed(const std::string& bytes, const std::string& token = "") {
    const int calls_before = upstream_.calls();
    const grpc::Status status = RawCall("OnboardCustomer", bytes, token).status;
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << status.error_message();
    EXPECT_THAT(status.error_message(), HasSubstr("eko.onboarding.v1.OnboardCustomerRequest"));
    Details details = Decode(status);
    EXPECT_EQ(details.reason, "REQUEST_MALFORMED");
    EXPECT_EQ(details.metadata["rpc"], "OnboardCustomer");
    EXPECT_FALSE(details.request_id.empty());
    EXPECT_EQ(upstream_.calls(), calls_before);
  }

  const std::string valid_ = Onboard("ref-1").SerializeAsString();
  const std::string truncated_ = valid_ + StringField("name", "Ash", 10);
  const std::string not_utf8_ = valid_ + StringField("name", "Asha \xff\xfe", 7);
};

TEST_F(MalformedRequestTest, CutShortOrNotUtf8IsRefusedWithRequestMalformed) {
  Start({.has_default_user_code = true});
  ExpectMalformed(truncated_);
  ExpectMalformed(not_utf8_);
  // The same bytes, well formed, on the same channel: answered as before,
  // raw or through the typed stub.
  const RawReply raw = RawCall("OnboardCustomer", valid_);
  ASSERT_TRUE(raw.status.ok()) << raw.status.error_message();
  v1::OnboardCustomerResponse parsed;
  ASSERT_TRUE(parsed.ParseFromString(raw.bytes));
  EXPECT_EQ(parsed.upstream().message(), "answered");
  v1::OnboardCustomerResponse response;
  EXPECT_TRUE(OnboardCustomer(Onboard("ref-2"), &response).ok());
  EXPECT_EQ(upstream_.calls(), 2);
}

TEST_F(MalformedRequestTest, AuthorisationComesBeforeParsing) {
  const std::string token = "in-process-token-0123456789";
  ASSERT_NO_FATAL_FAILURE(MakeAuthorizer(token + " tester\n"));
  Start({.has_default_user_code = true, .authorizer = authorizer_.get()});
  const grpc::Status anonymous = RawCall("OnboardCustomer", not_utf8_).status;
  EXPECT_EQ(anonymous.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(Decode(anonymous).reason, "CALLER_UNAUTHENTICATED");
  ExpectMalformed(not_utf8_, token);
  EXPECT_EQ(upstream_.calls(), 0);
}

// GET /metrics of `port` on loopback: the body, or "" when nothing answered.
std::string ScrapeMetrics(int port) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  std::string text;
  if (connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof(address)) == 0) {
    const std::string request =
        "GET /metrics HTTP/1.0\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
    if (send(fd, request.data(), request.size(), 0) == static_cast<ssize_t>(request.size())) {
      char buffer[4096];
      for (ssize_t n; (n = recv(fd, buffer, sizeof(buffer), 0)) > 0;) text.append(buffer, n);
    }
  }
  close(fd);
  return text;
}

TEST_F(MalformedRequestTest, AMalformedCallIsCountedLikeAnyOther) {
  auto metrics = GatewayMetrics::Start("127.0.0.1:0", [] { return LiveValues{}; });
  ASSERT_TRUE(metrics.ok()) << metrics.status();
  Start({.has_default_user_code = true, .metrics = metrics->get()});
  ExpectMalformed(truncated_);
  EXPECT_THAT(
      ScrapeMetrics((*metrics)->port()),
      HasSubstr("eko_gateway_rpc_total{code=\"INVALID_ARGUMENT\",method=\"OnboardCustomer\","
                "reason=\"REQUEST_MALFORMED\"} 1"));
}

// --- Cut-off at the end of the shutdown grace --------------------------------

class CutOffTest : public OnboardingServiceTest {
 protected:
  // OnboardCustomer(Onboard(client_ref_id)), on another thread; waits until
  // `held` upstream calls are held.
  std::future<grpc::Status> StartHeld(const std::string& client_ref_id, size_t held,
                                      v1::OnboardCustomerResponse* response) {
    auto call = std::async(std::launch::async, [this, client_ref_id, response] {
      return OnboardCustomer(Onboard(client_ref_id), response);
    });
    EXPECT_TRUE(upstream_.WaitForHeld(held));
    return call;
  }

  // Expects `status` to be the cut-off of a call whose request was sent.
  static void ExpectCutOffAfterSending(const grpc::Status& status) {
    EXPECT_EQ(status.error_code(), grpc::StatusCode::UNKNOWN) << status.error_message();
    Details details = Decode(status);
    EXPECT_EQ(details.reason, "GATEWAY_SHUTTING_DOWN");
    EXPECT_EQ(details.metadata["upstreamOutcome"], "UNKNOWN");
    EXPECT_EQ(details.metadata["rpc"], "OnboardCustomer");
    EXPECT_FALSE(details.request_id.empty());
  }
};

TEST_F(CutOffTest, AHeldCallIsCutOffWithAnUnknownOutcome) {
  upstream_.Hold();
  v1::OnboardCustomerResponse response;
  auto call = StartHeld("ref-1", 1, &response);
  EXPECT_EQ(service_->InFlight(), 1u);
  const OnboardingServiceImpl::CutOffResult result = service_->CutOffInFlight();
  EXPECT_EQ(result.after_sending, 1);
  EXPECT_EQ(result.not_sent, 0);
  const grpc::Status status = call.get();
  ExpectCutOffAfterSending(status);
  EXPECT_THAT(Decode(status).serving_data, HasSubstr("client_ref_id=ref-1"));
  EXPECT_THAT(upstream_.cancelled(), ElementsAre(1u));

  // A call arriving afterwards is not sent, and says so.
  const Details late =
      ExpectRefused(Onboard("ref-2"), grpc::StatusCode::UNAVAILABLE, "GATEWAY_SHUTTING_DOWN");
  EXPECT_EQ(late.metadata.at("upstreamOutcome"), "NOT_SENT");
  EXPECT_EQ(service_->CutOffInFlight().after_sending, 0);
}

TEST_F(CutOffTest, ACallThatCompletedFirstKeepsItsResult) {
  upstream_.Hold();
  v1::OnboardCustomerResponse first_response;
  v1::OnboardCustomerResponse second_response;
  auto first = StartHeld("ref-1", 1, &first_response);
  auto second = StartHeld("ref-2", 2, &second_response);
  upstream_.Finish(1, absl::OkStatus());  // returns once the first RPC has its result
  const OnboardingServiceImpl::CutOffResult result = service_->CutOffInFlight();
  EXPECT_EQ(result.after_sending, 1);
  EXPECT_EQ(result.not_sent, 0);
  const grpc::Status first_status = first.get();
  ASSERT_TRUE(first_status.ok()) << first_status.error_message();
  EXPECT_EQ(first_response.upstream().message(), "answered");
  ExpectCutOffAfterSending(second.get());
  EXPECT_THAT(upstream_.cancelled(), ElementsAre(2u));
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

// A repeat joined to an earlier call may have been answered by Eko as much as
// that call: both are cut off with an unknown outcome.
TEST_F(DuplicateSuppressionTest, ARepeatJoinedToACallThatIsCutOffIsCutOffToo) {
  StartChain();
  upstream_.Hold();
  auto onboard = [this] {
    v1::OnboardCustomerResponse response;
    return OnboardCustomer(Onboard("ref-1"), &response);
  };
  auto first = std::async(std::launch::async, onboard);
  ASSERT_TRUE(upstream_.WaitForHeld(1));
  auto repeat = std::async(std::launch::async, onboard);
  ASSERT_TRUE(WaitForRepeats(1));
  const OnboardingServiceImpl::CutOffResult result = service_->CutOffInFlight();
  EXPECT_EQ(result.after_sending, 2);
  EXPECT_EQ(result.not_sent, 0);
  for (const grpc::Status& status : {first.get(), repeat.get()}) {
    EXPECT_EQ(status.error_code(), grpc::StatusCode::UNKNOWN) << status.error_message();
    EXPECT_EQ(Decode(status).reason, "GATEWAY_SHUTTING_DOWN");
    EXPECT_EQ(Decode(status).metadata["upstreamOutcome"], "UNKNOWN");
  }
  EXPECT_EQ(upstream_.calls(), 1);
}

}  // namespace
}  // namespace eko::server
