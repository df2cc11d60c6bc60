#include "adapters/common/grpc_library.h"

#include "absl/time/clock.h"
#include "grpc/grpc.h"

namespace eko {

bool WaitForGrpcLibraryShutdown(absl::Duration timeout) {
  const absl::Time end = absl::Now() + timeout;
  while (grpc_is_initialized() != 0) {
    if (absl::Now() >= end) return false;
    absl::SleepFor(absl::Milliseconds(5));
  }
  return true;
}

}  // namespace eko
