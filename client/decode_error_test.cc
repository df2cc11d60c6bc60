#include "client/decode_error.h"

#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "client/cli.h"
#include "client/output.h"
#include "client/test_support.h"
#include "gmock/gmock.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "gtest/gtest.h"

namespace eko::cli {
namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::StartsWith;

using test_support::CliRun;

// Runs eko-cli with `args` and `stdin_text` on stdin. decode-error sends
// nothing, so the address points nowhere.
CliRun DecodeRun(const std::vector<std::string>& args, const std::string& stdin_text = "") {
  return test_support::RunEkoCli(args, stdin_text, "unused.invalid:1");
}

// A gateway-shaped error: INVALID_ARGUMENT carrying ErrorInfo, BadRequest,
// RetryInfo and RequestInfo. The "???" in the description puts '/' in the
// standard base64 of the details and '_' in the URL-safe one, and the details
// are not a multiple of 3 bytes long, so their base64 needs padding.
// Serialization order of map entries varies between calls, so a test calls
// this once and compares with what eko-cli prints for that same status.
grpc::Status GatewayError() {
  return test_support::RichError("must be a real date in the past???");
}

// The human form of GatewayError().
constexpr char kGatewayErrorHuman[] =
    "error: INVALID_ARGUMENT: dob is not a \"real\" date\n"
    "  reason: FIELD_INVALID (domain eko-onboarding-gateway)\n"
    "    field=dob\n"
    "    rpc=OnboardCustomer\n"
    "  field dob: must be a real date in the past???\n"
    "  retry after 1.5s\n"
    "  request id: req-42\n";

std::string WithoutPadding(std::string base64) {
  base64.erase(base64.find_last_not_of('=') + 1);
  return base64;
}

// buf curl's JSON error for `error`, built from its real serialized details:
// {"code":"invalid_argument","message":...,"details":[{"type":
// "google.rpc.ErrorInfo","value":"<base64>","debug":{...}},...]}, printed
// over several lines as buf prints it. The first value keeps its padding, the
// others have none.
std::string AsBufJson(const grpc::Status& error_status) {
  google::rpc::Status status;
  EXPECT_TRUE(status.ParseFromString(error_status.error_details()));
  google::protobuf::Struct error;
  (*error.mutable_fields())["code"].set_string_value("invalid_argument");
  (*error.mutable_fields())["message"].set_string_value(status.message());
  google::protobuf::ListValue* details = (*error.mutable_fields())["details"].mutable_list_value();
  for (const google::protobuf::Any& any : status.details()) {
    google::protobuf::Struct* detail = details->add_values()->mutable_struct_value();
    const std::string type = any.type_url().substr(any.type_url().rfind('/') + 1);
    std::string value = absl::Base64Escape(any.value());
    if (details->values_size() > 1) value = WithoutPadding(value);
    (*detail->mutable_fields())["type"].set_string_value(type);
    (*detail->mutable_fields())["value"].set_string_value(value);
    // buf adds the detail as JSON when it knows the type; it is ignored.
    (*(*detail->mutable_fields())["debug"].mutable_struct_value()->mutable_fields())["x"]
        .set_string_value("ignored");
  }
  google::protobuf::util::JsonPrintOptions options;
  options.add_whitespace = true;
  std::string json;
  EXPECT_TRUE(google::protobuf::util::MessageToJsonString(error, &json, options).ok());
  return json;
}

// A serialized google.rpc.ErrorInfo: one detail, not a whole Status.
std::string ErrorInfoBin() {
  google::rpc::ErrorInfo info;
  info.set_reason("FIELD_INVALID");
  return info.SerializeAsString();
}

TEST(DecodeBase64Test, ReadsBothAlphabetsWithOrWithoutPadding) {
  std::string every_byte;
  for (int i = 0; i < 256; ++i) every_byte.push_back(static_cast<char>(i));
  for (size_t size = 0; size <= every_byte.size(); size += 17) {
    const std::string bytes = every_byte.substr(every_byte.size() - size);
    if (bytes.empty()) continue;
    EXPECT_EQ(DecodeBase64(absl::Base64Escape(bytes)).value_or("?"), bytes) << size;
    EXPECT_EQ(DecodeBase64(WithoutPadding(absl::Base64Escape(bytes))).value_or("?"), bytes);
    EXPECT_EQ(DecodeBase64(absl::WebSafeBase64Escape(bytes)).value_or("?"), bytes) << size;
  }
  EXPECT_EQ(DecodeBase64("aGk=\n").value_or("?"), "hi");
  EXPECT_EQ(DecodeBase64(" aG\r\nk ").value_or("?"), "hi");
  EXPECT_EQ(DecodeBase64("-_8").value_or("?"), "\xfb\xff");
  EXPECT_EQ(DecodeBase64("+/8=").value_or("?"), "\xfb\xff");
}

TEST(DecodeBase64Test, SaysWhatIsWrong) {
  EXPECT_THAT(DecodeBase64("aGk!").status().message(),
              HasSubstr("character '!' at offset 3 is in neither"));
  EXPECT_THAT(DecodeBase64("a\x01").status().message(), HasSubstr("character '\\x01'"));
  EXPECT_THAT(DecodeBase64("aG=k").status().message(), HasSubstr("'=' padding before offset 3"));
  EXPECT_THAT(DecodeBase64("aGk==").status().message(), HasSubstr("wrong padding"));
  EXPECT_THAT(DecodeBase64("aGVsb").status().message(), HasSubstr("5 base64 digits"));
  EXPECT_THAT(DecodeBase64("==").status().message(), HasSubstr("no base64 digits"));
}

TEST(DecodeErrorTest, StandardBase64RoundTrip) {
  const std::string value = absl::Base64Escape(GatewayError().error_details());
  // The value really uses the alphabet-specific digits and padding.
  ASSERT_NE(value.find_first_of("+/"), std::string::npos) << value;
  ASSERT_EQ(value.back(), '=') << value;
  const CliRun run = DecodeRun({"decode-error", value});
  EXPECT_EQ(run.code, kExitOk) << run.err;
  EXPECT_THAT(run.err, IsEmpty());
  EXPECT_EQ(run.out, kGatewayErrorHuman);
  EXPECT_FALSE(test_support::ContainsBase64Blob(run.out)) << run.out;
}

TEST(DecodeErrorTest, UrlSafeUnpaddedBase64RoundTrip) {
  const std::string value = absl::WebSafeBase64Escape(GatewayError().error_details());
  ASSERT_NE(value.find_first_of("-_"), std::string::npos) << value;
  ASSERT_EQ(value.find('='), std::string::npos) << value;
  ASSERT_NE(value.size() % 4, 0u) << "padding would be needed";
  const CliRun run = DecodeRun({"decode-error", value});
  EXPECT_EQ(run.code, kExitOk) << run.err;
  EXPECT_EQ(run.out, kGatewayErrorHuman);
}

TEST(DecodeErrorTest, JsonOutputIsTheCliErrorJson) {
  const grpc::Status error = GatewayError();
  const CliRun run =
      DecodeRun({"--json", "decode-error", absl::WebSafeBase64Escape(error.error_details())});
  EXPECT_EQ(run.code, kExitOk) << run.err;
  EXPECT_THAT(run.err, IsEmpty());
  EXPECT_EQ(run.out, FormatErrorJson(error) + "\n");
  EXPECT_THAT(run.out, HasSubstr("\"retry_delay\":\"1.500s\""));
}

TEST(DecodeErrorTest, BufJsonRoundTripFromStdin) {
  const grpc::Status error = GatewayError();
  const std::string json = AsBufJson(error);
  ASSERT_THAT(json, HasSubstr("\"type\": \"google.rpc.BadRequest\""));
  const CliRun run = DecodeRun({"decode-error"}, json);
  EXPECT_EQ(run.code, kExitOk) << run.err;
  EXPECT_THAT(run.err, IsEmpty());
  EXPECT_EQ(run.out, kGatewayErrorHuman);

  const CliRun as_json = DecodeRun({"decode-error", "-", "--json"}, json);
  EXPECT_EQ(as_json.code, kExitOk) << as_json.err;
  EXPECT_EQ(as_json.out, FormatErrorJson(error) + "\n");
}

TEST(DecodeErrorTest, BufJsonAsArgumentWithUnknownTypeAndConnectCodeSpelling) {
  const std::string json = absl::StrCat(R"({"code":"canceled","message":"stop","details":[)",
                                        R"({"type":"example.v1.Mystery","value":")",
                                        WithoutPadding(absl::Base64Escape("12345")), R"("}]})");
  const CliRun run = DecodeRun({"decode-error", json});
  EXPECT_EQ(run.code, kExitOk) << run.err;
  EXPECT_EQ(run.out,
            "error: CANCELLED: stop\n"
            "  detail: type.googleapis.com/example.v1.Mystery (5 bytes, not decoded)\n");
}

