// Fault injection: parsing, matching and the table (sim_faults.h), and the
// /__sim/faults admin endpoints as SimCore serves them. The wire effects of
// each action are tested over HTTP in simulator_test.cc.

#include "tests/sim/sim_faults.h"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "rapidjson/document.h"
#include "tests/sim/signature.h"
#include "tests/sim/sim_core.h"

namespace eko::sim {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Pair;

constexpr int64_t kNow = 1750000000000;

rapidjson::Document ParseJson(const std::string& text) {
  rapidjson::Document doc;
  doc.Parse(text.c_str(), text.size());
  EXPECT_FALSE(doc.HasParseError()) << text;
  return doc;
}

FaultSpec Parse(const std::string& json) {
  absl::StatusOr<FaultSpec> spec = ParseFaultSpec(json);
  EXPECT_TRUE(spec.ok()) << json << ": " << spec.status();
  return spec.ok() ? *std::move(spec) : FaultSpec();
}

// The error message for `json`, which must be rejected.
std::string Rejection(const std::string& json) {
  absl::StatusOr<FaultSpec> spec = ParseFaultSpec(json);
  EXPECT_FALSE(spec.ok()) << json;
  EXPECT_EQ(spec.status().code(), absl::StatusCode::kInvalidArgument) << json;
  return std::string(spec.status().message());
}

// --- ParseFaultSpec ----------------------------------------------------------

TEST(FaultSpecTest, ParsesEveryKey) {
  const FaultSpec spec = Parse(R"({"method":"post","path_contains":"/otp/verify",
      "customer_id":"9123450001","times":3,"action":"respond","http_status":429,
      "headers":{"Retry-After":"3","X-Test":""},"body":"slow down","delay_ms":250})");
  EXPECT_EQ(spec.method, "POST");
  EXPECT_EQ(spec.path_contains, "/otp/verify");
  EXPECT_EQ(spec.customer_id, "9123450001");
  EXPECT_EQ(spec.times, 3);
  EXPECT_EQ(spec.action, FaultAction::kRespond);
  EXPECT_EQ(spec.http_status, 429);
  EXPECT_THAT(spec.headers, ElementsAre(Pair("Retry-After", "3"), Pair("X-Test", "")));
  EXPECT_EQ(spec.body, "slow down");
  EXPECT_EQ(spec.delay_ms, 250);
}

TEST(FaultSpecTest, DefaultsMatchAnythingOnceWithAnEmpty200) {
  const FaultSpec spec = Parse("{}");
  EXPECT_FALSE(spec.method.has_value());
  EXPECT_FALSE(spec.path_contains.has_value());
  EXPECT_FALSE(spec.customer_id.has_value());
  EXPECT_EQ(spec.times, 1);
  EXPECT_EQ(spec.action, FaultAction::kRespond);
  EXPECT_EQ(spec.http_status, 200);
  EXPECT_TRUE(spec.headers.empty());
  EXPECT_EQ(spec.body, "");
  EXPECT_EQ(spec.delay_ms, 0);
}

