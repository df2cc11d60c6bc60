// Runs eko-cli (through RunCli) against an in-process fake OnboardingService.
#include <cstdlib>
#include <sstream>
#include <string>
#include <vector>

#include "client/cli.h"
#include "client/fake_onboarding_service.h"
#include "client/test_support.h"
#include "eko/onboarding/v1/onboarding_service.grpc.pb.h"
#include "gmock/gmock.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "google/protobuf/util/message_differencer.h"
#include "grpcpp/grpcpp.h"
#include "grpcpp/security/auth_metadata_processor.h"
#include "gtest/gtest.h"
#include "server/build_info.h"
#include "server/tls_test_pki.h"

namespace eko::cli {
namespace {

namespace v1 = ::eko::onboarding::v1;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

using test_support::CannedGetCustomer;
using test_support::CliRun;
using test_support::Proto;

class CliEndToEndTest : public test_support::FakeServiceTest {};

TEST_F(CliEndToEndTest, SuccessInHumanForm) {
  const CliRun run = Run({"get-customer", "--customer-id", "9876543210", "--user-code", "42"});
  EXPECT_EQ(run.code, kExitOk) << run.err;
  EXPECT_THAT(run.err, IsEmpty());
  EXPECT_EQ(run.out, test_support::kCannedGetCustomerHuman);
  const v1::GetCustomerRequest seen = service_.last_get_customer();
  EXPECT_EQ(seen.customer_id(), "9876543210");
  EXPECT_EQ(seen.user_code(), "42");
}

TEST_F(CliEndToEndTest, SuccessAsJson) {
  const CliRun run = Run({"--json", "get-customer", "--customer-id", "9876543210"});
  EXPECT_EQ(run.code, kExitOk) << run.err;
  EXPECT_THAT(run.err, IsEmpty());
  ASSERT_FALSE(run.out.empty());
  EXPECT_EQ(run.out.find('\n'), run.out.size() - 1) << "one line expected: " << run.out;
  EXPECT_THAT(run.out, HasSubstr("\"otp_ref_id\":\"otp-ref-1\""));
  v1::GetCustomerResponse parsed;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(run.out, &parsed).ok()) << run.out;
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(parsed, CannedGetCustomer()))
      << parsed.ShortDebugString();
}

TEST_F(CliEndToEndTest, RichErrorInHumanForm) {
  const CliRun run = Run({"onboard-customer", "--customer-id", "9876543210", "--name", "Asha",
                          "--dob", "2999-01-01", "--address", "Pune"});
  EXPECT_EQ(run.code, kExitCallFailed);
  EXPECT_THAT(run.out, IsEmpty());
  EXPECT_EQ(run.err, test_support::kRichErrorHuman);
  EXPECT_FALSE(test_support::ContainsBase64Blob(run.err)) << run.err;
}

TEST_F(CliEndToEndTest, RichErrorAsJson) {
  const CliRun run = Run({"onboard-customer", "--customer-id", "9876543210", "--name", "Asha",
                          "--dob", "2999-01-01", "--address", "Pune", "--json"});
  EXPECT_EQ(run.code, kExitCallFailed);
  EXPECT_THAT(run.err, IsEmpty());
  google::protobuf::Struct parsed;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(run.out, &parsed).ok()) << run.out;
  EXPECT_EQ(parsed.fields().at("code").string_value(), "INVALID_ARGUMENT");
  EXPECT_EQ(parsed.fields().at("code_number").number_value(), 3);
  const auto& details = parsed.fields().at("details").list_value().values();
  ASSERT_EQ(details.size(), 4);
  EXPECT_EQ(details[0].struct_value().fields().at("reason").string_value(), "FIELD_INVALID");
  EXPECT_EQ(details[3].struct_value().fields().at("@type").string_value(),
            "type.googleapis.com/google.rpc.RequestInfo");
}

TEST_F(CliEndToEndTest, UnimplementedRpcFails) {
  const CliRun run = Run({"get-sender", "--customer-id", "9876543210"});
  EXPECT_EQ(run.code, kExitCallFailed);
  EXPECT_THAT(run.err, ::testing::StartsWith("error: UNIMPLEMENTED"));
}

