#ifndef EKO_ADAPTERS_EKO_RPC_TRAITS_H_
#define EKO_ADAPTERS_EKO_RPC_TRAITS_H_

#include "adapters/eko/endpoints.h"
#include "eko/onboarding/v1/onboarding_service.pb.h"

namespace eko::adapter {

// Per request type: its response type, its Rpc, and whether it carries a
// client_ref_id (every RPC but the two lookups).
template <typename Request>
struct RpcTraits;

#define EKO_RPC_TRAITS(NAME, HAS_REF)                \
  template <>                                        \
  struct RpcTraits<onboarding::v1::NAME##Request> {  \
    using Response = onboarding::v1::NAME##Response; \
    static constexpr Rpc kRpc = Rpc::k##NAME;        \
    static constexpr bool kHasClientRefId = HAS_REF; \
  };
EKO_RPC_TRAITS(GetCustomer, false)
EKO_RPC_TRAITS(OnboardCustomer, true)
EKO_RPC_TRAITS(VerifyCustomerOtp, true)
EKO_RPC_TRAITS(GetSender, false)
EKO_RPC_TRAITS(OnboardSender, true)
EKO_RPC_TRAITS(StartSenderEkyc, true)
EKO_RPC_TRAITS(ValidateEkycOtp, true)
#undef EKO_RPC_TRAITS

}  // namespace eko::adapter

#endif  // EKO_ADAPTERS_EKO_RPC_TRAITS_H_
