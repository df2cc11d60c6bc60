#include "server/status_conversion.h"

#include "adapters/common/rich_status.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "gtest/gtest.h"

namespace eko::server {
namespace {

TEST(StatusConversionTest, OkIsOk) { EXPECT_TRUE(ToGrpcStatus(absl::OkStatus(), {"r", "c"}).ok()); }

TEST(StatusConversionTest, CarriesCodeMessageAndDetails) {
  absl::Status status =
      rich::ErrorBuilder(absl::StatusCode::kInvalidArgument, rich::reason::kOtpInvalid, "wrong")
          .FieldViolation("otp", "wrong OTP");
  grpc::Status out = ToGrpcStatus(status, {.request_id = "req-1",
                                           .client_ref_id = "ref-9",
                                           .trace_id = "4bf92f3577b34da6a3ce929d0e0e4736",
                                           .span_id = "00f067aa0ba902b7"});
  EXPECT_EQ(out.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(out.error_message(), "wrong");
  google::rpc::Status rpc;
  ASSERT_TRUE(rpc.ParseFromString(out.error_details()));
  EXPECT_EQ(rpc.code(), 3);
  EXPECT_EQ(rpc.message(), "wrong");
  int error_infos = 0;
  bool has_bad_request = false;
  google::rpc::RequestInfo request_info;
  for (const auto& any : rpc.details()) {
    error_infos += any.Is<google::rpc::ErrorInfo>();
    has_bad_request |= any.Is<google::rpc::BadRequest>();
    if (any.Is<google::rpc::RequestInfo>()) any.UnpackTo(&request_info);
  }
  EXPECT_EQ(error_infos, 1);
  EXPECT_TRUE(has_bad_request);
  EXPECT_EQ(request_info.request_id(), "req-1");
  EXPECT_EQ(request_info.serving_data(),
            "trace_id=4bf92f3577b34da6a3ce929d0e0e4736;span_id=00f067aa0ba902b7;"
            "client_ref_id=ref-9");
}

TEST(StatusConversionTest, PlainErrorsStillGetOneErrorInfo) {
  grpc::Status out = ToGrpcStatus(absl::InternalError("x"), {"r", ""});
  google::rpc::Status rpc;
  ASSERT_TRUE(rpc.ParseFromString(out.error_details()));
  ASSERT_GE(rpc.details_size(), 2);
  EXPECT_TRUE(rpc.details(0).Is<google::rpc::ErrorInfo>());
}

}  // namespace
}  // namespace eko::server
