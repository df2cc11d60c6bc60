// Tests for server/tls and server/caller_auth. A throwaway PKI is generated
// with the openssl CLI per test run; calls go through a real in-process gRPC
// server on 127.0.0.1 so handshakes and auth contexts are the real ones.

#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "adapters/common/rich_status.h"
#include "eko/onboarding/v1/onboarding_service.grpc.pb.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "grpcpp/grpcpp.h"
#include "grpcpp/security/credentials.h"
#include "gtest/gtest.h"
#include "server/caller_auth.h"
#include "server/status_conversion.h"
#include "server/tls.h"
#include "server/tls_test_pki.h"

namespace eko::server {
namespace {

namespace v1 = ::eko::onboarding::v1;
using test_pki::Pki;

constexpr char kPaymentsToken[] = "0123456789abcdef-payments";
constexpr char kReportsToken[] = "tok_reports_ABCDEFGHIJKLMNOP";
constexpr char kCallerHeader[] = "x-test-caller";
constexpr char kPropertiesHeader[] = "x-test-auth-properties";

// Answers GetCustomer with the authorizer's verdict (through the real status
// conversion), the caller name and the auth context's properties.
class AuthProbeService final : public v1::OnboardingService::CallbackService {
 public:
  explicit AuthProbeService(const CallerAuthorizer* authorizer) : authorizer_(authorizer) {}

  grpc::ServerUnaryReactor* GetCustomer(grpc::CallbackServerContext* context,
                                        const v1::GetCustomerRequest* /*request*/,
                                        v1::GetCustomerResponse* /*response*/) override {
    std::string properties;
    if (auto auth = context->auth_context(); auth != nullptr) {
      for (const grpc::AuthProperty& property : *auth) {
        const std::string name(property.first.data(), property.first.size());
        if (name.find("pem") != std::string::npos) continue;  // multi-line values
        properties +=
            name + "=" + std::string(property.second.data(), property.second.size()) + ";";
      }
    }
    context->AddTrailingMetadata(kPropertiesHeader, properties);
    absl::Status status = absl::OkStatus();
    if (authorizer_ != nullptr) {
      status = authorizer_->Authorize(*context);
      context->AddTrailingMetadata(kCallerHeader, authorizer_->CallerName(*context));
    }
    grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
    reactor->Finish(ToGrpcStatus(status, {"test-request", ""}));
    return reactor;
  }

 private:
  const CallerAuthorizer* const authorizer_;
};

class TestServer {
 public:
  // `authorizer` (may be null: every caller is let in) is kept for the
  // server's life.
  TestServer(const std::shared_ptr<grpc::ServerCredentials>& credentials,
             std::unique_ptr<CallerAuthorizer> authorizer)
      : authorizer_(std::move(authorizer)), service_(authorizer_.get()) {
    grpc::ServerBuilder builder;
    builder.AddListeningPort("127.0.0.1:0", credentials, &port_);
    builder.RegisterService(&service_);
    server_ = builder.BuildAndStart();
  }
  ~TestServer() {
    if (server_ != nullptr) server_->Shutdown(std::chrono::system_clock::now());
  }

  bool started() const { return server_ != nullptr && port_ > 0; }
  std::string target() const { return "127.0.0.1:" + std::to_string(port_); }

