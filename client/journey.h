#ifndef EKO_CLIENT_JOURNEY_H_
#define EKO_CLIENT_JOURNEY_H_

#include <string>
#include <string_view>
#include <vector>

#include "adapters/common/mask.h"
#include "client/commands.h"

// `eko-cli journey customer` and `eko-cli journey sender`: walk a whole
// onboarding journey, one RPC after another as each response's `next_step`
// says, until the journey ends. client/README.md documents the flags,
// output and exit codes.
//
// Customer: GetCustomer -> [OnboardCustomer] -> VerifyCustomerOtp -> stop at
// COMPLETE, VALIDATE_AADHAAR or VALIDATE_PAN (the last two have no RPC yet).
// Sender: GetSender -> [OnboardSender] -> StartSenderEkyc -> ValidateEkycOtp
// -> COMPLETE. After a GetSender answering VALIDATE_EKYC_OTP, eKYC is started
// again for fresh references; the pending OTP's references that GetSender
// may return (otp_ref_id, kyc_request_id) are not used.
namespace eko::cli {

// A journey gives up, failing, rather than send more RPCs than this (it
// guards against a gateway that keeps answering a step already done).
inline constexpr int kMaxJourneyRpcs = 6;

// How often the OTP step may be tried when the OTP is read from stdin. With
// --otp or --otp-from-sim there is one try.
inline constexpr int kMaxOtpAttempts = 3;

// `journey customer` and `journey sender`. These commands set only
// Command::prepare.
std::vector<Command> JourneyCommands();

// Prompts show mobile numbers as the logs do (adapters/common/mask.h).
using ::eko::MaskMobile;

}  // namespace eko::cli

#endif  // EKO_CLIENT_JOURNEY_H_
