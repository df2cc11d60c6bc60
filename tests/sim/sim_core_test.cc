#include "tests/sim/sim_core.h"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "rapidjson/document.h"
#include "tests/sim/signature.h"

namespace eko::sim {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr int64_t kNow = 1750000000000;  // 2025-06-15, a 13-digit ms timestamp.
constexpr char kInitiator[] = "9962981729";
constexpr char kUserCode[] = "20810200";
constexpr char kAddress[] = R"(["123 MG Road","Bangalore","Karnataka","560001"])";
// Onboard Sender's residence_address: a JSON string holding a JSON object.
constexpr char kSenderAddress[] =
    R"("{\"line\":\"India\",\"city\":\"Indore\",\"state\":\"Madhya Pradesh\",)"
    R"(\"pincode\":\"226024\",\"district\":\"Indore\",\"area\":\"gita bhavan\"}")";

rapidjson::Document ParseJson(const std::string& text) {
  rapidjson::Document doc;
  doc.Parse(text.c_str());
  EXPECT_FALSE(doc.HasParseError()) << text;
  return doc;
}

// The common body fields plus `extra` (a JSON fragment without braces).
std::string Body(const std::string& extra = "") {
  std::string body =
      absl::StrCat(R"({"initiator_id":")", kInitiator, R"(","user_code":")", kUserCode, "\"");
  if (!extra.empty()) absl::StrAppend(&body, ",", extra);
  return body + "}";
}

std::string OnboardFields(const std::string& name = "Asha Rao") {
  return absl::StrCat(R"("name":")", name, R"(","dob":"1990-05-15","residence_address":)",
                      kAddress);
}

// Onboard Sender's fields, with `address` as the residence_address JSON value.
std::string SenderFields(const std::string& name = "Ravi Kumar",
                         const std::string& address = kSenderAddress) {
  return absl::StrCat(R"("name":")", name, R"(","dob":"1985-01-31","residence_address":)", address);
}

class SimCoreTest : public ::testing::Test {
 protected:
  explicit SimCoreTest(SimConfig config = SimConfig()) : config_(config), core_(config) {}

  // A correctly signed request for `path` relative to the base path.
  SimRequest Signed(const std::string& method, const std::string& path) const {
    SimRequest request;
    request.method = method;
    request.path = config_.base_path + path;
    const std::string timestamp = std::to_string(now_);
    request.headers["developer_key"] = config_.developer_key;
    request.headers["secret-key-timestamp"] = timestamp;
    request.headers["secret-key"] = ComputeSecretKey(config_.access_key, timestamp);
    if (method != "GET") request.headers["content-type"] = "application/json";
    return request;
  }

  SimResponse Get(const std::string& path,
                  std::map<std::string, std::string> query = {{"initiator_id", kInitiator},
                                                              {"user_code", kUserCode}}) {
    SimRequest request = Signed("GET", path);
    request.query = std::move(query);
    return core_.Handle(request, now_);
  }

  // A correctly signed lookup of the seeded customer, with each header of
  // `changes` set to its value, or removed where it has none.
  SimResponse LookupWithHeaders(const std::map<std::string, std::optional<std::string>>& changes) {
    SimRequest request = Signed("GET", "/customer/profile/6111111111");
    request.query = {{"initiator_id", kInitiator}, {"user_code", kUserCode}};
    for (const auto& [name, value] : changes) {
      if (value.has_value()) {
        request.headers[name] = *value;
      } else {
        request.headers.erase(name);
      }
    }
    return core_.Handle(request, now_);
  }

  SimResponse Send(const std::string& method, const std::string& path, const std::string& body) {
    SimRequest request = Signed(method, path);
    request.body = body;
    return core_.Handle(request, now_);
  }

  SimResponse Admin(const std::string& method, const std::string& path,
                    std::map<std::string, std::string> query = {}) {
    SimRequest request;
    request.method = method;
    request.path = std::string(kAdminPrefix) + path;
    request.query = std::move(query);
    return core_.Handle(request, now_);
  }

  // Adds a fault through POST /__sim/faults; returns its id.
  int64_t AddFault(const std::string& json) {
    SimRequest request;
    request.method = "POST";
    request.path = std::string(kAdminPrefix) + "/faults";
    request.body = json;
    const SimResponse response = core_.Handle(request, now_);
    EXPECT_EQ(response.http_status, 200) << json << " -> " << response.body;
    const rapidjson::Document doc = ParseJson(response.body);
    return doc.IsObject() && doc.HasMember("id") ? doc["id"].GetInt64() : -1;
  }

  // The latest OTP issued to `customer_id`, read through the admin endpoint.
  rapidjson::Document LatestOtp(const std::string& customer_id) {
    const SimResponse response = Admin("GET", "/otp", {{"customer_id", customer_id}});
    EXPECT_EQ(response.http_status, 200) << response.body;
    return ParseJson(response.body);
  }

  SimResponse VerifyCustomer(const std::string& customer_id, const std::string& otp_json,
                             const std::string& ref) {
    return Send("POST", "/customer/account/" + customer_id + "/otp/verify",
                Body(absl::StrCat(R"("otp":)", otp_json, R"(,"otp_ref_id":")", ref, "\"")));
  }

  // The OTP of `otp` (a LatestOtp answer) as a JSON string.
  static std::string QuotedOtp(const rapidjson::Document& otp) {
    return absl::StrCat("\"", otp["otp"].GetString(), "\"");
  }

  // VerifyCustomer with the OTP and reference of `otp` (a LatestOtp answer).
  SimResponse VerifyWithOtp(const std::string& customer_id, const rapidjson::Document& otp) {
    return VerifyCustomer(customer_id, QuotedOtp(otp), otp["otp_ref_id"].GetString());
  }

  // Onboards `customer_id` on the generic flow and verifies its OTP.
  SimResponse OnboardAndVerify(const std::string& customer_id) {
    const SimResponse onboard =
        Send("POST", "/customer/account/" + customer_id, Body(OnboardFields()));
    EXPECT_EQ(ParseJson(onboard.body)["response_type_id"].GetInt(), 2129) << onboard.body;
    const rapidjson::Document otp = LatestOtp(customer_id);
    return VerifyWithOtp(customer_id, otp);
  }

  SimConfig config_;
  SimCore core_;
  int64_t now_ = kNow;
};

// Expects HTTP 200 and the given envelope ids; returns the parsed body.
rapidjson::Document ExpectEnvelope(const SimResponse& response, int status, int rsi, int rt) {
  EXPECT_EQ(response.http_status, 200) << response.body;
  rapidjson::Document doc = ParseJson(response.body);
  if (!doc.IsObject()) return doc;
  EXPECT_EQ(doc["status"].GetInt(), status) << response.body;
  EXPECT_EQ(doc["response_status_id"].GetInt(), rsi) << response.body;
  EXPECT_EQ(doc["response_type_id"].GetInt(), rt) << response.body;
  EXPECT_TRUE(doc["message"].IsString()) << response.body;
  return doc;
}

// --- Signature -------------------------------------------------------------

TEST(SimSignatureTest, MatchesEkoKnownAnswerVectors) {
  EXPECT_EQ(ComputeSecretKey("test-access-key-123", "1700000000000"),
            "88lqTf9ew69XbVbeczjxVL8/B4vibfp1MvTi1mIj2Xo=");
  EXPECT_EQ(ComputeSecretKey("TEST_ACCESS_KEY_DO_NOT_USE", "1700000000000"),
            "u30ak/iOGwKCaspqCeiYng8fd98QDx7kF3DBBOadQHk=");
}

TEST(SimSignatureTest, Base64IsStandardAndPadded) {
  // Each padding length, and the two characters of the standard (not URL) alphabet.
  const std::pair<std::string, std::string> kEncodings[] = {
      {"", ""}, {"f", "Zg=="}, {"fo", "Zm8="}, {"foo", "Zm9v"}, {"\xfb\xff", "+/8="}};
  for (const auto& [input, encoded] : kEncodings) {
    EXPECT_EQ(Base64(input), encoded) << absl::CEscape(input);
  }
}

TEST(SimSignatureTest, ConstantTimeEquals) {
  EXPECT_TRUE(ConstantTimeEquals("abc", "abc"));
  EXPECT_TRUE(ConstantTimeEquals("", ""));
  EXPECT_FALSE(ConstantTimeEquals("abc", "abd"));
  EXPECT_FALSE(ConstantTimeEquals("abc", "abcd"));
}