 private:
  std::unique_ptr<CallerAuthorizer> authorizer_;
  AuthProbeService service_;
  int port_ = 0;
  std::unique_ptr<grpc::Server> server_;
};

struct CallResult {
  grpc::Status status;
  std::string caller;
  std::string properties;
};

std::string TrailerValue(const grpc::ClientContext& context, const char* key) {
  const auto& trailers = context.GetServerTrailingMetadata();
  const auto it = trailers.find(key);
  return it == trailers.end() ? "" : std::string(it->second.data(), it->second.size());
}

CallResult Call(const std::string& target,
                const std::shared_ptr<grpc::ChannelCredentials>& credentials,
                const std::string& authorization = "") {
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);  // a fresh connection per call
  auto stub = v1::OnboardingService::NewStub(grpc::CreateCustomChannel(target, credentials, args));
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  if (!authorization.empty()) context.AddMetadata("authorization", authorization);
  v1::GetCustomerRequest request;
  v1::GetCustomerResponse response;
  CallResult result;
  result.status = stub->GetCustomer(&context, request, &response);
  result.caller = TrailerValue(context, kCallerHeader);
  result.properties = TrailerValue(context, kPropertiesHeader);
  return result;
}

std::shared_ptr<grpc::ChannelCredentials> ClientTls(const std::string& trusted_ca,
                                                    const std::string& client = "") {
  const Pki& pki = *Pki::Get();
  grpc::SslCredentialsOptions options;
  options.pem_root_certs = pki.Pem(trusted_ca + ".pem");
  if (!client.empty()) {
    options.pem_private_key = pki.Pem(client + ".key");
    options.pem_cert_chain = pki.Pem(client + ".pem");
  }
  return grpc::SslCredentials(options);
}

google::rpc::ErrorInfo ErrorInfoOf(const grpc::Status& status) {
  google::rpc::Status rpc;
  google::rpc::ErrorInfo info;
  if (!rpc.ParseFromString(status.error_details())) return info;
  for (const auto& detail : rpc.details()) {
    if (detail.Is<google::rpc::ErrorInfo>()) detail.UnpackTo(&info);
  }
  return info;
}

class TlsAuthTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(Pki::Get()->ok()) << Pki::Get()->error(); }

  const Pki& pki() const { return *Pki::Get(); }

  ServerTlsConfig ServerTls(bool mutual) const {
    return {pki().Path("server.pem"), pki().Path("server.key"),
            mutual ? pki().Path("ca.pem") : std::string()};
  }

  std::shared_ptr<grpc::ServerCredentials> Credentials(const ServerTlsConfig& config) const {
    absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> credentials =
        MakeServerCredentials(config);
    EXPECT_TRUE(credentials.ok()) << credentials.status();
    return credentials.ok() ? *credentials : nullptr;
  }

  std::unique_ptr<CallerAuthorizer> Authorizer(const CallerAuthConfig& config) const {
    absl::StatusOr<std::unique_ptr<CallerAuthorizer>> authorizer = CallerAuthorizer::Create(config);
    EXPECT_TRUE(authorizer.ok()) << authorizer.status();
    return authorizer.ok() ? *std::move(authorizer) : nullptr;
  }

  // A started server with listener `tls` whose callers `auth` authorises;
  // null (and a test failure) if any of it fails.
  std::unique_ptr<TestServer> Serve(const ServerTlsConfig& tls,
                                    const CallerAuthConfig& auth) const {
    std::unique_ptr<CallerAuthorizer> authorizer = Authorizer(auth);
    if (authorizer == nullptr) return nullptr;
    auto server = std::make_unique<TestServer>(Credentials(tls), std::move(authorizer));
    EXPECT_TRUE(server->started());
    return server->started() ? std::move(server) : nullptr;
  }

  std::string TokensFile() const {
    return pki().Write("tokens.txt", std::string("# callers of the gateway\n") + kPaymentsToken +
                                         "   payments-svc\n\n   \t\n" + kReportsToken + "\r\n");
  }

  // The error of MakeServerCredentials(config); OK if it succeeded.
  absl::Status TlsError(const ServerTlsConfig& config) const {
    return MakeServerCredentials(config).status();
  }

  absl::Status TokensError(const std::string& contents) const {
    return CallerAuthorizer::Create({pki().Write("bad-tokens.txt", contents), {}}).status();
  }
};

// --- Transport security ---

TEST_F(TlsAuthTest, PlaintextWhenNothingIsConfigured) {
  auto authorizer = Authorizer({});
  ASSERT_NE(authorizer, nullptr);
  EXPECT_FALSE(authorizer->enabled());
  TestServer server(Credentials({}), std::move(authorizer));
  ASSERT_TRUE(server.started());
  const CallResult result = Call(server.target(), grpc::InsecureChannelCredentials());
  EXPECT_TRUE(result.status.ok()) << result.status.error_message();
  EXPECT_EQ(result.caller, "");
  // A TLS client cannot talk to the plaintext listener.
  EXPECT_EQ(Call(server.target(), ClientTls("ca")).status.error_code(),
            grpc::StatusCode::UNAVAILABLE);
}

