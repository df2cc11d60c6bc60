#include "tests/sim/sim_core.h"

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <functional>
#include <optional>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "absl/strings/strip.h"
#include "rapidjson/document.h"
#include "rapidjson/stringbuffer.h"
#include "rapidjson/writer.h"
#include "tests/sim/signature.h"
#include "tests/sim/sim_json.h"

namespace eko::sim {
namespace {

using JsonWriter = json::Writer;
using json::Key;
using json::KeyInt;
using json::KeyStr;
using json::KeyStrObject;
using json::Str;
// Field name -> reason, in the order the problems were found.
using InvalidParams = std::vector<std::pair<std::string, std::string>>;

constexpr size_t kRequestLogCapacity = 1000;
// OTP records are kept until one more lifetime has passed after they expire
// (so a late verification still reads "expired", not "wrong"), and at most
// this many are kept: beyond it the oldest are forgotten first.
constexpr size_t kMaxOtpRecords = 1000000;
constexpr int kMaxNameLength = 100;
constexpr int kMaxClientRefIdLength = 20;
constexpr char kLimit[] = "25000.0";
constexpr int kLimitNumber = 25000;

// Scenario markers: the last four digits of a customer_id select a branch.
constexpr char kScenarioAadhaarPending[] = "2136";
constexpr char kScenarioPanRequired[] = "2147";
constexpr char kScenarioEkycFails[] = "2135";
constexpr char kNotOnboardedUserCode[] = "00000000";

// Seeded customers (see Reset).
constexpr char kSeededCustomerId[] = "6111111111";
constexpr char kSeededCustomerName[] = "Test Customer";
constexpr char kSeededSenderId[] = "6222222222";
constexpr char kSeededSenderName[] = "Test Sender";

SimResponse JsonReply(int http_status, std::string body) {
  SimResponse response;
  response.http_status = http_status;
  response.headers.emplace_back("Content-Type", "application/json");
  response.body = std::move(body);
  return response;
}

// Renders Eko's JSON envelope. `write_data`, when set, writes the value of
// "data"; `invalid`, when non-empty, becomes "invalid_params".
std::string Envelope(int status, int response_status_id, int response_type_id,
                     absl::string_view message,
                     const std::function<void(JsonWriter&)>& write_data = nullptr,
                     const InvalidParams& invalid = {}) {
  rapidjson::StringBuffer buffer;
  JsonWriter w(buffer);
  w.StartObject();
  KeyInt(w, "status", status);
  KeyInt(w, "response_status_id", response_status_id);
  KeyInt(w, "response_type_id", response_type_id);
  KeyStr(w, "message", message);
  if (!invalid.empty()) {
    KeyStrObject(w, "invalid_params", invalid);
  }
  if (write_data) {
    Key(w, "data");
    write_data(w);
  }
  w.EndObject();
  return buffer.GetString();
}

SimResponse EnvelopeReply(int status, int response_status_id, int response_type_id,
                          absl::string_view message,
                          const std::function<void(JsonWriter&)>& write_data = nullptr,
                          const InvalidParams& invalid = {}) {
  return JsonReply(
      200, Envelope(status, response_status_id, response_type_id, message, write_data, invalid));
}

// {"status":N,"message":"..."} with HTTP status N (Eko's transport-level errors).
SimResponse PlainError(int http_status, absl::string_view message) {
  rapidjson::StringBuffer buffer;
  JsonWriter w(buffer);
  w.StartObject();
  KeyInt(w, "status", http_status);
  KeyStr(w, "message", message);
  w.EndObject();
  return JsonReply(http_status, buffer.GetString());
}

// {"error":"..."} for the admin endpoints.
SimResponse AdminError(int http_status, absl::string_view message) {
  rapidjson::StringBuffer buffer;
  JsonWriter w(buffer);
  w.StartObject();
  KeyStr(w, "error", message);
  w.EndObject();
  return JsonReply(http_status, buffer.GetString());
}

bool IsDigits(absl::string_view text) {
  return !text.empty() &&
         std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool EndsWith(absl::string_view text, absl::string_view suffix) {
  return absl::EndsWith(text, suffix);
}

// YYYY-MM-DD naming a real calendar day between 1900 and 2100.
bool IsValidDate(absl::string_view text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return false;
  const absl::string_view y = text.substr(0, 4), m = text.substr(5, 2), d = text.substr(8, 2);
  int year = 0, month = 0, day = 0;
  if (!IsDigits(y) || !IsDigits(m) || !IsDigits(d) || !absl::SimpleAtoi(y, &year) ||
      !absl::SimpleAtoi(m, &month) || !absl::SimpleAtoi(d, &day)) {
    return false;
  }
  if (year < 1900 || year > 2100 || month < 1 || month > 12 || day < 1) return false;
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  const int max_day = kDays[month - 1] + (month == 2 && leap ? 1 : 0);
  return day <= max_day;
}

// The media type of a Content-Type value, lower case, without parameters.
std::string MediaType(absl::string_view content_type) {
  const absl::string_view type = content_type.substr(0, content_type.find(';'));
  return absl::AsciiStrToLower(absl::StripAsciiWhitespace(type));
}

std::string HeaderOr(const SimRequest& request, const std::string& name) {
  const auto it = request.headers.find(name);
  return it == request.headers.end() ? std::string() : it->second;
}

// The path segments of `path`; an empty segment (e.g. from "//") is kept so
// that it never matches a route.
std::vector<absl::string_view> Segments(absl::string_view path) {
  if (absl::StartsWith(path, "/")) path.remove_prefix(1);
  if (path.empty()) return {};
  return absl::StrSplit(path, '/');
}

}  // namespace

absl::Status ValidateConfig(const SimConfig& config) {
  if (config.base_path.size() < 2 || config.base_path.front() != '/' ||
      config.base_path.back() == '/') {
    return absl::InvalidArgumentError(
        "base_path must start with '/', must not end with '/' and must not be \"/\"");
  }
  if (absl::StartsWith(config.base_path, kAdminPrefix)) {
    return absl::InvalidArgumentError("base_path must not overlap the admin prefix /__sim");
  }
  if (config.developer_key.empty() || config.access_key.empty()) {
    return absl::InvalidArgumentError("developer_key and access_key must be non-empty");
  }
  if (config.initiator_id.empty()) {
    return absl::InvalidArgumentError("initiator_id must be non-empty");
  }
  if (!config.fixed_otp.empty() && !IsDigits(config.fixed_otp)) {
    return absl::InvalidArgumentError("fixed_otp must be empty or decimal digits");
  }
  if (config.timestamp_window_ms < 0 || config.otp_ttl_ms < 0 || config.latency_ms < 0) {
    return absl::InvalidArgumentError(
        "timestamp_window_ms, otp_ttl_ms and latency_ms must not be negative");
  }
  return absl::OkStatus();
}

namespace {

constexpr char kAddressNotObject[] = "Must be a string holding a JSON object";

// Reads member `key` of the address `object` into *out. A required member
// must be a non-blank string; an optional one may also be absent or null.
absl::Status ReadAddressMember(const rapidjson::Value& object, const char* key, bool required,
                               std::string* out) {
  const auto it = object.FindMember(key);
  if (it == object.MemberEnd() || it->value.IsNull()) {
    return required ? absl::InvalidArgumentError(absl::StrCat(key, " is required"))
                    : absl::OkStatus();
  }
  if (!it->value.IsString()) {
    return absl::InvalidArgumentError(absl::StrCat(key, " must be a string"));
  }
  out->assign(it->value.GetString(), it->value.GetStringLength());
  if (required && absl::StripAsciiWhitespace(*out).empty()) {
    return absl::InvalidArgumentError(absl::StrCat(key, " is required"));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<SenderAddress> ParseSenderAddress(absl::string_view json) {
  rapidjson::Document doc;
  doc.Parse(json.data(), json.size());
  if (doc.HasParseError() || !doc.IsObject()) return absl::InvalidArgumentError(kAddressNotObject);
  SenderAddress address;
  const std::pair<const char*, std::string*> required[] = {{"line", &address.line},
                                                           {"city", &address.city},
                                                           {"state", &address.state},
                                                           {"pincode", &address.pincode}};
  for (const auto& [key, out] : required) {
    absl::Status status = ReadAddressMember(doc, key, /*required=*/true, out);
    if (!status.ok()) return status;
  }
  if (address.pincode.size() != 6 || !IsDigits(address.pincode)) {
    return absl::InvalidArgumentError("pincode must be 6 digits");
  }
  const std::pair<const char*, std::string*> optional[] = {{"district", &address.district},
                                                           {"area", &address.area}};
  for (const auto& [key, out] : optional) {
    absl::Status status = ReadAddressMember(doc, key, /*required=*/false, out);
    if (!status.ok()) return status;
  }
  return address;
}

// Request parameters of one Eko call: the query string of a GET or the JSON
// object body of a POST/PUT, read uniformly.
class RequestParams {
 public:
  enum class Kind { kMissing, kScalar, kWrongType };

  // Query parameters become JSON strings.
  static RequestParams FromQuery(const std::map<std::string, std::string>& query) {
    RequestParams params;
    params.doc_.SetObject();
    auto& alloc = params.doc_.GetAllocator();
    for (const auto& [name, value] : query) {
      params.doc_.AddMember(rapidjson::Value(name.c_str(), alloc).Move(),
                            rapidjson::Value(value.c_str(), alloc).Move(), alloc);
    }
    return params;
  }

  // Nullopt unless `body` is a JSON object.
  static std::optional<RequestParams> FromJsonBody(const std::string& body) {
    RequestParams params;
    params.doc_.Parse(body.c_str(), body.size());
    if (params.doc_.HasParseError() || !params.doc_.IsObject()) return std::nullopt;
    return params;
  }

  // The raw value of `name`, or nullptr when absent.
  const rapidjson::Value* Find(absl::string_view name) const {
    const auto it = doc_.FindMember(
        rapidjson::StringRef(name.data(), static_cast<rapidjson::SizeType>(name.size())));
    return it == doc_.MemberEnd() ? nullptr : &it->value;
  }

  // Reads a scalar parameter as text. Strings are taken as they are and
  // numbers as their JSON text (so 12345 is "12345", never "012345"). A
  // missing or null parameter is kMissing; objects, arrays and booleans are
  // kWrongType.
  Kind Scalar(absl::string_view name, std::string* text) const {
    const rapidjson::Value* value = Find(name);
    if (value == nullptr || value->IsNull()) return Kind::kMissing;
    if (value->IsString()) {
      text->assign(value->GetString(), value->GetStringLength());
      return Kind::kScalar;
    }
    if (value->IsInt64()) {
      *text = std::to_string(value->GetInt64());
      return Kind::kScalar;
    }
    if (value->IsUint64()) {
      *text = std::to_string(value->GetUint64());
      return Kind::kScalar;
    }
    if (value->IsNumber()) {
      rapidjson::StringBuffer buffer;
      JsonWriter w(buffer);
      value->Accept(w);
      text->assign(buffer.GetString(), buffer.GetSize());
      return Kind::kScalar;
    }
    return Kind::kWrongType;
  }

  // The text of a scalar parameter, "" when it is missing or not a scalar.
  std::string Text(absl::string_view name) const {
    std::string text;
    return Scalar(name, &text) == Kind::kScalar ? text : std::string();
  }

 private:
  rapidjson::Document doc_;
};

namespace {

// Onboard Sender's residence_address: a JSON string holding the object that
// ParseSenderAddress reads. On failure the message is the invalid_params
// reason ("Required" when absent, null or blank).
absl::StatusOr<SenderAddress> ReadSenderAddress(const RequestParams& params) {
  const rapidjson::Value* value = params.Find("residence_address");
  if (value == nullptr || value->IsNull()) return absl::InvalidArgumentError("Required");
  if (!value->IsString()) return absl::InvalidArgumentError(kAddressNotObject);
  const absl::string_view text(value->GetString(), value->GetStringLength());
  if (absl::StripAsciiWhitespace(text).empty()) return absl::InvalidArgumentError("Required");
  return ParseSenderAddress(text);
}

enum class Endpoint {
  kGetCustomer,
  kOnboardCustomer,
  kVerifyCustomerOtp,
  kGetSender,
  kOnboardSender,
  kStartEkyc,
  kVerifyEkycOtp,
};

struct EkoRoute {
  const char* method;
  std::vector<absl::string_view> pattern;  // "{customer_id}" matches one segment.
  Endpoint endpoint;
  // The customer_id is the body's "customer_id" parameter, not a path segment.
  bool customer_id_in_body = false;
};

constexpr absl::string_view kCustomerIdSegment = "{customer_id}";

// Eko's current paths (docs/eko-api.md 5.1-5.3, 5.9), then the older
// OAS-md forms of the same endpoints, served by the same handlers with the
// same checks so that the gateway's configurable paths can be tested.
const std::vector<EkoRoute>& EkoRoutes() {
  static const auto* routes = new std::vector<EkoRoute>{
      {"GET", {"customer", "profile", kCustomerIdSegment}, Endpoint::kGetCustomer},
      {"POST", {"customer", "account", kCustomerIdSegment}, Endpoint::kOnboardCustomer},
      {"POST",
       {"customer", "account", kCustomerIdSegment, "otp", "verify"},
       Endpoint::kVerifyCustomerOtp},
      {"GET",
       {"customer", "payment", "dmt-fino", "sender", kCustomerIdSegment},
       Endpoint::kGetSender},
      {"POST",
       {"customer", "payment", "dmt-fino", "sender", kCustomerIdSegment},
       Endpoint::kOnboardSender},
      {"PUT",
       {"customer", "payment", "dmt-fino", "sender", kCustomerIdSegment, "otp"},
       Endpoint::kStartEkyc},
      {"PUT",
       {"customer", "payment", "dmt-fino", "sender", kCustomerIdSegment, "otp", "verify"},
       Endpoint::kVerifyEkycOtp},
      // Legacy (OAS-md) forms.
      {"POST", {"customer", "account"}, Endpoint::kOnboardCustomer, /*customer_id_in_body=*/true},
      {"GET", {"customer", "profile", kCustomerIdSegment, "dmt-fino"}, Endpoint::kGetSender},
      {"POST",
       {"customer", "account", kCustomerIdSegment, "dmt-fino", "ekyc"},
       Endpoint::kStartEkyc},
  };
  return *routes;
}

// True when `segments` fit `pattern`; sets *customer_id to the wildcard.
bool MatchPattern(const std::vector<absl::string_view>& pattern,
                  const std::vector<absl::string_view>& segments, std::string* customer_id) {
  if (pattern.size() != segments.size()) return false;
  for (size_t i = 0; i < pattern.size(); ++i) {
    if (segments[i].empty()) return false;
    if (pattern[i] == kCustomerIdSegment) {
      *customer_id = std::string(segments[i]);
    } else if (pattern[i] != segments[i]) {
      return false;
    }
  }
  return true;
}

// The {customer_id} segment of `path` when it names an Eko route (with any
// method) under `base_path`; "" otherwise. Faults are matched with this id
// before the body is read, so a route whose customer_id travels in the body
// (legacy POST /customer/account) yields "": a fault scoped to a customer_id
// never matches it, while faults matched by method or path_contains do.
std::string RouteCustomerId(absl::string_view path, absl::string_view base_path) {
  if (!absl::ConsumePrefix(&path, base_path) || !absl::StartsWith(path, "/")) return "";
  const std::vector<absl::string_view> segments = Segments(path);
  for (const EkoRoute& route : EkoRoutes()) {
    std::string customer_id;
    if (MatchPattern(route.pattern, segments, &customer_id)) return customer_id;
  }
  return "";
}

// How a request's method and path fit the Eko routes.
struct RouteMatch {
  const EkoRoute* route = nullptr;   // Set when path and method match.
  std::string customer_id;           // The path's {customer_id} segment, if any.
  std::vector<std::string> allowed;  // Methods of the routes the path matches.
};

// Matches `path` (base path included) and `method` against EkoRoutes(). No
// allowed methods means the path is unknown; allowed methods but no route
// means the method is wrong.
RouteMatch MatchRoute(absl::string_view method, absl::string_view path,
                      absl::string_view base_path) {
  RouteMatch match;
  if (!absl::ConsumePrefix(&path, base_path) || !(path.empty() || absl::StartsWith(path, "/"))) {
    return match;
  }
  const std::vector<absl::string_view> segments = Segments(path);
  for (const EkoRoute& candidate : EkoRoutes()) {
    std::string id;
    if (!MatchPattern(candidate.pattern, segments, &id)) continue;
    match.allowed.push_back(candidate.method);
    if (method == candidate.method) {
      match.route = &candidate;
      match.customer_id = std::move(id);
    }
  }
  return match;
}

}  // namespace

// ---------------------------------------------------------------------------
// Construction and dispatch.

SimCore::SimCore(SimConfig config)
    : config_(std::move(config)), encoded_access_key_(Base64(config_.access_key)) {
  std::random_device device;
  std::seed_seq seed{device(), device(), device(), device()};
  rng_.seed(seed);
  ResetLocked();
}

void SimCore::ResetLocked() {
  customers_.clear();
  otps_.clear();
  otp_issue_order_.clear();
  latest_otp_.clear();
  request_log_.clear();
  faults_.Clear();
  next_kyc_request_id_ = 2400001;
  next_application_id_ = 880001;

  Customer& customer = customers_[kSeededCustomerId];
  customer.enrolled = true;
  customer.verified = true;
  customer.name = kSeededCustomerName;
  customer.dob = "1990-01-01";
  customer.residence_address = {"1 Test Road", "Bengaluru", "Karnataka", "560001"};

  Customer& sender = customers_[kSeededSenderId];
  sender.sender = SenderState::kComplete;
  sender.sender_name = kSeededSenderName;
  sender.sender_dob = "1990-01-01";
  sender.sender_address = {.line = "2 Test Street",
                           .city = "Indore",
                           .state = "Madhya Pradesh",
                           .pincode = "452001",
                           .district = "Indore",
                           .area = ""};
}

SimResponse SimCore::Handle(const SimRequest& request, int64_t now_ms) {
  std::lock_guard<std::mutex> lock(mu_);
  const absl::string_view path = request.path;
  if (path == kAdminPrefix || absl::StartsWith(path, absl::StrCat(kAdminPrefix, "/"))) {
    return HandleAdmin(request, now_ms);
  }
  // Injected faults come first: they replace the whole reply, auth included.
  const bool auth_ok = CheckAuth(request, now_ms);
  const std::optional<FaultHit> fault =
      faults_.Take(request.method, request.path, RouteCustomerId(request.path, config_.base_path));
  LogRequest(request, auth_ok, now_ms, fault ? fault->id : 0);
  if (fault && fault->spec.action != FaultAction::kPass) return FaultResponse(fault->spec);
  SimResponse response = HandleEko(request, auth_ok, now_ms);
  response.delay_ms = fault ? fault->spec.delay_ms : config_.latency_ms;
  return response;
}

bool SimCore::CheckAuth(const SimRequest& request, int64_t now_ms) {
  const auto developer_key = request.headers.find("developer_key");
  if (developer_key == request.headers.end() ||
      !ConstantTimeEquals(developer_key->second, config_.developer_key)) {
    return false;
  }
  const auto timestamp = request.headers.find("secret-key-timestamp");
  if (timestamp == request.headers.end() || timestamp->second.size() != 13 ||
      !IsDigits(timestamp->second)) {
    return false;
  }
  int64_t timestamp_ms = 0;
  if (!absl::SimpleAtoi(timestamp->second, &timestamp_ms) ||
      std::llabs(now_ms - timestamp_ms) > config_.timestamp_window_ms) {
    return false;
  }
  const auto secret_key = request.headers.find("secret-key");
  if (secret_key == request.headers.end()) return false;
  // Under load most requests share their millisecond with the one before.
  if (timestamp->second != last_auth_timestamp_) {
    last_auth_signature_ = ComputeSecretKeyFromEncodedKey(encoded_access_key_, timestamp->second);
    last_auth_timestamp_ = timestamp->second;
  }
  return ConstantTimeEquals(secret_key->second, last_auth_signature_);
}

void SimCore::LogRequest(const SimRequest& request, bool auth_ok, int64_t now_ms,
                         int64_t fault_id) {
  LoggedRequest entry;
  entry.method = request.method;
  entry.path = request.path;
  entry.query = request.query;
  entry.body = request.body;
  entry.content_type = HeaderOr(request, "content-type");
  for (const auto& [name, value] : request.headers) entry.header_names.push_back(name);
  entry.auth_ok = auth_ok;
  entry.developer_key_present = request.headers.count("developer_key") > 0;
  entry.timestamp = HeaderOr(request, "secret-key-timestamp");
  entry.received_ms = now_ms;
  entry.fault_id = fault_id;
  request_log_.push_back(std::move(entry));
  while (request_log_.size() > kRequestLogCapacity) request_log_.pop_front();
}

namespace {

// Records a problem unless `name` is a non-blank scalar; stores its text in
// *out when given.
void RequireText(const RequestParams& params, absl::string_view name, InvalidParams* bad,
                 std::string* out = nullptr) {
  std::string text;
  switch (params.Scalar(name, &text)) {
    case RequestParams::Kind::kMissing:
      bad->emplace_back(name, "Required");
      return;
    case RequestParams::Kind::kWrongType:
      bad->emplace_back(name, "Must be a string");
      return;
    case RequestParams::Kind::kScalar:
      break;
  }
  if (absl::StripAsciiWhitespace(text).empty()) {
    bad->emplace_back(name, "Required");
    return;
  }
  if (out != nullptr) *out = std::move(text);
}

// Records a problem when `name` is present but neither a string nor a
// number; absent, null and blank values are fine.
void CheckOptionalText(const RequestParams& params, absl::string_view name, InvalidParams* bad) {
  std::string text;
  if (params.Scalar(name, &text) == RequestParams::Kind::kWrongType) {
    bad->emplace_back(name, "Must be a string");
  }
}

// Onboard Customer's residence_address: a non-empty JSON array of non-blank
// strings.
void CheckAddressLines(const RequestParams& params, InvalidParams* bad) {
  const rapidjson::Value* value = params.Find("residence_address");
  if (value == nullptr || value->IsNull()) {
    bad->emplace_back("residence_address", "Required");
    return;
  }
  bool ok = value->IsArray() && !value->Empty();
  if (ok) {
    for (const auto& line : value->GetArray()) {
      if (!line.IsString() || absl::StripAsciiWhitespace(line.GetString()).empty()) ok = false;
    }
  }
  if (!ok) bad->emplace_back("residence_address", "Must be a JSON array of strings");
}

// Onboard Sender's residence_address (see ReadSenderAddress).
void CheckSenderAddress(const RequestParams& params, InvalidParams* bad) {
  const absl::StatusOr<SenderAddress> address = ReadSenderAddress(params);
  if (!address.ok()) bad->emplace_back("residence_address", address.status().message());
}

void CheckNameAndDob(const RequestParams& params, InvalidParams* bad) {
  std::string name;
  const size_t before = bad->size();
  RequireText(params, "name", bad, &name);
  if (bad->size() == before && name.size() > static_cast<size_t>(kMaxNameLength)) {
    bad->emplace_back("name", absl::StrCat("Must be at most ", kMaxNameLength, " characters"));
  }
  std::string dob;
  const size_t before_dob = bad->size();
  RequireText(params, "dob", bad, &dob);
  if (bad->size() == before_dob && !IsValidDate(dob)) {
    bad->emplace_back("dob", "Must be a valid date in YYYY-MM-DD format");
  }
}

// Endpoint-specific required fields.
void CheckEndpointFields(Endpoint endpoint, const RequestParams& params, InvalidParams* bad) {
  switch (endpoint) {
    case Endpoint::kGetCustomer:
    case Endpoint::kGetSender:
      return;
    case Endpoint::kOnboardCustomer:
      CheckNameAndDob(params, bad);
      CheckAddressLines(params, bad);
      return;
    case Endpoint::kOnboardSender:
      CheckNameAndDob(params, bad);
      CheckSenderAddress(params, bad);
      return;
    case Endpoint::kVerifyCustomerOtp:
      // Eko documents otp as optional here; VerifyCustomerOtp answers its absence.
      CheckOptionalText(params, "otp", bad);
      RequireText(params, "otp_ref_id", bad);
      return;
    case Endpoint::kStartEkyc: {
      std::string aadhar;
      const size_t before = bad->size();
      RequireText(params, "aadhar", bad, &aadhar);
      if (bad->size() == before && (aadhar.size() != 12 || !IsDigits(aadhar))) {
        bad->emplace_back("aadhar", "Must be 12 digits");
      }
      RequireText(params, "piddata", bad);
      return;
    }
    case Endpoint::kVerifyEkycOtp:
      RequireText(params, "otp", bad);
      RequireText(params, "otp_ref_id", bad);
      RequireText(params, "kyc_request_id", bad);
      return;
  }
}

// customer_id: the path's {customer_id} segment, or for a route that carries
// it in the body the body's "customer_id" (a string or number); it must be 10
// digits. Sets *customer_id to what was found.
void CheckCustomerId(const EkoRoute& route, const RequestParams& params, std::string* customer_id,
                     InvalidParams* bad) {
  if (route.customer_id_in_body) {
    const size_t before = bad->size();
    RequireText(params, "customer_id", bad, customer_id);
    if (bad->size() != before) return;
  }
  if (customer_id->size() != 10 || !IsDigits(*customer_id)) {
    bad->emplace_back("customer_id", "Must be a 10-digit mobile number");
  }
}

// The common parameters user_code (digits) and client_ref_id (at most 20
// characters). Sets *user_code.
void CheckCommonParams(const RequestParams& params, std::string* user_code, InvalidParams* bad) {
  const size_t before_user_code = bad->size();
  RequireText(params, "user_code", bad, user_code);
  if (bad->size() == before_user_code && !IsDigits(*user_code)) {
    bad->emplace_back("user_code", "Must contain only digits");
  }
  std::string client_ref_id;
  switch (params.Scalar("client_ref_id", &client_ref_id)) {
    case RequestParams::Kind::kMissing:
      break;
    case RequestParams::Kind::kWrongType:
      bad->emplace_back("client_ref_id", "Must be a string");
      break;
    case RequestParams::Kind::kScalar:
      if (client_ref_id.size() > static_cast<size_t>(kMaxClientRefIdLength)) {
        bad->emplace_back("client_ref_id",
                          absl::StrCat("Must be at most ", kMaxClientRefIdLength, " characters"));
      }
      break;
  }
}

}  // namespace

SimResponse SimCore::HandleEko(const SimRequest& request, bool auth_ok, int64_t now_ms) {
  // 1. Method and path.
  RouteMatch match = MatchRoute(request.method, request.path, config_.base_path);
  if (match.allowed.empty()) return PlainError(404, "No mapping rule matched");
  if (match.route == nullptr) {
    SimResponse response = PlainError(405, "Method Not Allowed");
    response.headers.emplace_back("Allow", absl::StrJoin(match.allowed, ", "));
    return response;
  }
  const EkoRoute& route = *match.route;

  // 2. Authentication.
  if (!auth_ok) return PlainError(403, "Forbidden");

  // 3. Content type and body. Parameters come from the query of a GET and
  // from the body of a POST/PUT, even when its URL has a query as well.
  std::optional<RequestParams> params;
  if (request.method == "GET") {
    params = RequestParams::FromQuery(request.query);
  } else {
    if (MediaType(HeaderOr(request, "content-type")) != "application/json") {
      return PlainError(415, "Unsupported Media Type");
    }
    params = RequestParams::FromJsonBody(request.body);
    if (!params) return EnvelopeReply(1, 1, -1, "No Key for Response");
  }

  // 4. Common parameters, then the endpoint's own; unknown ones are ignored.
  std::string initiator_id;
  if (params->Scalar("initiator_id", &initiator_id) != RequestParams::Kind::kScalar ||
      initiator_id != config_.initiator_id) {
    return EnvelopeReply(319, 1, -1, "Invalid initiator", nullptr,
                         {{"initiator_id", "Invalid initiator"}});
  }
  InvalidParams bad;
  std::string& customer_id = match.customer_id;
  CheckCustomerId(route, *params, &customer_id, &bad);
  std::string user_code;
  CheckCommonParams(*params, &user_code, &bad);
  CheckEndpointFields(route.endpoint, *params, &bad);
  if (!bad.empty()) return EnvelopeReply(461, 1, -1, "Invalid parameters", nullptr, bad);
  if (user_code == kNotOnboardedUserCode) {
    return EnvelopeReply(346, 1, -1, "User/agent not onboarded");
  }

  // 5. The endpoint itself.
  switch (route.endpoint) {
    case Endpoint::kGetCustomer:
      return GetCustomer(customer_id, now_ms);
    case Endpoint::kOnboardCustomer:
      return OnboardCustomer(customer_id, *params, now_ms);
    case Endpoint::kVerifyCustomerOtp:
      return VerifyCustomerOtp(customer_id, *params, now_ms);
    case Endpoint::kGetSender:
      return GetSender(customer_id, user_code);
    case Endpoint::kOnboardSender:
      return OnboardSender(customer_id, *params);
    case Endpoint::kStartEkyc:
      return StartEkyc(customer_id, user_code, *params, now_ms);
    case Endpoint::kVerifyEkycOtp:
      return VerifyEkycOtp(customer_id, user_code, *params, now_ms);
  }
  return PlainError(500, "Internal Server Error");
}

// ---------------------------------------------------------------------------
// OTPs.

std::string SimCore::NewOtpValue() {
  if (!config_.fixed_otp.empty()) return config_.fixed_otp;
  std::uniform_int_distribution<int> digits(0, 999999);
  return absl::StrFormat("%06d", digits(rng_));
}

std::string SimCore::NewCustomerOtpRef() {
  // 40 random bytes give a 56-character base64 token ending in "==", like
  // the samples Eko publishes.
  while (true) {
    std::string bytes(40, '\0');
    for (char& c : bytes) c = static_cast<char>(rng_() & 0xff);
    std::string ref = Base64(bytes);
    if (otps_.count(ref) == 0) return ref;
  }
}

std::string SimCore::NewNumericId(int digits) {
  std::uniform_int_distribution<int> first(1, 9);
  std::uniform_int_distribution<int> rest(0, 9);
  while (true) {
    std::string id(1, static_cast<char>('0' + first(rng_)));
    for (int i = 1; i < digits; ++i) id.push_back(static_cast<char>('0' + rest(rng_)));
    if (otps_.count(id) == 0) return id;
  }
}

void SimCore::PruneOtps(int64_t now_ms) {
  // Records are queued in issue order; with one lifetime for all of them that
  // is also expiry order, so each call drops a prefix (amortized O(1)).
  while (!otp_issue_order_.empty()) {
    const auto& [forget_ms, ref] = otp_issue_order_.front();
    if (now_ms < forget_ms && otp_issue_order_.size() < kMaxOtpRecords) break;
    otps_.erase(ref);
    otp_issue_order_.pop_front();
  }
}

const SimCore::OtpRecord& SimCore::IssueOtp(const std::string& customer_id, Flow flow,
                                            int64_t now_ms) {
  PruneOtps(now_ms);
  OtpRecord record;
  record.customer_id = customer_id;
  record.flow = flow;
  record.otp = NewOtpValue();
  if (flow == Flow::kCustomer) {
    record.otp_ref_id = NewCustomerOtpRef();
  } else {
    record.otp_ref_id = NewNumericId(12);
    record.kyc_request_id = std::to_string(next_kyc_request_id_++);
  }
  record.issued_ms = now_ms;
  record.expires_ms = now_ms + config_.otp_ttl_ms;
  latest_otp_[customer_id] = record.otp_ref_id;
  const std::string ref = record.otp_ref_id;
  otp_issue_order_.emplace_back(record.expires_ms + config_.otp_ttl_ms, ref);
  return otps_[ref] = std::move(record);
}

// ---------------------------------------------------------------------------
// Generic customer endpoints.

namespace {

SimResponse NotEnrolled() {
  return EnvelopeReply(308, 1, 308, "Failure!Customer Not Enrolled", [](JsonWriter& w) {
    w.StartObject();
    KeyStr(w, "sender_name", "");
    KeyStr(w, "ekyc_enabled", "");
    w.EndObject();
  });
}

SimResponse CustomerOtpSent(const std::string& otp_ref_id) {
  return EnvelopeReply(2129, 1, 2129, "Validate the OTP", [&](JsonWriter& w) {
    w.StartObject();
    KeyInt(w, "intent_id", 19);
    KeyStr(w, "kyc_request_id", "");
    KeyStr(w, "otp_ref_id", otp_ref_id);
    w.EndObject();
  });
}

// Eko's 309 "Success!" profile (docs/eko-api.md 5.3 and 5.9a).
SimResponse ProfileReply(const std::string& name, const std::string& mobile, int kyc_state) {
  return EnvelopeReply(0, -1, 309, "Success!", [&](JsonWriter& w) {
    w.StartObject();
    Key(w, "customer_profile");
    w.StartObject();
    KeyStr(w, "name", name);
    KeyStr(w, "mobile", mobile);
    KeyStr(w, "total_monthly_limit", kLimit);
    KeyStr(w, "next_allowed_limit", kLimit);
    KeyStr(w, "balance", "0.00");
    KeyInt(w, "kyc_state", kyc_state);
    KeyStr(w, "kyc_id", "");
    KeyStr(w, "kyc_validity", "");
    KeyStr(w, "kyc_remark", "");
    KeyStr(w, "kyc_type", "");
    KeyStr(w, "email", "");
    KeyInt(w, "ekyc_enabled", kyc_state == 1 ? 1 : 0);
    KeyInt(w, "digital_ekyc", 0);
    Key(w, "chart");
    w.StartArray();
    w.StartObject();
    KeyInt(w, "data_type_id", 10);
    KeyStr(w, "label", "Monthly Limit");
    Key(w, "data");
    w.StartObject();
    KeyStr(w, "used", "0.0");
    KeyStr(w, "remaining", kLimit);
    KeyStr(w, "unavailable", "0.0");
    w.EndObject();
    w.EndObject();
    w.EndArray();
    w.EndObject();
    KeyStr(w, "sender_name", name);
    KeyInt(w, "next_allowed_limit", kLimitNumber);
    KeyInt(w, "kyc_state", kyc_state);
    KeyInt(w, "is_registered", 1);
    for (const char* empty :
         {"id_proof_type_id", "id_proof", "account", "ekyc_enabled", "otpOptionalSum",
          "otpNotRequiredSum", "otpOptionalSumNeft", "otpNotRequiredSumNeft"}) {
      KeyStr(w, empty, "");
    }
    w.EndObject();
  });
}

// The lines of Onboard Customer's residence_address (checked beforehand).
std::vector<std::string> AddressLines(const RequestParams& params) {
  std::vector<std::string> lines;
  const rapidjson::Value* value = params.Find("residence_address");
  if (value != nullptr && value->IsArray()) {
    for (const auto& line : value->GetArray()) {
      if (line.IsString()) lines.emplace_back(line.GetString(), line.GetStringLength());
    }
  }
  return lines;
}

}  // namespace

SimResponse SimCore::GetCustomer(const std::string& customer_id, int64_t now_ms) {
  const auto it = customers_.find(customer_id);
  if (it == customers_.end() || !it->second.enrolled) return NotEnrolled();
  return CustomerOtpSent(IssueOtp(customer_id, Flow::kCustomer, now_ms).otp_ref_id);
}

SimResponse SimCore::OnboardCustomer(const std::string& customer_id, const RequestParams& params,
                                     int64_t now_ms) {
  Customer& customer = customers_[customer_id];
  if (customer.verified) return EnvelopeReply(17, 17, 17, "User wallet already exists");
  customer.enrolled = true;
  customer.name = std::string(absl::StripAsciiWhitespace(params.Text("name")));
  customer.dob = params.Text("dob");
  customer.residence_address = AddressLines(params);
  return CustomerOtpSent(IssueOtp(customer_id, Flow::kCustomer, now_ms).otp_ref_id);
}

SimResponse SimCore::VerifyCustomerOtp(const std::string& customer_id, const RequestParams& params,
                                       int64_t now_ms) {
  // Eko documents otp as optional. Without one (absent, null or blank) the
  // verification fails, whatever otp_ref_id names, and no OTP is consumed.
  const std::string otp = params.Text("otp");
  if (absl::StripAsciiWhitespace(otp).empty()) {
    return EnvelopeReply(2131, 1, 2131, "Validate OTP Failed");
  }
  const auto wrong = [] { return EnvelopeReply(302, 302, 2131, "Wrong OTP"); };
  const auto it = otps_.find(params.Text("otp_ref_id"));
  if (it == otps_.end()) return wrong();
  OtpRecord& record = it->second;
  if (record.customer_id != customer_id || record.flow != Flow::kCustomer || record.consumed) {
    return wrong();
  }
  if (record.force_expired || now_ms >= record.expires_ms) {
    return EnvelopeReply(303, 303, 2131, "OTP expired");
  }
  if (otp != record.otp) return wrong();

  record.consumed = true;
  Customer& customer = customers_[customer_id];
  customer.enrolled = true;
  customer.verified = true;
  if (EndsWith(customer_id, kScenarioAadhaarPending)) {
    return EnvelopeReply(2136, 1, 2136, "Aadhar Validation Pending");
  }
  if (EndsWith(customer_id, kScenarioPanRequired)) {
    const std::string application_id = std::to_string(next_application_id_++);
    return EnvelopeReply(0, 0, 2147, "Pan Number Required", [&](JsonWriter& w) {
      w.StartObject();
      KeyStr(w, "application_id", application_id);
      w.EndObject();
    });
  }
  return ProfileReply(customer.name, customer_id, /*kyc_state=*/0);
}

// ---------------------------------------------------------------------------
// DMT-Fino sender endpoints.

namespace {

SimResponse SenderKycPending() {
  return EnvelopeReply(0, 0, 2134, "Customer KYC Pending", [](JsonWriter& w) {
    w.StartObject();
    KeyStr(w, "otp_ref_id", "");
    w.EndObject();
  });
}

SimResponse EkycOtpSent(const std::string& user_code, const std::string& kyc_request_id,
                        const std::string& otp_ref_id) {
  return EnvelopeReply(0, 0, 2129, "Validate the OTP", [&](JsonWriter& w) {
    w.StartObject();
    KeyStr(w, "user_code", user_code);
    KeyStr(w, "intent_id", "");
    KeyStr(w, "kyc_request_id", kyc_request_id);
    KeyStr(w, "otp_ref_id", otp_ref_id);
    w.EndObject();
  });
}

SimResponse RegistrationCompleted(const std::string& user_code) {
  return EnvelopeReply(0, 0, 2132, "Customer Registration Completed", [&](JsonWriter& w) {
    w.StartObject();
    KeyStr(w, "user_code", user_code);
    w.EndObject();
  });
}

// Validate eKYC OTP's success: besides user_code, the sender's new state as
// the customer's reading of Eko's DMT-Fino docs lists it (customer_id,
// kyc_verified, available_limit). Eko's docs source dropped these fields
// from its sample (keeping only user_code); gateway tests cover their
// absence through fault injection.
SimResponse EkycVerified(const std::string& user_code, const std::string& customer_id) {
  return EnvelopeReply(0, 0, 2132, "Customer Registration Completed", [&](JsonWriter& w) {
    w.StartObject();
    KeyStr(w, "user_code", user_code);
    KeyStr(w, "customer_id", customer_id);
    Key(w, "kyc_verified");
    w.Bool(true);
    KeyInt(w, "available_limit", kLimitNumber);
    w.EndObject();
  });
}

SimResponse SenderNotFound() {
  return EnvelopeReply(463, 1, -1, "User not found", nullptr,
                       {{"customer_id", "Customer does not exist in System"}});
}

SimResponse EkycOtpFailed(int response_status_id, absl::string_view message) {
  return EnvelopeReply(2131, response_status_id, 2131, message, [&](JsonWriter& w) {
    w.StartObject();
    KeyStr(w, "description", message);
    w.EndObject();
  });
}

}  // namespace

SimResponse SimCore::GetSender(const std::string& customer_id, const std::string& user_code) {
  const auto it = customers_.find(customer_id);
  if (it == customers_.end()) return NotEnrolled();
  const Customer& customer = it->second;
  switch (customer.sender) {
    case SenderState::kNone:
      return NotEnrolled();
    case SenderState::kKycPending:
      return SenderKycPending();
    case SenderState::kOtpPending:
      // The refs of the latest eKYC OTP, as StartEkyc returned them.
      return EkycOtpSent(user_code, customer.pending_kyc_request_id, customer.pending_ekyc_ref);
    case SenderState::kComplete:
      return ProfileReply(customer.sender_name, customer_id, /*kyc_state=*/1);
  }
  return NotEnrolled();
}

SimResponse SimCore::OnboardSender(const std::string& customer_id, const RequestParams& params) {
  Customer& customer = customers_[customer_id];
  switch (customer.sender) {
    case SenderState::kNone: {
      absl::StatusOr<SenderAddress> address = ReadSenderAddress(params);  // Checked beforehand.
      customer.sender = SenderState::kKycPending;
      customer.sender_name = std::string(absl::StripAsciiWhitespace(params.Text("name")));
      customer.sender_dob = params.Text("dob");
      if (address.ok()) customer.sender_address = *std::move(address);
      return SenderKycPending();
    }
    case SenderState::kKycPending:
    case SenderState::kOtpPending:
      return SenderKycPending();
    case SenderState::kComplete:
      return ProfileReply(customer.sender_name, customer_id, /*kyc_state=*/1);
  }
  return SenderKycPending();
}

SimResponse SimCore::StartEkyc(const std::string& customer_id, const std::string& user_code,
                               const RequestParams& params, int64_t now_ms) {
  const auto it = customers_.find(customer_id);
  if (it == customers_.end() || it->second.sender == SenderState::kNone) return SenderNotFound();
  Customer& customer = it->second;
  const std::string piddata = params.Text("piddata");
  if (!absl::StartsWith(piddata, "<") || EndsWith(customer_id, kScenarioEkycFails)) {
    return EnvelopeReply(2135, 1, 2135, "Customer KYC Pending", [](JsonWriter& w) {
      w.StartObject();
      KeyStr(w, "description", "K-100 EKYC Verification failed");
      w.EndObject();
    });
  }
  if (customer.sender == SenderState::kComplete) return RegistrationCompleted(user_code);
  const OtpRecord& record = IssueOtp(customer_id, Flow::kEkyc, now_ms);
  customer.sender = SenderState::kOtpPending;
  customer.pending_ekyc_ref = record.otp_ref_id;
  customer.pending_kyc_request_id = record.kyc_request_id;
  return EkycOtpSent(user_code, record.kyc_request_id, record.otp_ref_id);
}

SimResponse SimCore::VerifyEkycOtp(const std::string& customer_id, const std::string& user_code,
                                   const RequestParams& params, int64_t now_ms) {
  const auto customer = customers_.find(customer_id);
  if (customer == customers_.end() || customer->second.sender == SenderState::kNone) {
    return SenderNotFound();
  }
  if (customer->second.sender == SenderState::kComplete) {
    return EnvelopeReply(2131, 1, 2131, "Customer Already registred");
  }
  const auto it = otps_.find(params.Text("otp_ref_id"));
  if (it == otps_.end()) return EkycOtpFailed(302, "Wrong OTP");
  OtpRecord& record = it->second;
  if (record.customer_id != customer_id || record.flow != Flow::kEkyc || record.consumed ||
      record.kyc_request_id != params.Text("kyc_request_id")) {
    return EkycOtpFailed(302, "Wrong OTP");
  }
  if (record.force_expired || now_ms >= record.expires_ms) {
    return EkycOtpFailed(303, "OTP expired");
  }
  if (params.Text("otp") != record.otp) return EkycOtpFailed(302, "Wrong OTP");
  record.consumed = true;
  customer->second.sender = SenderState::kComplete;
  customer->second.pending_ekyc_ref.clear();
  customer->second.pending_kyc_request_id.clear();
  return EkycVerified(user_code, customer_id);
}

// ---------------------------------------------------------------------------
// Admin endpoints.

SimResponse SimCore::HandleAdmin(const SimRequest& request, int64_t now_ms) {
  const absl::string_view sub = absl::string_view(request.path).substr(sizeof(kAdminPrefix) - 1);
  const std::string& method = request.method;

  // Each admin path and the methods it accepts; the handlers follow below.
  static const auto* kAdminRoutes = new std::map<absl::string_view, std::vector<std::string>>{
      {"/health", {"GET"}},      {"/otp", {"GET"}},
      {"/otp/expire", {"POST"}}, {"/requests", {"GET", "DELETE"}},
      {"/reset", {"POST"}},      {"/faults", {"GET", "POST", "DELETE"}},
  };
  const auto route = kAdminRoutes->find(sub);
  if (route == kAdminRoutes->end()) return AdminError(404, "unknown admin endpoint");
  if (std::find(route->second.begin(), route->second.end(), method) == route->second.end()) {
    SimResponse response = AdminError(405, "method not allowed");
    response.headers.emplace_back("Allow", absl::StrJoin(route->second, ", "));
    return response;
  }

  if (sub == "/faults") return HandleFaultsAdmin(request);

  rapidjson::StringBuffer buffer;
  JsonWriter w(buffer);
  if (sub == "/health") {
    w.StartObject();
    Key(w, "ok");
    w.Bool(true);
    w.EndObject();
    return JsonReply(200, buffer.GetString());
  }
  if (sub == "/reset") {
    ResetLocked();
    w.StartObject();
    Key(w, "ok");
    w.Bool(true);
    w.EndObject();
    return JsonReply(200, buffer.GetString());
  }
  if (sub == "/otp" || sub == "/otp/expire") {
    const auto id = request.query.find("customer_id");
    if (id == request.query.end() || id->second.empty()) {
      return AdminError(400, "query parameter customer_id is required");
    }
    const std::string& customer_id = id->second;
    if (sub == "/otp/expire") {
      int expired = 0;
      for (auto& [ref, record] : otps_) {
        if (record.customer_id == customer_id && !record.consumed && !record.force_expired &&
            now_ms < record.expires_ms) {
          record.force_expired = true;
          ++expired;
        }
      }
      w.StartObject();
      KeyStr(w, "customer_id", customer_id);
      KeyInt(w, "expired", expired);
      w.EndObject();
      return JsonReply(200, buffer.GetString());
    }
    const auto latest = latest_otp_.find(customer_id);
    const auto record = latest == latest_otp_.end() ? otps_.end() : otps_.find(latest->second);
    if (record == otps_.end()) return AdminError(404, "no OTP issued to this customer_id");
    const OtpRecord& otp = record->second;
    w.StartObject();
    KeyStr(w, "customer_id", customer_id);
    KeyStr(w, "otp", otp.otp);
    KeyStr(w, "otp_ref_id", otp.otp_ref_id);
    KeyStr(w, "kyc_request_id", otp.kyc_request_id);
    KeyStr(w, "flow", otp.flow == Flow::kCustomer ? "customer" : "ekyc");
    KeyInt(w, "issued_ms", otp.issued_ms);
    KeyInt(w, "expires_ms", otp.expires_ms);
    Key(w, "consumed");
    w.Bool(otp.consumed);
    Key(w, "expired");
    w.Bool(otp.force_expired || now_ms >= otp.expires_ms);
    w.EndObject();
    return JsonReply(200, buffer.GetString());
  }
  // "/requests"
  if (method == "DELETE") {
    request_log_.clear();
    w.StartObject();
    Key(w, "ok");
    w.Bool(true);
    w.EndObject();
    return JsonReply(200, buffer.GetString());
  }
  w.StartArray();
  for (const LoggedRequest& entry : request_log_) {
    w.StartObject();
    KeyStr(w, "method", entry.method);
    KeyStr(w, "path", entry.path);
    KeyStrObject(w, "query", entry.query);
    KeyStr(w, "body", entry.body);
    KeyStr(w, "content_type", entry.content_type);
    Key(w, "header_names");
    w.StartArray();
    for (const std::string& name : entry.header_names) Str(w, name);
    w.EndArray();
    Key(w, "auth_ok");
    w.Bool(entry.auth_ok);
    Key(w, "developer_key_present");
    w.Bool(entry.developer_key_present);
    KeyStr(w, "timestamp", entry.timestamp);
    KeyInt(w, "received_ms", entry.received_ms);
    Key(w, "fault_id");
    if (entry.fault_id != 0) {
      w.Int64(entry.fault_id);
    } else {
      w.Null();
    }
    w.EndObject();
  }
  w.EndArray();
  // Logged bodies may hold NUL bytes, so the size is passed along.
  return JsonReply(200, std::string(buffer.GetString(), buffer.GetSize()));
}

SimResponse SimCore::HandleFaultsAdmin(const SimRequest& request) {
  if (request.method == "GET") return JsonReply(200, faults_.ToJson());
  rapidjson::StringBuffer buffer;
  JsonWriter w(buffer);
  w.StartObject();
  if (request.method == "DELETE") {
    KeyInt(w, "cleared", static_cast<int64_t>(faults_.Clear()));
  } else {  // POST
    absl::StatusOr<FaultSpec> spec = ParseFaultSpec(request.body);
    if (!spec.ok()) return AdminError(400, spec.status().message());
    if (faults_.size() >= kMaxFaults) {
      return AdminError(400, absl::StrCat("at most ", kMaxFaults, " faults may be active"));
    }
    KeyInt(w, "id", faults_.Add(*std::move(spec)));
  }
  w.EndObject();
  return JsonReply(200, buffer.GetString());
}

}  // namespace eko::sim
