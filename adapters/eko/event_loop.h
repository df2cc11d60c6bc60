// One upstream event-loop thread: a Transport driving libcurl's multi-socket API with epoll.
#ifndef EKO_ADAPTERS_EKO_EVENT_LOOP_H_
#define EKO_ADAPTERS_EKO_EVENT_LOOP_H_

#include <memory>

#include "absl/status/statusor.h"
#include "adapters/eko/transport.h"

namespace eko::adapter {

// Starts one thread named "eko-upstream" that owns every libcurl handle of its
// transfers. Submit and Cancel only queue a command and wake the thread, so a
// callback never runs inside them; callbacks run on that thread. `options.loops`
// is ignored (see CreateCurlTransport). curl_global_init must have succeeded.
// Destroying the transport completes every transfer it still holds with
// kCancelled before it returns.
absl::StatusOr<std::unique_ptr<Transport>> StartCurlEventLoop(const CurlTransportOptions& options);

}  // namespace eko::adapter

#endif  // EKO_ADAPTERS_EKO_EVENT_LOOP_H_