TEST_F(TlsAuthTest, TlsClientTrustingTheServerCaConnects) {
  TestServer server(Credentials(ServerTls(false)), nullptr);
  ASSERT_TRUE(server.started());
  const CallResult result = Call(server.target(), ClientTls("ca"));
  EXPECT_TRUE(result.status.ok()) << result.status.error_message();
  EXPECT_NE(result.properties.find("transport_security_type=tls"), std::string::npos)
      << result.properties;
  // No client certificate was requested, so nothing identifies the peer.
  EXPECT_EQ(result.properties.find("x509_common_name"), std::string::npos) << result.properties;
  // A plaintext client cannot talk to the TLS listener.
  EXPECT_EQ(Call(server.target(), grpc::InsecureChannelCredentials()).status.error_code(),
            grpc::StatusCode::UNAVAILABLE);
}

TEST_F(TlsAuthTest, TlsClientTrustingAnotherCaFailsTheHandshake) {
  TestServer server(Credentials(ServerTls(false)), nullptr);
  ASSERT_TRUE(server.started());
  EXPECT_EQ(Call(server.target(), ClientTls("other-ca")).status.error_code(),
            grpc::StatusCode::UNAVAILABLE);
}

TEST_F(TlsAuthTest, MutualTlsRefusesClientsWithoutAVerifiedCertificate) {
  TestServer server(Credentials(ServerTls(true)), nullptr);
  ASSERT_TRUE(server.started());
  EXPECT_EQ(Call(server.target(), ClientTls("ca")).status.error_code(),
            grpc::StatusCode::UNAVAILABLE);
  // Same subject and SANs as "payments", but issued by a CA the server does not trust.
  EXPECT_EQ(Call(server.target(), ClientTls("ca", "rogue")).status.error_code(),
            grpc::StatusCode::UNAVAILABLE);
  EXPECT_TRUE(Call(server.target(), ClientTls("ca", "payments")).status.ok());
}

// Pins what gRPC 1.51 puts into the auth context for a verified client
// certificate: the properties CallerAuthorizer reads.
TEST_F(TlsAuthTest, VerifiedClientCertificatePropertiesAreTheOnesWeRead) {
  TestServer server(Credentials(ServerTls(true)), nullptr);
  ASSERT_TRUE(server.started());
  const CallResult result = Call(server.target(), ClientTls("ca", "payments"));
  ASSERT_TRUE(result.status.ok()) << result.status.error_message();
  for (const char* expected :
       {"x509_common_name=payments-svc;", "peer_dns=payments.svc.test;",
        "peer_uri=spiffe://eko.test/payments;", "peer_email=payments@eko.test;",
        "peer_ip=10.1.2.3;", "x509_subject_alternative_name=payments.svc.test;"}) {
    EXPECT_NE(result.properties.find(expected), std::string::npos)
        << expected << " missing in " << result.properties;
  }
}

// --- Certificate identities ---

TEST_F(TlsAuthTest, AllowedClientCertificateIsAuthorisedByCn) {
  auto authorizer = Authorizer({"", {"payments-svc"}});
  ASSERT_NE(authorizer, nullptr);
  EXPECT_TRUE(authorizer->enabled());
  TestServer server(Credentials(ServerTls(true)), std::move(authorizer));
  ASSERT_TRUE(server.started());
  const CallResult result = Call(server.target(), ClientTls("ca", "payments"));
  EXPECT_TRUE(result.status.ok()) << result.status.error_message();
  EXPECT_EQ(result.caller, "cert:payments-svc");
}

TEST_F(TlsAuthTest, AllowedClientCertificateIsAuthorisedBySan) {
  for (const std::string identity :
       {"payments.svc.test", "spiffe://eko.test/payments", "payments@eko.test"}) {
    const std::unique_ptr<TestServer> server =
        Serve(ServerTls(true), {"", {"someone-else", identity}});
    ASSERT_NE(server, nullptr);
    const CallResult result = Call(server->target(), ClientTls("ca", "payments"));
    EXPECT_TRUE(result.status.ok()) << identity << ": " << result.status.error_message();
    EXPECT_EQ(result.caller, "cert:" + identity);
  }
}

