#ifndef EKO_CLIENT_JOURNEY_OTP_H_
#define EKO_CLIENT_JOURNEY_OTP_H_

#include <optional>
#include <string>

#include "client/commands.h"
#include "client/journey_plan.h"

// Where a journey's OTP comes from: --otp, stdin, or the simulator's admin
// URL (--otp-from-sim), as JourneyPlan::otp_from says.
namespace eko::cli {

// Which OTP a step needs; the simulator's record must match it.
struct OtpNeed {
  const char* flow;  // The simulator's `flow`: "customer" or "ekyc".
  std::string otp_ref_id;
  int attempt = 1;  // 1-based try of this OTP step.
};

// Gets the OTP for `need` into `*otp`: nullopt on success, else how the
// journey ends. From stdin a prompt naming the masked mobile goes to
// `context.input.prompt` and one trimmed line is read; an empty line is a
// usage error on the first try and a failure on later ones. From the
// simulator a record for another flow or reference, used or expired, is a
// failure reported on `context.err`.
std::optional<RunOutcome> ObtainOtp(const JourneyPlan& plan, const RunContext& context,
                                    const OtpNeed& need, std::string* otp);

// How the OTP was obtained, for a step's header: "OTP from --otp", "OTP from
// --otp-from-sim" or "OTP from stdin".
const char* OtpNote(OtpFrom from);

}  // namespace eko::cli

#endif  // EKO_CLIENT_JOURNEY_OTP_H_
