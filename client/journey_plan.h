#ifndef EKO_CLIENT_JOURNEY_PLAN_H_
#define EKO_CLIENT_JOURNEY_PLAN_H_

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "client/commands.h"
#include "eko/onboarding/v1/onboarding_service.pb.h"
#include "google/type/date.pb.h"

// What a journey command line asks for (client/journey.cc checks the flags
// into a JourneyPlan) and the run that carries it out (client/journey_run.cc).
namespace eko::cli {

enum class JourneyKind { kCustomer, kSender };

// Where the OTP of the OTP step comes from.
enum class OtpFrom { kStdin, kFlag, kSimulator };

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
  onboarding::v1::Address sender_address;
  std::vector<std::string> missing_address_flags;
  // Sender journey only.
  std::string aadhaar;
  std::string pid_data;
  OtpFrom otp_from = OtpFrom::kStdin;
  std::string otp;            // For kFlag.
  std::string sim_admin_url;  // For kSimulator.
};

// The run of `plan`: one RPC after another as each response's next_step
// says (see client/journey.h). Personal data (OTP, Aadhaar number, PID block)
// is sent but never printed.
std::unique_ptr<Runnable> MakeJourneyRun(JourneyPlan plan);

}  // namespace eko::cli

#endif  // EKO_CLIENT_JOURNEY_PLAN_H_
