#include "adapters/common/grpc_library.h"

#include <memory>

#include "absl/time/time.h"
#include "grpc/grpc.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "gtest/gtest.h"

namespace eko {
namespace {

TEST(GrpcLibraryTest, WaitsUntilTheLastGrpcObjectIsGone) {
  {
    // A channel that tries to connect (nothing listens on port 1) holds the
    // library: the wait gives up.
    std::shared_ptr<grpc::Channel> channel =
        grpc::CreateChannel("127.0.0.1:1", grpc::InsecureChannelCredentials());
    channel->GetState(/*try_to_connect=*/true);
    EXPECT_TRUE(grpc_is_initialized());
    EXPECT_FALSE(WaitForGrpcLibraryShutdown(absl::Milliseconds(50)));
  }
  // Once it is destroyed the clean-up finishes and the wait returns.
  EXPECT_TRUE(WaitForGrpcLibraryShutdown(absl::Seconds(10)));
  EXPECT_FALSE(grpc_is_initialized());
}

TEST(GrpcLibraryTest, ReturnsAtOnceWhenGrpcWasNeverUsed) {
  EXPECT_TRUE(WaitForGrpcLibraryShutdown(absl::ZeroDuration()));
}

}  // namespace
}  // namespace eko
