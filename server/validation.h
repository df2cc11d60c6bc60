#ifndef EKO_SERVER_VALIDATION_H_
#define EKO_SERVER_VALIDATION_H_

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "eko/onboarding/v1/onboarding_service.pb.h"

// Local validation, run before any upstream call. A request that fails gets
// INVALID_ARGUMENT with one ErrorInfo (reason FIELD_INVALID, metadata
// `fields` listing the offending proto fields) and one BadRequest holding a
// violation per field. All problems are reported at once.
namespace eko::server {

namespace v1 = ::eko::onboarding::v1;

// What validation needs to know about the gateway and the clock.
struct ValidationContext {
  bool has_default_user_code = false;
  absl::Time now = absl::Now();
};

absl::Status Validate(const v1::GetCustomerRequest& request, const ValidationContext& context);
absl::Status Validate(const v1::OnboardCustomerRequest& request, const ValidationContext& context);
absl::Status Validate(const v1::VerifyCustomerOtpRequest& request,
                      const ValidationContext& context);
absl::Status Validate(const v1::GetSenderRequest& request, const ValidationContext& context);
absl::Status Validate(const v1::OnboardSenderRequest& request, const ValidationContext& context);
absl::Status Validate(const v1::StartSenderEkycRequest& request, const ValidationContext& context);
absl::Status Validate(const v1::ValidateEkycOtpRequest& request, const ValidationContext& context);

// Limits, exported for tests and docs.
inline constexpr size_t kMaxNameChars = 100;
inline constexpr size_t kMaxAddressLines = 10;
inline constexpr size_t kMaxAddressLineChars = 200;
inline constexpr size_t kMaxOtpRefIdBytes = 512;
inline constexpr size_t kMaxKycRequestIdBytes = 128;
inline constexpr size_t kMaxPidDataBytes = 64 * 1024;
inline constexpr size_t kMaxClientRefIdChars = 20;
inline constexpr size_t kMaxUserCodeChars = 16;

}  // namespace eko::server

#endif  // EKO_SERVER_VALIDATION_H_
