#include "adapters/eko/request_builder.h"

#include <chrono>
#include <cstdio>
#include <random>
#include <string_view>
#include <vector>

#include "rapidjson/stringbuffer.h"
#include "rapidjson/writer.h"

namespace eko::adapter {
namespace {

using JsonWriter = rapidjson::Writer<rapidjson::StringBuffer>;

// One request parameter and how it is written into a JSON body. In a GET
// query every parameter but a list is a plain value.
struct Param {
  enum class Kind {
    kString,      // a JSON string
    kScalar,      // a JSON string or number, per `type`
    kStringList,  // a JSON array of strings
  };
  std::string_view name;
  std::string_view value;
  Kind kind = Kind::kString;
  JsonScalarType type = JsonScalarType::kString;
  std::vector<std::string> list;  // kStringList
};

Param Text(std::string_view name, std::string_view value) { return {name, value}; }

Param Scalar(std::string_view name, std::string_view value, JsonScalarType type) {
  return {name, value, Param::Kind::kScalar, type};
}

// Canonical decimal digits a JSON number holds without loss: no sign, no
// leading zero, at most 18 digits (within int64 for any parser).
bool IsLosslessNumber(std::string_view value) {
  if (value.empty() || value.size() > 18 || (value[0] == '0' && value.size() > 1)) return false;
  for (const char c : value) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

void WriteString(JsonWriter& writer, std::string_view value) {
  writer.String(value.data(), static_cast<rapidjson::SizeType>(value.size()));
}

void WriteParam(JsonWriter& writer, const Param& p) {
  writer.Key(p.name.data(), static_cast<rapidjson::SizeType>(p.name.size()));
  switch (p.kind) {
    case Param::Kind::kString:
      WriteString(writer, p.value);
      return;
    case Param::Kind::kScalar:
      if (p.type == JsonScalarType::kNumber && IsLosslessNumber(p.value)) {
        // The digits go out as they are: no conversion, no rounding. (RawValue,
        // because RapidJSON 1.1's Writer::RawNumber quotes its text.)
        writer.RawValue(p.value.data(), p.value.size(), rapidjson::kNumberType);
      } else {
        WriteString(writer, p.value);
      }
      return;
    case Param::Kind::kStringList:
      writer.StartArray();
      for (const std::string& item : p.list) WriteString(writer, item);
      writer.EndArray();
      return;
  }
}

void AppendQuery(std::string* out, std::string_view name, std::string_view value) {
  out->push_back(out->find('?') == std::string::npos ? '?' : '&');
  out->append(PercentEncode(name));
  out->push_back('=');
  out->append(PercentEncode(value));
}

// GET: the template's query, then the common parameters and `params` in the
// query string. POST/PUT: the template's query stays in the URL; the common
// parameters and `params` go in a JSON object body. Without "{customer_id}"
// in the template the customer id is a parameter too.
UpstreamRequest Build(const EndpointTable& endpoints, Rpc rpc, std::string_view customer_id,
                      const CallIdentity& identity, const std::vector<Param>& params) {
  const Endpoint& endpoint = endpoints.Get(rpc);
  UpstreamRequest out;
  out.method = endpoint.method;
  out.path_and_query = ExpandPath(endpoint, customer_id);
  if (const std::string_view query = TemplateQuery(endpoint); !query.empty()) {
    out.path_and_query.push_back('?');
    out.path_and_query.append(query);
  }
  const bool id_as_param = !CustomerIdInPath(endpoint);
  if (endpoint.method == HttpMethod::kGet) {
    if (id_as_param) AppendQuery(&out.path_and_query, "customer_id", customer_id);
    AppendQuery(&out.path_and_query, "initiator_id", identity.initiator_id);
    AppendQuery(&out.path_and_query, "user_code", identity.user_code);
    for (const Param& p : params) {
      if (p.kind != Param::Kind::kStringList) AppendQuery(&out.path_and_query, p.name, p.value);
    }
    return out;
  }
  rapidjson::StringBuffer buffer;
  JsonWriter writer(buffer);
  writer.StartObject();
  WriteParam(writer, Text("initiator_id", identity.initiator_id));
  WriteParam(writer, Text("user_code", identity.user_code));
  WriteParam(writer, Text("client_ref_id", identity.client_ref_id));
  if (id_as_param) WriteParam(writer, Text("customer_id", customer_id));
  for (const Param& p : params) WriteParam(writer, p);
  writer.EndObject();
  out.body.assign(buffer.GetString(), buffer.GetSize());
  return out;
}

// The JSON text of an array of strings.
std::string JsonArrayText(const std::vector<std::string>& items) {
  rapidjson::StringBuffer buffer;
  JsonWriter writer(buffer);
  writer.StartArray();
  for (const std::string& item : items) WriteString(writer, item);
  writer.EndArray();
  return std::string(buffer.GetString(), buffer.GetSize());
}

// `residence_address` for address lines in an array encoding.
Param AddressLinesParam(std::vector<std::string> lines, AddressEncoding encoding,
                        std::string* storage) {
  if (encoding == AddressEncoding::kArray) {
    Param p{"residence_address", {}, Param::Kind::kStringList};
    p.list = std::move(lines);
    return p;
  }
  *storage = JsonArrayText(lines);
  return Text("residence_address", *storage);
}

std::vector<std::string> NonEmpty(std::initializer_list<std::string_view> values) {
  std::vector<std::string> out;
  for (const std::string_view v : values) {
    if (!v.empty()) out.emplace_back(v);
  }
  return out;
}

}  // namespace

std::string FormatDate(const google::type::Date& date) {
  char buf[16];
  std::snprintf(buf, sizeof(buf), "%04d-%02d-%02d", date.year() % 10000, date.month() % 100,
                date.day() % 100);
  return buf;
}

std::string GenerateClientRefId() {
  static constexpr char kDigits[] = "0123456789abcdefghijklmnopqrstuvwxyz";
  thread_local std::mt19937_64 rng{std::random_device{}()};
  uint64_t millis = static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                              std::chrono::system_clock::now().time_since_epoch())
                                              .count());
  std::string clock;
  do {
    clock.insert(clock.begin(), kDigits[millis % 36]);
    millis /= 36;
  } while (millis > 0);
  std::string out = clock.size() > 8 ? clock.substr(clock.size() - 8) : clock;
  std::uniform_int_distribution<int> pick(0, 35);
  while (out.size() < 16) out += kDigits[pick(rng)];
  return out;
}

