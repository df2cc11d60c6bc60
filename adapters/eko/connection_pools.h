// One loop's libcurl multi handles of at most N transfers each: sockets, timers, idle closing.
#ifndef EKO_ADAPTERS_EKO_CONNECTION_POOLS_H_
#define EKO_ADAPTERS_EKO_CONNECTION_POOLS_H_

#include <curl/curl.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"

namespace eko::adapter {

// libcurl 7.88 scans a multi handle's whole connection cache for every new
// request, and with HTTP/1.1 that cache holds one connection per transfer in
// flight; spreading transfers over small multi handles keeps the scan short.
// A pool with room is reused before another is opened; every pool but the
// first is closed (with its idle connections) once it has held no transfer
// for `max_idle_seconds`. Each pool keeps up to `transfers_per_pool`
// connections open between transfers (CURLMOPT_MAXCONNECTS).
//
// Single-threaded: every method runs on the owning event loop's thread. Easy
// handles must be removed (Remove) before the pools are destroyed.
class ConnectionPools {
 public:
  using Clock = std::chrono::steady_clock;
  struct Pool;

  // Epoll data of the pools' sockets; values below it (0 included) are free
  // for the owner's own descriptors.
  static constexpr uint64_t kFirstSocketEventData = uint64_t{1} << 32;

  // Sockets are watched on `epoll_fd`, which must outlive this object.
  ConnectionPools(int epoll_fd, int transfers_per_pool, long max_idle_seconds);
  ~ConnectionPools();
  ConnectionPools(const ConnectionPools&) = delete;
  ConnectionPools& operator=(const ConnectionPools&) = delete;

  // A pool holding fewer than `transfers_per_pool` transfers, opened if all
  // are full; null when libcurl cannot make a multi handle.
  Pool* WithRoom();
  // Starts `easy` in `pool` (from WithRoom); an error carries libcurl's reason.
  absl::Status Add(Pool* pool, CURL* easy);
  // Takes `easy` out of the `pool` it was added to.
  void Remove(Pool* pool, CURL* easy);

  // Drives the pool socket an epoll event with `epoll_data` >=
  // kFirstSocketEventData belongs to; events of a closed pool are ignored.
  void OnSocketEvent(uint64_t epoll_data, uint32_t epoll_events);
  // When the earliest libcurl timer of any pool is due.
  std::optional<Clock::time_point> NextTimer() const;
  // Fires every libcurl timer due by `now`.
  void RunDueTimers(Clock::time_point now);
  // Calls `done` for each transfer libcurl has finished; `done` may call
  // WithRoom, Add and Remove.
  void ForEachDone(absl::FunctionRef<void(CURL* easy, CURLcode result)> done);
  // At most once a second: closes every pool but the first (it serves light
  // load and keeps its warm connections) unused for max_idle_seconds.
  void CloseIdle(Clock::time_point now);

 private:
  static int OnSocket(CURL* easy, curl_socket_t fd, int what, void* pool, void* socket_data);
  static int OnTimer(CURLM* multi, long timeout_ms, void* pool);

  const int epoll_fd_;
  const size_t transfers_per_pool_;
  const long max_idle_seconds_;
  Clock::time_point next_idle_check_;
  // Slots of closed pools are null and reused, so a slot number in an epoll
  // event stays meaningful.
  std::vector<std::unique_ptr<Pool>> pools_;
};

}  // namespace eko::adapter

#endif  // EKO_ADAPTERS_EKO_CONNECTION_POOLS_H_
