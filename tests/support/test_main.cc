// main() of every test executable: GoogleTest's, plus a wait for gRPC's
// library clean-up before the process exits (see grpc_library.h). Without it
// a test that passed can still abort at exit while a detached gRPC thread
// frees the last TLS connection.

#include <cstdio>

#include "absl/time/time.h"
#include "adapters/common/grpc_library.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

int main(int argc, char** argv) {
  ::testing::InitGoogleMock(&argc, argv);
  const int result = RUN_ALL_TESTS();
  if (!eko::WaitForGrpcLibraryShutdown(absl::Seconds(10))) {
    std::fprintf(stderr, "gRPC was still initialized 10 s after the last test\n");
    return result == 0 ? 1 : result;
  }
  return result;
}
