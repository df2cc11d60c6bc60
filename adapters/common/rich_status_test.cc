#include "adapters/common/rich_status.h"

#include "gtest/gtest.h"

namespace eko::rich {
namespace {

TEST(RichStatusTest, BuilderAttachesOneOfEachDetail) {
  absl::Status status =
      ErrorBuilder(absl::StatusCode::kInvalidArgument, reason::kFieldInvalid, "bad")
          .Metadata("fields", "otp,name")
          .FieldViolation("otp", "digits only")
          .FieldViolation("name", "required")
          .RetryAfter(absl::Milliseconds(1500));
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(status.message(), "bad");
  google::rpc::ErrorInfo info;
  ASSERT_TRUE(GetErrorInfo(status, &info));
  EXPECT_EQ(info.reason(), "FIELD_INVALID");
  EXPECT_EQ(info.domain(), kErrorDomain);
  EXPECT_EQ(info.metadata().at("fields"), "otp,name");
  google::rpc::BadRequest bad_request;
  ASSERT_TRUE(GetDetail(status, &bad_request));
  EXPECT_EQ(bad_request.field_violations_size(), 2);
  google::rpc::RetryInfo retry;
  ASSERT_TRUE(GetDetail(status, &retry));
  EXPECT_EQ(retry.retry_delay().seconds(), 1);
  EXPECT_EQ(retry.retry_delay().nanos(), 500000000);
  google::rpc::QuotaFailure quota;
  EXPECT_FALSE(GetDetail(status, &quota));
}

TEST(RichStatusTest, ToRpcStatusPutsExactlyOneErrorInfoFirst) {
  absl::Status status = ErrorBuilder(absl::StatusCode::kNotFound, reason::kCustomerNotFound, "x")
                            .Resource("eko.customer", "customer_id", "unknown");
  google::rpc::Status rpc = ToRpcStatus(status);
  EXPECT_EQ(rpc.code(), 5);
  ASSERT_EQ(rpc.details_size(), 2);
  EXPECT_TRUE(rpc.details(0).Is<google::rpc::ErrorInfo>());
  EXPECT_TRUE(rpc.details(1).Is<google::rpc::ResourceInfo>());
}

TEST(RichStatusTest, PlainStatusGetsFallbackErrorInfo) {
  google::rpc::Status rpc = ToRpcStatus(absl::InternalError("boom"));
  ASSERT_EQ(rpc.details_size(), 1);
  google::rpc::ErrorInfo info;
  ASSERT_TRUE(rpc.details(0).UnpackTo(&info));
  EXPECT_EQ(info.reason(), reason::kInternal);
  EXPECT_EQ(info.domain(), kErrorDomain);
}

TEST(RichStatusTest, OkStaysOk) {
  EXPECT_TRUE(ErrorBuilder(absl::StatusCode::kOk, "X", "").Build().ok());
  EXPECT_EQ(ToRpcStatus(absl::OkStatus()).details_size(), 0);
}

}  // namespace
}  // namespace eko::rich
