#include "client/journey.h"

#include <memory>
#include <optional>
#include <sstream>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "client/cli.h"
#include "client/output.h"
#include "client/sim_otp.h"
#include "client/values.h"
#include "eko/onboarding/v1/onboarding_service.grpc.pb.h"

namespace eko::cli {
namespace {

namespace v1 = ::eko::onboarding::v1;
using Stub = v1::OnboardingService::Stub;

// ErrorInfo reason of a wrong OTP (docs/errors.md).
constexpr char kOtpInvalidReason[] = "OTP_INVALID";

constexpr FlagSpec kCustomerIdFlag{"customer-id", "MOBILE",
                                   "customer's 10-digit mobile number (customer_id)", true};
constexpr FlagSpec kNameFlag{"name", "NAME",
                             "name as on the ID document; needed only when the customer must be "
                             "onboarded"};
constexpr FlagSpec kDobFlag{"dob", "YYYY-MM-DD", "date of birth; needed only for onboarding"};
// Customer journey: OnboardCustomer's residence_address lines.
constexpr FlagSpec kAddressFlag{"address", "LINE",
                                "one residence address line, repeat in order; needed only for "
                                "onboarding",
                                false, true};
// Sender journey: OnboardSender's structured address. --district and --area
// are optional even for onboarding; the others are needed only for it.
constexpr FlagSpec kAddressLineFlag{"address-line", "LINE",
                                    "street / house line of the residence address "
                                    "(address.line); needed only for onboarding"};
constexpr FlagSpec kCityFlag{"city", "CITY", "city (address.city); needed only for onboarding"};
constexpr FlagSpec kStateFlag{"state", "STATE",
                              "state (address.state); needed only for onboarding"};
constexpr FlagSpec kPincodeFlag{"pincode", "PIN",
                                "6-digit postal PIN code (address.pincode); needed only for "
                                "onboarding"};
constexpr FlagSpec kDistrictFlag{"district", "DISTRICT", "district (address.district)"};
constexpr FlagSpec kAreaFlag{"area", "AREA", "area or locality (address.area)"};
// The sender journey's former --address LINE, refused with a pointer to the
// flags above.
constexpr FlagSpec kSenderAddressFlag{
    .name = "address", .value_name = "LINE", .help = "", .refused = kSenderAddressRefused};
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
constexpr FlagSpec kPidDataFlag{"pid-data", "XML", "PID block from the RD service (pid_data)"};
constexpr FlagSpec kPidDataFileFlag{"pid-data-file", "PATH",
                                    "file holding the PID block, sent unchanged; '-' reads stdin "
                                    "(then give --otp or --otp-from-sim)"};

enum class JourneyKind { kCustomer, kSender };

// Where the OTP of the OTP step comes from.
enum class OtpFrom { kStdin, kFlag, kSimulator };

// Which OTP a step needs; the simulator's record must match it.
struct OtpNeed {
  const char* flow;  // The simulator's `flow`: "customer" or "ekyc".
  std::string otp_ref_id;
  int attempt = 1;  // 1-based try of this OTP step.
};

// A checked journey command line.
struct JourneyPlan {
  JourneyKind kind = JourneyKind::kCustomer;
  std::string customer_id;
  std::string user_code;  // Empty: the gateway's default.
  // Onboarding details; checked only when onboarding is needed.
  std::optional<std::string> name;
  std::optional<google::type::Date> dob;
  std::vector<std::string> address;  // Customer journey: --address lines.
  // Sender journey: the address flags given (absent ones empty), and the
  // required address flags that were not given ("--city", ...).
  v1::Address sender_address;
  std::vector<std::string> missing_address_flags;
  // Sender journey only.
  std::string aadhaar;
  std::string pid_data;
  OtpFrom otp_from = OtpFrom::kStdin;
  std::string otp;            // For kFlag.
  std::string sim_admin_url;  // For kSimulator.
};

// Runs one journey. Personal data (OTP, Aadhaar number, PID block) is sent
// but never printed.
class Journey final : public Runnable {
 public:
  explicit Journey(JourneyPlan plan) : plan_(std::move(plan)) {}

  RunOutcome Run(const RunContext& context) override {
    context_ = &context;
    stub_ = v1::OnboardingService::NewStub(MakeChannel(context.connection));
    return plan_.kind == JourneyKind::kCustomer ? RunCustomer() : RunSender();
  }

 private:
  // Result of one step of the state machine: nullopt to go on, else the end.
  using Ended = std::optional<RunOutcome>;