TEST(SimConfigTest, ValidatesConfig) {
  EXPECT_TRUE(ValidateConfig(SimConfig()).ok());
  SimConfig config;
  config.base_path = "ekoapi/v3";
  EXPECT_FALSE(ValidateConfig(config).ok());
  config = SimConfig();
  config.base_path = "/ekoapi/v3/";
  EXPECT_FALSE(ValidateConfig(config).ok());
  config = SimConfig();
  config.fixed_otp = "12ab";
  EXPECT_FALSE(ValidateConfig(config).ok());
  config = SimConfig();
  config.latency_ms = -1;
  EXPECT_FALSE(ValidateConfig(config).ok());
}

// --- Authentication --------------------------------------------------------

TEST_F(SimCoreTest, SignedRequestIsAccepted) {
  ExpectEnvelope(Get("/customer/profile/6111111111"), 2129, 1, 2129);
}

void ExpectForbidden(const SimResponse& response) {
  EXPECT_EQ(response.http_status, 403);
  EXPECT_EQ(response.body, R"({"status":403,"message":"Forbidden"})");
}

TEST_F(SimCoreTest, MissingOrWrongDeveloperKeyIsForbidden) {
  ExpectForbidden(LookupWithHeaders({{"developer_key", std::nullopt}}));
  ExpectForbidden(LookupWithHeaders({{"developer_key", "not-the-key"}}));
  // Eko needs the underscore spelling.
  ExpectForbidden(LookupWithHeaders(
      {{"developer_key", std::nullopt}, {"developer-key", config_.developer_key}}));
}

TEST_F(SimCoreTest, MissingOrWrongSignatureIsForbidden) {
  ExpectForbidden(LookupWithHeaders({{"secret-key", std::nullopt}}));
  // Signed a different timestamp than sent.
  ExpectForbidden(LookupWithHeaders(
      {{"secret-key", ComputeSecretKey(config_.access_key, std::to_string(now_ - 1))}}));
  // A value that is no signature.
  ExpectForbidden(LookupWithHeaders({{"secret-key", "not-a-signature"}}));
  ExpectForbidden(LookupWithHeaders({{"secret-key-timestamp", std::nullopt}}));
}

TEST_F(SimCoreTest, TimestampMustBeMillisecondsWithinWindow) {
  const auto with_timestamp = [&](int64_t timestamp_ms) {
    const std::string text = std::to_string(timestamp_ms);
    return LookupWithHeaders({{"secret-key-timestamp", text},
                              {"secret-key", ComputeSecretKey(config_.access_key, text)}});
  };
  EXPECT_EQ(with_timestamp(now_ - config_.timestamp_window_ms).http_status, 200);
  EXPECT_EQ(with_timestamp(now_ + config_.timestamp_window_ms).http_status, 200);
  ExpectForbidden(with_timestamp(now_ - config_.timestamp_window_ms - 1));
  ExpectForbidden(with_timestamp(now_ + config_.timestamp_window_ms + 1));
  ExpectForbidden(with_timestamp(now_ / 1000));  // Seconds, 10 digits.
}

// --- Routing, content type, body -------------------------------------------

TEST_F(SimCoreTest, UnknownPathIs404) {
  for (const char* path :
       {"/customer/profiles/6111111111", "/customer/profile/", "/customer/profile/6111111111/",
        "/customer/profile", "/customer//profile/6111111111", ""}) {
    SCOPED_TRACE(path);
    const SimResponse response = Get(path);
    EXPECT_EQ(response.http_status, 404);
    EXPECT_EQ(response.body, R"({"status":404,"message":"No mapping rule matched"})");
  }
  SimRequest outside = Signed("GET", "");
  outside.path = "/ekoapi/v2/customer/profile/6111111111";  // Wrong version segment.
  EXPECT_EQ(core_.Handle(outside, now_).http_status, 404);
  outside.path = "/ekoapi/v3x/customer/profile/6111111111";
  EXPECT_EQ(core_.Handle(outside, now_).http_status, 404);
}

TEST_F(SimCoreTest, WrongMethodIs405BeforeAuth) {
  SimRequest request;
  request.method = "POST";
  request.path = config_.base_path + "/customer/profile/6111111111";
  const SimResponse response = core_.Handle(request, now_);
  EXPECT_EQ(response.http_status, 405);
  EXPECT_THAT(response.headers,
              ::testing::Contains(std::make_pair(std::string("Allow"), std::string("GET"))));
  EXPECT_EQ(Send("GET", "/customer/account/6111111111", "").http_status, 405);
  EXPECT_EQ(Send("POST", "/customer/payment/dmt-fino/sender/6111111111/otp", Body()).http_status,
            405);
  EXPECT_EQ(Send("DELETE", "/customer/payment/dmt-fino/sender/6111111111", "").http_status, 405);
}

TEST_F(SimCoreTest, PostAndPutNeedJsonContentType) {
  for (const std::string type :
       {"", "text/plain", "application/x-www-form-urlencoded", "application/jsonx"}) {
    SCOPED_TRACE(type);
    SimRequest request = Signed("POST", "/customer/account/9000000001");
    request.body = Body(OnboardFields());
    if (type.empty()) {
      request.headers.erase("content-type");
    } else {
      request.headers["content-type"] = type;
    }
    const SimResponse response = core_.Handle(request, now_);
    EXPECT_EQ(response.http_status, 415);
    EXPECT_EQ(response.body, R"({"status":415,"message":"Unsupported Media Type"})");
  }
  SimRequest with_charset = Signed("PUT", "/customer/payment/dmt-fino/sender/6222222222/otp");
  with_charset.headers["content-type"] = "Application/JSON; charset=utf-8";
  with_charset.body = Body(R"("aadhar":"123412341234","piddata":"<PidData/>")");
  ExpectEnvelope(core_.Handle(with_charset, now_), 0, 0, 2132);
}

TEST_F(SimCoreTest, BodyThatIsNotAJsonObjectHasNoKeyForResponse) {
  for (const std::string body : {"", "not json", "[1,2]", "\"text\"", "{\"a\":1} trailing"}) {
    SCOPED_TRACE(body);
    const SimResponse response = Send("POST", "/customer/account/9000000001", body);
    const rapidjson::Document doc = ExpectEnvelope(response, 1, 1, -1);
    EXPECT_STREQ(doc["message"].GetString(), "No Key for Response");
  }
}

// --- Common parameters -----------------------------------------------------

TEST_F(SimCoreTest, InitiatorMustMatch) {
  for (const auto& query : std::vector<std::map<std::string, std::string>>{
           {{"user_code", kUserCode}},
           {{"initiator_id", "9000000000"}, {"user_code", kUserCode}}}) {
    const rapidjson::Document doc =
        ExpectEnvelope(Get("/customer/profile/6111111111", query), 319, 1, -1);
    EXPECT_STREQ(doc["message"].GetString(), "Invalid initiator");
    EXPECT_STREQ(doc["invalid_params"]["initiator_id"].GetString(), "Invalid initiator");
  }
}

TEST_F(SimCoreTest, GetReadsQueryAndPostReadsBodyOnly) {
  // A GET whose parameters sit in a body instead of the query.
  SimRequest get = Signed("GET", "/customer/profile/6111111111");
  get.body = Body();
  ExpectEnvelope(core_.Handle(get, now_), 319, 1, -1);
  // A POST whose parameters sit in the query instead of the body.
  SimRequest post = Signed("POST", "/customer/account/9000000001");
  post.query = {{"initiator_id", kInitiator}, {"user_code", kUserCode}};
  post.body = absl::StrCat("{", OnboardFields(), "}");
  ExpectEnvelope(core_.Handle(post, now_), 319, 1, -1);
}

TEST_F(SimCoreTest, NumbersAreAcceptedForScalarParams) {
  const SimResponse response =
      Send("POST", "/customer/account/9000000001",
           absl::StrCat(R"({"initiator_id":9962981729,"user_code":20810200,"client_ref_id":77,)",
                        OnboardFields(), "}"));
  ExpectEnvelope(response, 2129, 1, 2129);
}

TEST_F(SimCoreTest, UserCodeChecks) {
  rapidjson::Document doc = ExpectEnvelope(
      Get("/customer/profile/6111111111", {{"initiator_id", kInitiator}}), 461, 1, -1);
  EXPECT_STREQ(doc["message"].GetString(), "Invalid parameters");
  EXPECT_TRUE(doc["invalid_params"].HasMember("user_code"));

  doc = ExpectEnvelope(Get("/customer/profile/6111111111",
                           {{"initiator_id", kInitiator}, {"user_code", "20A10200"}}),
                       461, 1, -1);
  EXPECT_TRUE(doc["invalid_params"].HasMember("user_code"));

  doc = ExpectEnvelope(Get("/customer/profile/6111111111",
                           {{"initiator_id", kInitiator}, {"user_code", "00000000"}}),
                       346, 1, -1);
  EXPECT_STREQ(doc["message"].GetString(), "User/agent not onboarded");
}