TEST_F(TlsAuthTest, VerifiedButNotAllowedCertificateIsForbidden) {
  // 10.1.2.3 is an IP SAN of "payments": IP addresses are not identities.
  const std::unique_ptr<TestServer> server =
      Serve(ServerTls(true), {"", {"reports-svc", "10.1.2.3"}});
  ASSERT_NE(server, nullptr);
  const CallResult result = Call(server->target(), ClientTls("ca", "payments"));
  EXPECT_EQ(result.status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  const google::rpc::ErrorInfo info = ErrorInfoOf(result.status);
  EXPECT_EQ(info.reason(), rich::reason::kCallerForbidden);
  EXPECT_EQ(info.domain(), rich::kErrorDomain);
  EXPECT_EQ(info.metadata().at("mechanism"), "client_certificate");
  EXPECT_EQ(info.metadata().at("client_identity"), "payments-svc");
  EXPECT_EQ(result.caller, "");
  // The allowed one still gets in.
  EXPECT_TRUE(Call(server->target(), ClientTls("ca", "reports")).status.ok());
}

TEST_F(TlsAuthTest, CertificateIdentitiesNeedAVerifiedCertificate) {
  // TLS without client certificates: the identity list can never match.
  const std::unique_ptr<TestServer> server = Serve(ServerTls(false), {"", {"payments-svc"}});
  ASSERT_NE(server, nullptr);
  const CallResult result = Call(server->target(), ClientTls("ca", "payments"));
  EXPECT_EQ(result.status.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  const google::rpc::ErrorInfo info = ErrorInfoOf(result.status);
  EXPECT_EQ(info.reason(), rich::reason::kCallerUnauthenticated);
  EXPECT_EQ(info.metadata().at("mechanism"), "none");
  EXPECT_EQ(info.metadata().at("accepted"), "client_certificate");
}

// --- Bearer tokens ---

TEST_F(TlsAuthTest, ValidBearerTokensAreAuthorisedAndNamed) {
  const std::unique_ptr<TestServer> server = Serve(ServerTls(false), {TokensFile(), {}});
  ASSERT_NE(server, nullptr);
  CallResult result =
      Call(server->target(), ClientTls("ca"), std::string("Bearer ") + kPaymentsToken);
  EXPECT_TRUE(result.status.ok()) << result.status.error_message();
  EXPECT_EQ(result.caller, "token:payments-svc");
  // Scheme is case-insensitive; an unnamed token is named by its line.
  result = Call(server->target(), ClientTls("ca"), std::string("bearer ") + kReportsToken);
  EXPECT_TRUE(result.status.ok()) << result.status.error_message();
  EXPECT_EQ(result.caller, "token:line-5");
}

TEST_F(TlsAuthTest, MissingOrWrongBearerTokenIsUnauthenticatedWithoutEchoingIt) {
  const std::unique_ptr<TestServer> server =
      Serve(ServerTls(false), {TokensFile(), {"payments-svc"}});
  ASSERT_NE(server, nullptr);
  const std::string wrong_token = "not-a-configured-token-4711";
  struct Case {
    std::string authorization;
    std::string mechanism;
  };
  for (const Case& c : std::vector<Case>{
           {"", "none"},
           {"Bearer " + wrong_token, "bearer_token"},
           {std::string("Bearer ") + kPaymentsToken + "x", "bearer_token"},
           {std::string("Basic ") + kPaymentsToken, "bearer_token"},
           {std::string("Bearer") + kPaymentsToken, "bearer_token"},
       }) {
    SCOPED_TRACE(c.authorization);
    const CallResult result = Call(server->target(), ClientTls("ca"), c.authorization);
    EXPECT_EQ(result.status.error_code(), grpc::StatusCode::UNAUTHENTICATED);
    const google::rpc::ErrorInfo info = ErrorInfoOf(result.status);
    EXPECT_EQ(info.reason(), rich::reason::kCallerUnauthenticated);
    EXPECT_EQ(info.domain(), rich::kErrorDomain);
    EXPECT_EQ(info.metadata().at("mechanism"), c.mechanism);
    EXPECT_EQ(info.metadata().at("accepted"), "bearer_token,client_certificate");
    EXPECT_EQ(result.caller, "");
    for (const std::string& secret : {wrong_token, std::string(kPaymentsToken)}) {
      EXPECT_EQ(result.status.error_message().find(secret), std::string::npos);
      EXPECT_EQ(result.status.error_details().find(secret), std::string::npos);
    }
  }
}

TEST_F(TlsAuthTest, EitherMechanismSufficesUnderMutualTls) {
  const std::unique_ptr<TestServer> server =
      Serve(ServerTls(true), {TokensFile(), {"reports-svc"}});
  ASSERT_NE(server, nullptr);
  // Not-allowed certificate but a valid token: the token authorises.
  CallResult result =
      Call(server->target(), ClientTls("ca", "payments"), std::string("Bearer ") + kPaymentsToken);
  EXPECT_TRUE(result.status.ok()) << result.status.error_message();
  EXPECT_EQ(result.caller, "token:payments-svc");
  // Allowed certificate and a wrong token: the certificate authorises and names the caller.
  result = Call(server->target(), ClientTls("ca", "reports"), "Bearer wrong-token-wrong-token");
  EXPECT_TRUE(result.status.ok()) << result.status.error_message();
  EXPECT_EQ(result.caller, "cert:reports-svc");
  // Not-allowed certificate and no token: forbidden, not unauthenticated.
  result = Call(server->target(), ClientTls("ca", "payments"));
  EXPECT_EQ(result.status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(ErrorInfoOf(result.status).reason(), rich::reason::kCallerForbidden);
}

TEST_F(TlsAuthTest, TokensOnlyConfigIgnoresCertificates) {
  const std::unique_ptr<TestServer> server = Serve(ServerTls(true), {TokensFile(), {}});
  ASSERT_NE(server, nullptr);
  const CallResult result = Call(server->target(), ClientTls("ca", "payments"));
  EXPECT_EQ(result.status.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  const google::rpc::ErrorInfo info = ErrorInfoOf(result.status);
  EXPECT_EQ(info.metadata().at("mechanism"), "client_certificate");
  EXPECT_EQ(info.metadata().at("accepted"), "bearer_token");
}

// --- Reloading ---

// Polls `condition` until it holds or `timeout` passes.
bool Eventually(const std::function<bool()>& condition,
                std::chrono::milliseconds timeout = std::chrono::seconds(15)) {
  const auto end = std::chrono::steady_clock::now() + timeout;
  while (!condition()) {
    if (std::chrono::steady_clock::now() > end) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return true;
}

bool CallSucceeds(const std::string& target,
                  const std::shared_ptr<grpc::ChannelCredentials>& credentials,
                  const std::string& authorization = "") {
  return Call(target, credentials, authorization).status.ok();
}

TEST_F(TlsAuthTest, RotatedServerCertificateIsPresentedWithoutRestart) {
  ServerTlsConfig tls{pki().Write("rotating-server.pem", pki().Pem("server.pem")),
                      pki().Write("rotating-server.key", pki().Pem("server.key")), ""};
  tls.reload_interval = absl::Seconds(1);
  TestServer server(Credentials(tls), nullptr);
  ASSERT_TRUE(server.started());
  ASSERT_TRUE(CallSucceeds(server.target(), ClientTls("ca")));
  ASSERT_FALSE(CallSucceeds(server.target(), ClientTls("other-ca")));

  // cert-manager renews the certificate from another CA.
  pki().Replace("rotating-server.key", pki().Pem("server-other.key"));
  pki().Replace("rotating-server.pem", pki().Pem("server-other.pem"));
  EXPECT_TRUE(Eventually([&] { return CallSucceeds(server.target(), ClientTls("other-ca")); }))
      << "the new certificate was never presented";
  EXPECT_EQ(Call(server.target(), ClientTls("ca")).status.error_code(),
            grpc::StatusCode::UNAVAILABLE);
}

TEST_F(TlsAuthTest, RotatedClientCaVerifiesClientsWithoutRestart) {
  ServerTlsConfig tls = ServerTls(true);
  tls.client_ca_file = pki().Write("rotating-client-ca.pem", pki().Pem("ca.pem"));
  tls.reload_interval = absl::Seconds(1);
  TestServer server(Credentials(tls), nullptr);
  ASSERT_TRUE(server.started());
  ASSERT_TRUE(CallSucceeds(server.target(), ClientTls("ca", "payments")));
  ASSERT_FALSE(CallSucceeds(server.target(), ClientTls("ca", "rogue")));

  pki().Replace("rotating-client-ca.pem", pki().Pem("other-ca.pem"));
  EXPECT_TRUE(Eventually([&] { return CallSucceeds(server.target(), ClientTls("ca", "rogue")); }))
      << "the new client CA was never used";
  EXPECT_EQ(Call(server.target(), ClientTls("ca", "payments")).status.error_code(),
            grpc::StatusCode::UNAVAILABLE);
}

TEST_F(TlsAuthTest, ChangedTokensFileTakesEffectWithoutRestart) {
  const std::string file =
      pki().Write("reloading-tokens.txt", std::string(kPaymentsToken) + " payments-svc\n");
  const std::unique_ptr<TestServer> server =
      Serve(ServerTls(false), {file, {}, absl::ZeroDuration()});
  ASSERT_NE(server, nullptr);
  const std::string payments = std::string("Bearer ") + kPaymentsToken;
  const std::string reports = std::string("Bearer ") + kReportsToken;
  EXPECT_TRUE(CallSucceeds(server->target(), ClientTls("ca"), payments));
  EXPECT_FALSE(CallSucceeds(server->target(), ClientTls("ca"), reports));

  // A token is added.
  pki().Replace("reloading-tokens.txt",
                std::string(kPaymentsToken) + " payments-svc\n" + kReportsToken + " reports\n");
  CallResult result = Call(server->target(), ClientTls("ca"), reports);
  EXPECT_TRUE(result.status.ok()) << result.status.error_message();
  EXPECT_EQ(result.caller, "token:reports");

  // An invalid file (and then none at all) keeps the tokens in effect.
  const std::string another_token = "another-token-0123456789";
  pki().Replace("reloading-tokens.txt", another_token + " new\nshort name\n");
  EXPECT_TRUE(CallSucceeds(server->target(), ClientTls("ca"), reports));
  EXPECT_TRUE(CallSucceeds(server->target(), ClientTls("ca"), payments));
  EXPECT_FALSE(CallSucceeds(server->target(), ClientTls("ca"), "Bearer " + another_token));
  std::filesystem::remove(file);
  EXPECT_TRUE(CallSucceeds(server->target(), ClientTls("ca"), payments));

  // A valid file again: tokens no longer in it are refused.
  pki().Replace("reloading-tokens.txt", another_token + " new\n");
  EXPECT_TRUE(CallSucceeds(server->target(), ClientTls("ca"), "Bearer " + another_token));
  result = Call(server->target(), ClientTls("ca"), payments);
  EXPECT_EQ(result.status.error_code(), grpc::StatusCode::UNAUTHENTICATED);
}

TEST_F(TlsAuthTest, TokensFileIsLookedAtAtMostOncePerInterval) {
  const std::string file =
      pki().Write("slow-tokens.txt", std::string(kPaymentsToken) + " payments-svc\n");
  const std::unique_ptr<TestServer> server = Serve(ServerTls(false), {file, {}, absl::Hours(1)});
  ASSERT_NE(server, nullptr);
  pki().Replace("slow-tokens.txt", std::string(kReportsToken) + " reports\n");
  EXPECT_TRUE(
      CallSucceeds(server->target(), ClientTls("ca"), std::string("Bearer ") + kPaymentsToken));
  EXPECT_FALSE(
      CallSucceeds(server->target(), ClientTls("ca"), std::string("Bearer ") + kReportsToken));
}

// --- Configuration errors ---

void ExpectInvalid(const absl::Status& status, const std::vector<std::string>& mentions,
                   const std::vector<std::string>& must_not_mention = {}) {
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << status;
  const std::string message(status.message());
  for (const std::string& text : mentions) {
    EXPECT_NE(message.find(text), std::string::npos) << "\"" << text << "\" not in: " << message;
  }
  for (const std::string& text : must_not_mention) {
    EXPECT_EQ(message.find(text), std::string::npos) << "\"" << text << "\" in: " << message;
  }
}

TEST_F(TlsAuthTest, TlsFileErrorsNameTheFile) {
  const std::string cert = pki().Path("server.pem");
  const std::string key = pki().Path("server.key");
  const std::string ca = pki().Path("ca.pem");
  const std::string missing = pki().Path("missing.pem");
  const std::string empty = pki().Write("empty.pem", "\n\n");
  const std::string garbage = pki().Write("garbage.pem", "this is not PEM\n");
  std::string damaged = pki().Pem("server.pem");
  damaged[damaged.size() / 2] = '*';
  damaged = pki().Write("damaged.pem", damaged);

  ExpectInvalid(TlsError({missing, key, ""}), {missing, "cannot open"});
  ExpectInvalid(TlsError({cert, missing, ""}), {missing, "cannot open"});
  ExpectInvalid(TlsError({cert, key, missing}), {missing, "cannot open"});
  ExpectInvalid(TlsError({empty, key, ""}), {empty, "empty"});
  ExpectInvalid(TlsError({cert, empty, ""}), {empty, "empty"});
  ExpectInvalid(TlsError({cert, key, empty}), {empty, "empty"});
  ExpectInvalid(TlsError({garbage, key, ""}), {garbage, "no PEM certificate"});
  ExpectInvalid(TlsError({damaged, key, ""}), {damaged, "invalid PEM certificate"});
  ExpectInvalid(TlsError({cert, garbage, ""}), {garbage, "private key"});
  ExpectInvalid(TlsError({cert, key, garbage}), {garbage, "no PEM certificate"});
  ExpectInvalid(TlsError({key, key, ""}), {key, "no PEM certificate"});
  ExpectInvalid(TlsError({cert, cert, ""}), {cert, "private key"});
  ExpectInvalid(TlsError({pki().Path(""), key, ""}), {"not a regular file"});
}

TEST_F(TlsAuthTest, TlsConfigCombinationsAreChecked) {
  const std::string cert = pki().Path("server.pem");
  const std::string key = pki().Path("server.key");
  ExpectInvalid(TlsError({cert, "", ""}), {cert, "without a key"});
  ExpectInvalid(TlsError({"", key, ""}), {key, "without a certificate"});
  ExpectInvalid(TlsError({"", "", pki().Path("ca.pem")}), {pki().Path("ca.pem"), "mutual TLS"});
  ExpectInvalid(TlsError({cert, key, "", absl::Milliseconds(500)}), {"reload interval"});
}

TEST_F(TlsAuthTest, KeyThatDoesNotMatchTheCertificateIsRefused) {
  const std::string other_key = pki().Path("payments.key");
  ExpectInvalid(TlsError({pki().Path("server.pem"), other_key, ""}),
                {other_key, pki().Path("server.pem"), "does not hold the private key"},
                {"BEGIN", "PRIVATE"});
}

TEST_F(TlsAuthTest, EncryptedKeyIsRefusedWithoutPrompting) {
  const std::string encrypted = pki().Path("server-encrypted.key");
  ExpectInvalid(TlsError({pki().Path("server.pem"), encrypted, ""}), {encrypted, "encrypted"});
}

TEST_F(TlsAuthTest, CertificateChainWithLeafFirstIsAccepted) {
  const std::string chain =
      pki().Write("server-chain.pem", pki().Pem("server.pem") + pki().Pem("ca.pem"));
  EXPECT_TRUE(MakeServerCredentials({chain, pki().Path("server.key"), ""}).ok());
  const std::string wrong_order =
      pki().Write("server-chain-reversed.pem", pki().Pem("ca.pem") + pki().Pem("server.pem"));
  ExpectInvalid(TlsError({wrong_order, pki().Path("server.key"), ""}),
                {"does not hold the private key"});
}

TEST_F(TlsAuthTest, TokensFileErrors) {
  const std::string missing = pki().Path("no-such-tokens.txt");
  ExpectInvalid(CallerAuthorizer::Create({missing, {}}).status(), {missing, "cannot open"});
  ExpectInvalid(TokensError(""), {"bad-tokens.txt", "no tokens"});
  ExpectInvalid(TokensError("# only a comment\n\n"), {"no tokens"});
  ExpectInvalid(TokensError("# header\n0123456789abcdef-ok ok\nshort-token7 name\n"),
                {"bad-tokens.txt", "line 3", "shorter than 16"}, {"short-token7"});
  ExpectInvalid(TokensError("0123456789abcdef-one a\n\n0123456789abcdef-one b\n"),
                {"line 3", "duplicate token", "line 1"}, {"0123456789abcdef-one"});
  ExpectInvalid(TokensError("0123456789abcdef-\x01x caller\n"), {"line 1", "non-printable"},
                {"0123456789abcdef"});
  ExpectInvalid(TokensError("0123456789abcdef-ok bad\x7fname\n"), {"line 1", "caller name"});
  ExpectInvalid(CallerAuthorizer::Create({"", {"payments-svc", ""}}).status(),
                {"identity is empty"});
}

}  // namespace
}  // namespace eko::server
