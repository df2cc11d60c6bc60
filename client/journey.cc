#include "client/journey.h"

#include <memory>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "client/journey_plan.h"
#include "client/sim_otp.h"
#include "client/values.h"

// The journey commands: their flags and the checks that turn a command line
// into a JourneyPlan. The run itself is in client/journey_run.cc.
namespace eko::cli {
namespace {

constexpr FlagSpec kNameFlag{"name", "NAME",
                             "name as on the ID document; needed only when the customer must be "
                             "onboarded"};
constexpr FlagSpec kDobFlag{"dob", "YYYY-MM-DD", "date of birth; needed only for onboarding"};
// Customer journey: OnboardCustomer's residence_address lines.
constexpr FlagSpec kAddressFlag{"address", "LINE",
                                "one residence address line, repeat in order; needed only for "
                                "onboarding",
                                false, true};
// Sender journey: OnboardSender's structured address. The others are needed
// only for onboarding; --district and --area (commands.h) are optional.
constexpr FlagSpec kAddressLineFlag{"address-line", "LINE",
                                    "street / house line of the residence address "
                                    "(address.line); needed only for onboarding"};
constexpr FlagSpec kCityFlag{"city", "CITY", "city (address.city); needed only for onboarding"};
constexpr FlagSpec kStateFlag{"state", "STATE",
                              "state (address.state); needed only for onboarding"};
constexpr FlagSpec kPincodeFlag{"pincode", "PIN",
                                "6-digit postal PIN code (address.pincode); needed only for "
                                "onboarding"};
constexpr FlagSpec kUserCodeFlag{"user-code", "CODE",
                                 "retailer/agent the calls are made for (user_code); the "
                                 "gateway's default when omitted"};
constexpr FlagSpec kOtpFlag{"otp", "OTP",
                            "the OTP for the journey's OTP step (one try); without it (or with "
                            "'-') the OTP is read from stdin"};
constexpr FlagSpec kOtpFromSimFlag{"otp-from-sim", "ADMIN_URL",
                                   "development aid for 'eko-gateway --dev': read the OTP from the "
                                   "simulator's admin URL (printed by the gateway)"};
constexpr FlagSpec kAadhaarFlag{"aadhaar", "NUMBER", "12-digit Aadhaar number, for eKYC (aadhaar)",
                                true};
constexpr FlagSpec kPidDataFileFlag{"pid-data-file", "PATH",
                                    "file holding the PID block, sent unchanged; '-' reads stdin "
                                    "(then give --otp or --otp-from-sim)"};

// Checks a journey command line into a plan.
absl::StatusOr<std::unique_ptr<Runnable>> Prepare(JourneyKind kind, const ParsedFlags& flags,
                                                  const InputContext& input) {
  JourneyPlan plan;
  plan.kind = kind;
  plan.customer_id = flags.Value("customer-id");
  plan.user_code = flags.Value("user-code");
  if (flags.Has("name")) plan.name = flags.Value("name");
  if (flags.Has("dob")) {
    const std::string dob = flags.Value("dob");
    google::type::Date date;
    if (!ParseDate(dob, &date)) {
      return absl::InvalidArgumentError(
          absl::StrCat("--dob must be YYYY-MM-DD (e.g. 1990-04-01), got '", dob, "'"));
    }
    plan.dob = date;
  }
  if (kind == JourneyKind::kCustomer) {
    plan.address = flags.Values("address");
  } else {
    FillAddress(flags, &plan.sender_address);
    plan.missing_address_flags = MissingAddressFlags(flags);
  }

  if (flags.Has("otp") && flags.Has("otp-from-sim")) {
    return absl::InvalidArgumentError("give at most one of --otp and --otp-from-sim");
  }
  if (flags.Has("otp") && flags.Value("otp") != "-") {
    plan.otp_from = OtpFrom::kFlag;
    plan.otp = flags.Value("otp");
    if (plan.otp.empty()) return absl::InvalidArgumentError("--otp must not be empty");
  } else if (flags.Has("otp-from-sim")) {
    plan.otp_from = OtpFrom::kSimulator;
    plan.sim_admin_url = flags.Value("otp-from-sim");
    if (!IsHttpUrl(plan.sim_admin_url)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "--otp-from-sim must be an http:// URL such as http://127.0.0.1:PORT/__sim, got '",
          plan.sim_admin_url, "'"));
    }
  }

  if (kind == JourneyKind::kSender) {
    if (flags.Value("pid-data-file") == "-" && plan.otp_from == OtpFrom::kStdin) {
      return absl::InvalidArgumentError(
          "--pid-data-file - reads stdin to its end, so the OTP cannot come from stdin too: "
          "give --otp or --otp-from-sim");
    }
    absl::StatusOr<std::string> pid_data = ResolvePidData(flags, input);
    if (!pid_data.ok()) return pid_data.status();
    plan.aadhaar = flags.Value("aadhaar");
    plan.pid_data = *std::move(pid_data);
  }
  return MakeJourneyRun(std::move(plan));
}

Command MakeJourneyCommand(const char* name, const char* synopsis, const char* summary,
                           std::vector<FlagSpec> flags, JourneyKind kind) {
  Command command;
  command.name = name;
  command.synopsis = synopsis;
  command.summary = summary;
  command.flags = std::move(flags);
  command.prepare = [kind](const ParsedFlags& parsed, const InputContext& input) {
    return Prepare(kind, parsed, input);
  };
  return command;
}

}  // namespace

std::vector<Command> JourneyCommands() {
  std::vector<Command> commands;
  commands.push_back(MakeJourneyCommand(
      "journey customer",
      "--customer-id MOBILE [--name NAME --dob YYYY-MM-DD --address LINE ...] "
      "[--user-code CODE] [--otp OTP | --otp-from-sim ADMIN_URL]",
      "walk the customer journey: GetCustomer, OnboardCustomer if needed, VerifyCustomerOtp",
      {kCustomerId, kNameFlag, kDobFlag, kAddressFlag, kUserCodeFlag, kOtpFlag, kOtpFromSimFlag},
      JourneyKind::kCustomer));
  commands.push_back(MakeJourneyCommand(
      "journey sender",
      "--customer-id MOBILE [--name NAME --dob YYYY-MM-DD --address-line LINE --city CITY "
      "--state STATE --pincode PIN [--district DISTRICT] [--area AREA]] --aadhaar NUMBER "
      "(--pid-data XML | --pid-data-file PATH|-) [--user-code CODE] "
      "[--otp OTP | --otp-from-sim ADMIN_URL]",
      "walk the DMT-Fino sender journey: GetSender, OnboardSender, StartSenderEkyc, "
      "ValidateEkycOtp",
      {kCustomerId, kNameFlag, kDobFlag, kAddressLineFlag, kCityFlag, kStateFlag, kPincodeFlag,
       kDistrict, kArea, kSenderAddress, kAadhaarFlag, kPidData, kPidDataFileFlag, kUserCodeFlag,
       kOtpFlag, kOtpFromSimFlag},
      JourneyKind::kSender));
  return commands;
}

}  // namespace eko::cli
