#include "adapters/eko/endpoints.h"

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "adapters/common/strings.h"

namespace eko::adapter {
namespace {

constexpr std::string_view kPlaceholder = "{customer_id}";

constexpr std::string_view kRpcNames[kRpcCount] = {
    "GetCustomer",   "OnboardCustomer", "VerifyCustomerOtp", "GetSender",
    "OnboardSender", "StartSenderEkyc", "ValidateEkycOtp"};

}  // namespace

std::string_view RpcName(Rpc rpc) { return kRpcNames[static_cast<int>(rpc)]; }

std::string_view MethodName(HttpMethod method) {
  switch (method) {
    case HttpMethod::kGet:
      return "GET";
    case HttpMethod::kPost:
      return "POST";
    case HttpMethod::kPut:
      return "PUT";
  }
  return "GET";
}

EndpointTable::EndpointTable()
    : endpoints_{{
          {HttpMethod::kGet, "/customer/profile/{customer_id}"},
          {HttpMethod::kPost, "/customer/account/{customer_id}"},
          {HttpMethod::kPost, "/customer/account/{customer_id}/otp/verify"},
          {HttpMethod::kGet, "/customer/payment/dmt-fino/sender/{customer_id}"},
          {HttpMethod::kPost, "/customer/payment/dmt-fino/sender/{customer_id}"},
          {HttpMethod::kPut, "/customer/payment/dmt-fino/sender/{customer_id}/otp"},
          {HttpMethod::kPut, "/customer/payment/dmt-fino/sender/{customer_id}/otp/verify"},
      }} {}

absl::Status EndpointTable::Override(std::string_view spec) {
  const size_t eq = spec.find('=');
  if (eq == std::string_view::npos) {
    return absl::InvalidArgumentError(
        absl::StrCat("endpoint override '", ToAbsl(spec), "' is not RPC=METHOD /path"));
  }
  const std::string_view name = spec.substr(0, eq);
  int index = -1;
  for (int i = 0; i < kRpcCount; ++i) {
    if (kRpcNames[i] == name) index = i;
  }
  if (index < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("unknown RPC '", ToAbsl(name), "' in endpoint override"));
  }
  const std::string_view rest = spec.substr(eq + 1);
  const size_t space = rest.find(' ');
  if (space == std::string_view::npos) {
    return absl::InvalidArgumentError(
        absl::StrCat("endpoint override '", ToAbsl(spec), "' lacks a path after the method"));
  }
  const std::string method = absl::AsciiStrToUpper(ToAbsl(rest.substr(0, space)));
  const std::string_view path = rest.substr(space + 1);
  HttpMethod parsed;
  if (method == "GET") {
    parsed = HttpMethod::kGet;
  } else if (method == "POST") {
    parsed = HttpMethod::kPost;
  } else if (method == "PUT") {
    parsed = HttpMethod::kPut;
  } else {
    return absl::InvalidArgumentError(absl::StrCat("unsupported method '", method, "'"));
  }
  const size_t first = path.find(kPlaceholder);
  if (path.empty() || path[0] != '/' || first == std::string_view::npos ||
      path.find(kPlaceholder, first + 1) != std::string_view::npos ||
      path.find_first_of("?# ") != std::string_view::npos) {
    return absl::InvalidArgumentError(absl::StrCat(
        "path '", ToAbsl(path), "' must start with '/' and contain {customer_id} exactly once"));
  }
  endpoints_[index] = Endpoint{parsed, std::string(path)};
  return absl::OkStatus();
}

std::string PercentEncode(std::string_view value) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(value.size());
  for (const char c : value) {
    const auto u = static_cast<unsigned char>(c);
    // '.' is encoded too, so no value can form a "." or ".." path segment.
    if (absl::ascii_isalnum(u) || c == '-' || c == '_' || c == '~') {
      out += c;
    } else {
      out += '%';
      out += kHex[u >> 4];
      out += kHex[u & 0x0F];
    }
  }
  return out;
}

std::string ExpandPath(const Endpoint& endpoint, std::string_view customer_id) {
  std::string path = endpoint.path_template;
  const size_t at = path.find(kPlaceholder);
  if (at != std::string::npos) path.replace(at, kPlaceholder.size(), PercentEncode(customer_id));
  return path;
}

}  // namespace eko::adapter
