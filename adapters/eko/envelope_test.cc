#include "adapters/eko/envelope.h"

#include "gtest/gtest.h"
#include "tests/support/status_matchers.h"

namespace eko::adapter {
namespace {

using ::eko::testing::StatusIs;

// Samples published by Eko (docs/eko-api.md sections 5.1-5.3, 3).
constexpr char kOtpSent[] =
    R"({"response_status_id":1,"status":2129,"response_type_id":2129,"message":"Validate the OTP",)"
    R"("data":{"intent_id":19,"kyc_request_id":"","otp_ref_id":"IXrygqm0vTNbtSTkQw=="}})";
constexpr char kNotFound[] =
    R"({"status":463,"response_status_id":1,"response_type_id":-1,"message":"User not found",)"
    R"("invalid_params":{"customer_id":"Customer does not exist in System"}})";

TEST(EnvelopeTest, ParsesOtpSentSample) {
  auto env = ParseEnvelope(kOtpSent);
  ASSERT_TRUE(env.ok()) << env.status();
  EXPECT_EQ(env->status, 2129);
  EXPECT_EQ(env->response_status_id, 1);
  EXPECT_EQ(env->response_type_id, 2129);
  EXPECT_EQ(env->message, "Validate the OTP");
  ASSERT_NE(env->data(), nullptr);
  EXPECT_TRUE(env->data()->HasMember("otp_ref_id"));
}

TEST(EnvelopeTest, ParsesInvalidParams) {
  auto env = ParseEnvelope(kNotFound);
  ASSERT_TRUE(env.ok()) << env.status();
  ASSERT_EQ(env->invalid_params.size(), 1u);
  EXPECT_EQ(env->invalid_params[0].first, "customer_id");
  EXPECT_EQ(env->invalid_params[0].second, "Customer does not exist in System");
  EXPECT_EQ(env->data(), nullptr);
}

TEST(EnvelopeTest, ToleratesNumbersAsStrings) {
  auto env = ParseEnvelope(R"({"status":"0","response_type_id":"309","response_status_id":"-1"})");
  ASSERT_TRUE(env.ok()) << env.status();
  EXPECT_EQ(env->status, 0);
  EXPECT_EQ(env->response_type_id, 309);
  EXPECT_EQ(env->response_status_id, -1);
}

TEST(EnvelopeTest, ReadsDataDescription) {
  auto env = ParseEnvelope(
      R"({"status":2135,"response_status_id":1,"response_type_id":2135,"message":"Customer KYC Pending",)"
      R"("data":{"description":"K-100 EKYC Verification failed"}})");
  ASSERT_TRUE(env.ok());
  EXPECT_EQ(env->description, "K-100 EKYC Verification failed");
}

TEST(EnvelopeTest, OptionalMembersOfAnUnusableTypeAreIgnoredNotFatal) {
  auto env =
      ParseEnvelope(R"({"status":0,"response_type_id":309,"response_status_id":"n/a","message":{},)"
                    R"("data":"x","invalid_params":[]})");
  ASSERT_TRUE(env.ok()) << env.status();
  EXPECT_EQ(env->response_type_id, 309);
  EXPECT_FALSE(env->response_status_id.has_value());
  EXPECT_EQ(env->message, "");
  EXPECT_EQ(env->data(), nullptr);
  EXPECT_TRUE(env->invalid_params.empty());
  EXPECT_THAT(env->ignored,
              ::testing::ElementsAre("response_status_id", "message", "data", "invalid_params"));

  auto description =
      ParseEnvelope(R"({"status":2135,"response_type_id":2135,"data":{"description":["K-100"]}})");
  ASSERT_TRUE(description.ok());
  EXPECT_EQ(description->description, "");
  EXPECT_THAT(description->ignored, ::testing::ElementsAre("data.description"));
}

TEST(EnvelopeTest, RejectsMissingOrMistypedFields) {
  EXPECT_THAT(ParseEnvelope(R"({"response_type_id":309})"), StatusIs(absl::StatusCode::kInternal));
  EXPECT_THAT(ParseEnvelope(R"({"status":0})"), StatusIs(absl::StatusCode::kInternal));
  EXPECT_THAT(ParseEnvelope(R"({"status":true,"response_type_id":309})"),
              StatusIs(absl::StatusCode::kInternal));
  EXPECT_THAT(ParseEnvelope(R"({"status":4294967296,"response_type_id":309})"),
              StatusIs(absl::StatusCode::kInternal));
  EXPECT_THAT(ParseEnvelope("Service Unavailable"), StatusIs(absl::StatusCode::kInternal));
}

TEST(EnvelopeTest, SurvivesMove) {
  auto env = ParseEnvelope(kOtpSent);
  ASSERT_TRUE(env.ok());
  Envelope moved = *std::move(env);
  ASSERT_NE(moved.data(), nullptr);
  EXPECT_STREQ((*moved.data())["otp_ref_id"].GetString(), "IXrygqm0vTNbtSTkQw==");
}

}  // namespace
}  // namespace eko::adapter