TEST_F(CliEndToEndTest, TimeoutBecomesTheDeadline) {
  const CliRun run = Run({"verify-customer-otp", "--customer-id", "1", "--otp", "1234",
                          "--otp-ref-id", "r", "--timeout", "0.2"});
  EXPECT_EQ(run.code, kExitCallFailed);
  EXPECT_THAT(run.err, ::testing::StartsWith("error: DEADLINE_EXCEEDED"));
}

TEST_F(CliEndToEndTest, OtpFromStdinReachesTheServer) {
  const CliRun run = Run({"verify-customer-otp", "--customer-id", "1", "--otp", "-", "--otp-ref-id",
                          "r", "--timeout", "0.2"},
                         "4711\n");
  EXPECT_EQ(run.code, kExitCallFailed);
  EXPECT_THAT(run.err, HasSubstr("OTP: "));
  EXPECT_EQ(service_.calls(), 1);
}

TEST_F(CliEndToEndTest, OnboardSenderSendsTheStructuredAddress) {
  service_.Reply(Proto<v1::OnboardSenderResponse>(R"pb(next_step: NEXT_STEP_START_SENDER_EKYC
                                                       upstream { response_type_id: 2134 })pb"));
  const CliRun run = Run({"onboard-sender", "--customer-id", "9876543210", "--name", "Asha Rao",
                          "--dob", "1990-04-01", "--address-line", "12 MG Road", "--city", "Indore",
                          "--state", "Madhya Pradesh", "--pincode", "452001"});
  EXPECT_EQ(run.code, kExitOk) << run.err;
  EXPECT_THAT(run.out, ::testing::StartsWith("next step: START_SENDER_EKYC\n"));
  const auto seen = service_.Requests<v1::OnboardSenderResponse>();
  ASSERT_EQ(seen.size(), 1u);
  // The whole request: the address, and no deprecated residence_address.
  const auto expected = Proto<v1::OnboardSenderRequest>(test_support::kSenderOnboardingRequest);
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(seen[0], expected))
      << seen[0].ShortDebugString();
}

TEST_F(CliEndToEndTest, OtpLeftOutOfVerifyCustomerOtpReachesTheServerWithoutOne) {
  const CliRun run =
      Run({"verify-customer-otp", "--customer-id", "1", "--otp-ref-id", "r", "--timeout", "0.2"},
          "4711\n", /*terminal=*/true);
  EXPECT_EQ(run.code, kExitCallFailed);  // The fake's VerifyCustomerOtp hangs.
  EXPECT_THAT(run.err, ::testing::StartsWith("error: DEADLINE_EXCEEDED"));  // No prompt.
  const auto seen = service_.Requests<v1::VerifyCustomerOtpResponse>();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].otp(), "");
  EXPECT_EQ(seen[0].otp_ref_id(), "r");
}

TEST_F(CliEndToEndTest, NewResponseFieldsInBothForms) {
  const auto validate = Proto<v1::ValidateEkycOtpResponse>(R"pb(
    next_step: NEXT_STEP_COMPLETE
    customer_id: "9876543210"
    kyc_verified: true
    available_limit { currency_code: "INR" units: 25000 }
  )pb");
  service_.Reply(validate);
  service_.Reply(validate);
  const std::vector<std::string> args = {"validate-ekyc-otp",
                                         "--customer-id",
                                         "9876543210",
                                         "--otp",
                                         "123456",
                                         "--otp-ref-id",
                                         "r",
                                         "--kyc-request-id",
                                         "k"};
  CliRun run = Run(args);
  EXPECT_EQ(run.code, kExitOk) << run.err;
  EXPECT_EQ(run.out,
            "next step: COMPLETE\ncustomer_id: 9876543210\nkyc_verified: true\n"
            "available_limit: INR 25000.00\n");
  std::vector<std::string> json_args = args;
  json_args.push_back("--json");
  run = Run(json_args);
  EXPECT_EQ(run.code, kExitOk) << run.err;
  v1::ValidateEkycOtpResponse parsed;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(run.out, &parsed).ok()) << run.out;
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(parsed, validate))
      << parsed.ShortDebugString();
}

