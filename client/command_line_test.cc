#include "client/command_line.h"

#include <chrono>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "client/test_support.h"
#include "eko/onboarding/v1/onboarding_service.pb.h"
#include "gmock/gmock.h"
#include "google/protobuf/descriptor.h"
#include "grpc/health/v1/health.pb.h"
#include "gtest/gtest.h"

namespace eko::cli {
namespace {

namespace v1 = ::eko::onboarding::v1;
using ::testing::HasSubstr;
using ::testing::Not;

using test_support::EqualsProto;
using test_support::Proto;

class ParseCommandLineTest : public ::testing::Test {
 protected:
  // Parses `args` with `stdin_text` as input.
  ParseResult Parse(const std::vector<std::string>& args, const std::string& stdin_text = "",
                    bool terminal = false) {
    in_.str(stdin_text);
    in_.clear();
    return ParseCommandLine(args, "default.example:50051", InputContext{&in_, &prompt_, terminal});
  }

  // Parses `args`, expects a runnable invocation and returns its request.
  const google::protobuf::Message& Request(const std::vector<std::string>& args,
                                           const std::string& stdin_text = "",
                                           bool terminal = false) {
    result_ = Parse(args, stdin_text, terminal);
    EXPECT_EQ(result_.kind, ParseResult::Kind::kRun) << result_.error;
    if (result_.invocation.request == nullptr) {
      result_.invocation.request = std::make_unique<v1::GetCustomerRequest>();
    }
    return *result_.invocation.request;
  }

  // Parses `args` and expects a usage error; returns its message.
  std::string UsageError(const std::vector<std::string>& args, const std::string& stdin_text = "",
                         bool terminal = false) {
    ParseResult result = Parse(args, stdin_text, terminal);
    EXPECT_EQ(result.kind, ParseResult::Kind::kUsageError);
    EXPECT_EQ(result.invocation.request, nullptr);
    return result.error;
  }