TEST(FaultSpecTest, AcceptsEachActionAndUnlimitedTimes) {
  EXPECT_EQ(Parse(R"({"action":"reset","times":-1})").action, FaultAction::kReset);
  EXPECT_EQ(Parse(R"({"action":"reset","times":-1})").times, -1);
  EXPECT_EQ(Parse(R"({"action":"stall"})").action, FaultAction::kStall);
  EXPECT_EQ(Parse(R"({"action":"truncate","body":"{\"a\":1}"})").action, FaultAction::kTruncate);
  EXPECT_EQ(Parse(R"({"action":"pass","delay_ms":5})").action, FaultAction::kPass);
  EXPECT_EQ(Parse(R"({"customer_id":9123450001})").customer_id, "9123450001");
}

TEST(FaultSpecTest, BodyIsKeptByteForByte) {
  const FaultSpec spec = Parse(R"({"body":"{\"status\":{} , \u0000 \n"})");
  EXPECT_EQ(spec.body, std::string("{\"status\":{} , \0 \n", 18));
}

TEST(FaultSpecTest, RejectsWhatIsNotAFaultObject) {
  EXPECT_THAT(Rejection(""), HasSubstr("not valid JSON"));
  EXPECT_THAT(Rejection(R"({"times":1)"), HasSubstr("not valid JSON"));
  EXPECT_THAT(Rejection("[]"), HasSubstr("must be a JSON object"));
  EXPECT_THAT(Rejection(R"("respond")"), HasSubstr("must be a JSON object"));
  EXPECT_THAT(Rejection(R"({"time":1})"), HasSubstr("unknown key \"time\""));
}

TEST(FaultSpecTest, RejectsBadValues) {
  EXPECT_THAT(Rejection(R"({"method":""})"), HasSubstr("\"method\" must not be empty"));
  EXPECT_THAT(Rejection(R"({"method":1})"), HasSubstr("\"method\" must be a string"));
  EXPECT_THAT(Rejection(R"({"path_contains":null})"), HasSubstr("\"path_contains\""));
  EXPECT_THAT(Rejection(R"({"customer_id":""})"), HasSubstr("\"customer_id\""));
  EXPECT_THAT(Rejection(R"({"customer_id":-5})"), HasSubstr("\"customer_id\""));
  for (const char* times : {"0", "-2", "1.5", "\"1\"", "true"}) {
    EXPECT_THAT(Rejection(absl::StrCat(R"({"times":)", times, "}")), HasSubstr("\"times\""))
        << times;
  }
  EXPECT_THAT(Rejection(R"({"action":"explode"})"), HasSubstr("\"action\" must be one of"));
  EXPECT_THAT(Rejection(R"({"action":1})"), HasSubstr("\"action\""));
  for (const char* status : {"199", "600", "\"503\"", "503.0"}) {
    EXPECT_THAT(Rejection(absl::StrCat(R"({"http_status":)", status, "}")),
                HasSubstr("\"http_status\""))
        << status;
  }
  EXPECT_THAT(Rejection(R"({"headers":["a"]})"), HasSubstr("\"headers\" must be an object"));
  EXPECT_THAT(Rejection(R"({"headers":{"Retry-After":3}})"), HasSubstr("must be a string"));
  EXPECT_THAT(Rejection(R"({"headers":{"Bad Name":"x"}})"), HasSubstr("invalid header name"));
  EXPECT_THAT(Rejection(R"({"headers":{"":"x"}})"), HasSubstr("invalid header name"));
  EXPECT_THAT(Rejection(R"({"headers":{"X":"a\r\nSet-Cookie: b"}})"), HasSubstr("CR or LF"));
  EXPECT_THAT(Rejection(R"({"headers":{"content-length":"5"}})"), HasSubstr("truncate"));
  EXPECT_THAT(Rejection(R"({"headers":{"Transfer-Encoding":"chunked"}})"),
              HasSubstr("Transfer-Encoding"));
  EXPECT_THAT(Rejection(R"({"body":{}})"), HasSubstr("\"body\" must be a string"));
  EXPECT_THAT(Rejection(R"({"delay_ms":-1})"), HasSubstr("\"delay_ms\""));
  EXPECT_THAT(Rejection(R"({"delay_ms":3600001})"), HasSubstr("\"delay_ms\""));
}

TEST(FaultSpecTest, RejectsReplyFieldsThatDoNotApply) {
  for (const char* action : {"reset", "stall", "pass"}) {
    for (const char* field : {R"("http_status":503)", R"("headers":{})", R"("body":"")"}) {
      EXPECT_THAT(Rejection(absl::StrCat(R"({"action":")", action, R"(",)", field, "}")),
                  HasSubstr("do not apply"))
          << action << " " << field;
    }
  }
  EXPECT_THAT(Rejection(R"({"action":"truncate"})"), HasSubstr("non-empty \"body\""));
  EXPECT_THAT(Rejection(R"({"action":"truncate","body":""})"), HasSubstr("non-empty"));
  EXPECT_THAT(Rejection(R"({"http_status":204,"body":"x"})"), HasSubstr("204"));
  EXPECT_THAT(Rejection(R"({"action":"truncate","http_status":304,"body":"x"})"), HasSubstr("304"));
  EXPECT_EQ(Parse(R"({"http_status":204})").http_status, 204);
}

// --- FaultResponse -----------------------------------------------------------

TEST(FaultResponseTest, RespondDefaultsToJsonContentType) {
  const SimResponse response =
      FaultResponse(Parse(R"({"http_status":429,"headers":{"Retry-After":"3"},"body":"x",
                             "delay_ms":40})"));
  EXPECT_EQ(response.action, ReplyAction::kRespond);
  EXPECT_EQ(response.http_status, 429);
  EXPECT_THAT(response.headers,
              ElementsAre(Pair("Content-Type", "application/json"), Pair("Retry-After", "3")));
  EXPECT_EQ(response.body, "x");
  EXPECT_EQ(response.delay_ms, 40);
}

TEST(FaultResponseTest, GivenContentTypeWinsInAnyCase) {
  const SimResponse response =
      FaultResponse(Parse(R"({"headers":{"content-TYPE":"text/html"},"body":"<h1>"})"));
  EXPECT_THAT(response.headers, ElementsAre(Pair("content-TYPE", "text/html")));
}

TEST(FaultResponseTest, WireActions) {
  SimResponse response = FaultResponse(Parse(R"({"action":"reset","delay_ms":7})"));
  EXPECT_EQ(response.action, ReplyAction::kReset);
  EXPECT_EQ(response.delay_ms, 7);
  EXPECT_EQ(FaultResponse(Parse(R"({"action":"stall"})")).action, ReplyAction::kStall);
  response = FaultResponse(Parse(R"({"action":"truncate","http_status":502,"body":"abcdef"})"));
  EXPECT_EQ(response.action, ReplyAction::kTruncate);
  EXPECT_EQ(response.http_status, 502);
  EXPECT_EQ(response.body, "abcdef");
}

// --- FaultTable --------------------------------------------------------------

TEST(FaultTableTest, MatchesOnEveryGivenKey) {
  FaultTable table;
  table.Add(Parse(R"({"method":"POST","path_contains":"/otp/verify","customer_id":"9123450001",
                      "times":-1})"));
  const std::string path = "/ekoapi/v3/customer/account/9123450001/otp/verify";
  EXPECT_TRUE(table.Take("POST", path, "9123450001").has_value());
  EXPECT_TRUE(table.Take("post", path, "9123450001").has_value());
  EXPECT_FALSE(table.Take("GET", path, "9123450001").has_value());
  EXPECT_FALSE(table.Take("POST", "/ekoapi/v3/customer/account/9123450001", "9123450001"));
  EXPECT_FALSE(table.Take("POST", path, "9123450002").has_value());
  EXPECT_FALSE(table.Take("POST", path, "").has_value());
}

TEST(FaultTableTest, TimesCountDownAndSpentFaultsGo) {
  FaultTable table;
  const int64_t id = table.Add(Parse(R"({"times":2})"));
  EXPECT_EQ(id, 1);
  EXPECT_EQ(table.Take("GET", "/a", "")->id, 1);
  EXPECT_EQ(table.size(), 1u);
  EXPECT_EQ(table.Take("GET", "/b", "")->id, 1);
  EXPECT_EQ(table.size(), 0u);
  EXPECT_FALSE(table.Take("GET", "/c", "").has_value());
}

TEST(FaultTableTest, UnlimitedFaultStaysUntilCleared) {
  FaultTable table;
  table.Add(Parse(R"({"times":-1})"));
  for (int i = 0; i < 100; ++i) ASSERT_TRUE(table.Take("GET", "/", "").has_value());
  EXPECT_EQ(table.size(), 1u);
  EXPECT_EQ(table.Clear(), 1u);
  EXPECT_FALSE(table.Take("GET", "/", "").has_value());
}

TEST(FaultTableTest, FirstMatchInOrderAddedWins) {
  FaultTable table;
  const int64_t narrow = table.Add(Parse(R"({"path_contains":"/verify","http_status":503})"));
  const int64_t broad = table.Add(Parse(R"({"times":-1,"http_status":500})"));
  const int64_t later = table.Add(Parse(R"({"path_contains":"/verify","http_status":504})"));
  std::optional<FaultHit> hit = table.Take("POST", "/x/verify", "");
  ASSERT_TRUE(hit.has_value());
  EXPECT_EQ(hit->id, narrow);
  EXPECT_EQ(hit->spec.http_status, 503);
  // The narrow fault is spent; the broad one now shadows the later one.
  EXPECT_EQ(table.Take("POST", "/x/verify", "")->id, broad);
  EXPECT_EQ(table.Take("GET", "/y", "")->id, broad);
  EXPECT_EQ(table.size(), 2u);
  const rapidjson::Document listed = ParseJson(table.ToJson());
  ASSERT_EQ(listed.Size(), 2u);
  EXPECT_EQ(listed[0]["id"].GetInt64(), broad);
  EXPECT_EQ(listed[1]["id"].GetInt64(), later);
}

TEST(FaultTableTest, IdsAreNeverReused) {
  FaultTable table;
  EXPECT_EQ(table.Add(FaultSpec()), 1);
  EXPECT_EQ(table.Add(FaultSpec()), 2);
  table.Clear();
  EXPECT_EQ(table.Add(FaultSpec()), 3);
}

TEST(FaultTableTest, ListsSpecsWithUsesLeftAndHits) {
  FaultTable table;
  table.Add(Parse(R"({"method":"PUT","customer_id":"6222222222","times":3,"http_status":502,
                      "headers":{"Retry-After":"1"},"body":"bad gateway","delay_ms":9})"));
  table.Add(Parse(R"({"action":"stall"})"));
  table.Take("PUT", "/p", "6222222222");
  const rapidjson::Document doc = ParseJson(table.ToJson());
  ASSERT_TRUE(doc.IsArray());
  ASSERT_EQ(doc.Size(), 2u);
  const rapidjson::Value& first = doc[0];
  EXPECT_EQ(first["id"].GetInt64(), 1);
  EXPECT_STREQ(first["method"].GetString(), "PUT");
  EXPECT_FALSE(first.HasMember("path_contains"));
  EXPECT_STREQ(first["customer_id"].GetString(), "6222222222");
  EXPECT_EQ(first["times"].GetInt64(), 2);
  EXPECT_STREQ(first["action"].GetString(), "respond");
  EXPECT_EQ(first["http_status"].GetInt(), 502);
  EXPECT_STREQ(first["headers"]["Retry-After"].GetString(), "1");
  EXPECT_STREQ(first["body"].GetString(), "bad gateway");
  EXPECT_EQ(first["delay_ms"].GetInt64(), 9);
  EXPECT_EQ(first["hits"].GetInt64(), 1);
  EXPECT_STREQ(doc[1]["action"].GetString(), "stall");
  EXPECT_FALSE(doc[1].HasMember("http_status"));
  EXPECT_EQ(doc[1]["hits"].GetInt64(), 0);
}

// --- Through SimCore ---------------------------------------------------------

class SimCoreFaultTest : public ::testing::Test {
 protected:
  explicit SimCoreFaultTest(SimConfig config = SimConfig()) : config_(config), core_(config) {}

  SimResponse Admin(const std::string& method, const std::string& path,
                    const std::string& body = "", std::map<std::string, std::string> query = {}) {
    SimRequest request;
    request.method = method;
    request.path = std::string(kAdminPrefix) + path;
    request.body = body;
    request.query = std::move(query);
    return core_.Handle(request, kNow);
  }

  // Adds a fault through the admin endpoint; returns its id.
  int64_t AddFault(const std::string& json) {
    const SimResponse response = Admin("POST", "/faults", json);
    EXPECT_EQ(response.http_status, 200) << json << " -> " << response.body;
    const rapidjson::Document doc = ParseJson(response.body);
    return doc.IsObject() && doc.HasMember("id") ? doc["id"].GetInt64() : -1;
  }

  // A request to `path` under the base path; signed when `sign`.
  SimRequest Eko(const std::string& method, const std::string& path, bool sign = true) const {
    SimRequest request;
    request.method = method;
    request.path = config_.base_path + path;
    if (sign) {
      const std::string timestamp = std::to_string(kNow);
      request.headers["developer_key"] = config_.developer_key;
      request.headers["secret-key-timestamp"] = timestamp;
      request.headers["secret-key"] = ComputeSecretKey(config_.access_key, timestamp);
    }
    if (method == "GET") {
      request.query = {{"initiator_id", config_.initiator_id}, {"user_code", "20810200"}};
    } else {
      request.headers["content-type"] = "application/json";
      request.body = absl::StrCat(R"({"initiator_id":")", config_.initiator_id,
                                  R"(","user_code":"20810200","otp":"1","otp_ref_id":"r"})");
    }
    return request;
  }

  SimResponse Call(const SimRequest& request) { return core_.Handle(request, kNow); }

  SimConfig config_;
  SimCore core_;
};