TEST_F(CliEndToEndTest, Health) {
  CliRun run = Run({"health"});
  EXPECT_EQ(run.code, kExitOk) << run.err;
  EXPECT_EQ(run.out, "status: SERVING\n");

  server_->GetHealthCheckService()->SetServingStatus("eko.test.Down", false);
  run = Run({"health", "--service", "eko.test.Down"});
  EXPECT_EQ(run.code, kExitCallFailed);
  EXPECT_EQ(run.out, "status: NOT_SERVING\n");

  run = Run({"health", "--service", "eko.test.Down", "--json"});
  EXPECT_EQ(run.code, kExitCallFailed);
  EXPECT_EQ(run.out, "{\"status\":\"NOT_SERVING\"}\n");

  run = Run({"health", "--service", "no.such.Service"});
  EXPECT_EQ(run.code, kExitCallFailed);
  EXPECT_THAT(run.err, ::testing::StartsWith("error: NOT_FOUND"));
}

TEST_F(CliEndToEndTest, UnreachableServerFails) {
  const CliRun run = Run({"health", "--addr", "127.0.0.1:1", "--timeout", "5"});
  EXPECT_EQ(run.code, kExitCallFailed);
  EXPECT_THAT(run.err, ::testing::StartsWith("error: UNAVAILABLE"));
}

TEST_F(CliEndToEndTest, UsageErrorsSendNothing) {
  CliRun run = Run({"get-customer", "--customer-id", "1", "--bogus"});
  EXPECT_EQ(run.code, kExitUsage);
  EXPECT_THAT(run.err, HasSubstr("unknown flag --bogus"));
  EXPECT_THAT(run.err, HasSubstr("usage: eko-cli"));
  EXPECT_THAT(run.out, IsEmpty());

  run = Run({"get-customerz"});
  EXPECT_EQ(run.code, kExitUsage);
  EXPECT_THAT(run.err, HasSubstr("unknown subcommand 'get-customerz'"));

  run = Run({"onboard-customer", "--customer-id", "1", "--name", "A", "--dob", "1.1.1990",
             "--address", "x"});
  EXPECT_EQ(run.code, kExitUsage);
  EXPECT_THAT(run.err, HasSubstr("--dob must be YYYY-MM-DD"));

  run = Run({"onboard-customer", "--customer-id", "1", "--dob", "1990-01-01", "--address", "x"});
  EXPECT_EQ(run.code, kExitUsage);
  EXPECT_THAT(run.err, HasSubstr("missing required flag --name"));

  // onboard-sender refuses the address lines it used to take.
  run = Run({"onboard-sender", "--customer-id", "1", "--name", "A", "--dob", "1990-01-01",
             "--address", "Pune"});
  EXPECT_EQ(run.code, kExitUsage);
  EXPECT_THAT(run.err, HasSubstr("eko-cli: flag --address is not accepted by onboard-sender: "
                                 "OnboardSender takes a structured address; give --address-line"));
  EXPECT_THAT(run.err, HasSubstr("usage: eko-cli [GLOBAL FLAGS] onboard-sender"));
  EXPECT_THAT(run.out, IsEmpty());

  run = Run({"onboard-sender", "--customer-id", "1", "--name", "A", "--dob", "1990-01-01",
             "--address-line", "L", "--city", "C", "--state", "S"});
  EXPECT_EQ(run.code, kExitUsage);
  EXPECT_THAT(run.err, HasSubstr("missing required flag --pincode"));

  EXPECT_EQ(service_.calls(), 0);
}

TEST_F(CliEndToEndTest, HelpGoesToStdout) {
  CliRun run = Run({"--help"});
  EXPECT_EQ(run.code, kExitOk);
  EXPECT_THAT(run.out, HasSubstr("usage: eko-cli"));
  EXPECT_THAT(run.err, IsEmpty());
  run = Run({"help", "start-sender-ekyc"});
  EXPECT_EQ(run.code, kExitOk);
  EXPECT_THAT(run.out, HasSubstr("--pid-data-file PATH"));
}

TEST_F(CliEndToEndTest, ArgvEntryPointReadsTheAddressFromTheEnvironment) {
  ASSERT_EQ(setenv(kAddrEnvVar, addr_.c_str(), 1), 0);
  std::vector<std::string> args = {"eko-cli", "get-customer", "--customer-id", "5"};
  std::vector<char*> argv;
  for (std::string& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);
  std::istringstream in;
  std::ostringstream out;
  std::ostringstream err;
  const int code = RunCli(static_cast<int>(args.size()), argv.data(), in, out, err);
  unsetenv(kAddrEnvVar);
  EXPECT_EQ(code, kExitOk) << err.str();
  EXPECT_THAT(out.str(), HasSubstr("otp_ref_id: otp-ref-1"));
  EXPECT_EQ(service_.last_get_customer().customer_id(), "5");
}

