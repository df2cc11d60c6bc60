#include "client/journey_otp.h"

#include <istream>
#include <ostream>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "client/cli.h"
#include "client/journey.h"
#include "client/sim_otp.h"

namespace eko::cli {
namespace {

// The OTP from the simulator's latest record for the customer, when that
// record is the one `need` describes and still usable.
std::optional<RunOutcome> OtpFromSimulator(const JourneyPlan& plan, const RunContext& context,
                                           const OtpNeed& need, std::string* otp) {
  absl::StatusOr<SimOtp> record =
      FetchSimOtp(plan.sim_admin_url, plan.customer_id, context.connection.timeout);
  std::string problem;
  if (!record.ok()) {
    problem = std::string(record.status().message());
  } else if (record->flow != need.flow) {
    problem = absl::StrCat("the simulator's latest OTP for ", plan.customer_id, " is a '",
                           record->flow, "' OTP, not the '", need.flow, "' OTP this step needs");
  } else if (record->otp_ref_id != need.otp_ref_id) {
    problem = absl::StrCat("the simulator's latest OTP for ", plan.customer_id, " has otp_ref_id '",
                           record->otp_ref_id, "', not '", need.otp_ref_id, "'");
  } else if (record->consumed || record->expired) {
    problem = absl::StrCat("the simulator's latest OTP for ", plan.customer_id, " is ",
                           record->consumed ? "already used" : "expired");
  }
  if (problem.empty()) {
    *otp = record->otp;
    return std::nullopt;
  }
  context.out->flush();
  *context.err << "eko-cli: --otp-from-sim: " << problem << "\n";
  RunOutcome outcome;
  outcome.exit_code = kExitCallFailed;
  return outcome;
}

}  // namespace

std::optional<RunOutcome> ObtainOtp(const JourneyPlan& plan, const RunContext& context,
                                    const OtpNeed& need, std::string* otp) {
  switch (plan.otp_from) {
    case OtpFrom::kFlag:
      *otp = plan.otp;
      return std::nullopt;
    case OtpFrom::kSimulator:
      return OtpFromSimulator(plan, context, need, otp);
    case OtpFrom::kStdin:
      break;
  }
  context.out->flush();
  std::ostream& prompt = *context.input.prompt;
  prompt << "OTP for " << MaskMobile(plan.customer_id) << ": " << std::flush;
  std::string line;
  std::getline(*context.input.in, line);
  if (!context.input.in_is_terminal) prompt << "\n";
  *otp = std::string(absl::StripAsciiWhitespace(line));
  if (!otp->empty()) return std::nullopt;
  RunOutcome outcome;
  if (need.attempt == 1) {
    outcome.exit_code = kExitUsage;
    outcome.usage_error = "no OTP read from stdin (or give --otp or --otp-from-sim)";
  } else {
    outcome.exit_code = kExitCallFailed;
    *context.err << "eko-cli: no further OTP read from stdin\n";
  }
  return outcome;
}

const char* OtpNote(OtpFrom from) {
  switch (from) {
    case OtpFrom::kFlag:
      return "OTP from --otp";
    case OtpFrom::kSimulator:
      return "OTP from --otp-from-sim";
    case OtpFrom::kStdin:
      break;
  }
  return "OTP from stdin";
}

}  // namespace eko::cli
