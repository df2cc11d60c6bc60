#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "client/cli.h"
#include "client/journey.h"
#include "client/journey_otp.h"
#include "client/journey_output.h"
#include "client/journey_plan.h"
#include "client/output.h"
#include "eko/onboarding/v1/onboarding_service.grpc.pb.h"

namespace eko::cli {
namespace {

namespace v1 = ::eko::onboarding::v1;
using Stub = v1::OnboardingService::Stub;

// A unary method of the generated stub.
template <typename Request, typename Response>
using Method = grpc::Status (Stub::*)(grpc::ClientContext*, const Request&, Response*);

// ErrorInfo reason of a wrong OTP (docs/errors.md).
constexpr char kOtpInvalidReason[] = "OTP_INVALID";

// Runs one journey: a state machine over the responses' next_step.
class Journey final : public Runnable {
 public:
  explicit Journey(JourneyPlan plan) : plan_(std::move(plan)) {}

  RunOutcome Run(const RunContext& context) override {
    context_ = &context;
    stub_ = v1::OnboardingService::NewStub(MakeChannel(context.connection));
    const bool customer = plan_.kind == JourneyKind::kCustomer;
    Ended ended = customer ? LookUpCustomer() : LookUpSender();
    while (!ended.has_value()) ended = customer ? CustomerStep() : SenderStep();
    return *std::move(ended);
  }

 private:
  // Result of one step of the state machine: nullopt to go on, else the end.
  using Ended = std::optional<RunOutcome>;

  Ended LookUpCustomer() {
    v1::GetCustomerResponse response;
    if (Ended ended = Send("GetCustomer", &Stub::GetCustomer, ForCustomer<v1::GetCustomerRequest>(),
                           &response)) {
      return ended;
    }
    otp_ref_id_ = response.otp_ref_id();
    return std::nullopt;
  }