TEST_F(SimCoreTest, ClientRefIdAtMostTwentyCharacters) {
  ExpectEnvelope(Get("/customer/profile/6111111111", {{"initiator_id", kInitiator},
                                                      {"user_code", kUserCode},
                                                      {"client_ref_id", std::string(20, 'a')}}),
                 2129, 1, 2129);
  const rapidjson::Document doc =
      ExpectEnvelope(Get("/customer/profile/6111111111", {{"initiator_id", kInitiator},
                                                          {"user_code", kUserCode},
                                                          {"client_ref_id", std::string(21, 'a')}}),
                     461, 1, -1);
  EXPECT_TRUE(doc["invalid_params"].HasMember("client_ref_id"));
}

TEST_F(SimCoreTest, CustomerIdMustBeTenDigits) {
  for (const std::string id : {"611111111", "61111111111", "61111a1111"}) {
    SCOPED_TRACE(id);
    const rapidjson::Document doc = ExpectEnvelope(Get("/customer/profile/" + id), 461, 1, -1);
    EXPECT_TRUE(doc["invalid_params"].HasMember("customer_id"));
  }
}

TEST_F(SimCoreTest, InvalidParamsListsEveryBadField) {
  const SimResponse response =
      Send("POST", "/customer/account/12345",
           absl::StrCat(R"({"initiator_id":")", kInitiator,
                        R"(","client_ref_id":"abcdefghijklmnopqrstuvwxyz",)",
                        R"("dob":"1990-02-30","residence_address":"one line"})"));
  const rapidjson::Document doc = ExpectEnvelope(response, 461, 1, -1);
  const rapidjson::Value& bad = doc["invalid_params"];
  for (const char* field :
       {"customer_id", "user_code", "client_ref_id", "name", "dob", "residence_address"}) {
    EXPECT_TRUE(bad.HasMember(field)) << field << " in " << response.body;
  }
  EXPECT_EQ(bad.MemberCount(), 6u) << response.body;
}

TEST_F(SimCoreTest, OnboardFieldFormats) {
  const auto bad_fields = [&](const std::string& fields) {
    const SimResponse response = Send("POST", "/customer/account/9000000001", Body(fields));
    const rapidjson::Document doc = ParseJson(response.body);
    std::vector<std::string> names;
    if (doc.HasMember("invalid_params")) {
      for (const auto& m : doc["invalid_params"].GetObject()) names.push_back(m.name.GetString());
    }
    return names;
  };
  using ::testing::ElementsAre;
  EXPECT_THAT(bad_fields(R"("name":"A","dob":"15-05-1990","residence_address":["x"])"),
              ElementsAre("dob"));
  EXPECT_THAT(bad_fields(R"("name":"  ","dob":"1990-05-15","residence_address":["x"])"),
              ElementsAre("name"));
  EXPECT_THAT(bad_fields(R"("name":"A","dob":"1990-05-15","residence_address":[])"),
              ElementsAre("residence_address"));
  EXPECT_THAT(bad_fields(R"("name":"A","dob":"1990-05-15","residence_address":["x",3])"),
              ElementsAre("residence_address"));
  EXPECT_THAT(bad_fields(R"("name":{"a":1},"dob":"2000-02-29","residence_address":["x"])"),
              ElementsAre("name"));
}

// --- DMT-Fino residence_address ----------------------------------------------

TEST(SimSenderAddressTest, ParsesTheDocumentedObject) {
  absl::StatusOr<SenderAddress> address =
      ParseSenderAddress(R"({"line":"India","city":"Indore","state":"Madhya Pradesh",)"
                         R"("pincode":"226024","district":"Indore","area":"gita bhavan"})");
  ASSERT_TRUE(address.ok()) << address.status();
  EXPECT_EQ(address->line, "India");
  EXPECT_EQ(address->city, "Indore");
  EXPECT_EQ(address->state, "Madhya Pradesh");
  EXPECT_EQ(address->pincode, "226024");
  EXPECT_EQ(address->district, "Indore");
  EXPECT_EQ(address->area, "gita bhavan");

  // district and area are optional (null counts as absent); other members are ignored.
  address = ParseSenderAddress(
      R"({"line":"1 Road","city":"Pune","state":"MH","pincode":"411001","area":null,"x":1})");
  ASSERT_TRUE(address.ok()) << address.status();
  EXPECT_EQ(address->district, "");
  EXPECT_EQ(address->area, "");
}

TEST(SimSenderAddressTest, GivesAShortReasonForEachProblem) {
  const auto reason = [](const std::string& json) {
    const absl::StatusOr<SenderAddress> address = ParseSenderAddress(json);
    EXPECT_FALSE(address.ok()) << json;
    EXPECT_EQ(address.status().code(), absl::StatusCode::kInvalidArgument) << json;
    return std::string(address.status().message());
  };
  constexpr char kNotObject[] = "Must be a string holding a JSON object";
  EXPECT_EQ(reason(R"(["India","Indore","Madhya Pradesh","226024"])"), kNotObject);
  EXPECT_EQ(reason("12 Main Rd, Indore"), kNotObject);
  EXPECT_EQ(reason(""), kNotObject);
  EXPECT_EQ(reason(R"("text")"), kNotObject);
  EXPECT_EQ(reason(R"({"line":"a","city":"b","state":"c","pincode":"226024"} x)"), kNotObject);
  EXPECT_EQ(reason(R"({"city":"b","state":"c","pincode":"226024"})"), "line is required");
  EXPECT_EQ(reason(R"({"line":"  ","city":"b","state":"c","pincode":"226024"})"),
            "line is required");
  EXPECT_EQ(reason(R"({"line":"a","city":null,"state":"c","pincode":"226024"})"),
            "city is required");
  EXPECT_EQ(reason(R"({"line":"a","city":"b","state":7,"pincode":"226024"})"),
            "state must be a string");
  EXPECT_EQ(reason(R"({"line":"a","city":"b","state":"c"})"), "pincode is required");
  EXPECT_EQ(reason(R"({"line":"a","city":"b","state":"c","pincode":226024})"),
            "pincode must be a string");
  for (const char* pincode : {"22602", "2260245", "22602a", " 226024"}) {
    EXPECT_EQ(
        reason(absl::StrCat(R"({"line":"a","city":"b","state":"c","pincode":")", pincode, "\"}")),
        "pincode must be 6 digits")
        << pincode;
  }
  EXPECT_EQ(reason(R"({"line":"a","city":"b","state":"c","pincode":"226024","district":5})"),
            "district must be a string");
  EXPECT_EQ(reason(R"({"line":"a","city":"b","state":"c","pincode":"226024","area":[]})"),
            "area must be a string");
}

