#ifndef EKO_ADAPTERS_EKO_RPC_TRAITS_H_
#define EKO_ADAPTERS_EKO_RPC_TRAITS_H_

#include "adapters/eko/endpoints.h"
#include "eko/onboarding/v1/onboarding_service.pb.h"

namespace eko::adapter {

// Per request type: its response type, its Rpc, and whether it carries a
// client_ref_id (every RPC but the two lookups).
template <typename Request>
struct RpcTraits;

#define EKO_RPC_TRAITS(NAME, METHOD, PATH, HAS_REF)  \
  template <>                                        \
  struct RpcTraits<onboarding::v1::NAME##Request> {  \
    using Response = onboarding::v1::NAME##Response; \
    static constexpr Rpc kRpc = Rpc::k##NAME;        \
    static constexpr bool kHasClientRefId = HAS_REF; \
  };
EKO_ONBOARDING_RPCS(EKO_RPC_TRAITS)
#undef EKO_RPC_TRAITS

// A request type as a value, for VisitRpc.
template <typename Request>
struct RpcType {
  using RequestType = Request;
  using ResponseType = typename RpcTraits<Request>::Response;
};

// Calls `visit(RpcType<Request>{})` with the request type of `rpc`: code
// that must handle every RPC (tests, sweeps) does so once, generically.
template <typename Visitor>
decltype(auto) VisitRpc(Rpc rpc, Visitor&& visit) {
  switch (rpc) {
#define EKO_RPC_VISIT(NAME, ...) \
  case Rpc::k##NAME:             \
    return visit(RpcType<onboarding::v1::NAME##Request>{});
    EKO_ONBOARDING_RPCS(EKO_RPC_VISIT)
#undef EKO_RPC_VISIT
  }
  return visit(RpcType<onboarding::v1::GetCustomerRequest>{});  // unreachable
}

}  // namespace eko::adapter

#endif  // EKO_ADAPTERS_EKO_RPC_TRAITS_H_
