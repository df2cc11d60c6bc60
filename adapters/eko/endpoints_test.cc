#include "adapters/eko/endpoints.h"

#include <string_view>
#include <utility>

#include "gtest/gtest.h"

namespace eko::adapter {
namespace {

TEST(EndpointsTest, DefaultsAreEkoCurrentPaths) {
  EndpointTable table;
  EXPECT_EQ(table.Get(Rpc::kGetCustomer).path_template, "/customer/profile/{customer_id}");
  EXPECT_EQ(table.Get(Rpc::kValidateEkycOtp).method, HttpMethod::kPut);
  EXPECT_EQ(RpcName(Rpc::kStartSenderEkyc), "StartSenderEkyc");
}

TEST(EndpointsTest, OverrideRejectsMalformedSpecs) {
  EndpointTable table;
  EXPECT_FALSE(table.Override("GetCustomer").ok());
  EXPECT_FALSE(table.Override("Nope=GET /x/{customer_id}").ok());
  EXPECT_FALSE(table.Override("GetCustomer=DELETE /x/{customer_id}").ok());
  EXPECT_FALSE(table.Override("GetCustomer=GET x/{customer_id}").ok());
  EXPECT_FALSE(table.Override("GetCustomer=GET /{customer_id}/{customer_id}").ok());
  EXPECT_FALSE(table.Override("GetCustomer=GET /x/{customer_id}#frag").ok());
  EXPECT_FALSE(table.Override("GetCustomer=GET /x/{customer_id}?").ok());
  EXPECT_FALSE(table.Override("GetCustomer=GET /x/{customer_id}?a").ok());
  EXPECT_FALSE(table.Override("GetCustomer=GET /x/{customer_id}?=1").ok());
  EXPECT_FALSE(table.Override("GetCustomer=GET /x/{customer_id}?a=b&c=d d").ok());
  EXPECT_FALSE(table.Override("GetCustomer=GET /x/{customer_id}?a=b=c").ok());
  EXPECT_EQ(table.Get(Rpc::kGetCustomer).path_template, "/customer/profile/{customer_id}");
  EXPECT_TRUE(table.Override("GetCustomer=get /v2/{customer_id}").ok());
  EXPECT_EQ(table.Get(Rpc::kGetCustomer).path_template, "/v2/{customer_id}");
}

TEST(EndpointsTest, TemplatesMayOmitTheCustomerIdAndCarryAQuery) {
  EndpointTable table;
  ASSERT_TRUE(table.Override("OnboardCustomer=POST /customer/account").ok());
  EXPECT_FALSE(CustomerIdInPath(table.Get(Rpc::kOnboardCustomer)));
  EXPECT_EQ(ExpandPath(table.Get(Rpc::kOnboardCustomer), "9876543210"), "/customer/account");
  ASSERT_TRUE(
      table.Override("GetCustomer=GET /customer/profile/{customer_id}?service_code=80&x=a%2Fb")
          .ok());
  const Endpoint& get = table.Get(Rpc::kGetCustomer);
  EXPECT_TRUE(CustomerIdInPath(get));
  EXPECT_EQ(ExpandPath(get, "9876543210"), "/customer/profile/9876543210");
  EXPECT_EQ(TemplateQuery(get), "service_code=80&x=a%2Fb");
  EXPECT_EQ(TemplateQuery(table.Get(Rpc::kOnboardCustomer)), "");
}

TEST(EndpointsTest, AddressEncodingDefaultsFollowEkoCurrentDocs) {
  EndpointTable table;
  EXPECT_EQ(table.Get(Rpc::kOnboardSender).address_encoding, AddressEncoding::kObjectString);
  EXPECT_EQ(table.Get(Rpc::kOnboardCustomer).address_encoding, AddressEncoding::kArray);
  ASSERT_TRUE(table.OverrideAddressEncoding("OnboardSender=array-string").ok());
  EXPECT_EQ(table.Get(Rpc::kOnboardSender).address_encoding, AddressEncoding::kArrayString);
  ASSERT_TRUE(table.OverrideAddressEncoding("OnboardCustomer=array-string").ok());
  EXPECT_EQ(table.Get(Rpc::kOnboardCustomer).address_encoding, AddressEncoding::kArrayString);
  // OnboardCustomer has only lines: there is no object to send.
  EXPECT_FALSE(table.OverrideAddressEncoding("OnboardCustomer=object-string").ok());
  EXPECT_FALSE(table.OverrideAddressEncoding("GetSender=array").ok());
  EXPECT_FALSE(table.OverrideAddressEncoding("OnboardSender=lines").ok());
  EXPECT_FALSE(table.OverrideAddressEncoding("OnboardSender").ok());
}

TEST(EndpointsTest, OtpJsonTypePerRpcAndField) {
  EndpointTable table;
  EXPECT_EQ(table.Get(Rpc::kVerifyCustomerOtp).otp_type, JsonScalarType::kString);
  ASSERT_TRUE(table.OverrideOtpJsonType("VerifyCustomerOtp=number").ok());
  EXPECT_EQ(table.Get(Rpc::kVerifyCustomerOtp).otp_type, JsonScalarType::kNumber);
  EXPECT_EQ(table.Get(Rpc::kVerifyCustomerOtp).otp_ref_id_type, JsonScalarType::kNumber);
  EXPECT_EQ(table.Get(Rpc::kValidateEkycOtp).otp_type, JsonScalarType::kString);
  ASSERT_TRUE(table.OverrideOtpJsonType("VerifyCustomerOtp.otp_ref_id=string").ok());
  EXPECT_EQ(table.Get(Rpc::kVerifyCustomerOtp).otp_type, JsonScalarType::kNumber);
  EXPECT_EQ(table.Get(Rpc::kVerifyCustomerOtp).otp_ref_id_type, JsonScalarType::kString);
  ASSERT_TRUE(table.OverrideOtpJsonType("ValidateEkycOtp.otp=number").ok());
  EXPECT_EQ(table.Get(Rpc::kValidateEkycOtp).otp_type, JsonScalarType::kNumber);
  EXPECT_EQ(table.Get(Rpc::kValidateEkycOtp).otp_ref_id_type, JsonScalarType::kString);
  EXPECT_FALSE(table.OverrideOtpJsonType("GetCustomer=number").ok());
  EXPECT_FALSE(table.OverrideOtpJsonType("VerifyCustomerOtp.kyc_request_id=number").ok());
  EXPECT_FALSE(table.OverrideOtpJsonType("VerifyCustomerOtp=integer").ok());
  EXPECT_FALSE(table.OverrideOtpJsonType("VerifyCustomerOtp").ok());
  EXPECT_EQ(RpcFromName("ValidateEkycOtp"), Rpc::kValidateEkycOtp);
  EXPECT_FALSE(RpcFromName("validateekycotp").has_value());
}

TEST(EndpointsTest, PercentEncodeKeepsUnreserved) {
  for (const auto& [raw, encoded] :
       {std::pair<std::string_view, std::string_view>{"aZ09-_~", "aZ09-_~"},
        {"..", "%2E%2E"},
        {"a b/c", "a%20b%2Fc"}}) {
    EXPECT_EQ(PercentEncode(raw), encoded) << raw;
  }
}

}  // namespace
}  // namespace eko::adapter
