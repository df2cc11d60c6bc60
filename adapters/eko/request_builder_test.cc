#include "adapters/eko/request_builder.h"

#include <set>
#include <string>
#include <string_view>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "google/protobuf/text_format.h"
#include "gtest/gtest.h"

namespace eko::adapter {
namespace {

namespace v1 = ::eko::onboarding::v1;

CallIdentity Identity() { return {"9962981729", "20810200", "ref0001"}; }

// The fields every POST and PUT body starts with, from Identity().
constexpr char kIdentityFields[] =
    R"({"initiator_id":"9962981729","user_code":"20810200","client_ref_id":"ref0001",)";

// A request message from its text format.
template <typename Request>
Request ParseRequest(const std::string& text) {
  Request request;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(text, &request)) << text;
  return request;
}

// Expects `out` to be exactly this call.
void ExpectCall(const UpstreamRequest& out, HttpMethod method, std::string_view path_and_query,
                std::string_view body) {
  EXPECT_EQ(out.method, method);
  EXPECT_EQ(out.path_and_query, path_and_query);
  EXPECT_EQ(out.body, body);
}

TEST(RequestBuilderTest, GetCustomerUsesQueryString) {
  const auto request = ParseRequest<v1::GetCustomerRequest>(R"(customer_id: "9876543210")");
  ExpectCall(BuildUpstreamRequest(EndpointTable(), request, Identity()), HttpMethod::kGet,
             "/customer/profile/9876543210?initiator_id=9962981729&user_code=20810200", "");
}

TEST(RequestBuilderTest, GetSenderUsesQueryString) {
  const auto request = ParseRequest<v1::GetSenderRequest>(R"(customer_id: "9876543210")");
  UpstreamRequest out = BuildUpstreamRequest(EndpointTable(), request, Identity());
  EXPECT_EQ(out.method, HttpMethod::kGet);
  EXPECT_EQ(out.path_and_query,
            "/customer/payment/dmt-fino/sender/9876543210?initiator_id=9962981729&user_code="
            "20810200");
}

TEST(RequestBuilderTest, OnboardCustomerGoldenBody) {
  auto request = ParseRequest<v1::OnboardCustomerRequest>(
      R"(customer_id: "9876543210" dob { year: 1990 month: 5 day: 7 })");
  request.set_name("Asha \"A\" Rao\\");
  request.add_residence_address("12 MG Road");
  request.add_residence_address("Bengaluru \xE0\xA4\x85");  // non-ASCII survives
  ExpectCall(BuildUpstreamRequest(EndpointTable(), request, Identity()), HttpMethod::kPost,
             "/customer/account/9876543210",
             absl::StrCat(kIdentityFields, R"("name":"Asha \"A\" Rao\\","dob":"1990-05-07",)"
                                           R"("residence_address":["12 MG Road","Bengaluru )"
                                           "\xE0\xA4\x85"
                                           R"("]})"));
}

TEST(RequestBuilderTest, VerifyCustomerOtpKeepsLeadingZeros) {
  const auto request = ParseRequest<v1::VerifyCustomerOtpRequest>(
      R"(customer_id: "9876543210" otp: "012345" otp_ref_id: "0099")");
  UpstreamRequest out = BuildUpstreamRequest(EndpointTable(), request, Identity());
  EXPECT_EQ(out.path_and_query, "/customer/account/9876543210/otp/verify");
  EXPECT_EQ(out.body, absl::StrCat(kIdentityFields, R"("otp":"012345","otp_ref_id":"0099"})"));
}

v1::OnboardSenderRequest SenderWithAddress() {
  return ParseRequest<v1::OnboardSenderRequest>(
      R"(customer_id: "9876543210" name: "Ravi" dob { year: 1985 month: 12 day: 31 }
         address { line: "12 \"MG\" Road" city: "Indore" state: "Madhya Pradesh"
                   pincode: "452001" area: "Gita Bhavan" })");
}