// --- A gateway with mutual TLS and bearer tokens ---

constexpr char kToken[] = "tok_e2e_0123456789abcdef";

// Lets in only calls carrying `authorization: Bearer kToken`, as the
// gateway's --auth-tokens-file does (here for health calls too).
class RequireToken final : public grpc::AuthMetadataProcessor {
 public:
  bool IsBlocking() const override { return false; }
  grpc::Status Process(const InputMetadata& metadata, grpc::AuthContext*, OutputMetadata*,
                       OutputMetadata*) override {
    const auto it = metadata.find("authorization");
    if (it == metadata.end() || it->second != std::string("Bearer ") + kToken) {
      return grpc::Status(grpc::StatusCode::UNAUTHENTICATED, "no valid bearer token");
    }
    return grpc::Status::OK;
  }
};

// The fake behind mutual TLS (server certificate for localhost and
// 127.0.0.1 from the test CA; clients need a certificate from it) that
// requires kToken.
class CliTlsEndToEndTest : public test_support::FakeServiceTest {
 protected:
  std::shared_ptr<grpc::ServerCredentials> ListenerCredentials() override {
    if (!pki().ok()) return grpc::InsecureServerCredentials();  // SetUp reports it
    grpc::SslServerCredentialsOptions options(
        GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY);
    options.pem_root_certs = pki().Pem("ca.pem");
    options.pem_key_cert_pairs.push_back({pki().Pem("server.key"), pki().Pem("server.pem")});
    std::shared_ptr<grpc::ServerCredentials> credentials = grpc::SslServerCredentials(options);
    credentials->SetAuthMetadataProcessor(std::make_shared<RequireToken>());
    return credentials;
  }

  void SetUp() override {
    ASSERT_TRUE(pki().ok()) << pki().error();
    FakeServiceTest::SetUp();
    token_file_ = pki().Write("cli-token.txt", std::string("  ") + kToken + "\n");
  }

  static const server::test_pki::Pki& pki() { return *server::test_pki::Pki::Get(); }

  // The flags reaching the fake: its CA, the "payments" client certificate
  // and the token file.
  std::vector<std::string> Secure(std::vector<std::string> args) const {
    for (const std::string& flag :
         {"--tls-ca-file=" + pki().Path("ca.pem"), "--tls-cert-file=" + pki().Path("payments.pem"),
          "--tls-key-file=" + pki().Path("payments.key"), "--token-file=" + token_file_}) {
      args.push_back(flag);
    }
    return args;
  }

  std::string token_file_;
};

