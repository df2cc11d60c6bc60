#ifndef EKO_ADAPTERS_EKO_ENDPOINTS_H_
#define EKO_ADAPTERS_EKO_ENDPOINTS_H_

#include <array>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "adapters/rpc_registry.h"

namespace eko::adapter {

// The RPCs of eko.onboarding.v1.OnboardingService, one per Eko endpoint, in
// the order of the registry (adapters/rpc_registry.h).
enum class Rpc {
#define EKO_RPC_ENUMERATOR(NAME, ...) k##NAME,
  EKO_ONBOARDING_RPCS(EKO_RPC_ENUMERATOR)
#undef EKO_RPC_ENUMERATOR
};
#define EKO_RPC_ONE(...) +1
inline constexpr int kRpcCount = 0 EKO_ONBOARDING_RPCS(EKO_RPC_ONE);
#undef EKO_RPC_ONE

// "GetCustomer", "OnboardCustomer", ...
std::string_view RpcName(Rpc rpc);
// The RPC named `name`, or nullopt.
std::optional<Rpc> RpcFromName(std::string_view name);

enum class HttpMethod { kGet, kPost, kPut };
std::string_view MethodName(HttpMethod method);

// How a residence address goes into the JSON body as `residence_address`.
enum class AddressEncoding {
  kObjectString,  // a string holding a JSON object {line,city,state,pincode,district,area}
  kArray,         // a JSON array of address lines
  kArrayString,   // a string holding a JSON array of address lines
};
// "object-string", "array", "array-string".
std::string_view AddressEncodingName(AddressEncoding encoding);

// The JSON type an OTP or OTP reference is written as.
enum class JsonScalarType {
  kString,  // always a JSON string
  // A JSON number when the value is canonical decimal digits (no leading
  // zero, at most 18 digits); a JSON string otherwise, so nothing is lost.
  kNumber,
};

// How one RPC's Eko endpoint is called: method, path template (relative to
// the base URL, optionally with a query such as "?service_code=80"), and the
// wire encodings of the fields whose form Eko's docs disagree on.
struct Endpoint {
  HttpMethod method;
  // Contains "{customer_id}" at most once; without it the customer id goes
  // in the query (GET) or the JSON body (POST/PUT) as `customer_id`.
  std::string path_template;
  AddressEncoding address_encoding = AddressEncoding::kArray;
  JsonScalarType otp_type = JsonScalarType::kString;
  JsonScalarType otp_ref_id_type = JsonScalarType::kString;
};

// Endpoint per RPC; defaults are Eko's current (EPS) paths and encodings:
// OnboardSender sends its address as an object string, OnboardCustomer as an
// array; OTPs and references are strings.
class EndpointTable {
 public:
  EndpointTable();

  const Endpoint& Get(Rpc rpc) const { return endpoints_[static_cast<int>(rpc)]; }

  // Applies an override such as "GetCustomer=GET /customer/profile/{customer_id}"
  // or "OnboardCustomer=POST /customer/account". The path must start with
  // '/', contain "{customer_id}" at most once and no '#' or spaces; a query
  // after '?' must be NAME=VALUE pairs joined by '&'.
  absl::Status Override(std::string_view spec);

  // "OnboardSender=array": the address encoding of an RPC that sends an
  // address (OnboardCustomer: array or array-string; OnboardSender: any).
  absl::Status OverrideAddressEncoding(std::string_view spec);

  // "VerifyCustomerOtp=number" (otp and otp_ref_id) or
  // "VerifyCustomerOtp.otp_ref_id=string" (one field), for the RPCs that send
  // OTPs (VerifyCustomerOtp, ValidateEkycOtp).
  absl::Status OverrideOtpJsonType(std::string_view spec);

 private:
  std::array<Endpoint, kRpcCount> endpoints_;
};

// Percent-encodes everything except ALPHA / DIGIT / "-" / "_" / "~" (the RFC
// 3986 unreserved set without "."), so a value can never add or climb path
// segments or add query parameters.
std::string PercentEncode(std::string_view value);

// The template's path (without its query) with the percent-encoded customer
// id substituted.
std::string ExpandPath(const Endpoint& endpoint, std::string_view customer_id);

// The query of the template, without '?' ("" when it has none).
std::string_view TemplateQuery(const Endpoint& endpoint);

// True when the template carries "{customer_id}".
bool CustomerIdInPath(const Endpoint& endpoint);

}  // namespace eko::adapter

#endif  // EKO_ADAPTERS_EKO_ENDPOINTS_H_