TEST_F(SimCoreFaultTest, AddListAndClear) {
  EXPECT_EQ(Admin("GET", "/faults").body, "[]");
  EXPECT_EQ(AddFault(R"({"action":"reset"})"), 1);
  EXPECT_EQ(AddFault(R"({"action":"stall","times":-1})"), 2);
  rapidjson::Document listed = ParseJson(Admin("GET", "/faults").body);
  ASSERT_EQ(listed.Size(), 2u);
  EXPECT_STREQ(listed[0]["action"].GetString(), "reset");
  EXPECT_STREQ(listed[1]["action"].GetString(), "stall");

  const SimResponse cleared = Admin("DELETE", "/faults");
  EXPECT_EQ(cleared.http_status, 200);
  EXPECT_EQ(cleared.body, R"({"cleared":2})");
  EXPECT_EQ(Admin("GET", "/faults").body, "[]");
  EXPECT_EQ(AddFault("{}"), 3);
}

TEST_F(SimCoreFaultTest, ResetClearsFaults) {
  AddFault(R"({"times":-1,"http_status":500})");
  EXPECT_EQ(Admin("POST", "/reset").http_status, 200);
  EXPECT_EQ(Admin("GET", "/faults").body, "[]");
  EXPECT_EQ(Call(Eko("GET", "/customer/profile/6111111111")).http_status, 200);
}