TEST_F(CliTlsEndToEndTest, SubcommandsAndJourneysWorkOverMutualTlsWithAToken) {
  CliRun run = Run(Secure({"health"}));
  EXPECT_EQ(run.code, kExitOk) << run.err;
  EXPECT_EQ(run.out, "status: SERVING\n");

  run = Run(Secure({"get-customer", "--customer-id", "9876543210"}));
  EXPECT_EQ(run.code, kExitOk) << run.err;
  EXPECT_EQ(run.out, test_support::kCannedGetCustomerHuman);

  // Errors of the service itself come through as they are.
  run = Run(Secure({"onboard-customer", "--customer-id", "9876543210", "--name", "Asha", "--dob",
                    "2999-01-01", "--address", "Pune"}));
  EXPECT_EQ(run.code, kExitCallFailed);
  EXPECT_EQ(run.err, test_support::kRichErrorHuman);

  service_.Reply(Proto<v1::GetCustomerResponse>(R"pb(next_step: NEXT_STEP_VERIFY_CUSTOMER_OTP
                                                     otp_ref_id: "ref-get")pb"));
  service_.Reply(Proto<v1::VerifyCustomerOtpResponse>("next_step: NEXT_STEP_COMPLETE"));
  run = Run(Secure({"journey", "customer", "--customer-id", "9876543210", "--otp", "551177"}));
  EXPECT_EQ(run.code, kExitOk) << run.err;
  EXPECT_EQ(service_.Requests<v1::VerifyCustomerOtpResponse>().size(), 1u);
  EXPECT_EQ(service_.calls(), 4);
}

TEST_F(CliTlsEndToEndTest, TheServerNameCanDifferFromTheAddress) {
  CliRun run = Run(Secure({"health", "--tls-server-name", "localhost"}));
  EXPECT_EQ(run.code, kExitOk) << run.err;
  run = Run(Secure({"health", "--tls-server-name", "gateway.other.test", "--timeout", "5"}));
  EXPECT_EQ(run.code, kExitCallFailed);
  EXPECT_THAT(run.err, ::testing::StartsWith("error: UNAVAILABLE"));
}

TEST_F(CliTlsEndToEndTest, MissingCredentialsAreRefused) {
  const std::string ca = "--tls-ca-file=" + pki().Path("ca.pem");
  const std::string token = "--token-file=" + token_file_;
  const std::string cert = "--tls-cert-file=" + pki().Path("payments.pem");
  const std::string key = "--tls-key-file=" + pki().Path("payments.key");
  struct Case {
    std::vector<std::string> args;
    std::string error;
  };
  for (const Case& c : std::vector<Case>{
           {{"get-customer", "--customer-id", "1", ca, cert, key}, "error: UNAUTHENTICATED"},
           {{"get-customer", "--customer-id", "1", ca, token}, "error: UNAVAILABLE"},
           {{"get-customer", "--customer-id", "1", token}, "error: UNAVAILABLE"},
           {{"get-customer", "--customer-id", "1", "--tls-ca-file=" + pki().Path("other-ca.pem"),
             cert, key, token},
            "error: UNAVAILABLE"},
       }) {
    std::vector<std::string> args = c.args;
    args.insert(args.end(), {"--timeout", "5"});
    const CliRun run = Run(args);
    EXPECT_EQ(run.code, kExitCallFailed) << ::testing::PrintToString(c.args);
    EXPECT_THAT(run.err, ::testing::StartsWith(c.error)) << ::testing::PrintToString(c.args);
  }
  EXPECT_EQ(service_.calls(), 0);
}

TEST_F(CliTlsEndToEndTest, UnusableTlsOrTokenFlagsAreUsageErrors) {
  const std::string missing = pki().Path("no-such-file");
  struct Case {
    std::vector<std::string> flags;
    std::string error;
  };
  for (const Case& c : std::vector<Case>{
           {{"--token-file", missing}, "cannot read --token-file '" + missing + "'"},
           {{"--token-file", pki().Write("cli-empty.txt", "")}, "(it is empty)"},
           {{"--token-file", pki().Write("cli-two-words.txt", std::string(kToken) + " name\n")},
            "must hold one token"},
           {{"--token-file", pki().Write("cli-blank.txt", " \n")}, "must hold one token"},
           {{"--tls-ca-file", missing}, "cannot read --tls-ca-file"},
           {{"--tls-ca-file", token_file_}, "holds no PEM block"},
           {{"--tls-cert-file", pki().Path("payments.pem")}, "go together"},
           {{"--tls-key-file", pki().Path("payments.key")}, "go together"},
           {{"--tls-server-name="}, "--tls-server-name must not be empty"},
       }) {
    std::vector<std::string> args = {"health"};
    args.insert(args.end(), c.flags.begin(), c.flags.end());
    const CliRun run = Run(args);
    EXPECT_EQ(run.code, kExitUsage) << ::testing::PrintToString(c.flags);
    EXPECT_THAT(run.err, HasSubstr(c.error)) << ::testing::PrintToString(c.flags);
    EXPECT_THAT(run.err, ::testing::Not(HasSubstr(kToken)));
  }
  EXPECT_EQ(service_.calls(), 0);
}

TEST(CliVersionTest, PrintsTheBuildsVersionLine) {
  for (const std::vector<std::string>& args :
       std::vector<std::vector<std::string>>{{"--version"}, {"health", "--version"}}) {
    const CliRun run = test_support::RunEkoCli(args, "", "127.0.0.1:1");
    EXPECT_EQ(run.code, kExitOk);
    EXPECT_EQ(run.out, server::VersionLine("eko-cli") + "\n");
    EXPECT_THAT(run.out, ::testing::MatchesRegex("eko-cli [0-9]+\\.[0-9]+\\.[0-9]+ commit=.+\n"));
    EXPECT_THAT(run.err, IsEmpty());
  }
}

}  // namespace
}  // namespace eko::cli