// Onboard Sender takes only a JSON string holding the address object; every
// other form is a 461 naming residence_address, and no sender is created.
TEST_F(SimCoreTest, OnboardSenderRejectsEveryOtherAddressForm) {
  const std::string path = "/customer/payment/dmt-fino/sender/9000000001";
  constexpr char kNotObject[] = "Must be a string holding a JSON object";
  const std::vector<std::pair<std::string, std::string>> cases = {
      {R"(["12 Main Rd","Indore","Madhya Pradesh","452001"])", kNotObject},
      {R"("[\"12 Main Rd\",\"Indore\"]")", kNotObject},
      {R"("12 Main Rd")", kNotObject},
      {R"({"line":"a","city":"b","state":"c","pincode":"452001"})", kNotObject},
      {"452001", kNotObject},
      {R"("{\"line\":\"a\",\"city\":\"b\",\"state\":\"c\"}")", "pincode is required"},
      {R"("{\"line\":\"a\",\"city\":\"b\",\"state\":\"c\",\"pincode\":\"4520\"}")",
       "pincode must be 6 digits"},
      {R"("")", "Required"},
      {R"("   ")", "Required"},
      {"null", "Required"},
  };
  for (const auto& [address, why] : cases) {
    SCOPED_TRACE(address);
    const SimResponse response = Send("POST", path, Body(SenderFields("Ravi Kumar", address)));
    const rapidjson::Document doc = ExpectEnvelope(response, 461, 1, -1);
    EXPECT_STREQ(doc["message"].GetString(), "Invalid parameters");
    EXPECT_EQ(doc["invalid_params"]["residence_address"].GetString(), why) << response.body;
    EXPECT_EQ(doc["invalid_params"].MemberCount(), 1u) << response.body;
  }
  const rapidjson::Document absent = ExpectEnvelope(
      Send("POST", path, Body(R"("name":"Ravi Kumar","dob":"1985-01-31")")), 461, 1, -1);
  EXPECT_STREQ(absent["invalid_params"]["residence_address"].GetString(), "Required");
  ExpectEnvelope(Get(path), 308, 1, 308);
  ExpectEnvelope(Send("POST", path, Body(SenderFields())), 0, 0, 2134);
}

// Onboard Customer keeps its own form: a JSON array of non-empty strings.
TEST_F(SimCoreTest, OnboardCustomerStillTakesAnArrayOfLines) {
  const rapidjson::Document doc = ExpectEnvelope(
      Send("POST", "/customer/account/9000000001", Body(SenderFields("Asha Rao", kSenderAddress))),
      461, 1, -1);
  EXPECT_STREQ(doc["invalid_params"]["residence_address"].GetString(),
               "Must be a JSON array of strings");
  ExpectEnvelope(Send("POST", "/customer/account/9000000001", Body(OnboardFields())), 2129, 1,
                 2129);
}

// --- Generic customer ------------------------------------------------------

TEST_F(SimCoreTest, UnknownCustomerIsNotEnrolled) {
  const SimResponse response = Get("/customer/profile/9000000001");
  const rapidjson::Document doc = ExpectEnvelope(response, 308, 1, 308);
  EXPECT_STREQ(doc["message"].GetString(), "Failure!Customer Not Enrolled");
  EXPECT_STREQ(doc["data"]["sender_name"].GetString(), "");
  EXPECT_STREQ(doc["data"]["ekyc_enabled"].GetString(), "");
  EXPECT_EQ(
      response.headers,
      (std::vector<std::pair<std::string, std::string>>{{"Content-Type", "application/json"}}));
}

TEST_F(SimCoreTest, NewCustomerOnboardsAndVerifiesToFullProfile) {
  const SimResponse onboard =
      Send("POST", "/customer/account/9000000001", Body(OnboardFields("Asha Rao")));
  const rapidjson::Document sent = ExpectEnvelope(onboard, 2129, 1, 2129);
  EXPECT_STREQ(sent["message"].GetString(), "Validate the OTP");
  EXPECT_EQ(sent["data"]["intent_id"].GetInt(), 19);
  EXPECT_STREQ(sent["data"]["kyc_request_id"].GetString(), "");
  const std::string ref = sent["data"]["otp_ref_id"].GetString();
  EXPECT_GE(ref.size(), 40u);

  const rapidjson::Document otp = LatestOtp("9000000001");
  EXPECT_EQ(otp["otp_ref_id"].GetString(), ref);
  EXPECT_STREQ(otp["flow"].GetString(), "customer");
  const std::string code = otp["otp"].GetString();
  EXPECT_EQ(code.size(), 6u);

  const SimResponse verify = VerifyCustomer("9000000001", "\"" + code + "\"", ref);
  const rapidjson::Document doc = ExpectEnvelope(verify, 0, -1, 309);
  EXPECT_STREQ(doc["message"].GetString(), "Success!");
  const rapidjson::Value& data = doc["data"];
  const rapidjson::Value& profile = data["customer_profile"];
  EXPECT_STREQ(profile["name"].GetString(), "Asha Rao");
  EXPECT_STREQ(profile["mobile"].GetString(), "9000000001");
  EXPECT_STREQ(profile["total_monthly_limit"].GetString(), "25000.0");
  EXPECT_STREQ(profile["next_allowed_limit"].GetString(), "25000.0");
  EXPECT_STREQ(profile["balance"].GetString(), "0.00");
  EXPECT_EQ(profile["kyc_state"].GetInt(), 0);
  ASSERT_TRUE(profile["chart"].IsArray());
  ASSERT_EQ(profile["chart"].Size(), 1u);
  const rapidjson::Value& chart = profile["chart"][0];
  EXPECT_EQ(chart["data_type_id"].GetInt(), 10);
  EXPECT_TRUE(chart["label"].IsString());
  EXPECT_STREQ(chart["data"]["used"].GetString(), "0.0");
  EXPECT_STREQ(chart["data"]["remaining"].GetString(), "25000.0");
  EXPECT_STREQ(chart["data"]["unavailable"].GetString(), "0.0");
  EXPECT_STREQ(data["sender_name"].GetString(), "Asha Rao");
  ASSERT_TRUE(data["next_allowed_limit"].IsNumber());
  EXPECT_EQ(data["next_allowed_limit"].GetInt(), 25000);
  EXPECT_EQ(data["kyc_state"].GetInt(), 0);
  EXPECT_EQ(data["is_registered"].GetInt(), 1);

  // Verified now: onboarding again says the wallet exists; Get issues an OTP.
  const rapidjson::Document again = ExpectEnvelope(
      Send("POST", "/customer/account/9000000001", Body(OnboardFields())), 17, 17, 17);
  EXPECT_STREQ(again["message"].GetString(), "User wallet already exists");
  ExpectEnvelope(Get("/customer/profile/9000000001"), 2129, 1, 2129);
}

TEST_F(SimCoreTest, UnverifiedCustomerMayOnboardAgain) {
  ExpectEnvelope(Send("POST", "/customer/account/9000000001", Body(OnboardFields())), 2129, 1,
                 2129);
  ExpectEnvelope(Send("POST", "/customer/account/9000000001", Body(OnboardFields())), 2129, 1,
                 2129);
  ExpectEnvelope(Get("/customer/profile/9000000001"), 2129, 1, 2129);
}

TEST_F(SimCoreTest, SeededCustomerGetsOtpAndProfile) {
  const rapidjson::Document sent =
      ExpectEnvelope(Get("/customer/profile/6111111111"), 2129, 1, 2129);
  const rapidjson::Document otp = LatestOtp("6111111111");
  EXPECT_EQ(std::string(otp["otp_ref_id"].GetString()), sent["data"]["otp_ref_id"].GetString());
  const rapidjson::Document doc = ExpectEnvelope(VerifyWithOtp("6111111111", otp), 0, -1, 309);
  EXPECT_STREQ(doc["data"]["customer_profile"]["name"].GetString(), "Test Customer");
  ExpectEnvelope(Send("POST", "/customer/account/6111111111", Body(OnboardFields())), 17, 17, 17);
}

TEST_F(SimCoreTest, AadhaarPendingScenario) {
  const rapidjson::Document doc = ExpectEnvelope(OnboardAndVerify("9000002136"), 2136, 1, 2136);
  EXPECT_STREQ(doc["message"].GetString(), "Aadhar Validation Pending");
}

TEST_F(SimCoreTest, PanRequiredScenario) {
  const rapidjson::Document doc = ExpectEnvelope(OnboardAndVerify("9000002147"), 0, 0, 2147);
  EXPECT_STREQ(doc["message"].GetString(), "Pan Number Required");
  EXPECT_TRUE(doc["data"]["application_id"].IsString());
  EXPECT_STRNE(doc["data"]["application_id"].GetString(), "");
}

TEST_F(SimCoreTest, WrongOtpThenRightOtp) {
  ExpectEnvelope(Send("POST", "/customer/account/9000000001", Body(OnboardFields())), 2129, 1,
                 2129);
  const rapidjson::Document otp = LatestOtp("9000000001");
  const std::string code = otp["otp"].GetString();
  const std::string ref = otp["otp_ref_id"].GetString();
  const std::string wrong_code = code == "111111" ? "222222" : "111111";
  const rapidjson::Document wrong =
      ExpectEnvelope(VerifyCustomer("9000000001", "\"" + wrong_code + "\"", ref), 302, 302, 2131);
  EXPECT_STREQ(wrong["message"].GetString(), "Wrong OTP");
  ExpectEnvelope(VerifyCustomer("9000000001", "\"" + code + "\"", "unknown-ref"), 302, 302, 2131);
  // A wrong attempt does not burn the OTP.
  ExpectEnvelope(VerifyCustomer("9000000001", "\"" + code + "\"", ref), 0, -1, 309);
}

// Eko documents otp as optional on Verify Customer OTP: leaving it out is a
// failed verification (not a 461), and the OTP stays usable.
TEST_F(SimCoreTest, VerifyWithoutOtpFailsAndKeepsTheOtp) {
  ExpectEnvelope(Send("POST", "/customer/account/9000000001", Body(OnboardFields())), 2129, 1,
                 2129);
  const rapidjson::Document otp = LatestOtp("9000000001");
  const std::string ref = otp["otp_ref_id"].GetString();
  const std::string ref_field = absl::StrCat(R"("otp_ref_id":")", ref, "\"");
  for (const std::string& fields :
       {ref_field, absl::StrCat(R"("otp":null,)", ref_field),
        absl::StrCat(R"("otp":"",)", ref_field), std::string(R"("otp_ref_id":"unknown-ref")")}) {
    SCOPED_TRACE(fields);
    const SimResponse response =
        Send("POST", "/customer/account/9000000001/otp/verify", Body(fields));
    EXPECT_EQ(response.http_status, 200);
    EXPECT_EQ(response.body, R"({"status":2131,"response_status_id":1,"response_type_id":2131,)"
                             R"("message":"Validate OTP Failed"})");
  }
  EXPECT_FALSE(LatestOtp("9000000001")["consumed"].GetBool());
  ExpectEnvelope(VerifyCustomer("9000000001", QuotedOtp(otp), ref), 0, -1, 309);
}

TEST_F(SimCoreTest, OtpIsSingleUse) {
  ExpectEnvelope(Get("/customer/profile/6111111111"), 2129, 1, 2129);
  const rapidjson::Document otp = LatestOtp("6111111111");
  const std::string code = QuotedOtp(otp);
  ExpectEnvelope(VerifyCustomer("6111111111", code, otp["otp_ref_id"].GetString()), 0, -1, 309);
  ExpectEnvelope(VerifyCustomer("6111111111", code, otp["otp_ref_id"].GetString()), 302, 302, 2131);
  EXPECT_TRUE(LatestOtp("6111111111")["consumed"].GetBool());
}

TEST_F(SimCoreTest, OtpOfAnotherCustomerIsWrong) {
  ExpectEnvelope(Get("/customer/profile/6111111111"), 2129, 1, 2129);
  const rapidjson::Document otp = LatestOtp("6111111111");
  ExpectEnvelope(Send("POST", "/customer/account/9000000001", Body(OnboardFields())), 2129, 1,
                 2129);
  ExpectEnvelope(VerifyWithOtp("9000000001", otp), 302, 302, 2131);
}

TEST_F(SimCoreTest, ExpiredOtpByAdminCall) {
  ExpectEnvelope(Get("/customer/profile/6111111111"), 2129, 1, 2129);
  const rapidjson::Document otp = LatestOtp("6111111111");
  const SimResponse expire = Admin("POST", "/otp/expire", {{"customer_id", "6111111111"}});
  EXPECT_EQ(expire.http_status, 200);
  EXPECT_EQ(ParseJson(expire.body)["expired"].GetInt(), 1);
  const rapidjson::Document doc = ExpectEnvelope(VerifyWithOtp("6111111111", otp), 303, 303, 2131);
  EXPECT_STREQ(doc["message"].GetString(), "OTP expired");
}

TEST_F(SimCoreTest, ExpiredOtpByClock) {
  ExpectEnvelope(Get("/customer/profile/6111111111"), 2129, 1, 2129);
  const rapidjson::Document otp = LatestOtp("6111111111");
  now_ += config_.otp_ttl_ms;
  ExpectEnvelope(VerifyWithOtp("6111111111", otp), 303, 303, 2131);
}

TEST_F(SimCoreTest, ExpiredOtpIsForgottenOneLifetimeLater) {
  ExpectEnvelope(Get("/customer/profile/6111111111"), 2129, 1, 2129);
  const rapidjson::Document first = LatestOtp("6111111111");
  const std::string code = QuotedOtp(first);
  const std::string ref = first["otp_ref_id"].GetString();
  // Expired, and a new OTP (which prunes) is issued: the old one still reads "expired".
  now_ += config_.otp_ttl_ms * 2 - 1;
  ExpectEnvelope(Send("POST", "/customer/account/9000000001", Body(OnboardFields())), 2129, 1,
                 2129);
  ExpectEnvelope(VerifyCustomer("6111111111", code, ref), 303, 303, 2131);
  // One full lifetime after expiry it is forgotten: the reference is unknown.
  now_ += 1;
  ExpectEnvelope(Send("POST", "/customer/account/9000000002", Body(OnboardFields())), 2129, 1,
                 2129);
  const rapidjson::Document forgotten =
      ExpectEnvelope(VerifyCustomer("6111111111", code, ref), 302, 302, 2131);
  EXPECT_STREQ(forgotten["message"].GetString(), "Wrong OTP");
  // The OTP issued in between is still valid.
  const rapidjson::Document second = LatestOtp("9000000001");
  ExpectEnvelope(VerifyWithOtp("9000000001", second), 0, -1, 309);
}

// otp_ref_id is required; otp is optional (see VerifyWithoutOtpFailsAndKeepsTheOtp) but must
// be a string or a number when sent.
TEST_F(SimCoreTest, VerifyNeedsRefAndAScalarOtp) {
  rapidjson::Document doc =
      ExpectEnvelope(Send("POST", "/customer/account/6111111111/otp/verify", Body()), 461, 1, -1);
  EXPECT_FALSE(doc["invalid_params"].HasMember("otp"));
  EXPECT_STREQ(doc["invalid_params"]["otp_ref_id"].GetString(), "Required");
  doc = ExpectEnvelope(Send("POST", "/customer/account/6111111111/otp/verify",
                            Body(R"("otp":{"a":1},"otp_ref_id":"x")")),
                       461, 1, -1);
  EXPECT_STREQ(doc["invalid_params"]["otp"].GetString(), "Must be a string");
  EXPECT_EQ(doc["invalid_params"].MemberCount(), 1u);
}

class SimCoreFixedOtpTest : public SimCoreTest {
 protected:
  static SimConfig Config() {
    SimConfig config;
    config.fixed_otp = "012345";
    return config;
  }
  SimCoreFixedOtpTest() : SimCoreTest(Config()) {}
};

TEST_F(SimCoreFixedOtpTest, LeadingZeroOtpIsComparedAsText) {
  const rapidjson::Document sent =
      ExpectEnvelope(Get("/customer/profile/6111111111"), 2129, 1, 2129);
  const std::string ref = sent["data"]["otp_ref_id"].GetString();
  EXPECT_STREQ(LatestOtp("6111111111")["otp"].GetString(), "012345");
  ExpectEnvelope(VerifyCustomer("6111111111", "12345", ref), 302, 302, 2131);
  ExpectEnvelope(VerifyCustomer("6111111111", "\"12345\"", ref), 302, 302, 2131);
  ExpectEnvelope(VerifyCustomer("6111111111", "\"012345\"", ref), 0, -1, 309);
}

class SimCoreNumericOtpTest : public SimCoreTest {
 protected:
  static SimConfig Config() {
    SimConfig config;
    config.fixed_otp = "123456";
    config.latency_ms = 250;
    return config;
  }
  SimCoreNumericOtpTest() : SimCoreTest(Config()) {}
};

TEST_F(SimCoreNumericOtpTest, NumericOtpMatchesAndLatencyIsOnEkoRepliesOnly) {
  const SimResponse get = Get("/customer/profile/6111111111");
  EXPECT_EQ(get.delay_ms, 250);
  const std::string ref = ParseJson(get.body)["data"]["otp_ref_id"].GetString();
  EXPECT_EQ(Admin("GET", "/health").delay_ms, 0);
  ExpectEnvelope(VerifyCustomer("6111111111", "123456", ref), 0, -1, 309);
  EXPECT_EQ(Get("/no/such/path").delay_ms, 250);
}

// --- DMT-Fino sender -------------------------------------------------------

constexpr char kSenderPath[] = "/customer/payment/dmt-fino/sender/";
constexpr char kPid[] = R"(<PidData><Resp errCode=\"0\"/></PidData>)";

std::string EkycFields(const std::string& aadhar = "123412341234", const std::string& pid = kPid) {
  return absl::StrCat(R"("aadhar":")", aadhar, R"(","piddata":")", pid, "\"");
}

