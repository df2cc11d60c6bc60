// HTTPS between the gateway and Eko (eko-sim here), verified as in
// production: a journey over a certificate chain the gateway trusts, and
// each TLS failure answered as UNAVAILABLE / UPSTREAM_UNREACHABLE with
// nothing sent, and nothing reaching the simulator.
#include <unistd.h>

#include <fstream>
#include <ostream>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/integration/requests.h"
#include "tests/integration/test_stack.h"

namespace eko::testing {
namespace {

using ::testing::StartsWith;

TEST(HttpsUpstreamTest, CustomerJourneyOverVerifiedHttps) {
  auto stack = TestStack::Start();
  ASSERT_NE(stack, nullptr);
  EXPECT_THAT(stack->sim_base_url(), StartsWith("https://localhost:"));

  const std::string customer = "9123470001";
  const SimOtp otp = OnboardAndGetOtp(*stack, customer);
  ASSERT_FALSE(otp.otp.empty());
  v1::VerifyCustomerOtpResponse verified;
  ASSERT_TRUE(Succeeded(Call(*stack, CustomerOtp(customer, otp.otp, otp.otp_ref_id), &verified)));
  EXPECT_EQ(verified.next_step(), v1::NEXT_STEP_COMPLETE);

  const std::vector<RecordedRequest> received = stack->RequestsFor(customer);
  ASSERT_EQ(received.size(), 2u);
  EXPECT_TRUE(received[0].auth_ok);
  EXPECT_TRUE(received[1].auth_ok);
}

// An OpenSSL configuration that lets every client in the process offer TLS
// 1.0 and 1.1 at security level 0 (which Debian's build refuses by default),
// so that only the gateway's own minimum can refuse them.
constexpr char kLegacyTlsOpensslConfig[] = R"(openssl_conf = openssl_init
[openssl_init]
ssl_conf = ssl_sect
[ssl_sect]
system_default = system_default_sect
[system_default_sect]
MinProtocol = TLSv1
CipherString = DEFAULT@SECLEVEL=0
)";

struct TlsFailure {
  std::string name;
  StackOptions options;
  // Run the gateway with OPENSSL_CONF=kLegacyTlsOpensslConfig.
  bool system_allows_legacy_tls = false;
};

void PrintTo(const TlsFailure& failure, std::ostream* out) { *out << failure.name; }

class HttpsUpstreamFailureTest : public ::testing::TestWithParam<TlsFailure> {};

TEST_P(HttpsUpstreamFailureTest, IsUnreachableAndNothingIsSent) {
  StackOptions options = GetParam().options;
  const std::string legacy_config =
      ::testing::TempDir() + "/eko-legacy-tls-" + std::to_string(getpid()) + ".cnf";
  if (GetParam().system_allows_legacy_tls) {
    std::ofstream(legacy_config) << kLegacyTlsOpensslConfig;
    options.gateway_env.push_back("OPENSSL_CONF=" + legacy_config);
  }
  auto stack = TestStack::Start(options);
  ASSERT_NE(stack, nullptr);
  const std::string customer = "9123470002";
  const grpc::Status status = Call(*stack, CustomerLookup(customer));
  EXPECT_TRUE(HasError(status, grpc::StatusCode::UNAVAILABLE, "UPSTREAM_UNREACHABLE"));
  EXPECT_EQ(DecodeDetails(status).metadata["upstreamOutcome"], "NOT_SENT");
  EXPECT_TRUE(stack->Requests().empty()) << "the simulator saw a request";
  stack.reset();
  unlink(legacy_config.c_str());
}

INSTANTIATE_TEST_SUITE_P(
    Tls, HttpsUpstreamFailureTest,
    ::testing::Values(
        // The simulator's chain leads to "ca"; the gateway trusts only "other-ca"
        // (and the system store).
        TlsFailure{"UntrustedCa", {.gateway_ca = "other-ca"}},
        // Issued by the trusted CA, for eko.invalid only.
        TlsFailure{"WrongHostName", {.sim_certificate = "wrong-host"}},
        // Issued by the trusted CA, for localhost, expired yesterday.
        TlsFailure{"ExpiredCertificate", {.sim_certificate = "expired"}},
        // The simulator offers only TLS 1.0 and 1.1 (HttpServerTlsTest shows it
        // completes such handshakes), the system's OpenSSL configuration would
        // allow them, and the gateway still requires 1.2 or later.
        TlsFailure{
            "TlsBelow12", {.sim_tls_min_version = "1.0", .sim_tls_max_version = "1.1"}, true}),
    [](const ::testing::TestParamInfo<TlsFailure>& failure) { return failure.param.name; });

}  // namespace
}  // namespace eko::testing
