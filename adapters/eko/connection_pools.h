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
// With HTTP/2 a pool's cache holds one connection per up to
// `http2_max_streams` transfers, so once the owner reports multiplexing
// (set_multiplexed) a pool takes `multiplexed_transfers_per_pool` transfers,
// and a loop's transfers share a few connections.
// A pool with room is reused before another is opened; every pool but the
// first is closed (with its idle connections) once it has held no transfer
// for `max_idle`. Each pool keeps up to `transfers_per_pool` connections open
// between transfers (CURLMOPT_MAXCONNECTS).
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

  struct Limits {
    int transfers_per_pool = 256;               // while not multiplexed
    int multiplexed_transfers_per_pool = 4000;  // while multiplexed
    // While multiplexed, most connections a pool opens to one host
    // (CURLMOPT_MAX_HOST_CONNECTIONS); transfers beyond their streams wait
    // inside libcurl for a free stream instead of each opening a connection.
    int multiplexed_connections_per_pool = 4;
    int http2_max_streams = 1000;               // CURLMOPT_MAX_CONCURRENT_STREAMS
    std::chrono::milliseconds max_idle{30000};  // of a pool but the first
  };

  // Sockets are watched on `epoll_fd`, which must outlive this object.
  ConnectionPools(int epoll_fd, const Limits& limits);
  ~ConnectionPools();
  ConnectionPools(const ConnectionPools&) = delete;
  ConnectionPools& operator=(const ConnectionPools&) = delete;

  // A pool holding fewer transfers than a pool takes, opened if all are
  // full; null when libcurl cannot make a multi handle. The first pool made
  // is never closed. A transfer that `negotiates` the protocol (TLS with
  // ALPN offering h2) goes to the first pool, full or not, until
  // set_multiplexed has been called once: there it waits (CURLOPT_PIPEWAIT)
  // for the first connection to tell, instead of each new pool opening
  // connections of its own before anyone knows whether they multiplex.
  Pool* WithRoom(bool negotiates = false);
  // Whether the upstream multiplexes (HTTP/2); pools then take
  // multiplexed_transfers_per_pool transfers instead of transfers_per_pool.
  void set_multiplexed(bool multiplexed);
  bool multiplexed() const { return multiplexed_; }
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
  // load and keeps its warm connections) unused for max_idle.
  void CloseIdle(Clock::time_point now);

 private:
  static int OnSocket(CURL* easy, curl_socket_t fd, int what, void* pool, void* socket_data);
  static int OnTimer(CURLM* multi, long timeout_ms, void* pool);

  size_t capacity() const;
  // Applies the connection cap of the current mode to `multi`.
  void LimitHostConnections(CURLM* multi) const;

  const int epoll_fd_;
  const Limits limits_;
  bool multiplexed_ = false;
  bool protocol_known_ = false;  // set_multiplexed was called
  Clock::time_point next_idle_check_;
  // Slots of closed pools are null and reused, so a slot number in an epoll
  // event stays meaningful.
  std::vector<std::unique_ptr<Pool>> pools_;
};

}  // namespace eko::adapter

#endif  // EKO_ADAPTERS_EKO_CONNECTION_POOLS_H_
