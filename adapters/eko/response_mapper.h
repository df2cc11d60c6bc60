#ifndef EKO_ADAPTERS_EKO_RESPONSE_MAPPER_H_
#define EKO_ADAPTERS_EKO_RESPONSE_MAPPER_H_

#include <optional>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "adapters/eko/envelope.h"
#include "eko/onboarding/v1/onboarding_service.pb.h"

// Reads the RPC-specific part of a successful envelope (`data`) into the typed
// response. `next_step` is already decided (see classifier.h) and tells which
// fields must be present: e.g. an OTP step without an otp_ref_id is an error.
// Errors are plain INTERNAL statuses naming the problem; the caller wraps them
// as UPSTREAM_BAD_RESPONSE.
namespace eko::adapter {

namespace v1 = ::eko::onboarding::v1;

// Profile from `data.customer_profile` (falling back to top-level `data`
// fields such as sender_name / next_allowed_limit / kyc_state); nullopt when
// Eko sent neither.
absl::StatusOr<std::optional<v1::CustomerProfile>> ParseCustomerProfile(const Envelope& envelope);

absl::Status FillResponse(const Envelope& envelope, v1::NextStep step,
                          v1::GetCustomerResponse* out);
absl::Status FillResponse(const Envelope& envelope, v1::NextStep step,
                          v1::OnboardCustomerResponse* out);
absl::Status FillResponse(const Envelope& envelope, v1::NextStep step,
                          v1::VerifyCustomerOtpResponse* out);
absl::Status FillResponse(const Envelope& envelope, v1::NextStep step, v1::GetSenderResponse* out);
absl::Status FillResponse(const Envelope& envelope, v1::NextStep step,
                          v1::OnboardSenderResponse* out);
absl::Status FillResponse(const Envelope& envelope, v1::NextStep step,
                          v1::StartSenderEkycResponse* out);
absl::Status FillResponse(const Envelope& envelope, v1::NextStep step,
                          v1::ValidateEkycOtpResponse* out);

}  // namespace eko::adapter

#endif  // EKO_ADAPTERS_EKO_RESPONSE_MAPPER_H_
