// Runs every fixture of tests/contract/ (see README.md there) through the
// adapter: request fixtures through BuildUpstreamRequest, response fixtures
// through InterpretReply. One test case per fixture file.
#include <dirent.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_split.h"
#include "adapters/common/rich_status.h"
#include "adapters/eko/eko_client.h"
#include "adapters/eko/request_builder.h"
#include "adapters/eko/rpc_traits.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/json_util.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "rapidjson/document.h"
#include "rapidjson/stringbuffer.h"
#include "rapidjson/writer.h"
#include "tests/support/status_matchers.h"

namespace eko::adapter {
namespace {

namespace v1 = ::eko::onboarding::v1;
using ::testing::UnorderedElementsAreArray;

std::string FixturePath(const std::string& kind, const std::string& name) {
  return std::string(EKO_CONTRACT_DIR) + "/" + kind + "/" + name + ".json";
}

// Stems of the *.json files in `kind`/, sorted.
std::vector<std::string> FixtureNames(const std::string& kind) {
  std::vector<std::string> names;
  const std::string dir = std::string(EKO_CONTRACT_DIR) + "/" + kind;
  if (DIR* d = opendir(dir.c_str())) {
    while (const dirent* entry = readdir(d)) {
      const std::string file = entry->d_name;
      if (file.size() > 5 && file.substr(file.size() - 5) == ".json") {
        names.push_back(file.substr(0, file.size() - 5));
      }
    }
    closedir(d);
  }
  std::sort(names.begin(), names.end());
  return names;
}

rapidjson::Document Load(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  rapidjson::Document doc;
  doc.Parse(text.str().c_str());
  EXPECT_FALSE(doc.HasParseError()) << path;
  EXPECT_TRUE(doc.IsObject()) << path;
  return doc;
}

std::string ToJson(const rapidjson::Value& value) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  value.Accept(writer);
  return std::string(buffer.GetString(), buffer.GetSize());
}

std::string Text(const rapidjson::Value& object, const char* key) {
  auto it = object.FindMember(key);
  return it != object.MemberEnd() && it->value.IsString() ? it->value.GetString() : "";
}

template <typename Message>
Message FromJson(const rapidjson::Value& value) {
  Message message;
  const auto status = google::protobuf::util::JsonStringToMessage(ToJson(value), &message);
  EXPECT_TRUE(status.ok()) << status.ToString() << " in " << ToJson(value);
  return message;
}

std::string PercentDecode(std::string_view text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size()) {
      out.push_back(static_cast<char>(std::stoi(std::string(text.substr(i + 1, 2)), nullptr, 16)));
      i += 2;
    } else {
      out.push_back(text[i]);
    }
  }
  return out;
}

// ---------------------------------------------------------------------------
// Request fixtures.

class RequestFixture : public ::testing::TestWithParam<std::string> {};

UpstreamRequest BuildFor(Rpc rpc, const EndpointTable& endpoints, const rapidjson::Value& request,
                         const CallIdentity& identity) {
  return VisitRpc(rpc, [&](auto type) {
    using Request = typename decltype(type)::RequestType;
    return BuildUpstreamRequest(endpoints, FromJson<Request>(request), identity);
  });
}

// Applies the fixture's "config" the way the gateway applies its flags.
EndpointTable Configured(const rapidjson::Value& fixture) {
  EndpointTable endpoints;
  auto config = fixture.FindMember("config");
  if (config == fixture.MemberEnd()) return endpoints;
  for (auto it = config->value.MemberBegin(); it != config->value.MemberEnd(); ++it) {
    const std::string kind = it->name.GetString();
    for (const rapidjson::Value& spec : it->value.GetArray()) {
      absl::Status applied;
      if (kind == "endpoint") {
        applied = endpoints.Override(spec.GetString());
      } else if (kind == "address_encoding") {
        applied = endpoints.OverrideAddressEncoding(spec.GetString());
      } else if (kind == "otp_json_type") {
        applied = endpoints.OverrideOtpJsonType(spec.GetString());
      } else {
        applied = absl::InvalidArgumentError("unknown config kind " + kind);
      }
      EXPECT_TRUE(applied.ok()) << applied;
    }
  }
  return endpoints;
}

TEST_P(RequestFixture, GatewaySendsWhatEkoDocuments) {
  const rapidjson::Document fixture = Load(FixturePath("requests", GetParam()));
  ASSERT_EQ(Text(fixture, "name"), GetParam());
  const std::optional<Rpc> rpc = RpcFromName(Text(fixture, "rpc"));
  ASSERT_TRUE(rpc.has_value()) << Text(fixture, "rpc");
  const rapidjson::Value& id = fixture["identity"];
  const CallIdentity identity{Text(id, "initiator_id"), Text(id, "user_code"),
                              Text(id, "client_ref_id")};
  const UpstreamRequest out = BuildFor(*rpc, Configured(fixture), fixture["request"], identity);

  const rapidjson::Value& expect = fixture["expect"];
  EXPECT_EQ(MethodName(out.method), Text(expect, "method"));
  const size_t question = out.path_and_query.find('?');
  EXPECT_EQ(out.path_and_query.substr(0, question), Text(expect, "path"));
  std::map<std::string, std::string> query;
  if (question != std::string::npos) {
    for (const absl::string_view part :
         absl::StrSplit(out.path_and_query.substr(question + 1), '&')) {
      const std::string_view pair(part.data(), part.size());
      const size_t eq = pair.find('=');
      query[PercentDecode(pair.substr(0, eq))] = PercentDecode(pair.substr(eq + 1));
    }
  }
  std::map<std::string, std::string> expected_query;
  if (auto q = expect.FindMember("query"); q != expect.MemberEnd()) {
    for (auto it = q->value.MemberBegin(); it != q->value.MemberEnd(); ++it) {
      expected_query[it->name.GetString()] = it->value.GetString();
    }
  }
  EXPECT_EQ(query, expected_query);

  auto body = expect.FindMember("body");
  if (body == expect.MemberEnd()) {
    EXPECT_EQ(out.body, "");
  } else {
    rapidjson::Document actual;
    actual.Parse(out.body.c_str(), out.body.size());
    ASSERT_FALSE(actual.HasParseError()) << out.body;
    // Structural and type-exact: a number is not its string.
    EXPECT_TRUE(actual == body->value)
        << "sent     " << out.body << "\nexpected " << ToJson(body->value);
  }

  // A fixture on Eko's reading the gateway picks runs without configuration;
  // the others need the configuration that selects them.
  if (auto reading = fixture.FindMember("reading"); reading != fixture.MemberEnd()) {
    const bool picked = reading->value["picked"].GetBool();
    EXPECT_EQ(picked, !fixture.HasMember("config"))
        << "a picked reading is the default: it needs no config";
  }
}