  // What the customer journey does at step_.
  Ended CustomerStep() {
    switch (step_) {
      case v1::NEXT_STEP_ONBOARD_CUSTOMER:
        return OnboardCustomer();
      case v1::NEXT_STEP_VERIFY_CUSTOMER_OTP:
        return VerifyCustomerOtp();
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
  }

  Ended LookUpSender() {
    v1::GetSenderResponse response;
    if (Ended ended =
            Send("GetSender", &Stub::GetSender, ForCustomer<v1::GetSenderRequest>(), &response)) {
      return ended;
    }
    // A pending eKYC OTP is resumed with the references GetSender returns
    // (a gateway that sends only one of them gets a fresh eKYC instead).
    if (step_ == v1::NEXT_STEP_VALIDATE_EKYC_OTP && !response.otp_ref_id().empty() &&
        !response.kyc_request_id().empty()) {
      otp_ref_id_ = response.otp_ref_id();
      kyc_request_id_ = response.kyc_request_id();
      ekyc_refs_ready_ = true;
    }
    return std::nullopt;
  }

  // What the sender journey does at step_.
  Ended SenderStep() {
    switch (step_) {
      case v1::NEXT_STEP_ONBOARD_SENDER:
        return OnboardSender();
      case v1::NEXT_STEP_START_SENDER_EKYC:
        return StartSenderEkyc();
      case v1::NEXT_STEP_VALIDATE_EKYC_OTP:
        // With both references (from GetSender or this run's StartSenderEkyc)
        // the OTP is validated; without them eKYC starts again.
        return ekyc_refs_ready_ ? ValidateEkycOtp() : StartSenderEkyc();
      case v1::NEXT_STEP_COMPLETE:
        return Stop("journey complete: the sender's registration is complete.");
      default:
        return Unexpected();
    }
  }

  Ended OnboardCustomer() {
    v1::OnboardCustomerRequest request;
    if (Ended ended = FillOnboarding(&request)) return ended;
    if (Ended ended = Guard()) return ended;
    v1::OnboardCustomerResponse response;
    if (Ended ended = Send("OnboardCustomer", &Stub::OnboardCustomer, request, &response)) {
      return ended;
    }
    otp_ref_id_ = response.otp_ref_id();
    return std::nullopt;
  }

  Ended VerifyCustomerOtp() {
    if (otp_ref_id_.empty()) return MissingReference("otp_ref_id");
    auto request = ForCustomer<v1::VerifyCustomerOtpRequest>();
    request.set_otp_ref_id(otp_ref_id_);
    return OtpStep("customer", "VerifyCustomerOtp", &Stub::VerifyCustomerOtp, std::move(request),
                   [this](const v1::VerifyCustomerOtpResponse& response) {
                     otp_ref_id_.clear();
                     application_id_ = response.application_id();
                   });
  }

  Ended OnboardSender() {
    v1::OnboardSenderRequest request;
    if (Ended ended = FillOnboarding(&request)) return ended;
    if (Ended ended = Guard()) return ended;
    v1::OnboardSenderResponse response;
    if (Ended ended = Send("OnboardSender", &Stub::OnboardSender, request, &response)) {
      return ended;
    }
    ekyc_refs_ready_ = false;
    return std::nullopt;
  }

  Ended StartSenderEkyc() {
    if (Ended ended = Guard()) return ended;
    auto request = ForCustomer<v1::StartSenderEkycRequest>();
    request.set_aadhaar(plan_.aadhaar);
    request.set_pid_data(plan_.pid_data);
    v1::StartSenderEkycResponse response;
    if (Ended ended = Send("StartSenderEkyc", &Stub::StartSenderEkyc, request, &response)) {
      return ended;
    }
    otp_ref_id_ = response.otp_ref_id();
    kyc_request_id_ = response.kyc_request_id();
    ekyc_refs_ready_ = step_ == v1::NEXT_STEP_VALIDATE_EKYC_OTP;
    if (ekyc_refs_ready_ && otp_ref_id_.empty()) return MissingReference("otp_ref_id");
    if (ekyc_refs_ready_ && kyc_request_id_.empty()) return MissingReference("kyc_request_id");
    return std::nullopt;
  }

  Ended ValidateEkycOtp() {
    auto request = ForCustomer<v1::ValidateEkycOtpRequest>();
    request.set_otp_ref_id(otp_ref_id_);
    request.set_kyc_request_id(kyc_request_id_);
    return OtpStep("ekyc", "ValidateEkycOtp", &Stub::ValidateEkycOtp, std::move(request),
                   [this](const v1::ValidateEkycOtpResponse&) { ekyc_refs_ready_ = false; });
  }

  // A request for the journey's customer: customer_id and user_code set.
  template <typename Request>
  Request ForCustomer() const {
    Request request;
    request.set_customer_id(plan_.customer_id);
    request.set_user_code(plan_.user_code);
    return request;
  }

  // Sends `request` as the next step (Call); on success takes the response's
  // next step and returns nullopt, else ends the journey as failed.
  template <typename Request, typename Response>
  Ended Send(const char* rpc, Method<Request, Response> method, const Request& request,
             Response* response) {
    if (!Call(rpc, "", method, request, response).ok()) return Failed();
    step_ = response->next_step();
    return std::nullopt;
  }

  // Sends `request` with the OTP for the simulator flow `flow`, trying again
  // while AfterOtpFailure allows. On success takes the next step and calls
  // `accepted` with the response.
  template <typename Request, typename Response, typename Accepted>
  Ended OtpStep(const char* flow, const char* rpc, Method<Request, Response> method,
                Request request, const Accepted& accepted) {
    for (int attempt = 1;; ++attempt) {
      if (Ended ended = Guard()) return ended;
      std::string otp;
      if (Ended ended = ObtainOtp(plan_, *context_, {flow, request.otp_ref_id(), attempt}, &otp)) {
        return ended;
      }
      request.set_otp(std::move(otp));
      Response response;
      const grpc::Status status = Call(rpc, OtpNote(plan_.otp_from), method, request, &response);
      if (status.ok()) {
        step_ = response.next_step();
        accepted(response);
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

  // Sends one RPC with its own deadline and prints it as step N
  // (client/journey_output.h); `note` goes into the human header when not
  // empty.
  template <typename Request, typename Response>
  grpc::Status Call(const char* rpc, const char* note, Method<Request, Response> method,
                    const Request& request, Response* response) {
    const int number = ++rpcs_;
    last_rpc_ = rpc;
    PrintStepHeader(*context_, number, rpc, note);
    grpc::ClientContext call_context;
    ApplyCallOptions(context_->connection, &call_context);
    const grpc::Status status = ((*stub_).*method)(&call_context, request, response);
    if (status.ok()) {
      PrintStepResponse(*context_, number, rpc, *response,
                        [response](std::ostream& out) { PrintHuman(*response, out); });
    } else {
      PrintStepError(*context_, number, rpc, status);
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

}  // namespace

std::unique_ptr<Runnable> MakeJourneyRun(JourneyPlan plan) {
  return std::make_unique<Journey>(std::move(plan));
}

}  // namespace eko::cli
