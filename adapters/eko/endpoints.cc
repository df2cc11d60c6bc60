#include "adapters/eko/endpoints.h"

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "adapters/common/strings.h"

namespace eko::adapter {
namespace {

constexpr std::string_view kPlaceholder = "{customer_id}";

constexpr NamedValue<HttpMethod> kMethodNames[] = {
    {HttpMethod::kGet, "GET"}, {HttpMethod::kPost, "POST"}, {HttpMethod::kPut, "PUT"}};

constexpr NamedValue<AddressEncoding> kAddressEncodingNames[] = {
    {AddressEncoding::kObjectString, "object-string"},
    {AddressEncoding::kArray, "array"},
    {AddressEncoding::kArrayString, "array-string"}};

constexpr NamedValue<JsonScalarType> kJsonScalarTypeNames[] = {{JsonScalarType::kString, "string"},
                                                               {JsonScalarType::kNumber, "number"}};

constexpr std::string_view kRpcNames[kRpcCount] = {
#define EKO_RPC_NAME(NAME, ...) #NAME,
    EKO_ONBOARDING_RPCS(EKO_RPC_NAME)
#undef EKO_RPC_NAME
};

// Splits "RPC=VALUE" and resolves the RPC name.
absl::StatusOr<std::pair<Rpc, std::string_view>> SplitRpcSpec(std::string_view spec,
                                                              std::string_view what,
                                                              std::string_view form) {
  const size_t eq = spec.find('=');
  if (eq == std::string_view::npos) {
    return absl::InvalidArgumentError(
        absl::StrCat(ToAbsl(what), " '", ToAbsl(spec), "' is not ", ToAbsl(form)));
  }
  const std::optional<Rpc> rpc = RpcFromName(spec.substr(0, eq));
  if (!rpc) {
    return absl::InvalidArgumentError(
        absl::StrCat("unknown RPC '", ToAbsl(spec.substr(0, eq)), "' in ", ToAbsl(what)));
  }
  return std::make_pair(*rpc, spec.substr(eq + 1));
}

bool IsQueryChar(char c) {
  return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.' ||
         c == '~' || c == '%';
}

// NAME=VALUE pairs joined by '&', of unreserved characters and %XX escapes.
bool IsValidTemplateQuery(std::string_view query) {
  if (query.empty()) return false;
  for (absl::string_view pair : absl::StrSplit(ToAbsl(query), '&')) {
    const size_t eq = pair.find('=');
    if (eq == 0 || eq == absl::string_view::npos) return false;
    for (const char c : pair) {
      if (c != '=' && !IsQueryChar(c)) return false;
    }
    if (pair.find('=', eq + 1) != absl::string_view::npos) return false;
  }
  return true;
}

std::string_view PathPart(const std::string& path_template) {
  return std::string_view(path_template).substr(0, path_template.find('?'));
}

}  // namespace

std::string_view RpcName(Rpc rpc) { return kRpcNames[static_cast<int>(rpc)]; }

std::optional<Rpc> RpcFromName(std::string_view name) {
  for (int i = 0; i < kRpcCount; ++i) {
    if (kRpcNames[i] == name) return static_cast<Rpc>(i);
  }
  return std::nullopt;
}

std::string_view MethodName(HttpMethod method) { return NameOf(kMethodNames, method, "GET"); }

std::string_view AddressEncodingName(AddressEncoding encoding) {
  return NameOf(kAddressEncodingNames, encoding, "array");
}

EndpointTable::EndpointTable()
    : endpoints_{{
#define EKO_RPC_ENDPOINT(NAME, METHOD, PATH, ...) {HttpMethod::METHOD, PATH},
          EKO_ONBOARDING_RPCS(EKO_RPC_ENDPOINT)
#undef EKO_RPC_ENDPOINT
      }} {
  // Eko's current DMT-Fino docs send the sender's address as a string
  // holding a JSON object; the customer endpoint takes an array of lines.
  endpoints_[static_cast<int>(Rpc::kOnboardSender)].address_encoding =
      AddressEncoding::kObjectString;
}

absl::Status EndpointTable::Override(std::string_view spec) {
  auto split = SplitRpcSpec(spec, "endpoint override", "RPC=METHOD /path");
  if (!split.ok()) return split.status();
  const auto [rpc, rest] = *split;
  const size_t space = rest.find(' ');
  if (space == std::string_view::npos) {
    return absl::InvalidArgumentError(
        absl::StrCat("endpoint override '", ToAbsl(spec), "' lacks a path after the method"));
  }
  const std::string method = absl::AsciiStrToUpper(ToAbsl(rest.substr(0, space)));
  const std::string_view target = rest.substr(space + 1);
  const std::optional<HttpMethod> parsed = ValueNamed(kMethodNames, method);
  if (!parsed) {
    return absl::InvalidArgumentError(absl::StrCat("unsupported method '", method, "'"));
  }
  const size_t question = target.find('?');
  const std::string_view path = target.substr(0, question);
  const size_t first = path.find(kPlaceholder);
  if (path.empty() || path[0] != '/' ||
      (first != std::string_view::npos &&
       path.find(kPlaceholder, first + 1) != std::string_view::npos) ||
      path.find_first_of("# ") != std::string_view::npos) {
    return absl::InvalidArgumentError(
        absl::StrCat("path '", ToAbsl(path),
                     "' must start with '/', contain {customer_id} at most once and no '#' or "
                     "spaces"));
  }
  if (question != std::string_view::npos && !IsValidTemplateQuery(target.substr(question + 1))) {
    return absl::InvalidArgumentError(
        absl::StrCat("query '", ToAbsl(target.substr(question + 1)),
                     "' must be NAME=VALUE pairs joined by '&' (unreserved characters or %XX)"));
  }
  Endpoint& endpoint = endpoints_[static_cast<int>(rpc)];
  endpoint.method = *parsed;
  endpoint.path_template = std::string(target);
  return absl::OkStatus();
}

absl::Status EndpointTable::OverrideAddressEncoding(std::string_view spec) {
  auto split = SplitRpcSpec(spec, "address encoding", "RPC=ENCODING");
  if (!split.ok()) return split.status();
  const auto [rpc, value] = *split;
  if (rpc != Rpc::kOnboardCustomer && rpc != Rpc::kOnboardSender) {
    return absl::InvalidArgumentError(absl::StrCat(ToAbsl(RpcName(rpc)),
                                                   " sends no address; only OnboardCustomer and "
                                                   "OnboardSender take an address encoding"));
  }
  const std::optional<AddressEncoding> encoding = ValueNamed(kAddressEncodingNames, value);
  if (!encoding) {
    return absl::InvalidArgumentError(absl::StrCat(
        "address encoding '", ToAbsl(value), "' must be object-string, array or array-string"));
  }
  if (rpc == Rpc::kOnboardCustomer && *encoding == AddressEncoding::kObjectString) {
    return absl::InvalidArgumentError(
        "OnboardCustomer takes address lines (array or array-string): its request has no "
        "structured address to send as an object");
  }
  endpoints_[static_cast<int>(rpc)].address_encoding = *encoding;
  return absl::OkStatus();
}

absl::Status EndpointTable::OverrideOtpJsonType(std::string_view spec) {
  const size_t eq = spec.find('=');
  std::string_view target = spec.substr(0, eq);
  std::string_view field;
  if (const size_t dot = target.find('.'); dot != std::string_view::npos) {
    field = target.substr(dot + 1);
    target = target.substr(0, dot);
  }
  // "RPC.FIELD=TYPE" is resolved as "RPC=TYPE" once the field is split off.
  const std::string normalized =
      eq == std::string_view::npos ? std::string(spec)
                                   : absl::StrCat(ToAbsl(target), "=", ToAbsl(spec.substr(eq + 1)));
  auto split = SplitRpcSpec(normalized, "OTP JSON type", "RPC[.FIELD]=string|number");
  if (!split.ok()) return split.status();
  const auto [rpc, value] = *split;
  if (rpc != Rpc::kVerifyCustomerOtp && rpc != Rpc::kValidateEkycOtp) {
    return absl::InvalidArgumentError(absl::StrCat(
        ToAbsl(RpcName(rpc)), " sends no OTP; only VerifyCustomerOtp and ValidateEkycOtp do"));
  }
  if (!field.empty() && field != "otp" && field != "otp_ref_id") {
    return absl::InvalidArgumentError(
        absl::StrCat("OTP JSON type field '", ToAbsl(field), "' must be otp or otp_ref_id"));
  }
  const std::optional<JsonScalarType> type = ValueNamed(kJsonScalarTypeNames, value);
  if (!type) {
    return absl::InvalidArgumentError(
        absl::StrCat("OTP JSON type '", ToAbsl(value), "' must be string or number"));
  }
  Endpoint& endpoint = endpoints_[static_cast<int>(rpc)];
  if (field.empty() || field == "otp") endpoint.otp_type = *type;
  if (field.empty() || field == "otp_ref_id") endpoint.otp_ref_id_type = *type;
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
  std::string path(PathPart(endpoint.path_template));
  const size_t at = path.find(kPlaceholder);
  if (at != std::string::npos) path.replace(at, kPlaceholder.size(), PercentEncode(customer_id));
  return path;
}

std::string_view TemplateQuery(const Endpoint& endpoint) {
  const size_t question = endpoint.path_template.find('?');
  if (question == std::string::npos) return {};
  return std::string_view(endpoint.path_template).substr(question + 1);
}

bool CustomerIdInPath(const Endpoint& endpoint) {
  return PathPart(endpoint.path_template).find(kPlaceholder) != std::string_view::npos;
}

}  // namespace eko::adapter