TEST_F(SimCoreFaultTest, BadFaultIs400WithMessageAndAddsNothing) {
  SimResponse response = Admin("POST", "/faults", R"({"action":"explode"})");
  EXPECT_EQ(response.http_status, 400);
  const rapidjson::Document doc = ParseJson(response.body);
  EXPECT_THAT(doc["error"].GetString(), HasSubstr("\"action\" must be one of"));
  response = Admin("POST", "/faults", "not json");
  EXPECT_EQ(response.http_status, 400);
  EXPECT_THAT(response.body, HasSubstr("not valid JSON"));
  EXPECT_EQ(Admin("GET", "/faults").body, "[]");
  response = Admin("PUT", "/faults", "{}");
  EXPECT_EQ(response.http_status, 405);
  EXPECT_THAT(response.headers, ::testing::Contains(Pair("Allow", "GET, POST, DELETE")));
}

TEST_F(SimCoreFaultTest, RespondReplacesTheReplyBeforeAuth) {
  AddFault(R"({"http_status":503,"headers":{"Retry-After":"3"},"body":"{\"status\":503}"})");
  const SimResponse response = Call(Eko("GET", "/customer/profile/6111111111", /*sign=*/false));
  EXPECT_EQ(response.action, ReplyAction::kRespond);
  EXPECT_EQ(response.http_status, 503);
  EXPECT_THAT(response.headers,
              ElementsAre(Pair("Content-Type", "application/json"), Pair("Retry-After", "3")));
  EXPECT_EQ(response.body, R"({"status":503})");
  EXPECT_EQ(response.delay_ms, 0);
  // Used up: the same unsigned call is Forbidden again.
  EXPECT_EQ(Call(Eko("GET", "/customer/profile/6111111111", false)).http_status, 403);
}