  RunOutcome RunCustomer() {
    {
      v1::GetCustomerRequest request;
      request.set_customer_id(plan_.customer_id);
      request.set_user_code(plan_.user_code);
      v1::GetCustomerResponse response;
      if (!Call("GetCustomer", "", &Stub::GetCustomer, request, &response).ok()) return Failed();
      step_ = response.next_step();
      otp_ref_id_ = response.otp_ref_id();
    }
    for (;;) {
      Ended ended;
      switch (step_) {
        case v1::NEXT_STEP_ONBOARD_CUSTOMER:
          ended = OnboardCustomer();
          break;
        case v1::NEXT_STEP_VERIFY_CUSTOMER_OTP:
          ended = VerifyCustomerOtp();
          break;
        case v1::NEXT_STEP_COMPLETE:
          return Stop("journey complete: the customer is registered and verified.");
        case v1::NEXT_STEP_VALIDATE_AADHAAR:
          return Stop(
              "journey stopped at VALIDATE_AADHAAR: the customer's mobile is verified and "
              "Aadhaar validation is pending (Eko 2136). The gateway has no RPC for this step "
              "yet; validate the customer's Aadhaar with Eko by other means.");
        case v1::NEXT_STEP_VALIDATE_PAN:
          return Stop(absl::StrCat(
              "journey stopped at VALIDATE_PAN: Aadhaar is done and Eko requires the customer's "
              "PAN (Eko 2147",
              application_id_.empty() ? "" : absl::StrCat(", application_id ", application_id_),
              "). The gateway has no RPC for this step yet; submit the PAN to Eko by other "
              "means."));
        default:
          return Unexpected();
      }
      if (ended.has_value()) return *std::move(ended);
    }
  }

  RunOutcome RunSender() {
    {
      v1::GetSenderRequest request;
      request.set_customer_id(plan_.customer_id);
      request.set_user_code(plan_.user_code);
      v1::GetSenderResponse response;
      if (!Call("GetSender", "", &Stub::GetSender, request, &response).ok()) return Failed();
      step_ = response.next_step();
      // A pending eKYC OTP is resumed with the references GetSender returns
      // (a gateway that sends only one of them gets a fresh eKYC instead).
      if (step_ == v1::NEXT_STEP_VALIDATE_EKYC_OTP && !response.otp_ref_id().empty() &&
          !response.kyc_request_id().empty()) {
        otp_ref_id_ = response.otp_ref_id();
        kyc_request_id_ = response.kyc_request_id();
        ekyc_refs_ready_ = true;
      }
    }
    for (;;) {
      Ended ended;
      switch (step_) {
        case v1::NEXT_STEP_ONBOARD_SENDER:
          ended = OnboardSender();
          break;
        case v1::NEXT_STEP_START_SENDER_EKYC:
          ended = StartSenderEkyc();
          break;
        case v1::NEXT_STEP_VALIDATE_EKYC_OTP:
          // With both references (from GetSender or this run's
          // StartSenderEkyc) the OTP is validated; without them eKYC starts
          // again.
          ended = ekyc_refs_ready_ ? ValidateEkycOtp() : StartSenderEkyc();
          break;
        case v1::NEXT_STEP_COMPLETE:
          return Stop("journey complete: the sender's registration is complete.");
        default:
          return Unexpected();
      }
      if (ended.has_value()) return *std::move(ended);
    }
  }

  Ended OnboardCustomer() {
    v1::OnboardCustomerRequest request;
    if (Ended ended = FillOnboarding(&request)) return ended;
    if (Ended ended = Guard()) return ended;
    v1::OnboardCustomerResponse response;
    if (!Call("OnboardCustomer", "", &Stub::OnboardCustomer, request, &response).ok()) {
      return Failed();
    }
    step_ = response.next_step();
    otp_ref_id_ = response.otp_ref_id();
    return std::nullopt;
  }

  Ended VerifyCustomerOtp() {
    if (otp_ref_id_.empty()) return MissingReference("otp_ref_id");
    for (int attempt = 1;; ++attempt) {
      if (Ended ended = Guard()) return ended;
      std::string otp;
      if (Ended ended = ObtainOtp({"customer", otp_ref_id_, attempt}, &otp)) return ended;
      v1::VerifyCustomerOtpRequest request;
      request.set_customer_id(plan_.customer_id);
      request.set_otp(std::move(otp));
      request.set_otp_ref_id(otp_ref_id_);
      request.set_user_code(plan_.user_code);
      v1::VerifyCustomerOtpResponse response;
      const grpc::Status status =
          Call("VerifyCustomerOtp", OtpNote(), &Stub::VerifyCustomerOtp, request, &response);
      if (status.ok()) {
        step_ = response.next_step();
        otp_ref_id_.clear();
        application_id_ = response.application_id();
        return std::nullopt;
      }
      if (Ended ended = AfterOtpFailure(status, attempt)) return ended;
    }
  }

