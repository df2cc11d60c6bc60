// libFuzzer target: every request type of eko.onboarding.v1 is built from
// fuzzer bytes, validated (eko::server::Validate) and turned into the Eko REST
// call (eko::adapter::BuildUpstreamRequest).
//
// Input layout:
//   byte 0   RPC (modulo the number of RPCs)
//   byte 1   bit 0: the gateway has a default user code; bit 1: the rest is
//            text fields (else a serialized request, parsed with
//            ParseFromArray); bit 2: the RPC's endpoint is overridden to the
//            other kind of method (GET <-> POST), to reach both builders
//   rest     serialized request, or text fields separated by 0xFF, in proto
//            field order: a string field takes one slice, a repeated string
//            one slice split at 0xFE, a google.type.Date one slice such as
//            "1990-05-15" (empty: unset), an Address one slice split at 0xFE
//            into its fields in order (empty: unset)
//
// Invariants (any violation aborts):
//   - A failed validation is INVALID_ARGUMENT with an ErrorInfo (domain of
//     the gateway, reason FIELD_INVALID, metadata `fields` naming real fields
//     of the request, nested ones as "address.pincode") and a BadRequest
//     naming the same fields.
//   - A passed validation leads to a call whose user_code is set, whose path
//     has no raw '?', '#' or "/.." from the customer id, whose query (GET) or
//     JSON object body (POST/PUT) carries exactly the request's values (an
//     empty optional OTP left out; the sender's address as a string holding
//     a JSON object of its non-empty fields); for a request that gRPC can
//     deliver (valid UTF-8), the body is valid UTF-8.
//   - For any request, validated or not, the customer id reaches the path
//     percent-encoded (only unreserved characters and %XX) and decodes back.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "adapters/common/rich_status.h"
#include "adapters/common/strings.h"
#include "adapters/eko/eko_client.h"
#include "adapters/eko/endpoints.h"
#include "adapters/eko/request_builder.h"
#include "adapters/eko/rpc_traits.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/reflection.h"
#include "google/protobuf/stubs/logging.h"
#include "google/type/date.pb.h"
#include "rapidjson/document.h"
#include "server/validation.h"
#include "tests/fuzz/fuzz_support.h"