TEST_F(SimCoreFaultTest, FaultsApplyToUnknownPathsButNeverToAdmin) {
  AddFault(R"({"times":-1,"http_status":502})");
  EXPECT_EQ(Admin("GET", "/health").http_status, 200);
  EXPECT_EQ(Call(Eko("GET", "/no/such/route")).http_status, 502);
  SimRequest outside;
  outside.method = "GET";
  outside.path = "/elsewhere";
  EXPECT_EQ(Call(outside).http_status, 502);
}

TEST_F(SimCoreFaultTest, CustomerIdMatchesTheRouteSegment) {
  AddFault(R"({"customer_id":"9123450001","times":-1,"http_status":504})");
  EXPECT_EQ(Call(Eko("GET", "/customer/profile/9123450001")).http_status, 504);
  EXPECT_EQ(Call(Eko("POST", "/customer/account/9123450001/otp/verify")).http_status, 504);
  EXPECT_EQ(Call(Eko("PUT", "/customer/payment/dmt-fino/sender/9123450001/otp")).http_status, 504);
  // Any method of a known route counts, even the wrong one.
  EXPECT_EQ(Call(Eko("DELETE", "/customer/profile/9123450001")).http_status, 504);
  // Another customer, or the id elsewhere in a path, does not match.
  EXPECT_EQ(Call(Eko("GET", "/customer/profile/9123450002")).http_status, 200);
  EXPECT_EQ(Call(Eko("GET", "/customer/profile/9123450001/extra")).http_status, 404);
  EXPECT_EQ(Call(Eko("GET", "/9123450001")).http_status, 404);
}

