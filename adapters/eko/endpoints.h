#ifndef EKO_ADAPTERS_EKO_ENDPOINTS_H_
#define EKO_ADAPTERS_EKO_ENDPOINTS_H_

#include <array>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace eko::adapter {

// The RPCs of eko.onboarding.v1.OnboardingService, one per Eko endpoint.
enum class Rpc {
  kGetCustomer = 0,
  kOnboardCustomer,
  kVerifyCustomerOtp,
  kGetSender,
  kOnboardSender,
  kStartSenderEkyc,
  kValidateEkycOtp,
};
inline constexpr int kRpcCount = 7;

// "GetCustomer", "OnboardCustomer", ...
std::string_view RpcName(Rpc rpc);

enum class HttpMethod { kGet, kPost, kPut };
std::string_view MethodName(HttpMethod method);

// Method and path template of one Eko endpoint. The template is relative to
// the base URL and contains the single placeholder "{customer_id}".
struct Endpoint {
  HttpMethod method;
  std::string path_template;
};

// Method and path per RPC; defaults are Eko's current (EPS) paths.
class EndpointTable {
 public:
  EndpointTable();

  const Endpoint& Get(Rpc rpc) const { return endpoints_[static_cast<int>(rpc)]; }

  // Applies an override such as "GetCustomer=GET /customer/profile/{customer_id}".
  // The template must start with '/' and contain "{customer_id}" exactly once.
  absl::Status Override(std::string_view spec);

 private:
  std::array<Endpoint, kRpcCount> endpoints_;
};

// Percent-encodes everything except ALPHA / DIGIT / "-" / "_" / "~" (the RFC
// 3986 unreserved set without "."), so a value can never add or climb path
// segments or add query parameters.
std::string PercentEncode(std::string_view value);

// Substitutes the percent-encoded customer id into the template.
std::string ExpandPath(const Endpoint& endpoint, std::string_view customer_id);

}  // namespace eko::adapter

#endif  // EKO_ADAPTERS_EKO_ENDPOINTS_H_
