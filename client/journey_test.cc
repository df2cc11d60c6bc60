// `eko-cli journey ...` run through RunCli against the scripted fake
// OnboardingService (and, for --otp-from-sim, a tiny local HTTP responder).
#include "client/journey.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "client/cli.h"
#include "client/fake_onboarding_service.h"
#include "client/test_support.h"
#include "eko/onboarding/v1/onboarding_service.pb.h"
#include "gmock/gmock.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "gtest/gtest.h"

namespace eko::cli {
namespace {

namespace v1 = ::eko::onboarding::v1;
using test_support::CliRun;
using test_support::Proto;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

constexpr char kMobile[] = "9876543210";
constexpr char kMaskedMobile[] = "98******10";
constexpr char kAadhaar[] = "987654321012";
constexpr char kPidData[] = "<PidData><Resp errCode=\"0\"/><Data>SECRETPIDBLOCK</Data></PidData>";

// The gateway's answer to a wrong OTP: OTP_INVALID with a BadRequest on otp.
grpc::Status OtpInvalid() {
  return test_support::StatusWithDetails(
      grpc::StatusCode::INVALID_ARGUMENT, "Eko rejected the OTP as wrong",
      test_support::GatewayErrorInfo("OTP_INVALID"),
      test_support::FieldViolation("otp", "Eko did not accept the OTP for this otp_ref_id"));
}

// Answers every HTTP request on 127.0.0.1 with one fixed status and body,
// and records the request lines. Good for exactly what these tests need: one
// short GET per connection.
class TinyHttpResponder {
 public:
  TinyHttpResponder(int status, std::string body) : status_(status), body_(std::move(body)) {
    listen_fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof(address);
    if (listen_fd_ < 0 || bind(listen_fd_, reinterpret_cast<sockaddr*>(&address), length) != 0 ||
        listen(listen_fd_, 8) != 0 ||
        getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
      ADD_FAILURE() << "cannot listen on 127.0.0.1";
      return;
    }
    port_ = ntohs(address.sin_port);
    thread_ = std::thread([this] { Serve(); });
  }

  ~TinyHttpResponder() {
    shutdown(listen_fd_, SHUT_RDWR);  // Wakes accept().
    if (thread_.joinable()) thread_.join();
    close(listen_fd_);
  }

  std::string base_url() const { return "http://127.0.0.1:" + std::to_string(port_); }

  std::vector<std::string> request_lines() {
    std::lock_guard<std::mutex> lock(mu_);
    return request_lines_;
  }

 private:
  void Serve() {
    for (;;) {
      const int fd = accept(listen_fd_, nullptr, nullptr);
      if (fd < 0) return;
      std::string request;
      char buffer[1024];
      while (request.find("\r\n\r\n") == std::string::npos) {
        const ssize_t n = read(fd, buffer, sizeof(buffer));
        if (n <= 0) break;
        request.append(buffer, static_cast<size_t>(n));
      }
      {
        std::lock_guard<std::mutex> lock(mu_);
        request_lines_.push_back(request.substr(0, request.find("\r\n")));
      }
      const std::string reply = "HTTP/1.1 " + std::to_string(status_) +
                                " X\r\nContent-Type: application/json\r\nContent-Length: " +
                                std::to_string(body_.size()) + "\r\nConnection: close\r\n\r\n" +
                                body_;
      size_t sent = 0;
      while (sent < reply.size()) {
        const ssize_t n = write(fd, reply.data() + sent, reply.size() - sent);
        if (n <= 0) break;
        sent += static_cast<size_t>(n);
      }
      close(fd);
    }
  }

  const int status_;
  const std::string body_;
  int listen_fd_ = -1;
  int port_ = 0;
  std::thread thread_;
  std::mutex mu_;
  std::vector<std::string> request_lines_;
};

class JourneyTest : public test_support::FakeServiceTest {
 protected:
  // `journey customer` for kMobile with the onboarding flags and `extra`.
  static std::vector<std::string> CustomerArgs(const std::vector<std::string>& extra) {
    std::vector<std::string> args = {"journey",   "customer", "--customer-id", kMobile,
                                     "--name",    "Asha Rao", "--dob",         "1990-04-01",
                                     "--address", "12 MG Rd", "--address",     "Pune"};
    args.insert(args.end(), extra.begin(), extra.end());
    return args;
  }