  Ended OnboardSender() {
    v1::OnboardSenderRequest request;
    if (Ended ended = FillOnboarding(&request)) return ended;
    if (Ended ended = Guard()) return ended;
    v1::OnboardSenderResponse response;
    if (!Call("OnboardSender", "", &Stub::OnboardSender, request, &response).ok()) {
      return Failed();
    }
    step_ = response.next_step();
    ekyc_refs_ready_ = false;
    return std::nullopt;
  }

  Ended StartSenderEkyc() {
    if (Ended ended = Guard()) return ended;
    v1::StartSenderEkycRequest request;
    request.set_customer_id(plan_.customer_id);
    request.set_aadhaar(plan_.aadhaar);
    request.set_pid_data(plan_.pid_data);
    request.set_user_code(plan_.user_code);
    v1::StartSenderEkycResponse response;
    if (!Call("StartSenderEkyc", "", &Stub::StartSenderEkyc, request, &response).ok()) {
      return Failed();
    }
    step_ = response.next_step();
    otp_ref_id_ = response.otp_ref_id();
    kyc_request_id_ = response.kyc_request_id();
    ekyc_refs_ready_ = step_ == v1::NEXT_STEP_VALIDATE_EKYC_OTP;
    if (ekyc_refs_ready_ && otp_ref_id_.empty()) return MissingReference("otp_ref_id");
    if (ekyc_refs_ready_ && kyc_request_id_.empty()) return MissingReference("kyc_request_id");
    return std::nullopt;
  }

  Ended ValidateEkycOtp() {
    for (int attempt = 1;; ++attempt) {
      if (Ended ended = Guard()) return ended;
      std::string otp;
      if (Ended ended = ObtainOtp({"ekyc", otp_ref_id_, attempt}, &otp)) return ended;
      v1::ValidateEkycOtpRequest request;
      request.set_customer_id(plan_.customer_id);
      request.set_otp(std::move(otp));
      request.set_otp_ref_id(otp_ref_id_);
      request.set_kyc_request_id(kyc_request_id_);
      request.set_user_code(plan_.user_code);
      v1::ValidateEkycOtpResponse response;
      const grpc::Status status =
          Call("ValidateEkycOtp", OtpNote(), &Stub::ValidateEkycOtp, request, &response);
      if (status.ok()) {
        step_ = response.next_step();
        ekyc_refs_ready_ = false;
        return std::nullopt;
      }
      if (Ended ended = AfterOtpFailure(status, attempt)) return ended;
    }
  }

  // After a failed OTP step: nullopt when the OTP was wrong and another try
  // is allowed (the OTP comes from stdin), else the failure.
  Ended AfterOtpFailure(const grpc::Status& status, int attempt) {
    if (ErrorReason(status) != kOtpInvalidReason || plan_.otp_from != OtpFrom::kStdin ||
        attempt >= kMaxOtpAttempts) {
      return Failed();
    }
    *context_->err << "eko-cli: the OTP was not accepted; try again (attempt " << attempt + 1
                   << " of " << kMaxOtpAttempts << ")\n";
    return std::nullopt;
  }

  // Copies the onboarding flags into an Onboard{Customer,Sender}Request, or
  // ends the journey with a usage error naming the missing flags: --name,
  // --dob, and the customer's --address or the sender's required address
  // flags.
  template <typename Request>
  Ended FillOnboarding(Request* request) {
    const bool customer = plan_.kind == JourneyKind::kCustomer;
    std::vector<std::string> missing;
    if (!plan_.name.has_value()) missing.push_back("--name");
    if (!plan_.dob.has_value()) missing.push_back("--dob");
    if (customer) {
      if (plan_.address.empty()) missing.push_back("--address");
    } else {
      missing.insert(missing.end(), plan_.missing_address_flags.begin(),
                     plan_.missing_address_flags.end());
    }
    if (!missing.empty()) {
      RunOutcome outcome;
      outcome.exit_code = kExitUsage;
      outcome.usage_error = absl::StrCat(
          customer ? "customer " : "sender ", plan_.customer_id, " is not enrolled, so ",
          customer ? "OnboardCustomer" : "OnboardSender", " must run and needs ",
          customer ? "--name, --dob and --address"
                   : "--name, --dob, --address-line, --city, --state and --pincode",
          " (missing: ", absl::StrJoin(missing, ", "), ")");
      return outcome;
    }
    request->set_customer_id(plan_.customer_id);
    request->set_name(*plan_.name);
    *request->mutable_dob() = *plan_.dob;
    SetAddress(request);
    request->set_user_code(plan_.user_code);
    return std::nullopt;
  }