UpstreamRequest BuildUpstreamRequest(const EndpointTable& endpoints,
                                     const v1::GetCustomerRequest& request,
                                     const CallIdentity& identity) {
  return Build(endpoints, Rpc::kGetCustomer, request.customer_id(), identity, {});
}

UpstreamRequest BuildUpstreamRequest(const EndpointTable& endpoints,
                                     const v1::OnboardCustomerRequest& request,
                                     const CallIdentity& identity) {
  const std::string dob = FormatDate(request.dob());
  std::string address_text;
  std::vector<std::string> lines(request.residence_address().begin(),
                                 request.residence_address().end());
  return Build(
      endpoints, Rpc::kOnboardCustomer, request.customer_id(), identity,
      {Text("name", request.name()), Text("dob", dob),
       AddressLinesParam(std::move(lines), endpoints.Get(Rpc::kOnboardCustomer).address_encoding,
                         &address_text)});
}

UpstreamRequest BuildUpstreamRequest(const EndpointTable& endpoints,
                                     const v1::VerifyCustomerOtpRequest& request,
                                     const CallIdentity& identity) {
  const Endpoint& endpoint = endpoints.Get(Rpc::kVerifyCustomerOtp);
  std::vector<Param> params;
  // Eko's docs make the OTP optional here; an empty one is left out.
  if (!request.otp().empty()) params.push_back(Scalar("otp", request.otp(), endpoint.otp_type));
  params.push_back(Scalar("otp_ref_id", request.otp_ref_id(), endpoint.otp_ref_id_type));
  return Build(endpoints, Rpc::kVerifyCustomerOtp, request.customer_id(), identity, params);
}

UpstreamRequest BuildUpstreamRequest(const EndpointTable& endpoints,
                                     const v1::GetSenderRequest& request,
                                     const CallIdentity& identity) {
  return Build(endpoints, Rpc::kGetSender, request.customer_id(), identity, {});
}

namespace {

// The JSON text of the address object; empty members are left out.
std::string AddressObjectText(const v1::Address& address) {
  rapidjson::StringBuffer buffer;
  JsonWriter writer(buffer);
  writer.StartObject();
  for (const auto& [key, value] :
       {std::pair<std::string_view, std::string_view>{"line", address.line()},
        {"city", address.city()},
        {"state", address.state()},
        {"pincode", address.pincode()},
        {"district", address.district()},
        {"area", address.area()}}) {
    if (!value.empty()) WriteParam(writer, Text(key, value));
  }
  writer.EndObject();
  return std::string(buffer.GetString(), buffer.GetSize());
}

std::vector<std::string> AddressLines(const v1::Address& address) {
  return NonEmpty({address.line(), address.area(), address.city(), address.district(),
                   address.state(), address.pincode()});
}

}  // namespace

UpstreamRequest BuildUpstreamRequest(const EndpointTable& endpoints,
                                     const v1::OnboardSenderRequest& request,
                                     const CallIdentity& identity) {
  const std::string dob = FormatDate(request.dob());
  const AddressEncoding encoding = endpoints.Get(Rpc::kOnboardSender).address_encoding;
  std::string address_text;
  Param address;
  if (encoding == AddressEncoding::kObjectString) {
    address_text = AddressObjectText(request.address());
    address = Text("residence_address", address_text);
  } else {
    address = AddressLinesParam(AddressLines(request.address()), encoding, &address_text);
  }
  return Build(endpoints, Rpc::kOnboardSender, request.customer_id(), identity,
               {Text("name", request.name()), Text("dob", dob), std::move(address)});
}

UpstreamRequest BuildUpstreamRequest(const EndpointTable& endpoints,
                                     const v1::StartSenderEkycRequest& request,
                                     const CallIdentity& identity) {
  return Build(endpoints, Rpc::kStartSenderEkyc, request.customer_id(), identity,
               {Text("aadhar", request.aadhaar()), Text("piddata", request.pid_data())});
}

UpstreamRequest BuildUpstreamRequest(const EndpointTable& endpoints,
                                     const v1::ValidateEkycOtpRequest& request,
                                     const CallIdentity& identity) {
  const Endpoint& endpoint = endpoints.Get(Rpc::kValidateEkycOtp);
  return Build(endpoints, Rpc::kValidateEkycOtp, request.customer_id(), identity,
               {Scalar("otp", request.otp(), endpoint.otp_type),
                Scalar("otp_ref_id", request.otp_ref_id(), endpoint.otp_ref_id_type),
                Text("kyc_request_id", request.kyc_request_id())});
}

}  // namespace eko::adapter