TEST_F(SimCoreFaultTest, EnvelopeWithAnyBusinessCode) {
  AddFault(R"({"path_contains":"/sender/","body":"{\"status\":463,\"response_status_id\":1,)"
           R"(\"response_type_id\":-1,\"message\":\"User not found\",)"
           R"(\"invalid_params\":{\"customer_id\":\"x\"}}"})");
  AddFault(R"({"body":"{\"status\":9999,\"message\":\"?\"}"})");
  SimResponse response = Call(Eko("GET", "/customer/payment/dmt-fino/sender/6222222222"));
  EXPECT_EQ(response.http_status, 200);
  EXPECT_EQ(ParseJson(response.body)["status"].GetInt(), 463);
  response = Call(Eko("GET", "/customer/profile/6111111111"));
  EXPECT_EQ(ParseJson(response.body)["status"].GetInt(), 9999);
}

TEST_F(SimCoreFaultTest, RequestsAreLoggedWithTheirFault) {
  const int64_t id = AddFault(R"({"action":"reset"})");
  Call(Eko("GET", "/customer/profile/6111111111"));
  Call(Eko("GET", "/customer/profile/6111111111", /*sign=*/false));
  const rapidjson::Document log = ParseJson(Admin("GET", "/requests").body);
  ASSERT_EQ(log.Size(), 2u);
  EXPECT_EQ(log[0]["fault_id"].GetInt64(), id);
  EXPECT_TRUE(log[0]["auth_ok"].GetBool());
  EXPECT_TRUE(log[1]["fault_id"].IsNull());
  EXPECT_FALSE(log[1]["auth_ok"].GetBool());
}

TEST_F(SimCoreFaultTest, ActionsReachTheHttpLayer) {
  AddFault(R"({"action":"reset","delay_ms":10})");
  AddFault(R"({"action":"stall"})");
  AddFault(R"({"action":"truncate","http_status":200,"body":"{\"status\":0}"})");
  SimResponse response = Call(Eko("GET", "/customer/profile/6111111111"));
  EXPECT_EQ(response.action, ReplyAction::kReset);
  EXPECT_EQ(response.delay_ms, 10);
  EXPECT_EQ(Call(Eko("GET", "/customer/profile/6111111111")).action, ReplyAction::kStall);
  response = Call(Eko("GET", "/customer/profile/6111111111"));
  EXPECT_EQ(response.action, ReplyAction::kTruncate);
  EXPECT_EQ(response.body, R"({"status":0})");
  EXPECT_EQ(Call(Eko("GET", "/customer/profile/6111111111")).action, ReplyAction::kRespond);
}

SimConfig WithLatency(int64_t latency_ms) {
  SimConfig config;
  config.latency_ms = latency_ms;
  return config;
}

class SimCoreLatencyFaultTest : public SimCoreFaultTest {
 protected:
  SimCoreLatencyFaultTest() : SimCoreFaultTest(WithLatency(50)) {}
};

// A fault's delay_ms replaces the configured latency.
TEST_F(SimCoreLatencyFaultTest, PassKeepsTheNormalReplyWithItsDelay) {
  AddFault(R"({"action":"pass","delay_ms":700})");
  AddFault(R"({"body":"{}"})");
  SimResponse response = Call(Eko("GET", "/customer/profile/6111111111"));
  EXPECT_EQ(response.action, ReplyAction::kRespond);
  EXPECT_EQ(response.delay_ms, 700);
  EXPECT_EQ(ParseJson(response.body)["response_type_id"].GetInt(), 2129);
  // The call had its usual effect: an OTP was issued.
  EXPECT_EQ(Admin("GET", "/otp", "", {{"customer_id", "6111111111"}}).http_status, 200);

  response = Call(Eko("GET", "/customer/profile/6111111111"));
  EXPECT_EQ(response.body, "{}");
  EXPECT_EQ(response.delay_ms, 0);
  response = Call(Eko("GET", "/customer/profile/6111111111"));
  EXPECT_EQ(ParseJson(response.body)["response_type_id"].GetInt(), 2129);
  EXPECT_EQ(response.delay_ms, 50);
}

// "pass" still goes through every normal check.
TEST_F(SimCoreFaultTest, PassedRequestIsStillAuthenticated) {
  AddFault(R"({"action":"pass","delay_ms":5})");
  const SimResponse response = Call(Eko("GET", "/customer/profile/6111111111", /*sign=*/false));
  EXPECT_EQ(response.http_status, 403);
  EXPECT_EQ(response.delay_ms, 5);
}

}  // namespace
}  // namespace eko::sim