TEST(RequestBuilderTest, OnboardSenderSendsTheAddressAsAnObjectString) {
  // Keys in Eko's order; the empty district is left out.
  ExpectCall(
      BuildUpstreamRequest(EndpointTable(), SenderWithAddress(), Identity()), HttpMethod::kPost,
      "/customer/payment/dmt-fino/sender/9876543210",
      absl::StrCat(
          kIdentityFields,
          R"("name":"Ravi","dob":"1985-12-31","residence_address":)"
          R"("{\"line\":\"12 \\\"MG\\\" Road\",\"city\":\"Indore\",)"
          R"(\"state\":\"Madhya Pradesh\",\"pincode\":\"452001\",\"area\":\"Gita Bhavan\"}"})"));
}

TEST(RequestBuilderTest, OnboardSenderAddressInTheArrayEncodings) {
  EndpointTable endpoints;
  ASSERT_TRUE(endpoints.OverrideAddressEncoding("OnboardSender=array").ok());
  EXPECT_THAT(BuildUpstreamRequest(endpoints, SenderWithAddress(), Identity()).body,
              ::testing::HasSubstr(R"("residence_address":["12 \"MG\" Road","Gita Bhavan",)"
                                   R"("Indore","Madhya Pradesh","452001"]})"));
  ASSERT_TRUE(endpoints.OverrideAddressEncoding("OnboardSender=array-string").ok());
  EXPECT_THAT(
      BuildUpstreamRequest(endpoints, SenderWithAddress(), Identity()).body,
      ::testing::HasSubstr(R"("residence_address":"[\"12 \\\"MG\\\" Road\",)"
                           R"(\"Gita Bhavan\",\"Indore\",\"Madhya Pradesh\",\"452001\"]"})"));
}

TEST(RequestBuilderTest, OnboardCustomerAddressAsArrayString) {
  const auto request = ParseRequest<v1::OnboardCustomerRequest>(
      R"(customer_id: "9876543210" name: "Asha" dob { year: 1990 month: 1 day: 2 }
         residence_address: "1 Road" residence_address: "Pune")");
  EndpointTable endpoints;
  ASSERT_TRUE(endpoints.OverrideAddressEncoding("OnboardCustomer=array-string").ok());
  EXPECT_THAT(BuildUpstreamRequest(endpoints, request, Identity()).body,
              ::testing::HasSubstr(R"("residence_address":"[\"1 Road\",\"Pune\"]"})"));
}

TEST(RequestBuilderTest, VerifyCustomerOtpLeavesAnEmptyOtpOut) {
  const auto request = ParseRequest<v1::VerifyCustomerOtpRequest>(
      R"(customer_id: "9876543210" otp_ref_id: "ref==")");
  EXPECT_EQ(BuildUpstreamRequest(EndpointTable(), request, Identity()).body,
            absl::StrCat(kIdentityFields, R"("otp_ref_id":"ref=="})"));
}

TEST(RequestBuilderTest, NumberTypedOtpsNeverLoseLeadingZeros) {
  EndpointTable endpoints;
  ASSERT_TRUE(endpoints.OverrideOtpJsonType("VerifyCustomerOtp=number").ok());
  ASSERT_TRUE(endpoints.OverrideOtpJsonType("ValidateEkycOtp.otp_ref_id=number").ok());
  auto verify = ParseRequest<v1::VerifyCustomerOtpRequest>(
      R"(customer_id: "9876543210" otp: "123456" otp_ref_id: "66748392")");
  EXPECT_THAT(BuildUpstreamRequest(endpoints, verify, Identity()).body,
              ::testing::HasSubstr(R"("otp":123456,"otp_ref_id":66748392})"));
  verify.set_otp("012345");
  verify.set_otp_ref_id("IXryg==");
  EXPECT_THAT(BuildUpstreamRequest(endpoints, verify, Identity()).body,
              ::testing::HasSubstr(R"("otp":"012345","otp_ref_id":"IXryg=="})"));
  verify.set_otp_ref_id("1234567890123456789");  // 19 digits: beyond int64-safe
  EXPECT_THAT(BuildUpstreamRequest(endpoints, verify, Identity()).body,
              ::testing::HasSubstr(R"("otp_ref_id":"1234567890123456789"})"));

  const auto validate = ParseRequest<v1::ValidateEkycOtpRequest>(
      R"(customer_id: "9876543210" otp: "123456" otp_ref_id: "771" kyc_request_id: "88")");
  EXPECT_THAT(BuildUpstreamRequest(endpoints, validate, Identity()).body,
              ::testing::HasSubstr(R"("otp":"123456","otp_ref_id":771,"kyc_request_id":"88"})"));
}

TEST(RequestBuilderTest, TemplateWithoutCustomerIdPutsItInTheBodyOrQuery) {
  EndpointTable endpoints;
  ASSERT_TRUE(endpoints.Override("OnboardCustomer=POST /customer/account?service_code=80").ok());
  ASSERT_TRUE(endpoints.Override("GetSender=GET /customer/profile?service_code=80").ok());
  const auto onboard = ParseRequest<v1::OnboardCustomerRequest>(
      R"(customer_id: "9876543210" name: "A" residence_address: "x")");
  UpstreamRequest out = BuildUpstreamRequest(endpoints, onboard, Identity());
  EXPECT_EQ(out.path_and_query, "/customer/account?service_code=80");
  EXPECT_THAT(out.body, ::testing::HasSubstr(R"("client_ref_id":"ref0001","customer_id":)"
                                             R"("9876543210","name":"A")"));
  const auto get = ParseRequest<v1::GetSenderRequest>(R"(customer_id: "9876543210")");
  EXPECT_EQ(BuildUpstreamRequest(endpoints, get, Identity()).path_and_query,
            "/customer/profile?service_code=80&customer_id=9876543210&initiator_id=9962981729&"
            "user_code=20810200");
}

TEST(RequestBuilderTest, TemplateQueryComesBeforeTheCommonParameters) {
  EndpointTable endpoints;
  ASSERT_TRUE(
      endpoints.Override("GetCustomer=GET /customer/profile/{customer_id}?service_code=80").ok());
  const auto request = ParseRequest<v1::GetCustomerRequest>(R"(customer_id: "9876543210")");
  EXPECT_EQ(BuildUpstreamRequest(endpoints, request, Identity()).path_and_query,
            "/customer/profile/9876543210?service_code=80&initiator_id=9962981729&user_code="
            "20810200");
}

TEST(RequestBuilderTest, StartSenderEkycRenamesAadhaarAndPidData) {
  const auto request = ParseRequest<v1::StartSenderEkycRequest>(
      R"(customer_id: "9876543210" aadhaar: "123456789012" pid_data: "<PidData>x</PidData>")");
  ExpectCall(BuildUpstreamRequest(EndpointTable(), request, Identity()), HttpMethod::kPut,
             "/customer/payment/dmt-fino/sender/9876543210/otp",
             absl::StrCat(kIdentityFields,
                          R"("aadhar":"123456789012","piddata":"<PidData>x</PidData>"})"));
}

TEST(RequestBuilderTest, ValidateEkycOtpGoldenBody) {
  const auto request = ParseRequest<v1::ValidateEkycOtpRequest>(
      R"(customer_id: "9876543210" otp: "000123" otp_ref_id: "771" kyc_request_id: "88")");
  ExpectCall(
      BuildUpstreamRequest(EndpointTable(), request, Identity()), HttpMethod::kPut,
      "/customer/payment/dmt-fino/sender/9876543210/otp/verify",
      absl::StrCat(kIdentityFields, R"("otp":"000123","otp_ref_id":"771","kyc_request_id":"88"})"));
}

TEST(RequestBuilderTest, PathParameterCannotInjectSegments) {
  v1::GetCustomerRequest request;
  request.set_customer_id("../admin?x=1#");
  UpstreamRequest out = BuildUpstreamRequest(EndpointTable(), request, Identity());
  EXPECT_EQ(
      out.path_and_query,
      "/customer/profile/%2E%2E%2Fadmin%3Fx%3D1%23?initiator_id=9962981729&user_code=20810200");
}

TEST(RequestBuilderTest, ControlCharactersAreEscaped) {
  v1::OnboardCustomerRequest request;
  request.set_customer_id("9876543210");
  request.set_name(std::string("a\x01\n", 3));
  UpstreamRequest out = BuildUpstreamRequest(EndpointTable(), request, Identity());
  EXPECT_NE(out.body.find(R"("name":"a\u0001\n")"), std::string::npos) << out.body;
}

TEST(RequestBuilderTest, EndpointOverridesApply) {
  EndpointTable endpoints;
  ASSERT_TRUE(
      endpoints.Override("StartSenderEkyc=POST /customer/account/{customer_id}/dmt-fino/ekyc")
          .ok());
  v1::StartSenderEkycRequest request;
  request.set_customer_id("9876543210");
  UpstreamRequest out = BuildUpstreamRequest(endpoints, request, Identity());
  EXPECT_EQ(out.method, HttpMethod::kPost);
  EXPECT_EQ(out.path_and_query, "/customer/account/9876543210/dmt-fino/ekyc");
}

TEST(RequestBuilderTest, FormatDatePads) {
  google::type::Date date;
  date.set_year(2001);
  date.set_month(2);
  date.set_day(3);
  EXPECT_EQ(FormatDate(date), "2001-02-03");
}

TEST(RequestBuilderTest, GeneratedClientRefIdsAreShortAndUnique) {
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    const std::string ref = GenerateClientRefId();
    EXPECT_LE(ref.size(), 20u);
    EXPECT_EQ(ref.find_first_not_of("0123456789abcdefghijklmnopqrstuvwxyz"), std::string::npos);
    seen.insert(ref);
  }
  EXPECT_EQ(seen.size(), 1000u);
}

}  // namespace
}  // namespace eko::adapter