  // The customer's address: residence_address, one line per --address.
  void SetAddress(v1::OnboardCustomerRequest* request) const {
    for (const std::string& line : plan_.address) request->add_residence_address(line);
  }

  // The sender's address: the structured `address`.
  void SetAddress(v1::OnboardSenderRequest* request) const {
    *request->mutable_address() = plan_.sender_address;
  }

  // Gets the OTP for `need` into `*otp`, or ends the journey.
  Ended ObtainOtp(const OtpNeed& need, std::string* otp) {
    switch (plan_.otp_from) {
      case OtpFrom::kFlag:
        *otp = plan_.otp;
        return std::nullopt;
      case OtpFrom::kSimulator:
        return OtpFromSimulator(need, otp);
      case OtpFrom::kStdin:
        break;
    }
    context_->out->flush();
    std::ostream& prompt = *context_->input.prompt;
    prompt << "OTP for " << MaskMobile(plan_.customer_id) << ": " << std::flush;
    std::string line;
    std::getline(*context_->input.in, line);
    if (!context_->input.in_is_terminal) prompt << "\n";
    *otp = std::string(absl::StripAsciiWhitespace(line));
    if (!otp->empty()) return std::nullopt;
    RunOutcome outcome;
    if (need.attempt == 1) {
      outcome.exit_code = kExitUsage;
      outcome.usage_error = "no OTP read from stdin (or give --otp or --otp-from-sim)";
    } else {
      outcome.exit_code = kExitCallFailed;
      *context_->err << "eko-cli: no further OTP read from stdin\n";
    }
    return outcome;
  }

  Ended OtpFromSimulator(const OtpNeed& need, std::string* otp) {
    absl::StatusOr<SimOtp> record =
        FetchSimOtp(plan_.sim_admin_url, plan_.customer_id, context_->connection.timeout);
    std::string problem;
    if (!record.ok()) {
      problem = std::string(record.status().message());
    } else if (record->flow != need.flow) {
      problem = absl::StrCat("the simulator's latest OTP for ", plan_.customer_id, " is a '",
                             record->flow, "' OTP, not the '", need.flow, "' OTP this step needs");
    } else if (record->otp_ref_id != need.otp_ref_id) {
      problem =
          absl::StrCat("the simulator's latest OTP for ", plan_.customer_id, " has otp_ref_id '",
                       record->otp_ref_id, "', not '", need.otp_ref_id, "'");
    } else if (record->consumed || record->expired) {
      problem = absl::StrCat("the simulator's latest OTP for ", plan_.customer_id, " is ",
                             record->consumed ? "already used" : "expired");
    }
    if (problem.empty()) {
      *otp = record->otp;
      return std::nullopt;
    }
    context_->out->flush();
    *context_->err << "eko-cli: --otp-from-sim: " << problem << "\n";
    RunOutcome outcome;
    outcome.exit_code = kExitCallFailed;
    return outcome;
  }

  // How the OTP of the step about to run was obtained, for its header.
  const char* OtpNote() const {
    switch (plan_.otp_from) {
      case OtpFrom::kFlag:
        return "OTP from --otp";
      case OtpFrom::kSimulator:
        return "OTP from --otp-from-sim";
      case OtpFrom::kStdin:
        break;
    }
    return "OTP from stdin";
  }

  // Ends the journey when it has already sent kMaxJourneyRpcs RPCs.
  Ended Guard() {
    if (rpcs_ < kMaxJourneyRpcs) return std::nullopt;
    context_->out->flush();
    *context_->err << "eko-cli: journey stopped after " << rpcs_
                   << " calls without reaching its end (last next step: " << StepName(step_)
                   << ")\n";
    RunOutcome outcome;
    outcome.exit_code = kExitCallFailed;
    return outcome;
  }