TEST_F(SimCoreTest, SenderJourney) {
  const std::string path = std::string(kSenderPath) + "9000000001";
  ExpectEnvelope(Get(path), 308, 1, 308);

  // Onboard; on this rail residence_address is a string holding a JSON object.
  rapidjson::Document doc = ExpectEnvelope(Send("POST", path, Body(SenderFields())), 0, 0, 2134);
  EXPECT_STREQ(doc["message"].GetString(), "Customer KYC Pending");
  EXPECT_STREQ(doc["data"]["otp_ref_id"].GetString(), "");
  ExpectEnvelope(Get(path), 0, 0, 2134);
  ExpectEnvelope(Send("POST", path, Body(SenderFields("Someone Else"))), 0, 0, 2134);

  // Biometric eKYC issues an OTP.
  doc = ExpectEnvelope(Send("PUT", path + "/otp", Body(EkycFields())), 0, 0, 2129);
  EXPECT_STREQ(doc["message"].GetString(), "Validate the OTP");
  EXPECT_STREQ(doc["data"]["user_code"].GetString(), kUserCode);
  EXPECT_STREQ(doc["data"]["intent_id"].GetString(), "");
  const std::string kyc_request_id = doc["data"]["kyc_request_id"].GetString();
  const std::string ref = doc["data"]["otp_ref_id"].GetString();
  EXPECT_THAT(kyc_request_id, ::testing::MatchesRegex("[0-9]+"));
  EXPECT_THAT(ref, ::testing::MatchesRegex("[0-9]+"));

  doc = ExpectEnvelope(Get(path), 0, 0, 2129);
  EXPECT_EQ(doc["data"]["otp_ref_id"].GetString(), ref);
  EXPECT_EQ(doc["data"]["kyc_request_id"].GetString(), kyc_request_id);

  const rapidjson::Document otp = LatestOtp("9000000001");
  EXPECT_STREQ(otp["flow"].GetString(), "ekyc");
  EXPECT_EQ(otp["kyc_request_id"].GetString(), kyc_request_id);
  const std::string code = otp["otp"].GetString();

  // The eKYC OTP cannot complete the generic customer flow.
  ExpectEnvelope(VerifyCustomer("9000000001", "\"" + code + "\"", ref), 302, 302, 2131);

  const auto verify = [&](const std::string& otp_text, const std::string& ref_text,
                          const std::string& kyc_text) {
    return Send("PUT", path + "/otp/verify",
                Body(absl::StrCat(R"("otp":")", otp_text, R"(","otp_ref_id":")", ref_text,
                                  R"(","kyc_request_id":")", kyc_text, "\"")));
  };
  const std::string wrong_code = code == "111111" ? "222222" : "111111";
  doc = ExpectEnvelope(verify(wrong_code, ref, kyc_request_id), 2131, 302, 2131);
  EXPECT_STREQ(doc["message"].GetString(), "Wrong OTP");
  ExpectEnvelope(verify(code, ref, "1"), 2131, 302, 2131);
  ExpectEnvelope(verify(code, "999", kyc_request_id), 2131, 302, 2131);

  doc = ExpectEnvelope(verify(code, ref, kyc_request_id), 0, 0, 2132);
  EXPECT_STREQ(doc["message"].GetString(), "Customer Registration Completed");
  EXPECT_STREQ(doc["data"]["user_code"].GetString(), kUserCode);

  doc = ExpectEnvelope(Get(path), 0, -1, 309);
  EXPECT_STREQ(doc["data"]["customer_profile"]["name"].GetString(), "Ravi Kumar");
  EXPECT_EQ(doc["data"]["customer_profile"]["kyc_state"].GetInt(), 1);
  EXPECT_EQ(doc["data"]["kyc_state"].GetInt(), 1);
  EXPECT_EQ(doc["data"]["next_allowed_limit"].GetInt(), 25000);
  EXPECT_STREQ(doc["data"]["customer_profile"]["balance"].GetString(), "0.00");

  ExpectEnvelope(Send("POST", path, Body(SenderFields())), 0, -1, 309);
  ExpectEnvelope(Send("PUT", path + "/otp", Body(EkycFields())), 0, 0, 2132);
  doc = ExpectEnvelope(verify(code, ref, kyc_request_id), 2131, 1, 2131);
  EXPECT_STREQ(doc["message"].GetString(), "Customer Already registred");

  // The generic customer flow is separate: this mobile is not enrolled there.
  ExpectEnvelope(Get("/customer/profile/9000000001"), 308, 1, 308);
}

