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

// One request parameter: a string, or (when `list` is set) an array of strings.
struct Param {
  std::string_view name;
  std::string_view value;
  const google::protobuf::RepeatedPtrField<std::string>* list = nullptr;
};

void AppendQuery(std::string* out, std::string_view name, std::string_view value) {
  out->push_back(out->find('?') == std::string::npos ? '?' : '&');
  out->append(PercentEncode(name));
  out->push_back('=');
  out->append(PercentEncode(value));
}

// GET: common parameters and `params` in the query string. POST/PUT: the same
// in a JSON object body. All values are JSON strings, so OTPs, references and
// ids keep their leading zeros.
UpstreamRequest Build(const EndpointTable& endpoints, Rpc rpc, std::string_view customer_id,
                      const CallIdentity& identity, const std::vector<Param>& params) {
  const Endpoint& endpoint = endpoints.Get(rpc);
  UpstreamRequest out;
  out.method = endpoint.method;
  out.path_and_query = ExpandPath(endpoint, customer_id);
  if (endpoint.method == HttpMethod::kGet) {
    AppendQuery(&out.path_and_query, "initiator_id", identity.initiator_id);
    AppendQuery(&out.path_and_query, "user_code", identity.user_code);
    for (const Param& p : params) {
      if (p.list == nullptr) AppendQuery(&out.path_and_query, p.name, p.value);
    }
    return out;
  }
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  const auto key = [&](std::string_view name) {
    writer.Key(name.data(), static_cast<rapidjson::SizeType>(name.size()));
  };
  const auto str = [&](std::string_view value) {
    writer.String(value.data(), static_cast<rapidjson::SizeType>(value.size()));
  };
  writer.StartObject();
  key("initiator_id");
  str(identity.initiator_id);
  key("user_code");
  str(identity.user_code);
  key("client_ref_id");
  str(identity.client_ref_id);
  for (const Param& p : params) {
    key(p.name);
    if (p.list != nullptr) {
      writer.StartArray();
      for (const std::string& item : *p.list) str(item);
      writer.EndArray();
    } else {
      str(p.value);
    }
  }
  writer.EndObject();
  out.body.assign(buffer.GetString(), buffer.GetSize());
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

namespace {

// OnboardCustomer and OnboardSender send the same fields.
template <typename Request>
UpstreamRequest BuildOnboarding(const EndpointTable& endpoints, Rpc rpc, const Request& request,
                                const CallIdentity& identity) {
  const std::string dob = FormatDate(request.dob());
  return Build(endpoints, rpc, request.customer_id(), identity,
               {{"name", request.name()},
                {"dob", dob},
                {"residence_address", {}, &request.residence_address()}});
}

}  // namespace

UpstreamRequest BuildUpstreamRequest(const EndpointTable& endpoints,
                                     const v1::GetCustomerRequest& request,
                                     const CallIdentity& identity) {
  return Build(endpoints, Rpc::kGetCustomer, request.customer_id(), identity, {});
}

UpstreamRequest BuildUpstreamRequest(const EndpointTable& endpoints,
                                     const v1::OnboardCustomerRequest& request,
                                     const CallIdentity& identity) {
  return BuildOnboarding(endpoints, Rpc::kOnboardCustomer, request, identity);
}

UpstreamRequest BuildUpstreamRequest(const EndpointTable& endpoints,
                                     const v1::VerifyCustomerOtpRequest& request,
                                     const CallIdentity& identity) {
  return Build(endpoints, Rpc::kVerifyCustomerOtp, request.customer_id(), identity,
               {{"otp", request.otp()}, {"otp_ref_id", request.otp_ref_id()}});
}

UpstreamRequest BuildUpstreamRequest(const EndpointTable& endpoints,
                                     const v1::GetSenderRequest& request,
                                     const CallIdentity& identity) {
  return Build(endpoints, Rpc::kGetSender, request.customer_id(), identity, {});
}

UpstreamRequest BuildUpstreamRequest(const EndpointTable& endpoints,
                                     const v1::OnboardSenderRequest& request,
                                     const CallIdentity& identity) {
  return BuildOnboarding(endpoints, Rpc::kOnboardSender, request, identity);
}

UpstreamRequest BuildUpstreamRequest(const EndpointTable& endpoints,
                                     const v1::StartSenderEkycRequest& request,
                                     const CallIdentity& identity) {
  return Build(endpoints, Rpc::kStartSenderEkyc, request.customer_id(), identity,
               {{"aadhar", request.aadhaar()}, {"piddata", request.pid_data()}});
}

UpstreamRequest BuildUpstreamRequest(const EndpointTable& endpoints,
                                     const v1::ValidateEkycOtpRequest& request,
                                     const CallIdentity& identity) {
  return Build(endpoints, Rpc::kValidateEkycOtp, request.customer_id(), identity,
               {{"otp", request.otp()},
                {"otp_ref_id", request.otp_ref_id()},
                {"kyc_request_id", request.kyc_request_id()}});
}

}  // namespace eko::adapter