  // Sends one RPC with its own deadline and prints it as step N: in human
  // form a header (with `note` when not empty) and the indented response on
  // `out`, or the decoded error on `err`; with --json one line on `out`.
  template <typename Request, typename Response>
  grpc::Status Call(const char* rpc, const char* note,
                    grpc::Status (Stub::*method)(grpc::ClientContext*, const Request&, Response*),
                    const Request& request, Response* response) {
    const int number = ++rpcs_;
    last_rpc_ = rpc;
    std::ostream& out = *context_->out;
    if (!context_->json) {
      out << "step " << number << ": " << rpc;
      if (note[0] != '\0') out << " (" << note << ")";
      out << "\n";
    }
    grpc::ClientContext call_context;
    ApplyCallOptions(context_->connection, &call_context);
    const grpc::Status status = ((*stub_).*method)(&call_context, request, response);
    const std::string prefix = absl::StrCat("{\"step\":", number, ",\"rpc\":\"", rpc, "\",");
    if (!status.ok()) {
      if (context_->json) {
        out << prefix << "\"error\":" << FormatErrorJson(status) << "}\n";
      } else {
        out.flush();
        *context_->err << FormatErrorHuman(status);
      }
      return status;
    }
    if (context_->json) {
      const std::optional<std::string> json = ToJson(*response);
      out << prefix << "\"response\":" << json.value_or("{}") << "}\n";
    } else {
      std::ostringstream text;
      PrintHuman(*response, text);
      std::istringstream lines(text.str());
      for (std::string line; std::getline(lines, line);) out << "  " << line << "\n";
    }
    return status;
  }

  // The end of a journey that reached a documented stop; `message` is
  // printed in human form only.
  RunOutcome Stop(const std::string& message) {
    if (!context_->json) *context_->out << message << "\n";
    return RunOutcome{};
  }

  static RunOutcome Failed() {
    RunOutcome outcome;
    outcome.exit_code = kExitCallFailed;
    return outcome;
  }

  RunOutcome Unexpected() {
    context_->out->flush();
    *context_->err << "eko-cli: " << last_rpc_ << " answered next step " << StepName(step_)
                   << ", which a " << (plan_.kind == JourneyKind::kCustomer ? "customer" : "sender")
                   << " journey cannot continue from\n";
    return Failed();
  }

  Ended MissingReference(const char* field) {
    context_->out->flush();
    *context_->err << "eko-cli: " << last_rpc_ << " answered next step " << StepName(step_)
                   << " without " << field << "\n";
    return Failed();
  }

  static std::string StepName(v1::NextStep step) {
    const std::string& name = v1::NextStep_Name(step);
    if (name.empty()) return absl::StrCat(static_cast<int>(step));
    return name.rfind("NEXT_STEP_", 0) == 0 ? name.substr(10) : name;
  }

  const JourneyPlan plan_;
  const RunContext* context_ = nullptr;
  std::unique_ptr<Stub> stub_;
  int rpcs_ = 0;  // RPCs sent so far.
  const char* last_rpc_ = "";
  v1::NextStep step_ = v1::NEXT_STEP_UNSPECIFIED;  // From the last response.
  std::string otp_ref_id_;
  std::string kyc_request_id_;
  std::string application_id_;
  // Whether otp_ref_id_ and kyc_request_id_ come from a StartSenderEkyc whose
  // OTP has not been accepted yet.
  bool ekyc_refs_ready_ = false;
};

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
  return std::unique_ptr<Runnable>(std::make_unique<Journey>(std::move(plan)));
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
      {kCustomerIdFlag, kNameFlag, kDobFlag, kAddressFlag, kUserCodeFlag, kOtpFlag,
       kOtpFromSimFlag},
      JourneyKind::kCustomer));
  commands.push_back(MakeJourneyCommand(
      "journey sender",
      "--customer-id MOBILE [--name NAME --dob YYYY-MM-DD --address-line LINE --city CITY "
      "--state STATE --pincode PIN [--district DISTRICT] [--area AREA]] --aadhaar NUMBER "
      "(--pid-data XML | --pid-data-file PATH|-) [--user-code CODE] "
      "[--otp OTP | --otp-from-sim ADMIN_URL]",
      "walk the DMT-Fino sender journey: GetSender, OnboardSender, StartSenderEkyc, "
      "ValidateEkycOtp",
      {kCustomerIdFlag, kNameFlag, kDobFlag, kAddressLineFlag, kCityFlag, kStateFlag, kPincodeFlag,
       kDistrictFlag, kAreaFlag, kSenderAddressFlag, kAadhaarFlag, kPidDataFlag, kPidDataFileFlag,
       kUserCodeFlag, kOtpFlag, kOtpFromSimFlag},
      JourneyKind::kSender));
  return commands;
}

}  // namespace eko::cli