TEST(DecodeErrorTest, ReadsBase64FromStdinWrappedOrNot) {
  const std::string value = absl::Base64Escape(GatewayError().error_details());
  CliRun run = DecodeRun({"decode-error", "-"}, value + "\n");
  EXPECT_EQ(run.code, kExitOk) << run.err;
  EXPECT_EQ(run.out, kGatewayErrorHuman);

  std::string wrapped;
  for (size_t i = 0; i < value.size(); i += 76)
    absl::StrAppend(&wrapped, value.substr(i, 76), "\n");
  run = DecodeRun({"decode-error"}, wrapped);
  EXPECT_EQ(run.code, kExitOk) << run.err;
  EXPECT_EQ(run.out, kGatewayErrorHuman);
}

TEST(DecodeErrorTest, GarbageIsExit2WithAClearMessage) {
  struct Case {
    std::vector<std::string> args;
    std::string stdin_text;
    std::string message;
  };
  const std::vector<Case> cases = {
      {{"decode-error", "not base64!"}, "", "not base64 (nor buf's JSON error"},
      {{"decode-error", "CAMS!"}, "", "character '!' at offset 4"},
      // "hello world": valid base64, but not a google.rpc.Status.
      {{"decode-error", "aGVsbG8gd29ybGQ="}, "", "decodes to 11 bytes that are not a google.rpc"},
      // A single ErrorInfo is not a Status either.
      {{"decode-error", absl::Base64Escape(ErrorInfoBin())}, "", "not a google.rpc.Status"},
      {{"decode-error"}, "{not json", "not buf's JSON error: invalid JSON object"},
      {{"decode-error"}, R"({"message":"x"})", "it has no \"code\""},
      {{"decode-error"}, R"({"code":"sad"})", "unknown \"code\" \"sad\""},
      {{"decode-error"},
       R"({"code":"internal","details":[{"type":"google.rpc.ErrorInfo","value":"%%"}]})",
       "details[0].value is not base64"},
      {{"decode-error"},
       R"({"code":"internal","details":[{"value":"CAM"}]})",
       "details[0] has no \"type\" string"},
      {{"decode-error"}, "", "no input"},
      {{"decode-error", "-"}, " \n", "no input"},
  };
  for (const Case& c : cases) {
    const CliRun run = DecodeRun(c.args, c.stdin_text);
    EXPECT_EQ(run.code, kExitUsage) << c.args.back() << " / " << c.stdin_text;
    EXPECT_THAT(run.out, IsEmpty());
    EXPECT_THAT(run.err, StartsWith("eko-cli: decode-error: "));
    EXPECT_THAT(run.err, HasSubstr(c.message));
    EXPECT_EQ(run.err.find('\n'), run.err.size() - 1) << "one line expected: " << run.err;
  }
}

TEST(DecodeErrorTest, TwoValuesAreAUsageError) {
  const CliRun run = DecodeRun({"decode-error", "CAMS", "CAMS"});
  EXPECT_EQ(run.code, kExitUsage);
  EXPECT_THAT(run.err, StartsWith("eko-cli: unexpected argument 'CAMS'"));
  EXPECT_THAT(run.err, HasSubstr("usage: eko-cli [GLOBAL FLAGS] decode-error"));
}

}  // namespace
}  // namespace eko::cli
