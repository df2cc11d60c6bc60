#ifndef EKO_ADAPTERS_COMMON_GRPC_LIBRARY_H_
#define EKO_ADAPTERS_COMMON_GRPC_LIBRARY_H_

#include "absl/time/time.h"

namespace eko {

// Waits until gRPC's library has finished its own clean-up, or `timeout`
// passes. Returns true when gRPC is no longer initialized.
//
// Contract: call it after the last gRPC object of the process (server,
// channel, stub, credentials) has been destroyed and before returning from
// main. When the last reference to the library is dropped on one of gRPC's
// own threads, gRPC 1.51 finishes the clean-up on a detached thread; a
// process that exits meanwhile runs its exit handlers (OpenSSL's included)
// while that thread still frees connection state, which can abort the
// process at exit ("double free or corruption").
bool WaitForGrpcLibraryShutdown(absl::Duration timeout);

}  // namespace eko

#endif  // EKO_ADAPTERS_COMMON_GRPC_LIBRARY_H_
