#include "adapters/eko/endpoints.h"

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
  EXPECT_FALSE(table.Override("GetCustomer=GET /x").ok());
  EXPECT_FALSE(table.Override("GetCustomer=GET x/{customer_id}").ok());
  EXPECT_FALSE(table.Override("GetCustomer=GET /{customer_id}/{customer_id}").ok());
  EXPECT_FALSE(table.Override("GetCustomer=GET /x/{customer_id}?a=b").ok());
  EXPECT_EQ(table.Get(Rpc::kGetCustomer).path_template, "/customer/profile/{customer_id}");
  EXPECT_TRUE(table.Override("GetCustomer=get /v2/{customer_id}").ok());
  EXPECT_EQ(table.Get(Rpc::kGetCustomer).path_template, "/v2/{customer_id}");
}

TEST(EndpointsTest, PercentEncodeKeepsUnreserved) {
  EXPECT_EQ(PercentEncode("aZ09-_~"), "aZ09-_~");
  EXPECT_EQ(PercentEncode(".."), "%2E%2E");
  EXPECT_EQ(PercentEncode("a b/c"), "a%20b%2Fc");
}

}  // namespace
}  // namespace eko::adapter