  std::istringstream in_;
  std::ostringstream prompt_;
  ParseResult result_;
};

TEST_F(ParseCommandLineTest, GetCustomer) {
  EXPECT_THAT(Request({"get-customer", "--customer-id", "9876543210", "--user-code", "20810200"}),
              EqualsProto(Proto<v1::GetCustomerRequest>(R"pb(customer_id: "9876543210"
                                                             user_code: "20810200")pb")));
  EXPECT_EQ(result_.invocation.command->name, std::string("get-customer"));
}

TEST_F(ParseCommandLineTest, OmittedOptionalFlagsLeaveFieldsEmpty) {
  EXPECT_THAT(Request({"get-customer", "--customer-id=9876543210"}),
              EqualsProto(Proto<v1::GetCustomerRequest>(R"pb(customer_id: "9876543210")pb")));
}

TEST_F(ParseCommandLineTest, OnboardCustomer) {
  EXPECT_THAT(
      Request({"onboard-customer", "--customer-id", "9876543210", "--name=Asha Rao", "--dob",
               "1990-04-01", "--address", "123 MG Road", "--address=Bangalore", "--address",
               "560001", "--user-code", "20810200", "--client-ref-id", "ref-1"}),
      EqualsProto(Proto<v1::OnboardCustomerRequest>(R"pb(
        customer_id: "9876543210"
        name: "Asha Rao"
        dob { year: 1990 month: 4 day: 1 }
        residence_address: [ "123 MG Road", "Bangalore", "560001" ]
        user_code: "20810200"
        client_ref_id: "ref-1"
      )pb")));
}

TEST_F(ParseCommandLineTest, OnboardSender) {
  EXPECT_THAT(Request({"onboard-sender",  "--customer-id", "9876543210",  "--name",
                       "Asha Rao",        "--dob",         "2001-12-31",  "--address-line",
                       "12 MG Road",      "--city=Indore", "--state",     "Madhya Pradesh",
                       "--pincode",       "452001",        "--district",  "Indore",
                       "--area",          "Vijay Nagar",   "--user-code", "20810200",
                       "--client-ref-id", "ref-5"}),
              EqualsProto(Proto<v1::OnboardSenderRequest>(R"pb(
                customer_id: "9876543210"
                name: "Asha Rao"
                dob { year: 2001 month: 12 day: 31 }
                address {
                  line: "12 MG Road"
                  city: "Indore"
                  state: "Madhya Pradesh"
                  pincode: "452001"
                  district: "Indore"
                  area: "Vijay Nagar"
                }
                user_code: "20810200"
                client_ref_id: "ref-5"
              )pb")));
}

TEST_F(ParseCommandLineTest, OnboardSenderFillsTheAddressFieldByField) {
  const std::vector<std::string> base = {"onboard-sender", "--customer-id", "1", "--name", "A",
                                         "--dob",          "1990-04-01"};
  const std::vector<std::string> required = {"--address-line", "L", "--city",    "C",
                                             "--state",        "S", "--pincode", "452001"};
  std::vector<std::string> args = base;
  args.insert(args.end(), required.begin(), required.end());
  // Without --district and --area those fields stay empty; nothing goes to
  // the deprecated residence_address.
  EXPECT_THAT(Request(args), EqualsProto(Proto<v1::OnboardSenderRequest>(R"pb(
                customer_id: "1"
                name: "A"
                dob { year: 1990 month: 4 day: 1 }
                address { line: "L" city: "C" state: "S" pincode: "452001" }
              )pb")));

  // Each flag sets exactly its own field.
  const std::vector<std::pair<std::string, std::string>> flag_to_field = {
      {"address-line", "line"}, {"city", "city"},         {"state", "state"},
      {"pincode", "pincode"},   {"district", "district"}, {"area", "area"}};
  for (const auto& [flag, field] : flag_to_field) {
    std::vector<std::string> with = base;
    for (const auto& [other, unused] : flag_to_field) {
      const bool optional = other == "district" || other == "area";
      if (other == flag) {
        with.push_back("--" + other + "=value-of-" + other);
      } else if (!optional) {
        with.insert(with.end(), {"--" + other, ""});
      }
    }
    const auto* parsed =
        google::protobuf::DynamicCastToGenerated<v1::OnboardSenderRequest>(&Request(with));
    ASSERT_NE(parsed, nullptr) << flag;
    v1::Address expected;
    const google::protobuf::FieldDescriptor* descriptor =
        v1::Address::descriptor()->FindFieldByName(field);
    ASSERT_NE(descriptor, nullptr) << field;
    expected.GetReflection()->SetString(&expected, descriptor, "value-of-" + flag);
    EXPECT_THAT(parsed->address(), EqualsProto(expected)) << flag;
  }
}

TEST_F(ParseCommandLineTest, OnboardSenderNeedsEveryRequiredAddressFlag) {
  const std::vector<std::string> address = {"--address-line", "L", "--city",    "C",
                                            "--state",        "S", "--pincode", "452001"};
  for (size_t drop = 0; drop < address.size(); drop += 2) {
    std::vector<std::string> args = {"onboard-sender", "--customer-id", "1", "--name", "A",
                                     "--dob",          "1990-04-01"};
    for (size_t i = 0; i < address.size(); i += 2) {
      if (i != drop) args.insert(args.end(), {address[i], address[i + 1]});
    }
    EXPECT_EQ(UsageError(args), "missing required flag " + address[drop]);
  }
  // --district and --area are optional.
  EXPECT_THAT(UsageError({"onboard-sender", "--customer-id", "1", "--name", "A", "--dob",
                          "1990-04-01", "--district", "D", "--area", "R"}),
              HasSubstr("missing required flag --address-line"));
}

TEST_F(ParseCommandLineTest, OnboardSenderRefusesAddressLines) {
  const std::string expected =
      "flag --address is not accepted by onboard-sender: OnboardSender takes a structured "
      "address; give --address-line LINE --city CITY --state STATE --pincode PIN [--district "
      "DISTRICT] [--area AREA]";
  // Refused on its own, with the new flags, and in either flag form.
  EXPECT_EQ(UsageError({"onboard-sender", "--customer-id", "1", "--name", "A", "--dob",
                        "1990-04-01", "--address", "Pune"}),
            expected);
  EXPECT_EQ(UsageError({"onboard-sender", "--customer-id", "1", "--name", "A", "--dob",
                        "1990-04-01", "--address-line", "L", "--city", "C", "--state", "S",
                        "--pincode", "452001", "--address=Pune"}),
            expected);
  EXPECT_EQ(Parse({"onboard-sender", "--address", "Pune"}).command, FindCommand("onboard-sender"));
  // The sender's usage shows the new flags, not --address.
  const std::string usage = CommandUsage(*FindCommand("onboard-sender"));
  EXPECT_THAT(usage, Not(HasSubstr("--address LINE")));
  for (const char* flag : {"--address-line LINE", "--city CITY", "--state STATE", "--pincode PIN",
                           "--district DISTRICT", "--area AREA"}) {
    EXPECT_THAT(usage, HasSubstr(flag));
  }
}

TEST_F(ParseCommandLineTest, OnboardCustomerKeepsAddressLinesOnly) {
  EXPECT_EQ(UsageError({"onboard-customer", "--customer-id", "1", "--name", "A", "--dob",
                        "1990-04-01", "--address", "x", "--city", "Indore"}),
            "unknown flag --city for onboard-customer");
  EXPECT_EQ(UsageError({"onboard-customer", "--customer-id", "1", "--name", "A", "--dob",
                        "1990-04-01", "--address-line", "x"}),
            "unknown flag --address-line for onboard-customer");
  EXPECT_THAT(CommandUsage(*FindCommand("onboard-customer")), HasSubstr("--address LINE"));
}

TEST_F(ParseCommandLineTest, VerifyCustomerOtp) {
  EXPECT_THAT(
      Request({"verify-customer-otp", "--customer-id", "9876543210", "--otp", "0123",
               "--otp-ref-id", "abc-1", "--user-code", "20810200", "--client-ref-id", "ref-2"}),
      EqualsProto(Proto<v1::VerifyCustomerOtpRequest>(R"pb(
        customer_id: "9876543210"
        otp: "0123"
        otp_ref_id: "abc-1"
        user_code: "20810200"
        client_ref_id: "ref-2"
      )pb")));
  EXPECT_EQ(prompt_.str(), "");
}

TEST_F(ParseCommandLineTest, OtpDashReadsOneTrimmedLineAfterAPrompt) {
  EXPECT_THAT(Request({"verify-customer-otp", "--customer-id", "9876543210", "--otp", "-",
                       "--otp-ref-id", "abc-1"},
                      "  004711 \nignored\n"),
              EqualsProto(Proto<v1::VerifyCustomerOtpRequest>(R"pb(customer_id: "9876543210"
                                                                   otp: "004711"
                                                                   otp_ref_id: "abc-1")pb")));
  EXPECT_THAT(prompt_.str(), HasSubstr("OTP: "));
}

// validate-ekyc-otp's OTP is required: omitted, it is read from a terminal.
TEST_F(ParseCommandLineTest, OmittedRequiredOtpIsReadFromATerminal) {
  EXPECT_THAT(Request({"validate-ekyc-otp", "--customer-id", "9876543210", "--otp-ref-id", "abc-1",
                       "--kyc-request-id", "k-1"},
                      "4711\n", /*terminal=*/true),
              EqualsProto(Proto<v1::ValidateEkycOtpRequest>(R"pb(customer_id: "9876543210"
                                                                 otp: "4711"
                                                                 otp_ref_id: "abc-1"
                                                                 kyc_request_id: "k-1")pb")));
  EXPECT_THAT(prompt_.str(), HasSubstr("OTP: "));
}

TEST_F(ParseCommandLineTest, OmittedRequiredOtpWithoutATerminalIsAUsageError) {
  EXPECT_THAT(UsageError({"validate-ekyc-otp", "--customer-id", "9876543210", "--otp-ref-id",
                          "abc-1", "--kyc-request-id", "k-1"},
                         "4711\n"),
              HasSubstr("--otp"));
  EXPECT_EQ(prompt_.str(), "");
}

// verify-customer-otp's OTP is optional: omitted, the request has none and
// nothing is read, whether or not stdin is a terminal.
TEST_F(ParseCommandLineTest, OmittedOptionalOtpSendsNone) {
  for (const bool terminal : {false, true}) {
    EXPECT_THAT(
        Request({"verify-customer-otp", "--customer-id", "9876543210", "--otp-ref-id", "abc-1"},
                "4711\n", terminal),
        EqualsProto(Proto<v1::VerifyCustomerOtpRequest>(R"pb(customer_id: "9876543210"
                                                             otp_ref_id: "abc-1")pb")))
        << terminal;
    EXPECT_EQ(prompt_.str(), "") << terminal;
  }
}

TEST_F(ParseCommandLineTest, EmptyOptionalOtpValueIsAUsageError) {
  EXPECT_EQ(
      UsageError({"verify-customer-otp", "--customer-id", "1", "--otp=", "--otp-ref-id", "r"}),
      "--otp must not be empty (leave it out to send no OTP)");
  EXPECT_THAT(CommandUsage(*FindCommand("verify-customer-otp")),
              HasSubstr("when omitted the request carries no OTP"));
}

TEST_F(ParseCommandLineTest, EmptyOtpFromStdinIsAUsageError) {
  EXPECT_THAT(
      UsageError({"verify-customer-otp", "--customer-id", "1", "--otp", "-", "--otp-ref-id", "r"},
                 "   \n"),
      HasSubstr("no OTP"));
  EXPECT_THAT(UsageError({"validate-ekyc-otp", "--customer-id", "1", "--otp=-", "--otp-ref-id", "r",
                          "--kyc-request-id", "k"},
                         ""),
              HasSubstr("no OTP"));
}

TEST_F(ParseCommandLineTest, GetSender) {
  EXPECT_THAT(Request({"get-sender", "--customer-id", "9876543210"}),
              EqualsProto(Proto<v1::GetSenderRequest>(R"pb(customer_id: "9876543210")pb")));
}

TEST_F(ParseCommandLineTest, StartSenderEkycWithInlinePidData) {
  EXPECT_THAT(Request({"start-sender-ekyc", "--customer-id", "9876543210", "--aadhaar",
                       "123412341234", "--pid-data", "<PidData/>", "--client-ref-id", "ref-3"}),
              EqualsProto(Proto<v1::StartSenderEkycRequest>(R"pb(
                customer_id: "9876543210"
                aadhaar: "123412341234"
                pid_data: "<PidData/>"
                client_ref_id: "ref-3"
              )pb")));
}

TEST_F(ParseCommandLineTest, StartSenderEkycReadsPidDataFileUnchanged) {
  const std::string path = ::testing::TempDir() + "/eko_cli_pid_data.xml";
  const std::string xml = "<PidData>\n  <Data type=\"X\">a\x01b</Data>\n</PidData>\n";
  {
    std::ofstream file(path, std::ios::binary);
    file << xml;
  }
  const auto& request = Request({"start-sender-ekyc", "--customer-id", "9876543210", "--aadhaar",
                                 "123412341234", "--pid-data-file", path});
  std::remove(path.c_str());
  v1::StartSenderEkycRequest expected;
  expected.set_customer_id("9876543210");
  expected.set_aadhaar("123412341234");
  expected.set_pid_data(xml);
  EXPECT_THAT(request, EqualsProto(expected));
}

TEST_F(ParseCommandLineTest, StartSenderEkycReadsPidDataFromStdin) {
  EXPECT_THAT(
      Request({"start-sender-ekyc", "--customer-id", "1", "--aadhaar", "2", "--pid-data-file", "-"},
              "<PidData/>\n"),
      EqualsProto(Proto<v1::StartSenderEkycRequest>(R"pb(customer_id: "1"
                                                         aadhaar: "2"
                                                         pid_data: "<PidData/>\n")pb")));
}

TEST_F(ParseCommandLineTest, StartSenderEkycNeedsExactlyOnePidSource) {
  EXPECT_THAT(UsageError({"start-sender-ekyc", "--customer-id", "1", "--aadhaar", "2"}),
              HasSubstr("exactly one of --pid-data and --pid-data-file"));
  EXPECT_THAT(UsageError({"start-sender-ekyc", "--customer-id", "1", "--aadhaar", "2", "--pid-data",
                          "x", "--pid-data-file", "y"}),
              HasSubstr("exactly one of --pid-data and --pid-data-file"));
  EXPECT_THAT(UsageError({"start-sender-ekyc", "--customer-id", "1", "--aadhaar", "2",
                          "--pid-data-file", ::testing::TempDir() + "/no/such/file.xml"}),
              HasSubstr("cannot open --pid-data-file"));
}

TEST_F(ParseCommandLineTest, ValidateEkycOtp) {
  EXPECT_THAT(Request({"validate-ekyc-otp", "--customer-id", "9876543210", "--otp", "123456",
                       "--otp-ref-id", "r-1", "--kyc-request-id", "k-1", "--user-code", "7",
                       "--client-ref-id", "ref-4"}),
              EqualsProto(Proto<v1::ValidateEkycOtpRequest>(R"pb(
                customer_id: "9876543210"
                otp: "123456"
                otp_ref_id: "r-1"
                kyc_request_id: "k-1"
                user_code: "7"
                client_ref_id: "ref-4"
              )pb")));
}

TEST_F(ParseCommandLineTest, Health) {
  EXPECT_THAT(Request({"health"}), EqualsProto(grpc::health::v1::HealthCheckRequest()));
  EXPECT_THAT(Request({"health", "--service", "eko.onboarding.v1.OnboardingService"}),
              EqualsProto(Proto<grpc::health::v1::HealthCheckRequest>(
                  R"pb(service: "eko.onboarding.v1.OnboardingService")pb")));
}

TEST_F(ParseCommandLineTest, GlobalFlagsHaveDefaults) {
  Request({"health"});
  const GlobalOptions& options = result_.invocation.options;
  EXPECT_EQ(options.connection.addr, "default.example:50051");
  EXPECT_EQ(options.connection.timeout, std::chrono::seconds(30));
  EXPECT_FALSE(options.json);
}

TEST_F(ParseCommandLineTest, GlobalFlagsGoBeforeOrAfterTheSubcommand) {
  Request({"--addr", "gw:1", "--json", "get-customer", "--customer-id", "9", "--timeout=2.5"});
  const GlobalOptions& options = result_.invocation.options;
  EXPECT_EQ(options.connection.addr, "gw:1");
  EXPECT_EQ(options.connection.timeout, std::chrono::milliseconds(2500));
  EXPECT_TRUE(options.json);

  Request({"get-customer", "--addr=gw:2", "--customer-id", "9", "--json"});
  EXPECT_EQ(result_.invocation.options.connection.addr, "gw:2");
  EXPECT_TRUE(result_.invocation.options.json);
}

TEST_F(ParseCommandLineTest, MalformedDobIsAUsageError) {
  for (const char* dob : {"1990-4-1", "01-04-1990", "1990/04/01", "yesterday", ""}) {
    EXPECT_THAT(UsageError({"onboard-customer", "--customer-id", "1", "--name", "A",
                            std::string("--dob=") + dob, "--address", "x"}),
                HasSubstr("--dob must be YYYY-MM-DD"))
        << dob;
  }
}

TEST_F(ParseCommandLineTest, MissingRequiredFlagIsAUsageErrorNamingIt) {
  EXPECT_EQ(UsageError({"get-customer"}), "missing required flag --customer-id");
  EXPECT_EQ(
      UsageError({"onboard-sender", "--customer-id", "1", "--name", "A", "--dob", "1990-04-01"}),
      "missing required flag --address-line");
  EXPECT_EQ(
      UsageError({"onboard-customer", "--customer-id", "1", "--name", "A", "--dob", "1990-04-01"}),
      "missing required flag --address");
  EXPECT_EQ(UsageError({"verify-customer-otp", "--customer-id", "1", "--otp", "1"}),
            "missing required flag --otp-ref-id");
  EXPECT_EQ(
      UsageError({"validate-ekyc-otp", "--customer-id", "1", "--otp", "1", "--otp-ref-id", "r"}),
      "missing required flag --kyc-request-id");
  EXPECT_EQ(Parse({"get-customer"}).command, FindCommand("get-customer"));
}

TEST_F(ParseCommandLineTest, UnknownFlagIsAUsageError) {
  EXPECT_EQ(UsageError({"get-customer", "--customer-id", "1", "--otp", "2"}),
            "unknown flag --otp for get-customer");
  EXPECT_EQ(UsageError({"--customer-id", "1", "get-customer"}), "unknown flag --customer-id");
  EXPECT_EQ(UsageError({"get-customer", "-c", "1"}), "unknown flag -c");
  EXPECT_EQ(UsageError({"get-customer", "--", "1"}), "unknown flag --");
}

TEST_F(ParseCommandLineTest, UnknownOrMissingSubcommandIsAUsageError) {
  EXPECT_EQ(UsageError({"get-customers", "--customer-id", "1"}),
            "unknown subcommand 'get-customers'");
  EXPECT_EQ(UsageError({}), "missing subcommand");
  EXPECT_EQ(UsageError({"--json"}), "missing subcommand");
  EXPECT_EQ(Parse({"nope"}).command, nullptr);
}

TEST_F(ParseCommandLineTest, MalformedFlagUseIsAUsageError) {
  EXPECT_THAT(UsageError({"get-customer", "--customer-id"}),
              HasSubstr("flag --customer-id needs a value"));
  EXPECT_THAT(UsageError({"get-customer", "--customer-id", "--json"}),
              HasSubstr("flag --customer-id needs a value"));
  EXPECT_EQ(UsageError({"get-customer", "--customer-id", "1", "--customer-id", "2"}),
            "flag --customer-id given more than once");
  EXPECT_EQ(UsageError({"get-customer", "--customer-id", "1", "--json=true"}),
            "flag --json takes no value");
  EXPECT_EQ(UsageError({"get-customer", "--customer-id", "1", "extra"}),
            "unexpected argument 'extra'");
  EXPECT_THAT(UsageError({"health", "--timeout", "0"}), HasSubstr("--timeout must be"));
  EXPECT_THAT(UsageError({"health", "--timeout", "soon"}), HasSubstr("--timeout must be"));
  EXPECT_EQ(UsageError({"health", "--addr="}), "--addr must not be empty");
}

TEST_F(ParseCommandLineTest, OnlyOneSubcommandIsTaken) {
  EXPECT_EQ(UsageError({"get-customer", "--customer-id", "1", "get-sender"}),
            "unexpected argument 'get-sender'");
  EXPECT_EQ(UsageError({"get-customer", "--customer-id", "1", "get-customer"}),
            "unexpected argument 'get-customer'");
  EXPECT_EQ(UsageError({"health", "help"}), "unexpected argument 'help'");
  EXPECT_EQ(UsageError({"help", "help"}), "unknown subcommand 'help'");
  EXPECT_EQ(UsageError({"help", "health", "get-sender"}), "unexpected argument 'get-sender'");
  EXPECT_EQ(UsageError({"journey", "customer", "sender", "--customer-id", "1"}),
            "unexpected argument 'sender'");
}

TEST_F(ParseCommandLineTest, EmptyValueOfABooleanFlagIsAUsageError) {
  EXPECT_EQ(UsageError({"health", "--json="}), "flag --json takes no value");
  EXPECT_EQ(UsageError({"--help=", "health"}), "flag --help takes no value");
}

TEST_F(ParseCommandLineTest, ValueStartingWithDashesNeedsEqualsSyntax) {
  EXPECT_THAT(Request({"get-customer", "--customer-id=--odd"}),
              EqualsProto(Proto<v1::GetCustomerRequest>(R"pb(customer_id: "--odd")pb")));
}

TEST_F(ParseCommandLineTest, HelpForms) {
  for (const std::vector<std::string>& args :
       std::vector<std::vector<std::string>>{{"--help"}, {"-h"}, {"help"}, {"--json", "--help"}}) {
    ParseResult result = Parse(args);
    EXPECT_EQ(result.kind, ParseResult::Kind::kHelp);
    EXPECT_EQ(result.command, nullptr);
  }
  for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
           {"help", "get-sender"}, {"get-sender", "--help"}, {"get-sender", "-h"}}) {
    ParseResult result = Parse(args);
    EXPECT_EQ(result.kind, ParseResult::Kind::kHelp);
    EXPECT_EQ(result.command, FindCommand("get-sender"));
  }
}

TEST(UsageTest, GeneralUsageListsEverySubcommandAndGlobalFlag) {
  const std::string usage = GeneralUsage();
  for (const Command& command : Commands()) EXPECT_THAT(usage, HasSubstr(command.name));
  for (const FlagSpec& flag : GlobalFlags()) {
    EXPECT_THAT(usage, HasSubstr(std::string("--") + flag.name));
  }
}

TEST(UsageTest, CommandUsageListsEveryFlagAndSynopsisMentionsThem) {
  for (const Command& command : Commands()) {
    const std::string usage = CommandUsage(command);
    for (const FlagSpec& flag : command.flags) {
      if (flag.refused != nullptr) {
        // Refused flags are left out of the usage.
        EXPECT_THAT(usage, Not(HasSubstr(std::string("--") + flag.name + " ")))
            << command.name << " --" << flag.name;
        continue;
      }
      EXPECT_THAT(usage, HasSubstr(std::string("--") + flag.name)) << command.name;
      EXPECT_THAT(std::string(command.synopsis), HasSubstr(std::string("--") + flag.name))
          << command.name;
    }
  }
}

TEST(CommandsTest, OneSubcommandPerRpcPlusHealthTheJourneysAndDecodeError) {
  std::vector<std::string> names;
  for (const Command& command : Commands()) names.push_back(command.name);
  EXPECT_THAT(names, ::testing::ElementsAre("get-customer", "onboard-customer",
                                            "verify-customer-otp", "get-sender", "onboard-sender",
                                            "start-sender-ekyc", "validate-ekyc-otp", "health",
                                            "journey customer", "journey sender", "decode-error"));
  // A new RPC needs a new subcommand.
  const google::protobuf::ServiceDescriptor* service =
      google::protobuf::DescriptorPool::generated_pool()->FindServiceByName(
          "eko.onboarding.v1.OnboardingService");
  ASSERT_NE(service, nullptr);
  EXPECT_EQ(static_cast<size_t>(service->method_count()) + 4, Commands().size());
  // Each command either sends one request or runs several calls.
  for (const Command& command : Commands()) {
    EXPECT_NE(static_cast<bool>(command.build_request), static_cast<bool>(command.prepare))
        << command.name;
    EXPECT_EQ(static_cast<bool>(command.build_request), static_cast<bool>(command.call))
        << command.name;
  }
}

TEST_F(ParseCommandLineTest, JourneyIsATwoWordSubcommandThatPreparesARun) {
  ParseResult result = Parse({"--json", "journey", "sender", "--customer-id", "9876543210",
                              "--aadhaar", "123412341234", "--pid-data", "<x/>", "--otp", "1"});
  ASSERT_EQ(result.kind, ParseResult::Kind::kRun) << result.error;
  EXPECT_EQ(result.invocation.command, FindCommand("journey sender"));
  EXPECT_NE(result.invocation.runnable, nullptr);
  EXPECT_EQ(result.invocation.request, nullptr);
  EXPECT_TRUE(result.invocation.options.json);

  EXPECT_THAT(UsageError({"journey"}), HasSubstr("journey needs a kind"));
  EXPECT_THAT(UsageError({"journey", "--customer-id", "1"}), HasSubstr("journey needs a kind"));
  EXPECT_THAT(UsageError({"journey", "x"}), HasSubstr("unknown journey 'x'"));
  EXPECT_THAT(UsageError({"journey", "customer", "--customer-id", "1", "--otp", "1",
                          "--otp-from-sim", "http://h/__sim"}),
              HasSubstr("at most one of --otp and --otp-from-sim"));
  EXPECT_THAT(UsageError({"journey", "customer", "--customer-id", "1", "--otp-from-sim", "h:1"}),
              HasSubstr("--otp-from-sim must be an http:// URL"));
  EXPECT_THAT(UsageError({"journey", "customer", "--customer-id", "1", "--dob", "1990-4-1"}),
              HasSubstr("--dob must be YYYY-MM-DD"));
  EXPECT_EQ(
      UsageError({"journey", "sender", "--customer-id", "1", "--aadhaar", "2", "--pid-data", "<x/>",
                  "--otp", "1", "--address", "Pune"}),
      std::string("flag --address is not accepted by journey sender: ") + kSenderAddressRefused);
  EXPECT_THAT(UsageError({"journey", "customer", "--customer-id", "1", "--city", "Indore"}),
              HasSubstr("unknown flag --city for journey customer"));
}

TEST_F(ParseCommandLineTest, DecodeErrorTakesOnePositionalArgument) {
  for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
           {"decode-error", "CAMSBWhlbGxv"},
           {"decode-error", "-"},
           {"decode-error"},
           {"decode-error", "CAMSBWhlbGxv", "--json"},
           {"--json", "decode-error", "{\"code\":\"internal\"}"}}) {
    ParseResult result = Parse(args);
    ASSERT_EQ(result.kind, ParseResult::Kind::kRun) << result.error;
    EXPECT_EQ(result.invocation.command, FindCommand("decode-error"));
    EXPECT_NE(result.invocation.runnable, nullptr);
  }
  EXPECT_EQ(UsageError({"decode-error", "CAMS", "CAMS"}), "unexpected argument 'CAMS'");
  EXPECT_EQ(UsageError({"decode-error", "-", "-"}), "unexpected argument '-'");
  EXPECT_EQ(UsageError({"decode-error", "-x"}), "unknown flag -x");
  // Commands without an argument still reject one, "-" included.
  EXPECT_EQ(UsageError({"health", "-"}), "unexpected argument '-'");
  EXPECT_THAT(CommandUsage(*FindCommand("decode-error")), HasSubstr("argument:\n  VALUE | -"));
}

}  // namespace
}  // namespace eko::cli
