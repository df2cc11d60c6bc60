#ifndef EKO_ADAPTERS_RPC_REGISTRY_H_
#define EKO_ADAPTERS_RPC_REGISTRY_H_

// The one list of the RPCs of eko.onboarding.v1.OnboardingService. Each row:
//   X(Name, HttpMethod, "Eko path template", has_client_ref_id)
// Name is the RPC and the stem of its request and response messages; the
// method and path are Eko's current endpoint (overridable at run time, see
// eko/endpoints.h); has_client_ref_id says whether the request carries a
// client_ref_id (every RPC but the lookups). From this list come the Rpc
// enum and names, the default endpoints, RpcTraits and VisitRpc, the
// UpstreamClient methods and the gRPC handlers. Adding an RPC is one row
// here plus its own validator, request builder and response mapper.
//
// Consumers take the columns they need and ignore the rest with `...`:
//   #define DECLARE(NAME, ...) void NAME();
#define EKO_ONBOARDING_RPCS(X)                                                          \
  X(GetCustomer, kGet, "/customer/profile/{customer_id}", false)                        \
  X(OnboardCustomer, kPost, "/customer/account/{customer_id}", true)                    \
  X(VerifyCustomerOtp, kPost, "/customer/account/{customer_id}/otp/verify", true)       \
  X(GetSender, kGet, "/customer/payment/dmt-fino/sender/{customer_id}", false)          \
  X(OnboardSender, kPost, "/customer/payment/dmt-fino/sender/{customer_id}", true)      \
  X(StartSenderEkyc, kPut, "/customer/payment/dmt-fino/sender/{customer_id}/otp", true) \
  X(ValidateEkycOtp, kPut, "/customer/payment/dmt-fino/sender/{customer_id}/otp/verify", true)

#endif  // EKO_ADAPTERS_RPC_REGISTRY_H_
