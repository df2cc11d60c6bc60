#ifndef EKO_SERVER_CONNECTION_GATE_H_
#define EKO_SERVER_CONNECTION_GATE_H_

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "grpcpp/server_builder.h"
#include "server/connection_limiter.h"

namespace eko::server {

// Puts a ConnectionLimiter in front of every client connection a gRPC server
// accepts: each accepted socket is admitted or refused (shut down at once;
// gRPC then sees end-of-file and closes it), and refusals are logged at most
// once a second with the peer address.
//
// gRPC 1.51 accepts in a loop until accept() has nothing left, closes the
// refused sockets only after that loop, and stops listening for good when
// accept() fails with EMFILE. So under a flood refused sockets pile up, with
// the memory gRPC gives each. When it refuses a connection at the total cap,
// or once an accepted descriptor's number reaches `drain_at` (descriptors are
// numbered lowest-free first, so that many are open), the gate itself
// accepts and closes (with a reset) everything queued on the listeners, which
// ends gRPC's loop before the open-file limit. From `refuse_at` on, a
// connection is refused whatever the caps say, and the gate drains until the
// queue stays empty for a moment. Drained connections count as refused by the
// total cap.
class ConnectionGate {
 public:
  struct FdLines {
    int64_t drain_at = INT64_MAX;
    int64_t refuse_at = INT64_MAX;
  };

  // Installs the gate on `builder`; the server keeps it alive.
  static std::shared_ptr<ConnectionGate> Install(grpc::ServerBuilder& builder,
                                                 std::shared_ptr<ConnectionLimiter> limiter,
                                                 FdLines lines);

  ConnectionGate(std::shared_ptr<ConnectionLimiter> limiter, FdLines lines)
      : limiter_(std::move(limiter)), lines_(lines) {}

  // Called by gRPC (through the socket mutator) for each socket.
  void OnListenerSocket(int fd);
  void OnAcceptedSocket(int fd);

 private:
  // Accepts and closes every connection queued on the listeners, with
  // `until_quiet` until none has arrived for a millisecond (at most half a
  // second); returns how many.
  int64_t DrainListeners(bool until_quiet);

  const std::shared_ptr<ConnectionLimiter> limiter_;
  const FdLines lines_;
  absl::Mutex mu_;
  std::vector<int> listeners_ ABSL_GUARDED_BY(mu_);
};

// Logs a refusal (event connection_refused) with its peer ("" when unknown).
void LogRefusal(const std::string& peer, ConnectionLimiter::Verdict verdict,
                const ConnectionLimiter::Decision& decision,
                const ConnectionLimiter::Limits& limits);

}  // namespace eko::server

#endif  // EKO_SERVER_CONNECTION_GATE_H_
