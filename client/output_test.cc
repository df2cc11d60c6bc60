#include "client/output.h"

#include <sstream>
#include <string>

#include "absl/strings/escaping.h"
#include "client/test_support.h"
#include "gmock/gmock.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"

namespace eko::cli {
namespace {

namespace v1 = ::eko::onboarding::v1;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

using test_support::Proto;

// A status whose details are exactly `details`.
grpc::Status StatusWithDetails(const google::rpc::Status& details) {
  return grpc::Status(static_cast<grpc::StatusCode>(details.code()), details.message(),
                      details.SerializeAsString());
}

// Parses JSON text into a Struct; fails the test when it is not a JSON object.
google::protobuf::Struct ParseJsonObject(const std::string& json) {
  google::protobuf::Struct parsed;
  EXPECT_TRUE(google::protobuf::util::JsonStringToMessage(json, &parsed).ok()) << json;
  return parsed;
}

template <typename T>
std::string Human(const T& response) {
  std::ostringstream out;
  PrintHuman(response, out);
  return out.str();
}

TEST(StatusCodeNameTest, NamesEveryCanonicalCode) {
  EXPECT_EQ(StatusCodeName(grpc::StatusCode::OK), "OK");
  EXPECT_EQ(StatusCodeName(grpc::StatusCode::INVALID_ARGUMENT), "INVALID_ARGUMENT");
  EXPECT_EQ(StatusCodeName(grpc::StatusCode::FAILED_PRECONDITION), "FAILED_PRECONDITION");
  EXPECT_EQ(StatusCodeName(grpc::StatusCode::UNAUTHENTICATED), "UNAUTHENTICATED");
  for (int code = 0; code <= 16; ++code) {
    EXPECT_THAT(StatusCodeName(static_cast<grpc::StatusCode>(code)), Not(HasSubstr("CODE_")));
  }
  // 20 is inside the enum's value range (creating 42 would itself be undefined).
  EXPECT_EQ(StatusCodeName(static_cast<grpc::StatusCode>(20)), "CODE_20");
}

TEST(FormatErrorHumanTest, DecodesTheGatewaysDetails) {
  const grpc::Status status = test_support::RichError();
  const std::string human = FormatErrorHuman(status);
  EXPECT_EQ(human, test_support::kRichErrorHuman);
  EXPECT_THAT(human, HasSubstr("reason: FIELD_INVALID"));
  EXPECT_THAT(human, HasSubstr("field dob: "));
  EXPECT_FALSE(test_support::ContainsBase64Blob(human)) << human;
  google::rpc::Status details;
  ASSERT_TRUE(details.ParseFromString(status.error_details()));
  EXPECT_THAT(human, Not(HasSubstr(absl::Base64Escape(status.error_details()).substr(0, 12))));
  for (const auto& any : details.details()) {
    EXPECT_THAT(human, Not(HasSubstr(absl::Base64Escape(any.value()).substr(0, 12))));
  }
}

TEST(FormatErrorHumanTest, DecodesTheOtherDetailTypes) {
  google::rpc::Status details;
  details.set_code(9);
  details.set_message("OTP expired");
  google::rpc::PreconditionFailure precondition;
  auto* condition = precondition.add_violations();
  condition->set_type("OTP");
  condition->set_subject("otp_ref_id");
  condition->set_description("the OTP has expired");
  google::rpc::QuotaFailure quota;
  auto* quota_violation = quota.add_violations();
  quota_violation->set_subject("user_code:20810200");
  quota_violation->set_description("monthly limit used up");
  google::rpc::ResourceInfo resource;
  resource.set_resource_type("customer");
  resource.set_resource_name("9876543210");
  resource.set_description("not enrolled");
  resource.set_owner("eko");
  google::rpc::LocalizedMessage localized;
  localized.set_locale("hi-IN");
  localized.set_message("OTP समाप्त");
  google::rpc::Help help;
  auto* link = help.add_links();
  link->set_description("errors");
  link->set_url("https://example.invalid/errors");
  google::rpc::DebugInfo debug;
  debug.set_detail("trace");
  debug.add_stack_entries("frame 1");
  details.add_details()->PackFrom(precondition);
  details.add_details()->PackFrom(quota);
  details.add_details()->PackFrom(resource);
  details.add_details()->PackFrom(localized);
  details.add_details()->PackFrom(help);
  details.add_details()->PackFrom(debug);
  EXPECT_EQ(FormatErrorHuman(StatusWithDetails(details)),
            "error: FAILED_PRECONDITION: OTP expired\n"
            "  precondition OTP otp_ref_id: the OTP has expired\n"
            "  quota user_code:20810200: monthly limit used up\n"
            "  resource customer 9876543210: not enrolled (owner eko)\n"
            "  localized message (hi-IN): OTP समाप्त\n"
            "  help: errors https://example.invalid/errors\n"
            "  debug: trace\n"
            "    at frame 1\n");
}

TEST(FormatErrorHumanTest, NamesUnknownAndMalformedDetailsWithoutTheirBytes) {
  google::rpc::Status details;
  details.set_code(13);
  google::protobuf::Any* unknown = details.add_details();
  unknown->set_type_url("type.googleapis.com/example.v1.Mystery");
  unknown->set_value(std::string(48, '\x7f'));
  google::protobuf::Any* malformed = details.add_details();
  malformed->set_type_url("type.googleapis.com/google.rpc.ErrorInfo");
  malformed->set_value("\xff\xff\xff");
  const std::string human =
      FormatErrorHuman(grpc::Status(grpc::StatusCode::INTERNAL, "", details.SerializeAsString()));
  EXPECT_EQ(human,
            "error: INTERNAL\n"
            "  detail: type.googleapis.com/example.v1.Mystery (48 bytes, not decoded)\n"
            "  detail: type.googleapis.com/google.rpc.ErrorInfo (malformed)\n");
  EXPECT_FALSE(test_support::ContainsBase64Blob(human)) << human;
}

TEST(FormatErrorHumanTest, PlainAndUndecodableStatuses) {
  EXPECT_EQ(FormatErrorHuman(grpc::Status(grpc::StatusCode::UNAVAILABLE, "connection refused")),
            "error: UNAVAILABLE: connection refused\n");
  EXPECT_EQ(FormatErrorHuman(grpc::Status(grpc::StatusCode::INTERNAL, "boom", "\xff\x01")),
            "error: INTERNAL: boom\n  (grpc-status-details-bin is not a google.rpc.Status)\n");
}

TEST(FormatErrorJsonTest, PrintsCodeMessageAndDecodedDetails) {
  const std::string json = FormatErrorJson(test_support::RichError());
  EXPECT_EQ(json.find('\n'), std::string::npos);
  const google::protobuf::Struct parsed = ParseJsonObject(json);
  const auto& fields = parsed.fields();
  EXPECT_EQ(fields.at("code").string_value(), "INVALID_ARGUMENT");
  EXPECT_EQ(fields.at("code_number").number_value(), 3);
  EXPECT_EQ(fields.at("message").string_value(), test_support::kRichErrorMessage);
  const auto& details = fields.at("details").list_value().values();
  ASSERT_EQ(details.size(), 4);
  const auto& info = details[0].struct_value().fields();
  EXPECT_EQ(info.at("@type").string_value(), "type.googleapis.com/google.rpc.ErrorInfo");
  EXPECT_EQ(info.at("reason").string_value(), "FIELD_INVALID");
  EXPECT_EQ(info.at("metadata").struct_value().fields().at("field").string_value(), "dob");
  const auto& bad_request = details[1].struct_value().fields();
  EXPECT_EQ(bad_request.at("@type").string_value(), "type.googleapis.com/google.rpc.BadRequest");
  EXPECT_EQ(bad_request.at("field_violations")
                .list_value()
                .values(0)
                .struct_value()
                .fields()
                .at("field")
                .string_value(),
            "dob");
  EXPECT_EQ(details[2].struct_value().fields().at("retry_delay").string_value(), "1.500s");
  EXPECT_EQ(details[3].struct_value().fields().at("request_id").string_value(), "req-42");
  EXPECT_THAT(json, StartsWith("{\"code\":\"INVALID_ARGUMENT\",\"code_number\":3,\"message\":"));
}

TEST(FormatErrorJsonTest, UnknownDetailsKeepOnlyTheirType) {
  google::rpc::Status details;
  google::protobuf::Any* unknown = details.add_details();
  unknown->set_type_url("type.googleapis.com/example.v1.Mystery");
  unknown->set_value("\x08\x01");
  const std::string json = FormatErrorJson(
      grpc::Status(grpc::StatusCode::UNKNOWN, "line 1\nline 2", details.SerializeAsString()));
  EXPECT_EQ(json,
            "{\"code\":\"UNKNOWN\",\"code_number\":2,\"message\":\"line 1\\nline 2\","
            "\"details\":[{\"@type\":\"type.googleapis.com/example.v1.Mystery\"}]}");
  ParseJsonObject(json);
}

TEST(FormatErrorJsonTest, StatusWithoutDetails) {
  EXPECT_EQ(FormatErrorJson(grpc::Status(grpc::StatusCode::DEADLINE_EXCEEDED, "Deadline Exceeded")),
            "{\"code\":\"DEADLINE_EXCEEDED\",\"code_number\":4,\"message\":\"Deadline "
            "Exceeded\",\"details\":[]}");
}

TEST(ToJsonTest, UsesOriginalFieldNamesOnOneLine) {
  const auto response = Proto<v1::GetCustomerResponse>(R"pb(
    next_step: NEXT_STEP_VERIFY_CUSTOMER_OTP
    otp_ref_id: "otp-ref-1"
    upstream { response_type_id: 2129 http_status: 200 message: "Validate the OTP" }
  )pb");
  EXPECT_EQ(ToJson(response),
            "{\"next_step\":\"NEXT_STEP_VERIFY_CUSTOMER_OTP\",\"otp_ref_id\":\"otp-ref-1\","
            "\"upstream\":{\"response_type_id\":2129,\"message\":\"Validate the OTP\","
            "\"http_status\":200}}");
}

TEST(PrintHumanTest, GetCustomer) {
  EXPECT_EQ(Human(Proto<v1::GetCustomerResponse>(test_support::kCannedGetCustomer)),
            test_support::kCannedGetCustomerHuman);
}

TEST(PrintHumanTest, VerifyCustomerOtpWithProfile) {
  EXPECT_EQ(Human(Proto<v1::VerifyCustomerOtpResponse>(R"pb(
              next_step: NEXT_STEP_COMPLETE
              customer_profile {
                name: "Asha Rao"
                mobile: "9876543210"
                balance { currency_code: "INR" units: 0 }
                next_allowed_limit { currency_code: "INR" units: 25000 nanos: 500000000 }
                total_monthly_limit { currency_code: "INR" units: 25000 }
                kyc_state: KYC_STATE_KYC_COMPLETE
                eko_kyc_state: 1
                limit_usage {
                  used { currency_code: "INR" units: 0 nanos: 10000000 }
                  remaining { currency_code: "INR" units: 24999 nanos: 990000000 }
                }
              }
              upstream { status: 0 response_type_id: 309 client_ref_id: "ref-9" http_status: 200 }
            )pb")),
            "next step: COMPLETE\n"
            "customer_profile:\n"
            "  name: Asha Rao\n"
            "  mobile: 9876543210\n"
            "  balance: INR 0.00\n"
            "  next_allowed_limit: INR 25000.50\n"
            "  total_monthly_limit: INR 25000.00\n"
            "  kyc_state: KYC_COMPLETE\n"
            "  eko_kyc_state: 1\n"
            "  limit_usage:\n"
            "    used: INR 0.01\n"
            "    remaining: INR 24999.99\n"
            "upstream:\n"
            "  status: 0\n"
            "  response_status_id: 0\n"
            "  response_type_id: 309\n"
            "  client_ref_id: ref-9\n"
            "  http_status: 200\n");
}

TEST(PrintHumanTest, StartSenderEkycAndUnknownEnumValues) {
  v1::StartSenderEkycResponse response;
  response.set_next_step(static_cast<v1::NextStep>(99));
  response.set_otp_ref_id("o-1");
  response.set_kyc_request_id("k-1");
  EXPECT_EQ(Human(response), "next step: 99\notp_ref_id: o-1\nkyc_request_id: k-1\n");
}

TEST(ToJsonTest, PrintsTheNewResponseFieldsWhenSet) {
  EXPECT_EQ(ToJson(Proto<v1::GetCustomerResponse>(R"pb(next_step: NEXT_STEP_VERIFY_CUSTOMER_OTP
                                                       otp_ref_id: "o"
                                                       intent_id: 19)pb")),
            "{\"next_step\":\"NEXT_STEP_VERIFY_CUSTOMER_OTP\",\"otp_ref_id\":\"o\","
            "\"intent_id\":19}");
  EXPECT_EQ(ToJson(Proto<v1::OnboardCustomerResponse>(R"pb(intent_id: 19)pb")),
            "{\"intent_id\":19}");
  EXPECT_EQ(ToJson(Proto<v1::GetSenderResponse>(R"pb(next_step: NEXT_STEP_VALIDATE_EKYC_OTP
                                                     otp_ref_id: "o"
                                                     kyc_request_id: "k")pb")),
            "{\"next_step\":\"NEXT_STEP_VALIDATE_EKYC_OTP\",\"otp_ref_id\":\"o\","
            "\"kyc_request_id\":\"k\"}");
  // kyc_verified has presence: false is printed when Eko sent it.
  EXPECT_EQ(ToJson(Proto<v1::ValidateEkycOtpResponse>(R"pb(
              next_step: NEXT_STEP_COMPLETE
              customer_id: "9876543210"
              kyc_verified: false
              available_limit { currency_code: "INR" units: 25000 nanos: 500000000 }
            )pb")),
            "{\"next_step\":\"NEXT_STEP_COMPLETE\",\"customer_id\":\"9876543210\","
            "\"kyc_verified\":false,\"available_limit\":{\"currency_code\":\"INR\","
            "\"units\":\"25000\",\"nanos\":500000000}}");
  // Unset, they are left out.
  EXPECT_EQ(ToJson(Proto<v1::ValidateEkycOtpResponse>("next_step: NEXT_STEP_COMPLETE")),
            "{\"next_step\":\"NEXT_STEP_COMPLETE\"}");
  EXPECT_EQ(ToJson(Proto<v1::GetCustomerResponse>("next_step: NEXT_STEP_ONBOARD_CUSTOMER")),
            "{\"next_step\":\"NEXT_STEP_ONBOARD_CUSTOMER\"}");
}

TEST(PrintHumanTest, IntentIdWhenSet) {
  EXPECT_EQ(Human(Proto<v1::GetCustomerResponse>(R"pb(next_step: NEXT_STEP_VERIFY_CUSTOMER_OTP
                                                      otp_ref_id: "o-1"
                                                      intent_id: 19
                                                      upstream { response_type_id: 2129 })pb")),
            "next step: VERIFY_CUSTOMER_OTP\n"
            "otp_ref_id: o-1\n"
            "intent_id: 19\n"
            "upstream:\n"
            "  status: 0\n"
            "  response_status_id: 0\n"
            "  response_type_id: 2129\n"
            "  http_status: 0\n");
  EXPECT_EQ(Human(Proto<v1::OnboardCustomerResponse>(R"pb(next_step: NEXT_STEP_VERIFY_CUSTOMER_OTP
                                                          otp_ref_id: "o-2"
                                                          intent_id: 19)pb")),
            "next step: VERIFY_CUSTOMER_OTP\notp_ref_id: o-2\nintent_id: 19\n");
  // 0 means Eko sent none: no line.
  EXPECT_EQ(Human(Proto<v1::OnboardCustomerResponse>(R"pb(next_step: NEXT_STEP_VERIFY_CUSTOMER_OTP
                                                          otp_ref_id: "o-2")pb")),
            "next step: VERIFY_CUSTOMER_OTP\notp_ref_id: o-2\n");
  EXPECT_EQ(Human(Proto<v1::GetCustomerResponse>("next_step: NEXT_STEP_ONBOARD_CUSTOMER")),
            "next step: ONBOARD_CUSTOMER\n");
}

TEST(PrintHumanTest, GetSenderWithAPendingEkycOtp) {
  EXPECT_EQ(Human(Proto<v1::GetSenderResponse>(R"pb(next_step: NEXT_STEP_VALIDATE_EKYC_OTP
                                                    otp_ref_id: "o-1"
                                                    kyc_request_id: "k-1")pb")),
            "next step: VALIDATE_EKYC_OTP\notp_ref_id: o-1\nkyc_request_id: k-1\n");
  EXPECT_EQ(Human(Proto<v1::GetSenderResponse>("next_step: NEXT_STEP_ONBOARD_SENDER")),
            "next step: ONBOARD_SENDER\n");
}

TEST(PrintHumanTest, ValidateEkycOtpWithTheSendersDetails) {
  EXPECT_EQ(Human(Proto<v1::ValidateEkycOtpResponse>(R"pb(
              next_step: NEXT_STEP_COMPLETE
              customer_id: "9876543210"
              kyc_verified: true
              available_limit { currency_code: "INR" units: 25000 nanos: 500000000 }
              upstream { response_type_id: 2132 http_status: 200 }
            )pb")),
            "next step: COMPLETE\n"
            "customer_id: 9876543210\n"
            "kyc_verified: true\n"
            "available_limit: INR 25000.50\n"
            "upstream:\n"
            "  status: 0\n"
            "  response_status_id: 0\n"
            "  response_type_id: 2132\n"
            "  http_status: 200\n");
  // kyc_verified false is printed; a zero limit is printed when set.
  EXPECT_EQ(Human(Proto<v1::ValidateEkycOtpResponse>(R"pb(
              next_step: NEXT_STEP_COMPLETE
              kyc_verified: false
              available_limit { currency_code: "INR" }
            )pb")),
            "next step: COMPLETE\nkyc_verified: false\navailable_limit: INR 0.00\n");
  // Unset fields print nothing.
  EXPECT_EQ(Human(Proto<v1::ValidateEkycOtpResponse>("next_step: NEXT_STEP_COMPLETE")),
            "next step: COMPLETE\n");
}

TEST(PrintHumanTest, Health) {
  grpc::health::v1::HealthCheckResponse response;
  response.set_status(grpc::health::v1::HealthCheckResponse::NOT_SERVING);
  EXPECT_EQ(Human(response), "status: NOT_SERVING\n");
}

}  // namespace
}  // namespace eko::cli