namespace eko::fuzz {
namespace {

namespace v1 = ::eko::onboarding::v1;
using adapter::CallIdentity;
using adapter::EndpointTable;
using adapter::HttpMethod;
using adapter::Rpc;
using adapter::RpcTraits;
using adapter::UpstreamRequest;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::RepeatedPtrField;

constexpr char kInitiatorId[] = "9962981729";
constexpr char kDefaultUserCode[] = "20810200";
constexpr char kGeneratedClientRefId[] = "0123456789abcdef";
constexpr char kFieldSeparator = '\xFF';
constexpr char kLineSeparator = '\xFE';

// What the builder must send besides initiator_id, user_code, client_ref_id:
// the scalars in order, then the address object (as residence_address) or
// the list; nothing named in `absent`.
struct Params {
  std::vector<std::pair<std::string, std::string>> scalars;
  std::string list_name;
  const RepeatedPtrField<std::string>* list = nullptr;
  const v1::Address* address_object = nullptr;
  std::vector<std::string> absent;
};

Params ExpectedParams(const v1::GetCustomerRequest&) { return {}; }
Params ExpectedParams(const v1::GetSenderRequest&) { return {}; }

Params ExpectedParams(const v1::OnboardCustomerRequest& r) {
  return {{{"name", r.name()}, {"dob", adapter::FormatDate(r.dob())}},
          "residence_address",
          &r.residence_address()};
}
Params ExpectedParams(const v1::OnboardSenderRequest& r) {
  Params params{{{"name", r.name()}, {"dob", adapter::FormatDate(r.dob())}}, "", nullptr};
  params.address_object = &r.address();
  return params;
}

Params ExpectedParams(const v1::VerifyCustomerOtpRequest& r) {
  if (r.otp().empty()) {
    Params params{{{"otp_ref_id", r.otp_ref_id()}}, "", nullptr};
    params.absent = {"otp"};
    return params;
  }
  return {{{"otp", r.otp()}, {"otp_ref_id", r.otp_ref_id()}}, "", nullptr};
}

// True when `text` is a JSON object holding exactly the non-empty fields of
// `address`, as strings, under Eko's key names.
bool IsAddressObject(std::string_view text, const v1::Address& address) {
  rapidjson::Document object;
  object.Parse(text.data(), text.size());
  if (object.HasParseError() || !object.IsObject()) return false;
  const std::pair<const char*, const std::string*> fields[] = {
      {"line", &address.line()},         {"city", &address.city()},
      {"state", &address.state()},       {"pincode", &address.pincode()},
      {"district", &address.district()}, {"area", &address.area()}};
  rapidjson::SizeType present = 0;
  for (const auto& [key, value] : fields) {
    const auto it = object.FindMember(key);
    if (value->empty()) {
      if (it != object.MemberEnd()) return false;
      continue;
    }
    ++present;
    if (it == object.MemberEnd() || !it->value.IsString() ||
        std::string_view(it->value.GetString(), it->value.GetStringLength()) != *value) {
      return false;
    }
  }
  return object.MemberCount() == present;
}

// The field a BadRequest path such as "address.pincode" names, or nullptr.
const FieldDescriptor* FieldAtPath(const google::protobuf::Descriptor* descriptor,
                                   std::string_view path) {
  const FieldDescriptor* field = nullptr;
  for (const absl::string_view part : absl::StrSplit(ToAbsl(path), '.')) {
    if (descriptor == nullptr) return nullptr;
    field = descriptor->FindFieldByName(std::string(part));
    if (field == nullptr) return nullptr;
    descriptor = field->message_type();
  }
  return field;
}
Params ExpectedParams(const v1::StartSenderEkycRequest& r) {
  return {{{"aadhar", r.aadhaar()}, {"piddata", r.pid_data()}}, "", nullptr};
}
Params ExpectedParams(const v1::ValidateEkycOtpRequest& r) {
  return {
      {{"otp", r.otp()}, {"otp_ref_id", r.otp_ref_id()}, {"kyc_request_id", r.kyc_request_id()}},
      "",
      nullptr};
}

bool IsUnreserved(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.' || c == '_' || c == '~';
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

// Decodes text made only of unreserved characters and %XX; false otherwise.
bool PercentDecode(std::string_view text, std::string* out) {
  out->clear();
  for (size_t i = 0; i < text.size(); ++i) {
    if (IsUnreserved(text[i])) {
      out->push_back(text[i]);
    } else if (text[i] == '%' && i + 2 < text.size() && HexValue(text[i + 1]) >= 0 &&
               HexValue(text[i + 2]) >= 0) {
      out->push_back(static_cast<char>(HexValue(text[i + 1]) * 16 + HexValue(text[i + 2])));
      i += 2;
    } else {
      return false;
    }
  }
  return true;
}

// Sets the fields of `message` from separated slices of `text`, in field
// order (see the input layout above).
void FillFromText(std::string_view text, Message* message) {
  ByteReader in(reinterpret_cast<const uint8_t*>(text.data()), text.size());
  const google::protobuf::Descriptor* descriptor = message->GetDescriptor();
  const google::protobuf::Reflection* reflection = message->GetReflection();
  for (int i = 0; i < descriptor->field_count() && !in.empty(); ++i) {
    const FieldDescriptor* field = descriptor->field(i);
    const std::string_view slice = in.Until(kFieldSeparator);
    if (field->type() == FieldDescriptor::TYPE_STRING) {
      if (field->is_repeated()) {
        for (const absl::string_view line : absl::StrSplit(ToAbsl(slice), kLineSeparator)) {
          reflection->AddString(message, field, std::string(line));
        }
      } else {
        reflection->SetString(message, field, std::string(slice));
      }
    } else if (field->message_type() == v1::Address::descriptor() && !slice.empty()) {
      auto* address = reflection->MutableMessage(message, field);
      const google::protobuf::Descriptor* parts = address->GetDescriptor();
      int index = 0;
      for (const absl::string_view part : absl::StrSplit(ToAbsl(slice), kLineSeparator)) {
        if (index >= parts->field_count()) break;
        address->GetReflection()->SetString(address, parts->field(index++), std::string(part));
      }
    } else if (field->message_type() == google::type::Date::descriptor() && !slice.empty()) {
      auto* date = static_cast<google::type::Date*>(reflection->MutableMessage(message, field));
      int32_t parts[3] = {0, 0, 0};
      int part = 0;
      int digits = 0;
      for (const char c : slice) {
        if (c >= '0' && c <= '9' && digits < 9) {
          parts[part] = parts[part] * 10 + (c - '0');
          ++digits;
        } else if (part < 2 && digits > 0) {
          ++part;
          digits = 0;
        }
      }
      date->set_year(parts[0]);
      date->set_month(parts[1]);
      date->set_day(parts[2]);
    }
  }
}

std::string Describe(const Message& request, std::string_view input) {
  return absl::StrCat(request.GetDescriptor()->name(), " {", request.ShortDebugString(),
                      "} input(hex)=", Hex(input));
}

void CheckRejection(const Message& request, const absl::Status& status, std::string_view input) {
  const std::string what = absl::StrCat(status.ToString(), "; ", Describe(request, input));
  EKO_FUZZ_CHECK(status.code() == absl::StatusCode::kInvalidArgument, what);
  google::rpc::ErrorInfo info;
  EKO_FUZZ_CHECK(rich::GetErrorInfo(status, &info), what);
  EKO_FUZZ_CHECK(info.domain() == rich::kErrorDomain, what);
  EKO_FUZZ_CHECK(info.reason() == rich::reason::kFieldInvalid, what);
  const auto fields_it = info.metadata().find("fields");
  EKO_FUZZ_CHECK(fields_it != info.metadata().end() && !fields_it->second.empty(), what);
  std::vector<std::string> fields = absl::StrSplit(fields_it->second, ',');
  for (const std::string& field : fields) {
    EKO_FUZZ_CHECK(FieldAtPath(request.GetDescriptor(), field) != nullptr,
                   absl::StrCat("'", field, "' is no field of the request; ", what));
  }
  google::rpc::BadRequest bad_request;
  EKO_FUZZ_CHECK(rich::GetDetail(status, &bad_request), what);
  EKO_FUZZ_CHECK(bad_request.field_violations_size() == static_cast<int>(fields.size()), what);
  for (int i = 0; i < bad_request.field_violations_size(); ++i) {
    EKO_FUZZ_CHECK(bad_request.field_violations(i).field() == fields[static_cast<size_t>(i)] &&
                       !bad_request.field_violations(i).description().empty(),
                   what);
  }
  EKO_FUZZ_CHECK(SurvivesWire(rich::ToRpcStatus(status)), what);
}

// Splits `path_and_query` into the percent-encoded customer id, checking the
// fixed parts of the template around it. Returns false if they do not match.
bool EncodedCustomerId(const std::string& path_template, std::string_view path,
                       std::string_view* encoded) {
  constexpr std::string_view kPlaceholder = "{customer_id}";
  const size_t at = path_template.find(kPlaceholder);
  if (at == std::string::npos) return false;
  const std::string_view prefix = std::string_view(path_template).substr(0, at);
  const std::string_view suffix = std::string_view(path_template).substr(at + kPlaceholder.size());
  if (path.size() < prefix.size() + suffix.size() || path.substr(0, prefix.size()) != prefix ||
      path.substr(path.size() - suffix.size()) != suffix) {
    return false;
  }
  *encoded = path.substr(prefix.size(), path.size() - prefix.size() - suffix.size());
  return true;
}

// The checks that hold for any request, validated or not.
template <typename Request>
void CheckAnyBuild(const EndpointTable& endpoints, const Request& request,
                   const CallIdentity& identity, const UpstreamRequest& built,
                   std::string_view input) {
  const adapter::Endpoint& endpoint = endpoints.Get(RpcTraits<Request>::kRpc);
  const std::string what = absl::StrCat("built ", built.path_and_query, " body ", built.body, "; ",
                                        Describe(request, input));
  EKO_FUZZ_CHECK(built.method == endpoint.method, what);
  EKO_FUZZ_CHECK(built.path_and_query.find('#') == std::string::npos, what);
  const size_t question = built.path_and_query.find('?');
  EKO_FUZZ_CHECK((question != std::string::npos) == (endpoint.method == HttpMethod::kGet), what);
  const std::string_view path = std::string_view(built.path_and_query).substr(0, question);
  std::string_view encoded;
  EKO_FUZZ_CHECK(EncodedCustomerId(endpoint.path_template, path, &encoded), what);
  std::string decoded;
  EKO_FUZZ_CHECK(PercentDecode(encoded, &decoded) && decoded == request.customer_id(), what);

  if (endpoint.method == HttpMethod::kGet) {
    EKO_FUZZ_CHECK(built.body.empty(), what);
    // initiator_id, user_code, then the scalar parameters, all percent-encoded.
    std::vector<std::pair<std::string, std::string>> expected = {
        {"initiator_id", identity.initiator_id}, {"user_code", identity.user_code}};
    const Params params = ExpectedParams(request);
    for (const auto& param : params.scalars) expected.push_back(param);
    const std::string_view query = std::string_view(built.path_and_query).substr(question + 1);
    const std::vector<absl::string_view> pairs = absl::StrSplit(ToAbsl(query), '&');
    const size_t object_params = params.address_object != nullptr ? 1 : 0;
    EKO_FUZZ_CHECK(pairs.size() == expected.size() + object_params, what);
    for (size_t i = 0; i < pairs.size(); ++i) {
      const std::vector<absl::string_view> kv = absl::StrSplit(pairs[i], '=');
      std::string name;
      std::string value;
      EKO_FUZZ_CHECK(kv.size() == 2 && PercentDecode(ToStd(kv[0]), &name) &&
                         PercentDecode(ToStd(kv[1]), &value),
                     what);
      if (i < expected.size()) {
        EKO_FUZZ_CHECK(name == expected[i].first && value == expected[i].second, what);
      } else {
        EKO_FUZZ_CHECK(
            name == "residence_address" && IsAddressObject(value, *params.address_object), what);
      }
    }
    return;
  }
  // POST/PUT: a JSON object holding every value as a string.
  rapidjson::Document document;
  document.Parse(built.body.data(), built.body.size());
  EKO_FUZZ_CHECK(!document.HasParseError() && document.IsObject(), what);
  const rapidjson::Value& body = document;
  const auto string_member = [&body](const std::string& name) -> std::optional<std::string_view> {
    const auto it = body.FindMember(rapidjson::StringRef(name.data(), name.size()));
    if (it == body.MemberEnd() || !it->value.IsString()) return std::nullopt;
    return std::string_view(it->value.GetString(), it->value.GetStringLength());
  };
  EKO_FUZZ_CHECK(string_member("initiator_id") == identity.initiator_id, what);
  EKO_FUZZ_CHECK(string_member("user_code") == identity.user_code, what);
  EKO_FUZZ_CHECK(string_member("client_ref_id") == identity.client_ref_id, what);
  const Params params = ExpectedParams(request);
  for (const auto& [name, value] : params.scalars) {
    EKO_FUZZ_CHECK(string_member(name) == value, absl::StrCat(name, ": ", what));
  }
  for (const std::string& name : params.absent) {
    EKO_FUZZ_CHECK(!body.HasMember(name.c_str()), absl::StrCat(name, " must be left out: ", what));
  }
  if (params.address_object != nullptr) {
    const std::optional<std::string_view> text = string_member("residence_address");
    EKO_FUZZ_CHECK(text && IsAddressObject(*text, *params.address_object),
                   absl::StrCat("residence_address: ", what));
  }
  if (params.list != nullptr) {
    const auto it = body.FindMember(params.list_name.c_str());
    EKO_FUZZ_CHECK(it != body.MemberEnd() && it->value.IsArray() &&
                       it->value.Size() == static_cast<rapidjson::SizeType>(params.list->size()),
                   what);
    for (rapidjson::SizeType i = 0; i < it->value.Size(); ++i) {
      const rapidjson::Value& item = it->value[i];
      EKO_FUZZ_CHECK(
          item.IsString() && std::string_view(item.GetString(), item.GetStringLength()) ==
                                 params.list->Get(static_cast<int>(i)),
          what);
    }
  }
}

template <typename Request>
void Run(bool text_fields, bool has_default_user_code, bool flip_method, std::string_view rest,
         std::string_view input) {
  Request request;
  if (text_fields) {
    FillFromText(rest, &request);
  } else if (!request.ParseFromArray(rest.data(), static_cast<int>(rest.size()))) {
    return;  // gRPC would have rejected these bytes before any handler ran
  }
  // Whether a gRPC peer could have sent this request at all (proto3 strings
  // must be valid UTF-8, or parsing fails).
  const bool deliverable = text_fields ? SurvivesWire(request) : true;

  server::ValidationContext context;
  context.has_default_user_code = has_default_user_code;
  context.now = absl::FromCivil(absl::CivilDay(2026, 1, 1), absl::UTCTimeZone());
  const absl::Status valid = server::Validate(request, context);

  EndpointTable endpoints;
  constexpr Rpc kRpc = RpcTraits<Request>::kRpc;
  if (flip_method) {
    const bool is_get = endpoints.Get(kRpc).method == HttpMethod::kGet;
    const absl::Status overridden = endpoints.Override(absl::StrCat(
        ToAbsl(adapter::RpcName(kRpc)), is_get ? "=POST" : "=GET", " /fuzz/{customer_id}/x"));
    EKO_FUZZ_CHECK(overridden.ok(), overridden.ToString());
  }
  // The identity as EkoClient::Call derives it.
  CallIdentity identity;
  identity.initiator_id = kInitiatorId;
  identity.user_code =
      request.user_code().empty() && has_default_user_code ? kDefaultUserCode : request.user_code();
  if constexpr (RpcTraits<Request>::kHasClientRefId) {
    identity.client_ref_id =
        request.client_ref_id().empty() ? kGeneratedClientRefId : request.client_ref_id();
  }
  const UpstreamRequest built = adapter::BuildUpstreamRequest(endpoints, request, identity);
  CheckAnyBuild(endpoints, request, identity, built, input);

  if (!valid.ok()) {
    CheckRejection(request, valid, input);
    return;
  }
  const std::string what = absl::StrCat("built ", built.path_and_query, " body ", built.body, "; ",
                                        Describe(request, input));
  EKO_FUZZ_CHECK(!identity.user_code.empty(), what);
  const std::string_view path =
      std::string_view(built.path_and_query).substr(0, built.path_and_query.find('?'));
  EKO_FUZZ_CHECK(path.find("/..") == std::string_view::npos, what);
  if (built.method != HttpMethod::kGet && deliverable) {
    rapidjson::Document body;
    body.Parse<rapidjson::kParseValidateEncodingFlag>(built.body.data(), built.body.size());
    EKO_FUZZ_CHECK(!body.HasParseError() && body.IsObject(),
                   absl::StrCat("body is not a valid UTF-8 JSON object; ", what));
  }
}

void RunOne(const uint8_t* data, size_t size) {
  ByteReader in(data, size);
  const int rpc = in.Byte() % adapter::kRpcCount;
  const uint8_t flags = in.Byte();
  const bool has_default_user_code = (flags & 1) != 0;
  const bool text_fields = (flags & 2) != 0;
  const bool flip_method = (flags & 4) != 0;
  const std::string_view rest = in.Rest();
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  adapter::VisitRpc(static_cast<Rpc>(rpc), [&](auto type) {
    Run<typename decltype(type)::RequestType>(text_fields, has_default_user_code, flip_method, rest,
                                              input);
  });
}

}  // namespace
}  // namespace eko::fuzz

extern "C" int LLVMFuzzerInitialize(int* /*argc*/, char*** /*argv*/) {
  // Protobuf logs every invalid-UTF-8 string it parses; only noise here.
  google::protobuf::SetLogHandler(nullptr);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  eko::fuzz::RunOne(data, size);
  return 0;
}
