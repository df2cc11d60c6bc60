#ifndef EKO_ADAPTERS_EKO_RESPONSE_MAPPER_H_
#define EKO_ADAPTERS_EKO_RESPONSE_MAPPER_H_

#include <optional>

#include "absl/status/status.h"
#include "adapters/eko/envelope.h"
#include "adapters/eko/json_reader.h"
#include "adapters/rpc_registry.h"
#include "eko/onboarding/v1/onboarding_service.pb.h"

// Reads the RPC-specific part of a successful envelope (`data`) into the typed
// response. `next_step` is already decided (see classifier.h) and tells which
// fields the step needs: otp_ref_id for VERIFY_CUSTOMER_OTP, otp_ref_id and
// kyc_request_id for VALIDATE_EKYC_OTP. Only a missing needed field is an
// error (a plain INTERNAL status naming it; the caller wraps it as
// UPSTREAM_BAD_RESPONSE). Every other field is optional: one Eko sends with
// an unusable type or value is left unset and its JSON path appended to
// *ignored, so a recognised step never fails on a loosely typed extra.
namespace eko::adapter {

namespace v1 = ::eko::onboarding::v1;

// Profile from `data.customer_profile` (falling back to top-level `data`
// fields such as sender_name / next_allowed_limit / kyc_state); nullopt when
// Eko sent neither.
std::optional<v1::CustomerProfile> ParseCustomerProfile(const Envelope& envelope,
                                                        json::IgnoredFields* ignored);

// One overload per RPC of the registry (adapters/rpc_registry.h).
#define EKO_DECLARE_FILL_RESPONSE(NAME, ...)                                                      \
  absl::Status FillResponse(const Envelope& envelope, v1::NextStep step, v1::NAME##Response* out, \
                            json::IgnoredFields* ignored);
EKO_ONBOARDING_RPCS(EKO_DECLARE_FILL_RESPONSE)
#undef EKO_DECLARE_FILL_RESPONSE

}  // namespace eko::adapter

#endif  // EKO_ADAPTERS_EKO_RESPONSE_MAPPER_H_