TEST_F(SimCoreTest, SeededSenderIsComplete) {
  const rapidjson::Document doc =
      ExpectEnvelope(Get(std::string(kSenderPath) + "6222222222"), 0, -1, 309);
  EXPECT_STREQ(doc["data"]["customer_profile"]["name"].GetString(), "Test Sender");
}

TEST_F(SimCoreTest, EkycOtpExpires) {
  const std::string path = std::string(kSenderPath) + "9000000001";
  ExpectEnvelope(Send("POST", path, Body(SenderFields())), 0, 0, 2134);
  const rapidjson::Document sent =
      ExpectEnvelope(Send("PUT", path + "/otp", Body(EkycFields())), 0, 0, 2129);
  const rapidjson::Document otp = LatestOtp("9000000001");
  EXPECT_EQ(Admin("POST", "/otp/expire", {{"customer_id", "9000000001"}}).http_status, 200);
  const rapidjson::Document doc = ExpectEnvelope(
      Send("PUT", path + "/otp/verify",
           Body(absl::StrCat(R"("otp":")", otp["otp"].GetString(), R"(","otp_ref_id":")",
                             sent["data"]["otp_ref_id"].GetString(), R"(","kyc_request_id":")",
                             sent["data"]["kyc_request_id"].GetString(), "\""))),
      2131, 303, 2131);
  EXPECT_STREQ(doc["message"].GetString(), "OTP expired");
}

TEST_F(SimCoreTest, EkycFailures) {
  const std::string path = std::string(kSenderPath) + "9000000001";
  ExpectEnvelope(Send("POST", path, Body(SenderFields())), 0, 0, 2134);
  rapidjson::Document doc = ExpectEnvelope(
      Send("PUT", path + "/otp", Body(EkycFields("123412341234", "not-xml"))), 2135, 1, 2135);
  EXPECT_STREQ(doc["data"]["description"].GetString(), "K-100 EKYC Verification failed");

  const std::string failing = std::string(kSenderPath) + "9000002135";
  ExpectEnvelope(Send("POST", failing, Body(SenderFields())), 0, 0, 2134);
  ExpectEnvelope(Send("PUT", failing + "/otp", Body(EkycFields())), 2135, 1, 2135);
}

TEST_F(SimCoreTest, EkycOfUnknownSenderIsUserNotFound) {
  const rapidjson::Document doc = ExpectEnvelope(
      Send("PUT", std::string(kSenderPath) + "9000000001/otp", Body(EkycFields())), 463, 1, -1);
  EXPECT_STREQ(doc["message"].GetString(), "User not found");
  EXPECT_STREQ(doc["invalid_params"]["customer_id"].GetString(),
               "Customer does not exist in System");
}

TEST_F(SimCoreTest, EkycFieldValidation) {
  const rapidjson::Document doc = ExpectEnvelope(
      Send("PUT", std::string(kSenderPath) + "6222222222/otp", Body(R"("aadhar":"12341234123")")),
      461, 1, -1);
  EXPECT_TRUE(doc["invalid_params"].HasMember("aadhar"));
  EXPECT_TRUE(doc["invalid_params"].HasMember("piddata"));
  const rapidjson::Document verify = ExpectEnvelope(
      Send("PUT", std::string(kSenderPath) + "6222222222/otp/verify", Body(R"("otp":"1")")), 461, 1,
      -1);
  EXPECT_TRUE(verify["invalid_params"].HasMember("otp_ref_id"));
  EXPECT_TRUE(verify["invalid_params"].HasMember("kyc_request_id"));
  EXPECT_FALSE(verify["invalid_params"].HasMember("otp"));
}

// The refs Sender eKYC returned, as a Validate eKYC OTP body fragment.
std::string EkycVerifyFields(const std::string& otp, const rapidjson::Document& sent) {
  return absl::StrCat(R"("otp":")", otp, R"(","otp_ref_id":")",
                      sent["data"]["otp_ref_id"].GetString(), R"(","kyc_request_id":")",
                      sent["data"]["kyc_request_id"].GetString(), "\"");
}