INSTANTIATE_TEST_SUITE_P(Eko, RequestFixture, ::testing::ValuesIn(FixtureNames("requests")),
                         [](const auto& test) { return test.param; });

// ---------------------------------------------------------------------------
// Response fixtures.

class ResponseFixture : public ::testing::TestWithParam<std::string> {};

struct Outcome {
  absl::Status status;
  std::string response_text;  // debug form
  bool matches = false;       // the typed response equals the expectation
  std::string diff;
  json::IgnoredFields ignored;
};

template <typename Response>
Outcome Interpret(Rpc rpc, const HttpResponse& http, const rapidjson::Value* expected) {
  Outcome outcome;
  absl::StatusOr<Response> result =
      InterpretReply<Response>(rpc, http, false, "", &outcome.ignored);
  outcome.status = result.status();
  if (!result.ok() || expected == nullptr) return outcome;
  const Response want = FromJson<Response>(*expected);
  google::protobuf::util::MessageDifferencer differencer;
  differencer.ReportDifferencesToString(&outcome.diff);
  outcome.matches = differencer.Compare(want, *result);
  outcome.response_text = result->DebugString();
  return outcome;
}

Outcome InterpretFor(Rpc rpc, const HttpResponse& http, const rapidjson::Value* expected) {
  return VisitRpc(rpc, [&](auto type) {
    return Interpret<typename decltype(type)::ResponseType>(rpc, http, expected);
  });
}

TEST_P(ResponseFixture, GatewayReadsWhatEkoDocuments) {
  const rapidjson::Document fixture = Load(FixturePath("responses", GetParam()));
  ASSERT_EQ(Text(fixture, "name"), GetParam());
  const std::optional<Rpc> rpc = RpcFromName(Text(fixture, "rpc"));
  ASSERT_TRUE(rpc.has_value()) << Text(fixture, "rpc");
  HttpResponse http;
  http.outcome = TransportOutcome::kCompleted;
  http.http_status = fixture["http_status"].GetInt();
  http.body = fixture.HasMember("body") ? ToJson(fixture["body"]) : Text(fixture, "body_text");

  const auto expect_response = fixture.FindMember("expect_response");
  const bool expects_ok = expect_response != fixture.MemberEnd();
  const Outcome outcome = InterpretFor(*rpc, http, expects_ok ? &expect_response->value : nullptr);
  if (expects_ok) {
    ASSERT_TRUE(outcome.status.ok()) << outcome.status;
    EXPECT_TRUE(outcome.matches) << outcome.diff << "\ngot:\n" << outcome.response_text;
    std::vector<std::string> expected_ignored;
    if (auto ignored = fixture.FindMember("expect_ignored"); ignored != fixture.MemberEnd()) {
      for (const rapidjson::Value& path : ignored->value.GetArray()) {
        expected_ignored.emplace_back(path.GetString());
      }
    }
    EXPECT_THAT(outcome.ignored, UnorderedElementsAreArray(expected_ignored));
    return;
  }
  ASSERT_TRUE(fixture.HasMember("expect_error")) << "a fixture expects a response or an error";
  const rapidjson::Value& error = fixture["expect_error"];
  ASSERT_FALSE(outcome.status.ok()) << "expected " << Text(error, "reason");
  EXPECT_EQ(absl::StatusCodeToString(outcome.status.code()), Text(error, "code")) << outcome.status;
  google::rpc::ErrorInfo info;
  ASSERT_TRUE(rich::GetErrorInfo(outcome.status, &info));
  EXPECT_EQ(info.reason(), Text(error, "reason")) << outcome.status;
  std::vector<std::string> fields;
  if (auto list = error.FindMember("field_violations"); list != error.MemberEnd()) {
    for (const rapidjson::Value& field : list->value.GetArray())
      fields.emplace_back(field.GetString());
  }
  EXPECT_EQ(::eko::testing::ViolatedFields(outcome.status), fields);
}

INSTANTIATE_TEST_SUITE_P(Eko, ResponseFixture, ::testing::ValuesIn(FixtureNames("responses")),
                         [](const auto& test) { return test.param; });

TEST(ContractSuiteTest, HasFixturesOfBothKinds) {
  EXPECT_GE(FixtureNames("requests").size(), 15u);
  EXPECT_GE(FixtureNames("responses").size(), 45u);
}

}  // namespace
}  // namespace eko::adapter