  // Scripts a GetCustomer asking for the OTP of otp_ref_id "ref-get", then
  // runs the customer journey reading that OTP from `sim` (--otp-from-sim
  // with `admin_path` appended to the responder's URL).
  CliRun RunWithSimulatorOtp(const TinyHttpResponder& sim, const std::string& admin_path) {
    service_.Reply(Proto<v1::GetCustomerResponse>(R"pb(next_step: NEXT_STEP_VERIFY_CUSTOMER_OTP
                                                       otp_ref_id: "ref-get")pb"));
    return Run(CustomerArgs({"--otp-from-sim", sim.base_url() + admin_path}));
  }

  // RunWithSimulatorOtp(sim, "/__sim"), expecting the journey to fail after
  // GetCustomer with `problem` on stderr.
  CliRun ExpectSimulatorOtpRefused(const TinyHttpResponder& sim, const std::string& problem) {
    const CliRun run = RunWithSimulatorOtp(sim, "/__sim");
    EXPECT_EQ(run.code, kExitCallFailed);
    EXPECT_THAT(run.err, HasSubstr(problem));
    EXPECT_EQ(service_.calls(), 1);
    return run;
  }

  // Expects exactly one ValidateEkycOtp, with these references and OTP.
  void ExpectOneValidateEkycOtp(const std::string& otp_ref_id, const std::string& kyc_request_id,
                                const std::string& otp) {
    const auto validate = service_.Requests<v1::ValidateEkycOtpResponse>();
    ASSERT_EQ(validate.size(), 1u);
    EXPECT_EQ(validate[0].otp_ref_id(), otp_ref_id);
    EXPECT_EQ(validate[0].kyc_request_id(), kyc_request_id);
    EXPECT_EQ(validate[0].otp(), otp);
  }

  // The sender journey's required address flags, as SenderArgs gives them.
  static std::vector<std::string> SenderAddressArgs() {
    return {"--address-line", "12 MG Road",     "--city",    "Indore",
            "--state",        "Madhya Pradesh", "--pincode", "452001"};
  }

  // `journey sender` for kMobile with the onboarding (SenderAddressArgs) and
  // eKYC flags and `extra`.
  static std::vector<std::string> SenderArgs(const std::vector<std::string>& extra) {
    std::vector<std::string> args = {"journey", "sender",   "--customer-id", kMobile,
                                     "--name",  "Asha Rao", "--dob",         "1990-04-01"};
    const std::vector<std::string> address = SenderAddressArgs();
    args.insert(args.end(), address.begin(), address.end());
    args.insert(args.end(), {"--aadhaar", kAadhaar, "--pid-data", kPidData});
    args.insert(args.end(), extra.begin(), extra.end());
    return args;
  }

  // Scripts the happy sender journey after GetSender: OnboardSender ->
  // StartSenderEkyc (refs kyc-ref / 4711) -> ValidateEkycOtp COMPLETE.
  void ScriptSenderFromOnboarding() {
    service_.Reply(Proto<v1::GetSenderResponse>("next_step: NEXT_STEP_ONBOARD_SENDER"));
    service_.Reply(Proto<v1::OnboardSenderResponse>(R"pb(next_step: NEXT_STEP_START_SENDER_EKYC
                                                         upstream { response_type_id: 2134 })pb"));
    service_.Reply(Proto<v1::StartSenderEkycResponse>(R"pb(next_step: NEXT_STEP_VALIDATE_EKYC_OTP
                                                           otp_ref_id: "kyc-ref"
                                                           kyc_request_id: "4711")pb"));
    service_.Reply(
        Proto<v1::ValidateEkycOtpResponse>(R"pb(next_step: NEXT_STEP_COMPLETE
                                                upstream { response_type_id: 2132 })pb"));
  }

  // Fails the test when `run` shows personal data or OTPs.
  static void ExpectNoSecrets(const CliRun& run, const std::vector<std::string>& otps) {
    for (const std::string& text : {run.out, run.err}) {
      EXPECT_THAT(text, Not(HasSubstr(kAadhaar)));
      EXPECT_THAT(text, Not(HasSubstr("SECRETPIDBLOCK")));
      for (const std::string& otp : otps) EXPECT_THAT(text, Not(HasSubstr(otp)));
    }
  }
};

TEST_F(JourneyTest, NewCustomerIsOnboardedAndVerifiedWithAnOtpPipedOnStdin) {
  service_.Reply(Proto<v1::GetCustomerResponse>(R"pb(next_step: NEXT_STEP_ONBOARD_CUSTOMER
                                                     upstream { response_type_id: 308 })pb"));
  service_.Reply(Proto<v1::OnboardCustomerResponse>(R"pb(next_step: NEXT_STEP_VERIFY_CUSTOMER_OTP
                                                         otp_ref_id: "ref-onboard"
                                                         intent_id: 19)pb"));
  service_.Reply(Proto<v1::VerifyCustomerOtpResponse>(R"pb(
    next_step: NEXT_STEP_COMPLETE
    customer_profile { name: "Asha Rao" kyc_state: KYC_STATE_NON_KYC }
    upstream { response_type_id: 309 message: "Success!" }
  )pb"));

  const CliRun run = Run(CustomerArgs({"--user-code", "20810200"}), " 482913 \n");

  EXPECT_EQ(run.code, kExitOk) << run.err;
  EXPECT_THAT(service_.rpcs(), ElementsAre("GetCustomer", "OnboardCustomer", "VerifyCustomerOtp"));
  const auto onboard = service_.Requests<v1::OnboardCustomerResponse>();
  ASSERT_EQ(onboard.size(), 1u);
  EXPECT_EQ(onboard[0].name(), "Asha Rao");
  EXPECT_EQ(onboard[0].dob().year(), 1990);
  EXPECT_THAT(onboard[0].residence_address(), ElementsAre("12 MG Rd", "Pune"));
  EXPECT_EQ(onboard[0].user_code(), "20810200");
  const auto verify = service_.Requests<v1::VerifyCustomerOtpResponse>();
  ASSERT_EQ(verify.size(), 1u);
  EXPECT_EQ(verify[0].otp(), "482913");
  EXPECT_EQ(verify[0].otp_ref_id(), "ref-onboard");
  EXPECT_EQ(verify[0].customer_id(), kMobile);
  EXPECT_EQ(verify[0].user_code(), "20810200");

  EXPECT_THAT(run.out, HasSubstr("step 1: GetCustomer\n  next step: ONBOARD_CUSTOMER\n"));
  EXPECT_THAT(run.out, HasSubstr("step 2: OnboardCustomer\n  next step: VERIFY_CUSTOMER_OTP\n"
                                 "  otp_ref_id: ref-onboard\n  intent_id: 19\n"));
  EXPECT_THAT(run.out,
              HasSubstr("step 3: VerifyCustomerOtp (OTP from stdin)\n"
                        "  next step: COMPLETE\n  customer_profile:\n    name: Asha Rao\n"));
  EXPECT_THAT(run.out, ::testing::EndsWith("journey complete: the customer is registered and "
                                           "verified.\n"));
  EXPECT_EQ(run.err, std::string("OTP for ") + kMaskedMobile + ": \n");
  ExpectNoSecrets(run, {"482913"});
}

TEST_F(JourneyTest, EnrolledCustomerGoesStraightToVerificationWithOtpFlag) {
  service_.Reply(Proto<v1::GetCustomerResponse>(R"pb(next_step: NEXT_STEP_VERIFY_CUSTOMER_OTP
                                                     otp_ref_id: "ref-get")pb"));
  service_.Reply(Proto<v1::VerifyCustomerOtpResponse>("next_step: NEXT_STEP_COMPLETE"));

  // No onboarding flags: an enrolled customer does not need them.
  const CliRun run =
      Run({"journey", "customer", "--customer-id", kMobile, "--otp", "551177"}, "unused\n");

  EXPECT_EQ(run.code, kExitOk) << run.err;
  EXPECT_THAT(service_.rpcs(), ElementsAre("GetCustomer", "VerifyCustomerOtp"));
  const auto verify = service_.Requests<v1::VerifyCustomerOtpResponse>();
  ASSERT_EQ(verify.size(), 1u);
  EXPECT_EQ(verify[0].otp(), "551177");
  EXPECT_EQ(verify[0].otp_ref_id(), "ref-get");
  EXPECT_THAT(run.out, HasSubstr("step 2: VerifyCustomerOtp (OTP from --otp)\n"));
  EXPECT_THAT(run.err, IsEmpty());  // No prompt.
  ExpectNoSecrets(run, {"551177"});
}

TEST_F(JourneyTest, AadhaarPendingIsADocumentedStop) {
  service_.Reply(Proto<v1::GetCustomerResponse>(R"pb(next_step: NEXT_STEP_VERIFY_CUSTOMER_OTP
                                                     otp_ref_id: "r")pb"));
  service_.Reply(
      Proto<v1::VerifyCustomerOtpResponse>(R"pb(next_step: NEXT_STEP_VALIDATE_AADHAAR
                                                upstream { response_type_id: 2136 })pb"));

  const CliRun run = Run(CustomerArgs({"--otp", "1234"}));

  EXPECT_EQ(run.code, kExitOk) << run.err;
  EXPECT_THAT(run.out, HasSubstr("  next step: VALIDATE_AADHAAR\n"));
  EXPECT_THAT(run.out, HasSubstr("journey stopped at VALIDATE_AADHAAR"));
  EXPECT_THAT(run.out, HasSubstr("no RPC for this step"));
  EXPECT_EQ(service_.calls(), 2);
}

TEST_F(JourneyTest, PanRequiredIsADocumentedStopNamingTheApplication) {
  service_.Reply(Proto<v1::GetCustomerResponse>(R"pb(next_step: NEXT_STEP_VERIFY_CUSTOMER_OTP
                                                     otp_ref_id: "r")pb"));
  service_.Reply(Proto<v1::VerifyCustomerOtpResponse>(R"pb(next_step: NEXT_STEP_VALIDATE_PAN
                                                           application_id: "880001")pb"));

  const CliRun run = Run(CustomerArgs({"--otp", "1234"}));

  EXPECT_EQ(run.code, kExitOk) << run.err;
  EXPECT_THAT(run.out, HasSubstr("journey stopped at VALIDATE_PAN"));
  EXPECT_THAT(run.out, HasSubstr("application_id 880001"));
}

TEST_F(JourneyTest, WrongOtpThenRightOtpInteractively) {
  service_.Reply(Proto<v1::GetCustomerResponse>(R"pb(next_step: NEXT_STEP_VERIFY_CUSTOMER_OTP
                                                     otp_ref_id: "ref-get")pb"));
  service_.Fail<v1::VerifyCustomerOtpResponse>(OtpInvalid());
  service_.Reply(Proto<v1::VerifyCustomerOtpResponse>("next_step: NEXT_STEP_COMPLETE"));

  const CliRun run = Run(CustomerArgs({}), "111111\n222222\n", /*terminal=*/true);

  EXPECT_EQ(run.code, kExitOk) << run.err;
  const auto verify = service_.Requests<v1::VerifyCustomerOtpResponse>();
  ASSERT_EQ(verify.size(), 2u);
  EXPECT_EQ(verify[0].otp(), "111111");
  EXPECT_EQ(verify[1].otp(), "222222");
  EXPECT_EQ(verify[1].otp_ref_id(), "ref-get");
  const std::string prompt = std::string("OTP for ") + kMaskedMobile + ": ";
  EXPECT_EQ(run.err, prompt +
                         "error: INVALID_ARGUMENT: Eko rejected the OTP as wrong\n"
                         "  reason: OTP_INVALID (domain eko-onboarding-gateway)\n"
                         "  field otp: Eko did not accept the OTP for this otp_ref_id\n"
                         "eko-cli: the OTP was not accepted; try again (attempt 2 of 3)\n" +
                         prompt);
  EXPECT_THAT(run.out, HasSubstr("step 2: VerifyCustomerOtp (OTP from stdin)\nstep 3: "
                                 "VerifyCustomerOtp (OTP from stdin)\n  next step: COMPLETE\n"));
  ExpectNoSecrets(run, {"111111", "222222"});
}

TEST_F(JourneyTest, ThreeWrongOtpsFail) {
  service_.Reply(Proto<v1::GetSenderResponse>(R"pb(next_step: NEXT_STEP_START_SENDER_EKYC)pb"));
  service_.Reply(Proto<v1::StartSenderEkycResponse>(R"pb(next_step: NEXT_STEP_VALIDATE_EKYC_OTP
                                                         otp_ref_id: "k"
                                                         kyc_request_id: "1")pb"));
  for (int i = 0; i < 4; ++i) service_.Fail<v1::ValidateEkycOtpResponse>(OtpInvalid());

  const CliRun run = Run(SenderArgs({}), "1\n2\n3\n4\n", /*terminal=*/true);

  EXPECT_EQ(run.code, kExitCallFailed);
  EXPECT_EQ(service_.Requests<v1::ValidateEkycOtpResponse>().size(),
            static_cast<size_t>(kMaxOtpAttempts));
  EXPECT_THAT(run.err, HasSubstr("attempt 3 of 3"));
  EXPECT_THAT(run.out, Not(HasSubstr("journey complete")));
}

TEST_F(JourneyTest, WrongOtpFromTheFlagFailsAtOnce) {
  service_.Reply(Proto<v1::GetCustomerResponse>(R"pb(next_step: NEXT_STEP_VERIFY_CUSTOMER_OTP
                                                     otp_ref_id: "r")pb"));
  service_.Fail<v1::VerifyCustomerOtpResponse>(OtpInvalid());
  service_.Reply(Proto<v1::VerifyCustomerOtpResponse>("next_step: NEXT_STEP_COMPLETE"));

  const CliRun run = Run(CustomerArgs({"--otp", "999999"}), "123456\n", /*terminal=*/true);

  EXPECT_EQ(run.code, kExitCallFailed);
  EXPECT_EQ(service_.Requests<v1::VerifyCustomerOtpResponse>().size(), 1u);
  EXPECT_THAT(run.err, HasSubstr("reason: OTP_INVALID"));
  EXPECT_THAT(run.err, Not(HasSubstr(std::string("OTP for ") + kMaskedMobile)));  // No prompt.
}

TEST_F(JourneyTest, WrongPipedOtpWithNothingMoreOnStdinFails) {
  service_.Reply(Proto<v1::GetCustomerResponse>(R"pb(next_step: NEXT_STEP_VERIFY_CUSTOMER_OTP
                                                     otp_ref_id: "r")pb"));
  service_.Fail<v1::VerifyCustomerOtpResponse>(OtpInvalid());

  const CliRun run = Run(CustomerArgs({}), "999999\n");

  EXPECT_EQ(run.code, kExitCallFailed);
  EXPECT_EQ(service_.Requests<v1::VerifyCustomerOtpResponse>().size(), 1u);
  EXPECT_THAT(run.err, HasSubstr("no further OTP read from stdin"));
}

TEST_F(JourneyTest, NoOtpOnStdinIsAUsageError) {
  service_.Reply(Proto<v1::GetCustomerResponse>(R"pb(next_step: NEXT_STEP_VERIFY_CUSTOMER_OTP
                                                     otp_ref_id: "r")pb"));

  const CliRun run = Run(CustomerArgs({}), "");

  EXPECT_EQ(run.code, kExitUsage);
  EXPECT_THAT(run.err, HasSubstr("no OTP read from stdin"));
  EXPECT_THAT(run.err, HasSubstr("usage: eko-cli [GLOBAL FLAGS] journey customer"));
  EXPECT_EQ(service_.calls(), 1);
}

TEST_F(JourneyTest, OtpFromTheSimulatorAdminEndpoint) {
  TinyHttpResponder sim(200, R"({"customer_id":"9876543210","otp":"730155",)"
                             R"("otp_ref_id":"ref-get","kyc_request_id":"","flow":"customer",)"
                             R"("issued_ms":1,"expires_ms":2,"consumed":false,"expired":false})");
  service_.Reply(Proto<v1::VerifyCustomerOtpResponse>("next_step: NEXT_STEP_COMPLETE"));

  const CliRun run = RunWithSimulatorOtp(sim, "/__sim/");

  EXPECT_EQ(run.code, kExitOk) << run.err;
  EXPECT_THAT(sim.request_lines(), ElementsAre("GET /__sim/otp?customer_id=9876543210 HTTP/1.1"));
  const auto verify = service_.Requests<v1::VerifyCustomerOtpResponse>();
  ASSERT_EQ(verify.size(), 1u);
  EXPECT_EQ(verify[0].otp(), "730155");
  EXPECT_THAT(run.out, HasSubstr("VerifyCustomerOtp (OTP from --otp-from-sim)"));
  EXPECT_THAT(run.err, IsEmpty());
  ExpectNoSecrets(run, {"730155"});
}

TEST_F(JourneyTest, SimulatorOtpOfAnotherFlowIsNotUsed) {
  TinyHttpResponder sim(200, R"({"otp":"730155","otp_ref_id":"ref-get","flow":"ekyc"})");
  const CliRun run = ExpectSimulatorOtpRefused(sim, "is a 'ekyc' OTP, not the 'customer' OTP");
  ExpectNoSecrets(run, {"730155"});
}

TEST_F(JourneyTest, SimulatorWithoutAnOtpFailsTheJourney) {
  TinyHttpResponder sim(404, R"({"status":404,"message":"no OTP issued to this customer_id"})");
  ExpectSimulatorOtpRefused(sim, "the simulator has issued no OTP to 9876543210");
}

TEST_F(JourneyTest, SenderJourneyEndToEnd) {
  ScriptSenderFromOnboarding();

  const CliRun run = Run(SenderArgs({"--otp", "246810", "--user-code", "77"}));

  EXPECT_EQ(run.code, kExitOk) << run.err;
  EXPECT_THAT(service_.rpcs(),
              ElementsAre("GetSender", "OnboardSender", "StartSenderEkyc", "ValidateEkycOtp"));
  const auto start = service_.Requests<v1::StartSenderEkycResponse>();
  ASSERT_EQ(start.size(), 1u);
  EXPECT_EQ(start[0].aadhaar(), kAadhaar);
  EXPECT_EQ(start[0].pid_data(), kPidData);
  EXPECT_EQ(start[0].user_code(), "77");
  ExpectOneValidateEkycOtp("kyc-ref", "4711", "246810");
  const auto onboard = service_.Requests<v1::OnboardSenderResponse>();
  ASSERT_EQ(onboard.size(), 1u);
  // The whole request: the structured address, no deprecated residence_address.
  auto expected = Proto<v1::OnboardSenderRequest>(test_support::kSenderOnboardingRequest);
  expected.set_user_code("77");
  EXPECT_EQ(onboard[0].ShortDebugString(), expected.ShortDebugString());
  EXPECT_THAT(run.out, HasSubstr("step 3: StartSenderEkyc\n  next step: VALIDATE_EKYC_OTP\n"
                                 "  otp_ref_id: kyc-ref\n  kyc_request_id: 4711\n"));
  EXPECT_THAT(run.out,
              ::testing::EndsWith("journey complete: the sender's registration is complete.\n"));
  ExpectNoSecrets(run, {"246810"});
}

TEST_F(JourneyTest, SenderJourneyAsJsonLines) {
  ScriptSenderFromOnboarding();

  const CliRun run = Run(SenderArgs({"--otp", "246810", "--json"}));

  EXPECT_EQ(run.code, kExitOk) << run.err;
  EXPECT_THAT(run.err, IsEmpty());
  std::istringstream lines(run.out);
  std::vector<std::string> rpcs;
  int expected_step = 1;
  for (std::string line; std::getline(lines, line); ++expected_step) {
    google::protobuf::Struct object;
    ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(line, &object).ok()) << line;
    EXPECT_EQ(object.fields().at("step").number_value(), expected_step);
    rpcs.push_back(object.fields().at("rpc").string_value());
    ASSERT_TRUE(object.fields().count("response") == 1) << line;
  }
  EXPECT_THAT(rpcs,
              ElementsAre("GetSender", "OnboardSender", "StartSenderEkyc", "ValidateEkycOtp"));
  EXPECT_THAT(run.out, HasSubstr(R"({"step":4,"rpc":"ValidateEkycOtp","response":{)"
                                 R"("next_step":"NEXT_STEP_COMPLETE")"));
  ExpectNoSecrets(run, {"246810"});
}

TEST_F(JourneyTest, SenderAlreadyCompleteStopsAfterGetSender) {
  service_.Reply(Proto<v1::GetSenderResponse>(R"pb(
    next_step: NEXT_STEP_COMPLETE
    customer_profile { name: "Test Sender" kyc_state: KYC_STATE_KYC_COMPLETE }
  )pb"));

  const CliRun run = Run(SenderArgs({}), "");  // No OTP needed, none read.

  EXPECT_EQ(run.code, kExitOk) << run.err;
  EXPECT_THAT(service_.rpcs(), ElementsAre("GetSender"));
  EXPECT_THAT(run.out, HasSubstr("name: Test Sender"));
  EXPECT_THAT(run.out, HasSubstr("journey complete"));
  EXPECT_THAT(run.err, IsEmpty());
}

TEST_F(JourneyTest, PendingEkycOtpFromGetSenderIsValidatedWithItsReferences) {
  service_.Reply(Proto<v1::GetSenderResponse>(R"pb(next_step: NEXT_STEP_VALIDATE_EKYC_OTP
                                                   otp_ref_id: "pending"
                                                   kyc_request_id: "pending-kyc")pb"));
  service_.Reply(Proto<v1::ValidateEkycOtpResponse>("next_step: NEXT_STEP_COMPLETE"));

  const CliRun run = Run(SenderArgs({"--otp", "1357"}));

  EXPECT_EQ(run.code, kExitOk) << run.err;
  EXPECT_THAT(service_.rpcs(), ElementsAre("GetSender", "ValidateEkycOtp"));
  ExpectOneValidateEkycOtp("pending", "pending-kyc", "1357");
  EXPECT_THAT(run.out, HasSubstr("step 1: GetSender\n  next step: VALIDATE_EKYC_OTP\n"
                                 "  otp_ref_id: pending\n  kyc_request_id: pending-kyc\n"));
}

TEST_F(JourneyTest, PendingEkycOtpWithoutBothReferencesStartsEkycAgain) {
  // An older gateway returns no kyc_request_id from GetSender.
  service_.Reply(Proto<v1::GetSenderResponse>(R"pb(next_step: NEXT_STEP_VALIDATE_EKYC_OTP
                                                   otp_ref_id: "stale")pb"));
  service_.Reply(Proto<v1::StartSenderEkycResponse>(R"pb(next_step: NEXT_STEP_VALIDATE_EKYC_OTP
                                                         otp_ref_id: "fresh"
                                                         kyc_request_id: "9")pb"));
  service_.Reply(Proto<v1::ValidateEkycOtpResponse>("next_step: NEXT_STEP_COMPLETE"));

  const CliRun run = Run(SenderArgs({"--otp", "1357"}));

  EXPECT_EQ(run.code, kExitOk) << run.err;
  EXPECT_THAT(service_.rpcs(), ElementsAre("GetSender", "StartSenderEkyc", "ValidateEkycOtp"));
  ExpectOneValidateEkycOtp("fresh", "9", "1357");
}

TEST_F(JourneyTest, RpcFailureMidJourneyExitsOne) {
  service_.Reply(Proto<v1::GetCustomerResponse>("next_step: NEXT_STEP_ONBOARD_CUSTOMER"));
  // OnboardCustomer is not scripted: it fails with RichError().

  const CliRun run = Run(CustomerArgs({"--otp", "1234"}));

  EXPECT_EQ(run.code, kExitCallFailed);
  EXPECT_THAT(service_.rpcs(), ElementsAre("GetCustomer", "OnboardCustomer"));
  EXPECT_THAT(run.out, ::testing::EndsWith("step 2: OnboardCustomer\n"));
  EXPECT_EQ(run.err, test_support::kRichErrorHuman);
}

TEST_F(JourneyTest, RpcFailureMidJourneyAsJson) {
  service_.Reply(Proto<v1::GetCustomerResponse>("next_step: NEXT_STEP_ONBOARD_CUSTOMER"));

  const CliRun run = Run(CustomerArgs({"--otp", "1234", "--json"}));

  EXPECT_EQ(run.code, kExitCallFailed);
  EXPECT_THAT(run.err, IsEmpty());
  std::istringstream lines(run.out);
  std::string first;
  std::string second;
  ASSERT_TRUE(std::getline(lines, first));
  ASSERT_TRUE(std::getline(lines, second));
  EXPECT_EQ(
      first,
      R"({"step":1,"rpc":"GetCustomer","response":{"next_step":"NEXT_STEP_ONBOARD_CUSTOMER"}})");
  google::protobuf::Struct object;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(second, &object).ok()) << second;
  EXPECT_EQ(object.fields().at("step").number_value(), 2);
  EXPECT_EQ(object.fields().at("rpc").string_value(), "OnboardCustomer");
  const auto& error = object.fields().at("error").struct_value();
  EXPECT_EQ(error.fields().at("code").string_value(), "INVALID_ARGUMENT");
  EXPECT_EQ(error.fields().at("details").list_value().values_size(), 4);
  std::string rest;
  EXPECT_FALSE(std::getline(lines, rest)) << rest;
}

TEST_F(JourneyTest, NewCustomerWithoutOnboardingFlagsIsAUsageError) {
  service_.Reply(Proto<v1::GetCustomerResponse>("next_step: NEXT_STEP_ONBOARD_CUSTOMER"));

  const CliRun run =
      Run({"journey", "customer", "--customer-id", kMobile, "--name", "Asha Rao", "--otp", "1"});

  EXPECT_EQ(run.code, kExitUsage);
  EXPECT_THAT(service_.rpcs(), ElementsAre("GetCustomer"));
  EXPECT_THAT(run.err, HasSubstr("customer 9876543210 is not enrolled, so OnboardCustomer must "
                                 "run and needs --name, --dob and --address (missing: --dob, "
                                 "--address)"));
  EXPECT_THAT(run.err, HasSubstr("usage: eko-cli [GLOBAL FLAGS] journey customer"));
}

TEST_F(JourneyTest, NewSenderWithoutOnboardingFlagsIsAUsageError) {
  service_.Reply(Proto<v1::GetSenderResponse>("next_step: NEXT_STEP_ONBOARD_SENDER"));

  const CliRun run = Run({"journey", "sender", "--customer-id", kMobile, "--aadhaar", kAadhaar,
                          "--pid-data", kPidData, "--otp", "1"});

  EXPECT_EQ(run.code, kExitUsage);
  EXPECT_THAT(service_.rpcs(), ElementsAre("GetSender"));
  EXPECT_THAT(run.err, HasSubstr("sender 9876543210 is not enrolled, so OnboardSender must run "
                                 "and needs --name, --dob, --address-line, --city, --state and "
                                 "--pincode (missing: --name, --dob, --address-line, --city, "
                                 "--state, --pincode)"));
  EXPECT_THAT(run.err, HasSubstr("usage: eko-cli [GLOBAL FLAGS] journey sender"));
}

TEST_F(JourneyTest, NewSenderWithPartOfTheAddressIsAUsageErrorNamingTheRest) {
  service_.Reply(Proto<v1::GetSenderResponse>("next_step: NEXT_STEP_ONBOARD_SENDER"));

  // --district and --area are optional; --state and --pincode are not.
  const CliRun run =
      Run({"journey",     "sender",    "--customer-id", kMobile,          "--name",
           "Asha Rao",    "--dob",     "1990-04-01",    "--address-line", "12 MG Road",
           "--city",      "Indore",    "--district",    "Indore",         "--area",
           "Vijay Nagar", "--aadhaar", kAadhaar,        "--pid-data",     kPidData,
           "--otp",       "1"});

  EXPECT_EQ(run.code, kExitUsage);
  EXPECT_THAT(service_.rpcs(), ElementsAre("GetSender"));
  EXPECT_THAT(run.err, HasSubstr("(missing: --state, --pincode)"));
}

TEST_F(JourneyTest, NewSenderIsOnboardedWithTheWholeAddress) {
  ScriptSenderFromOnboarding();

  const CliRun run =
      Run(SenderArgs({"--district", "Indore", "--area", "Vijay Nagar", "--otp", "1"}));

  EXPECT_EQ(run.code, kExitOk) << run.err;
  const auto onboard = service_.Requests<v1::OnboardSenderResponse>();
  ASSERT_EQ(onboard.size(), 1u);
  EXPECT_EQ(onboard[0].address().ShortDebugString(),
            Proto<v1::Address>(R"pb(line: "12 MG Road"
                                    city: "Indore"
                                    state: "Madhya Pradesh"
                                    pincode: "452001"
                                    district: "Indore"
                                    area: "Vijay Nagar")pb")
                .ShortDebugString());
}

TEST_F(JourneyTest, EnrolledSenderNeedsNoAddressFlags) {
  service_.Reply(Proto<v1::GetSenderResponse>("next_step: NEXT_STEP_START_SENDER_EKYC"));
  service_.Reply(Proto<v1::StartSenderEkycResponse>(R"pb(next_step: NEXT_STEP_VALIDATE_EKYC_OTP
                                                         otp_ref_id: "k"
                                                         kyc_request_id: "1")pb"));
  service_.Reply(Proto<v1::ValidateEkycOtpResponse>(R"pb(
    next_step: NEXT_STEP_COMPLETE
    customer_id: "9876543210"
    kyc_verified: true
    available_limit { currency_code: "INR" units: 25000 }
  )pb"));

  const CliRun run = Run({"journey", "sender", "--customer-id", kMobile, "--aadhaar", kAadhaar,
                          "--pid-data", kPidData, "--otp", "2468"});

  EXPECT_EQ(run.code, kExitOk) << run.err;
  EXPECT_THAT(service_.rpcs(), ElementsAre("GetSender", "StartSenderEkyc", "ValidateEkycOtp"));
  EXPECT_THAT(run.out, HasSubstr("step 3: ValidateEkycOtp (OTP from --otp)\n"
                                 "  next step: COMPLETE\n  customer_id: 9876543210\n"
                                 "  kyc_verified: true\n  available_limit: INR 25000.00\n"));
}

TEST_F(JourneyTest, SenderJourneyRefusesAddressLines) {
  const CliRun run = Run(SenderArgs({"--address", "Pune", "--otp", "1"}));

  EXPECT_EQ(run.code, kExitUsage);
  EXPECT_THAT(run.err, HasSubstr("eko-cli: flag --address is not accepted by journey sender: "
                                 "OnboardSender takes a structured address; give --address-line "
                                 "LINE --city CITY --state STATE --pincode PIN"));
  EXPECT_THAT(run.err, HasSubstr("usage: eko-cli [GLOBAL FLAGS] journey sender"));
  EXPECT_THAT(run.out, IsEmpty());
  EXPECT_EQ(service_.calls(), 0);
}

TEST_F(JourneyTest, LoopGuardStopsAJourneyThatDoesNotAdvance) {
  service_.Reply(Proto<v1::GetSenderResponse>("next_step: NEXT_STEP_ONBOARD_SENDER"));
  for (int i = 0; i < 10; ++i) {
    service_.Reply(Proto<v1::OnboardSenderResponse>("next_step: NEXT_STEP_ONBOARD_SENDER"));
  }

  const CliRun run = Run(SenderArgs({"--otp", "1"}));

  EXPECT_EQ(run.code, kExitCallFailed);
  EXPECT_EQ(service_.calls(), kMaxJourneyRpcs);
  EXPECT_THAT(run.err, HasSubstr("journey stopped after 6 calls without reaching its end (last "
                                 "next step: ONBOARD_SENDER)"));
}

TEST_F(JourneyTest, UnexpectedNextStepFails) {
  service_.Reply(Proto<v1::GetCustomerResponse>("next_step: NEXT_STEP_START_SENDER_EKYC"));

  const CliRun run = Run(CustomerArgs({"--otp", "1"}));

  EXPECT_EQ(run.code, kExitCallFailed);
  EXPECT_EQ(service_.calls(), 1);
  EXPECT_THAT(run.err, HasSubstr("GetCustomer answered next step START_SENDER_EKYC, which a "
                                 "customer journey cannot continue from"));
}

TEST_F(JourneyTest, BadCommandLinesSendNothing) {
  const std::vector<std::vector<std::string>> cases = {
      {"journey"},
      {"journey", "merchant", "--customer-id", kMobile},
      {"journey", "customer"},
      CustomerArgs({"--otp", "1", "--otp-from-sim", "http://127.0.0.1:1/__sim"}),
      CustomerArgs({"--otp-from-sim", "127.0.0.1:1/__sim"}),
      {"journey", "customer", "--customer-id", kMobile, "--dob", "01-04-1990"},
      {"journey", "sender", "--customer-id", kMobile, "--pid-data", kPidData},
      {"journey", "sender", "--customer-id", kMobile, "--aadhaar", kAadhaar},
      {"journey", "sender", "--customer-id", kMobile, "--aadhaar", kAadhaar, "--pid-data-file",
       "-"},
      {"journey", "sender", "--customer-id", kMobile, "--aadhaar", kAadhaar, "--pid-data-file",
       "/nonexistent/pid.xml", "--otp", "1"},
      {"journey", "customer", "--customer-id", kMobile, "--client-ref-id", "x"},
      SenderArgs({"--otp", "1", "--address", "Pune"}),
      CustomerArgs({"--otp", "1", "--pincode", "452001"}),
  };
  for (const auto& args : cases) {
    const CliRun run = Run(args, "123456\n");
    EXPECT_EQ(run.code, kExitUsage) << ::testing::PrintToString(args) << run.err;
    EXPECT_THAT(run.err, HasSubstr("usage: eko-cli")) << ::testing::PrintToString(args);
    EXPECT_THAT(run.out, IsEmpty());
  }
  EXPECT_EQ(service_.calls(), 0);
}

TEST_F(JourneyTest, PidDataFromStdinWithTheOtpFromTheFlag) {
  ScriptSenderFromOnboarding();

  std::vector<std::string> args = {"journey", "sender", "--customer-id", kMobile,
                                   "--name",  "A",      "--dob",         "1990-01-01"};
  const std::vector<std::string> address = SenderAddressArgs();
  args.insert(args.end(), address.begin(), address.end());
  args.insert(args.end(), {"--aadhaar", kAadhaar, "--pid-data-file", "-", "--otp", "2468"});
  const CliRun run = Run(args, kPidData);

  EXPECT_EQ(run.code, kExitOk) << run.err;
  EXPECT_EQ(service_.Requests<v1::StartSenderEkycResponse>().at(0).pid_data(), kPidData);
}

TEST_F(JourneyTest, HelpShowsTheJourneyFlags) {
  CliRun run = Run({"journey", "sender", "--help"});
  EXPECT_EQ(run.code, kExitOk);
  EXPECT_THAT(run.out, HasSubstr("usage: eko-cli [GLOBAL FLAGS] journey sender"));
  EXPECT_THAT(run.out, HasSubstr("--otp-from-sim ADMIN_URL"));
  EXPECT_THAT(run.out, HasSubstr("--address-line LINE"));
  EXPECT_THAT(run.out, HasSubstr("--pincode PIN"));
  EXPECT_THAT(run.out, Not(HasSubstr("--address LINE")));
  run = Run({"help", "journey", "customer"});
  EXPECT_EQ(run.code, kExitOk);
  EXPECT_THAT(run.out, HasSubstr("usage: eko-cli [GLOBAL FLAGS] journey customer"));
  EXPECT_THAT(run.out, HasSubstr("--address LINE"));
  EXPECT_THAT(run.out, Not(HasSubstr("--pincode")));
  run = Run({"--help"});
  EXPECT_THAT(run.out, HasSubstr("journey customer"));
  EXPECT_THAT(run.out, HasSubstr("journey sender"));
}

TEST(MaskMobileTest, PromptsMaskAsTheGatewayLogsDo) {
  // One masking for the whole project (adapters/common/mask.h).
  EXPECT_EQ(MaskMobile("9876543210"), "98******10");
  EXPECT_EQ(MaskMobile("12345"), "*****");
  EXPECT_EQ(MaskMobile(""), "");
}

}  // namespace
}  // namespace eko::cli