// Eko's current docs (EPS dmt-fino-validate-ekyc-otp, 2026-08) list only
// user_code in the success data; the customer_id, kyc_verified and
// available_limit of an earlier draft were withdrawn as invented.
TEST_F(SimCoreTest, ValidateEkycOtpSuccessCarriesTheDocumentedData) {
  const std::string path = std::string(kSenderPath) + "9000000001";
  ExpectEnvelope(Send("POST", path, Body(SenderFields())), 0, 0, 2134);
  const rapidjson::Document sent =
      ExpectEnvelope(Send("PUT", path + "/otp", Body(EkycFields())), 0, 0, 2129);
  const std::string code = LatestOtp("9000000001")["otp"].GetString();
  const SimResponse response =
      Send("PUT", path + "/otp/verify", Body(EkycVerifyFields(code, sent)));
  EXPECT_EQ(response.http_status, 200);
  EXPECT_EQ(response.body,
            R"({"status":0,"response_status_id":0,"response_type_id":2132,)"
            R"("message":"Customer Registration Completed","data":{"user_code":"20810200",)"
            R"("customer_id":"9000000001","kyc_verified":true,"available_limit":25000}})");
}

// While an eKYC OTP is pending, Get Sender answers 2129 with the refs of the
// latest Sender eKYC call.
TEST_F(SimCoreTest, GetSenderWhileEkycOtpPendingGivesTheLatestRefs) {
  const std::string path = std::string(kSenderPath) + "9000000001";
  ExpectEnvelope(Send("POST", path, Body(SenderFields())), 0, 0, 2134);
  const auto expected = [](const rapidjson::Document& sent) {
    return absl::StrCat(R"({"status":0,"response_status_id":0,"response_type_id":2129,)",
                        R"("message":"Validate the OTP","data":{"user_code":"20810200",)",
                        R"("intent_id":"","kyc_request_id":")",
                        sent["data"]["kyc_request_id"].GetString(), R"(","otp_ref_id":")",
                        sent["data"]["otp_ref_id"].GetString(), R"("}})");
  };
  const rapidjson::Document first =
      ExpectEnvelope(Send("PUT", path + "/otp", Body(EkycFields())), 0, 0, 2129);
  EXPECT_EQ(Get(path).body, expected(first));

  const rapidjson::Document second =
      ExpectEnvelope(Send("PUT", path + "/otp", Body(EkycFields())), 0, 0, 2129);
  EXPECT_STRNE(second["data"]["otp_ref_id"].GetString(), first["data"]["otp_ref_id"].GetString());
  EXPECT_STRNE(second["data"]["kyc_request_id"].GetString(),
               first["data"]["kyc_request_id"].GetString());
  EXPECT_EQ(Get(path).body, expected(second));

  // Still the latest refs once the OTP has expired; gone once eKYC completes.
  EXPECT_EQ(Admin("POST", "/otp/expire", {{"customer_id", "9000000001"}}).http_status, 200);
  EXPECT_EQ(Get(path).body, expected(second));
  const rapidjson::Document third =
      ExpectEnvelope(Send("PUT", path + "/otp", Body(EkycFields())), 0, 0, 2129);
  const std::string code = LatestOtp("9000000001")["otp"].GetString();
  ExpectEnvelope(Send("PUT", path + "/otp/verify", Body(EkycVerifyFields(code, third))), 0, 0,
                 2132);
  ExpectEnvelope(Get(path), 0, -1, 309);
}

// OTPs and refs are compared as text, so digit-only ones may travel as JSON
// numbers (fixed OTP 123456: no leading zero to lose).
TEST_F(SimCoreNumericOtpTest, NumericOtpAndRefsAreComparedAsText) {
  const std::string path = std::string(kSenderPath) + "9000000001";
  ExpectEnvelope(Send("POST", path, Body(SenderFields())), 0, 0, 2134);
  const rapidjson::Document sent =
      ExpectEnvelope(Send("PUT", path + "/otp", Body(EkycFields())), 0, 0, 2129);
  ExpectEnvelope(Send("PUT", path + "/otp/verify",
                      Body(absl::StrCat(
                          R"("otp":123456,"otp_ref_id":)", sent["data"]["otp_ref_id"].GetString(),
                          R"(,"kyc_request_id":)", sent["data"]["kyc_request_id"].GetString()))),
                 0, 0, 2132);

  // Generic-customer refs are base64, so a numeric otp_ref_id passes the
  // checks and then names no OTP.
  ExpectEnvelope(Get("/customer/profile/6111111111"), 2129, 1, 2129);
  const std::string ref = LatestOtp("6111111111")["otp_ref_id"].GetString();
  ExpectEnvelope(Send("POST", "/customer/account/6111111111/otp/verify",
                      Body(R"("otp":123456,"otp_ref_id":66748392)")),
                 302, 302, 2131);
  ExpectEnvelope(VerifyCustomer("6111111111", "123456", ref), 0, -1, 309);
}

// --- Legacy (OAS-md) path forms --------------------------------------------

TEST_F(SimCoreTest, LegacyOnboardCustomerTakesCustomerIdFromTheBody) {
  const rapidjson::Document sent = ExpectEnvelope(
      Send("POST", "/customer/account",
           Body(absl::StrCat(R"("customer_id":"9000000001",)", OnboardFields("Asha Rao")))),
      2129, 1, 2129);
  const rapidjson::Document otp = LatestOtp("9000000001");
  EXPECT_STREQ(otp["otp_ref_id"].GetString(), sent["data"]["otp_ref_id"].GetString());
  const rapidjson::Document profile = ExpectEnvelope(VerifyWithOtp("9000000001", otp), 0, -1, 309);
  EXPECT_STREQ(profile["data"]["customer_profile"]["name"].GetString(), "Asha Rao");
  ExpectEnvelope(Send("POST", "/customer/account",
                      Body(absl::StrCat(R"("customer_id":"9000000001",)", OnboardFields()))),
                 17, 17, 17);

  // A number is taken as its digits.
  ExpectEnvelope(Send("POST", "/customer/account",
                      Body(absl::StrCat(R"("customer_id":9000000002,)", OnboardFields()))),
                 2129, 1, 2129);
  EXPECT_EQ(Admin("GET", "/otp", {{"customer_id", "9000000002"}}).http_status, 200);

  // customer_id is required and checked with the other fields.
  const auto reasons = [&](const std::string& customer_id_field) {
    return ParseJson(
        Send("POST", "/customer/account", Body(customer_id_field + R"("name":"A","dob":"x")"))
            .body);
  };
  rapidjson::Document doc = reasons("");
  EXPECT_STREQ(doc["invalid_params"]["customer_id"].GetString(), "Required");
  EXPECT_TRUE(doc["invalid_params"].HasMember("dob"));
  EXPECT_TRUE(doc["invalid_params"].HasMember("residence_address"));
  doc = reasons(R"("customer_id":"12345",)");
  EXPECT_STREQ(doc["invalid_params"]["customer_id"].GetString(),
               "Must be a 10-digit mobile number");
  doc = reasons(R"("customer_id":{"id":"9000000003"},)");
  EXPECT_STREQ(doc["invalid_params"]["customer_id"].GetString(), "Must be a string");

  // The path form ignores a body customer_id.
  ExpectEnvelope(Send("POST", "/customer/account/9000000004",
                      Body(absl::StrCat(R"("customer_id":"bad",)", OnboardFields()))),
                 2129, 1, 2129);
  const SimResponse wrong_method = Send("PUT", "/customer/account", Body());
  EXPECT_EQ(wrong_method.http_status, 405);
  EXPECT_THAT(wrong_method.headers,
              ::testing::Contains(std::make_pair(std::string("Allow"), std::string("POST"))));
}

TEST_F(SimCoreTest, LegacySenderPathsServeTheSameEndpoints) {
  const std::string legacy_get = "/customer/profile/9000000001/dmt-fino";
  const std::string legacy_ekyc = "/customer/account/9000000001/dmt-fino/ekyc";
  const std::string path = std::string(kSenderPath) + "9000000001";
  ExpectEnvelope(Get(legacy_get), 308, 1, 308);
  ExpectEnvelope(Send("POST", legacy_ekyc, Body(EkycFields())), 463, 1, -1);
  ExpectEnvelope(Send("POST", path, Body(SenderFields())), 0, 0, 2134);
  ExpectEnvelope(Get(legacy_get), 0, 0, 2134);

  // Same checks: the legacy eKYC still needs a 12-digit aadhar and piddata.
  const rapidjson::Document bad =
      ExpectEnvelope(Send("POST", legacy_ekyc, Body(R"("aadhar":"1234")")), 461, 1, -1);
  EXPECT_TRUE(bad["invalid_params"].HasMember("aadhar"));
  EXPECT_TRUE(bad["invalid_params"].HasMember("piddata"));
  ExpectEnvelope(Get(legacy_get, {{"initiator_id", kInitiator}}), 461, 1, -1);

  const rapidjson::Document sent =
      ExpectEnvelope(Send("POST", legacy_ekyc, Body(EkycFields())), 0, 0, 2129);
  EXPECT_EQ(Get(legacy_get).body, Get(path).body);
  const rapidjson::Document pending = ExpectEnvelope(Get(legacy_get), 0, 0, 2129);
  EXPECT_STREQ(pending["data"]["otp_ref_id"].GetString(), sent["data"]["otp_ref_id"].GetString());
  const std::string code = LatestOtp("9000000001")["otp"].GetString();
  ExpectEnvelope(Send("PUT", path + "/otp/verify", Body(EkycVerifyFields(code, sent))), 0, 0, 2132);
  ExpectEnvelope(Get(legacy_get), 0, -1, 309);
  ExpectEnvelope(Send("POST", legacy_ekyc, Body(EkycFields())), 0, 0, 2132);

  EXPECT_EQ(Send("PUT", legacy_ekyc, Body(EkycFields())).http_status, 405);
  EXPECT_EQ(Send("POST", legacy_get, Body()).http_status, 405);
}

// Query parameters the simulator does not know (service_code=80 of the
// PayPoint forms) change nothing, and the request log keeps them.
TEST_F(SimCoreTest, UnknownQueryParametersAreIgnoredAndLogged) {
  ExpectEnvelope(
      Get("/customer/profile/6111111111",
          {{"initiator_id", kInitiator}, {"user_code", kUserCode}, {"service_code", "80"}}),
      2129, 1, 2129);
  // A POST whose URL has a query still reads its parameters from the JSON body.
  SimRequest post = Signed("POST", "/customer/account");
  post.raw_query = "service_code=80";
  post.query = {{"service_code", "80"}};
  post.body = Body(absl::StrCat(R"("customer_id":"9000000001",)", OnboardFields()));
  ExpectEnvelope(core_.Handle(post, now_), 2129, 1, 2129);

  const rapidjson::Document log = ParseJson(Admin("GET", "/requests").body);
  ASSERT_EQ(log.Size(), 2u);
  EXPECT_STREQ(log[0]["query"]["service_code"].GetString(), "80");
  EXPECT_STREQ(log[1]["path"].GetString(), "/ekoapi/v3/customer/account");
  EXPECT_STREQ(log[1]["query"]["service_code"].GetString(), "80");
  EXPECT_EQ(log[1]["body"].GetString(), post.body);
}

// Faults are matched before the body is read: a customer_id-scoped fault
// never matches the legacy POST /customer/account (its id is in the body),
// while method/path faults do, and the legacy path forms match by segment.
TEST_F(SimCoreTest, CustomerIdFaultsDoNotSeeABodyCarriedCustomerId) {
  const int64_t scoped =
      AddFault(R"({"customer_id":"9000000001","times":-1,"http_status":503,"body":"scoped"})");
  const int64_t by_path =
      AddFault(R"({"method":"POST","path_contains":"/customer/account","body":"by path"})");
  const std::string body = Body(absl::StrCat(R"("customer_id":"9000000001",)", OnboardFields()));
  EXPECT_EQ(Send("POST", "/customer/account", body).body, "by path");
  ExpectEnvelope(Send("POST", "/customer/account", body), 2129, 1, 2129);
  EXPECT_EQ(Send("POST", "/customer/account/9000000001", Body(OnboardFields())).body, "scoped");
  EXPECT_EQ(Get("/customer/profile/9000000001/dmt-fino").body, "scoped");
  EXPECT_EQ(Send("POST", "/customer/account/9000000001/dmt-fino/ekyc", Body(EkycFields())).body,
            "scoped");

  const rapidjson::Document log = ParseJson(Admin("GET", "/requests").body);
  ASSERT_EQ(log.Size(), 5u);
  EXPECT_EQ(log[0]["fault_id"].GetInt64(), by_path);
  EXPECT_TRUE(log[1]["fault_id"].IsNull());
  EXPECT_EQ(log[2]["fault_id"].GetInt64(), scoped);
}

// --- Admin -----------------------------------------------------------------

TEST_F(SimCoreTest, AdminHealthAndErrors) {
  SimResponse response = Admin("GET", "/health");
  EXPECT_EQ(response.http_status, 200);
  EXPECT_EQ(response.body, R"({"ok":true})");
  EXPECT_EQ(Admin("GET", "/nope").http_status, 404);
  EXPECT_EQ(Admin("POST", "/health").http_status, 405);
  EXPECT_EQ(Admin("GET", "/otp").http_status, 400);
  EXPECT_EQ(Admin("GET", "/otp", {{"customer_id", "9000000001"}}).http_status, 404);
}

TEST_F(SimCoreTest, RequestLogRecordsWhatWasSentWithoutSecrets) {
  SimRequest request = Signed("POST", "/customer/account/9000000001");
  request.query = {{"x", "1"}};
  request.body = Body(OnboardFields());
  const std::string signature = request.headers["secret-key"];
  core_.Handle(request, now_);
  SimRequest unsigned_request = request;
  unsigned_request.headers.clear();
  core_.Handle(unsigned_request, now_);
  Admin("GET", "/health");  // Admin calls are not logged.

  const SimResponse log = Admin("GET", "/requests");
  EXPECT_EQ(log.http_status, 200);
  EXPECT_THAT(log.body, Not(HasSubstr(signature)));
  EXPECT_THAT(log.body, Not(HasSubstr(config_.access_key)));
  const rapidjson::Document doc = ParseJson(log.body);
  ASSERT_TRUE(doc.IsArray());
  ASSERT_EQ(doc.Size(), 2u);
  const rapidjson::Value& first = doc[0];
  EXPECT_STREQ(first["method"].GetString(), "POST");
  EXPECT_STREQ(first["path"].GetString(), "/ekoapi/v3/customer/account/9000000001");
  EXPECT_STREQ(first["query"]["x"].GetString(), "1");
  EXPECT_EQ(first["body"].GetString(), request.body);
  EXPECT_STREQ(first["content_type"].GetString(), "application/json");
  EXPECT_TRUE(first["auth_ok"].GetBool());
  EXPECT_TRUE(first["developer_key_present"].GetBool());
  EXPECT_EQ(first["timestamp"].GetString(), std::to_string(now_));
  EXPECT_EQ(first["received_ms"].GetInt64(), now_);
  EXPECT_FALSE(doc[1]["auth_ok"].GetBool());
  EXPECT_FALSE(doc[1]["developer_key_present"].GetBool());

  EXPECT_EQ(Admin("DELETE", "/requests").http_status, 200);
  EXPECT_EQ(Admin("GET", "/requests").body, "[]");
}

// GETs are accepted with or without a content-type; the log shows what was sent.
TEST_F(SimCoreTest, RequestLogRecordsTheContentTypeOfGetsToo) {
  for (const std::string type : {"application/json", "text/plain"}) {
    ExpectEnvelope(LookupWithHeaders({{"content-type", type}}), 2129, 1, 2129);
  }
  ExpectEnvelope(Get("/customer/profile/6111111111"), 2129, 1, 2129);

  const rapidjson::Document log = ParseJson(Admin("GET", "/requests").body);
  ASSERT_EQ(log.Size(), 3u);
  EXPECT_STREQ(log[0]["content_type"].GetString(), "application/json");
  EXPECT_STREQ(log[1]["content_type"].GetString(), "text/plain");
  EXPECT_STREQ(log[2]["content_type"].GetString(), "");
}

TEST_F(SimCoreTest, RequestLogKeepsLastThousand) {
  for (int i = 0; i < 1005; ++i) Get(absl::StrCat("/nothing/", i));
  const rapidjson::Document doc = ParseJson(Admin("GET", "/requests").body);
  ASSERT_EQ(doc.Size(), 1000u);
  EXPECT_STREQ(doc[0]["path"].GetString(), "/ekoapi/v3/nothing/5");
  EXPECT_STREQ(doc[999]["path"].GetString(), "/ekoapi/v3/nothing/1004");
}

TEST_F(SimCoreTest, ResetRestoresSeededState) {
  OnboardAndVerify("9000000001");
  ExpectEnvelope(Get("/customer/profile/9000000001"), 2129, 1, 2129);
  EXPECT_EQ(Admin("POST", "/reset").http_status, 200);
  ExpectEnvelope(Get("/customer/profile/9000000001"), 308, 1, 308);
  ExpectEnvelope(Get("/customer/profile/6111111111"), 2129, 1, 2129);
  ExpectEnvelope(Get(std::string(kSenderPath) + "6222222222"), 0, -1, 309);
}

}  // namespace
}  // namespace eko::sim
