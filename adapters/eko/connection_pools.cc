// One loop's libcurl multi handles of at most N transfers each: sockets, timers, idle closing.
#include "adapters/eko/connection_pools.h"

#include <sys/epoll.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>

#include "adapters/eko/curl_handles.h"

namespace eko::adapter {

// One libcurl multi handle: its own connection cache and timer.
struct ConnectionPools::Pool {
  ConnectionPools* owner = nullptr;
  size_t slot = 0;    // index in pools_
  size_t active = 0;  // transfers whose easy handle is in `multi`
  bool timer_armed = false;
  Clock::time_point timer_due;
  Clock::time_point idle_since;  // when `active` last became 0
  // Last, so that it is cleaned up (which may call OnSocket) while the rest
  // of the pool is still intact.
  CurlMulti multi;
};

ConnectionPools::ConnectionPools(int epoll_fd, const Limits& limits)
    : epoll_fd_(epoll_fd),
      limits_(limits),
      next_idle_check_(Clock::now() + std::chrono::seconds(1)) {}

size_t ConnectionPools::capacity() const {
  return static_cast<size_t>(std::max(
      1, multiplexed_ ? limits_.multiplexed_transfers_per_pool : limits_.transfers_per_pool));
}

void ConnectionPools::LimitHostConnections(CURLM* multi) const {
  // HTTP/1.1 needs one connection per transfer in flight: no cap.
  const long cap = multiplexed_ ? std::max(1, limits_.multiplexed_connections_per_pool) : 0;
  curl_multi_setopt(multi, CURLMOPT_MAX_HOST_CONNECTIONS, cap);
}

void ConnectionPools::set_multiplexed(bool multiplexed) {
  protocol_known_ = true;
  if (multiplexed == multiplexed_) return;
  multiplexed_ = multiplexed;
  for (const auto& pool : pools_) {
    if (pool != nullptr) LimitHostConnections(pool->multi.get());
  }
}

ConnectionPools::~ConnectionPools() {
  // Before the other members: a multi handle's cleanup may call OnSocket.
  pools_.clear();
}

ConnectionPools::Pool* ConnectionPools::WithRoom(bool negotiates) {
  const size_t room = negotiates && !protocol_known_ ? SIZE_MAX : capacity();
  size_t free_slot = pools_.size();
  for (size_t i = 0; i < pools_.size(); ++i) {
    if (pools_[i] == nullptr) {
      free_slot = std::min(free_slot, i);
    } else if (pools_[i]->active < room) {
      return pools_[i].get();
    }
  }
  auto pool = std::make_unique<Pool>();
  pool->owner = this;
  pool->slot = free_slot;
  pool->multi.reset(curl_multi_init());
  if (pool->multi == nullptr) return nullptr;
  CURLM* multi = pool->multi.get();
  curl_multi_setopt(multi, CURLMOPT_SOCKETFUNCTION, &ConnectionPools::OnSocket);
  curl_multi_setopt(multi, CURLMOPT_SOCKETDATA, pool.get());
  curl_multi_setopt(multi, CURLMOPT_TIMERFUNCTION, &ConnectionPools::OnTimer);
  curl_multi_setopt(multi, CURLMOPT_TIMERDATA, pool.get());
  curl_multi_setopt(multi, CURLMOPT_PIPELINING, static_cast<long>(CURLPIPE_MULTIPLEX));
  // Unset, libcurl caps a multi handle's cached connections at four times
  // the transfers it holds at that moment, and closes connections that just
  // finished whenever a pool briefly holds few transfers. Without
  // multiplexing a pool holds at most transfers_per_pool transfers, so it
  // keeps up to that many connections; multiplexed, far fewer are needed.
  curl_multi_setopt(multi, CURLMOPT_MAXCONNECTS,
                    static_cast<long>(std::max(1, limits_.transfers_per_pool)));
  curl_multi_setopt(multi, CURLMOPT_MAX_CONCURRENT_STREAMS,
                    static_cast<long>(std::max(1, limits_.http2_max_streams)));
  LimitHostConnections(multi);
  pool->idle_since = Clock::now();
  if (free_slot == pools_.size()) pools_.emplace_back();
  pools_[free_slot] = std::move(pool);
  return pools_[free_slot].get();
}

absl::Status ConnectionPools::Add(Pool* pool, CURL* easy) {
  const CURLMcode added = curl_multi_add_handle(pool->multi.get(), easy);
  if (added != CURLM_OK) return absl::InternalError(curl_multi_strerror(added));
  ++pool->active;
  return absl::OkStatus();
}

void ConnectionPools::Remove(Pool* pool, CURL* easy) {
  curl_multi_remove_handle(pool->multi.get(), easy);
  if (--pool->active == 0) pool->idle_since = Clock::now();
}

void ConnectionPools::OnSocketEvent(uint64_t epoll_data, uint32_t epoll_events) {
  const size_t slot = (epoll_data >> 32) - 1;
  const auto fd = static_cast<curl_socket_t>(epoll_data & 0xffffffffu);
  // A pool closed earlier in the same epoll batch leaves its events behind.
  if (slot >= pools_.size() || pools_[slot] == nullptr) return;
  int flags = 0;
  if (epoll_events & EPOLLIN) flags |= CURL_CSELECT_IN;
  if (epoll_events & EPOLLOUT) flags |= CURL_CSELECT_OUT;
  if (epoll_events & (EPOLLERR | EPOLLHUP)) flags |= CURL_CSELECT_ERR;
  int running = 0;
  curl_multi_socket_action(pools_[slot]->multi.get(), fd, flags, &running);
}

std::optional<ConnectionPools::Clock::time_point> ConnectionPools::NextTimer() const {
  std::optional<Clock::time_point> due;
  for (const auto& pool : pools_) {
    if (pool != nullptr && pool->timer_armed && (!due || pool->timer_due < *due)) {
      due = pool->timer_due;
    }
  }
  return due;
}

void ConnectionPools::RunDueTimers(Clock::time_point now) {
  int running = 0;
  // Indexing, not iterators: a timeout may complete transfers but never adds
  // or closes pools.
  for (size_t i = 0; i < pools_.size(); ++i) {
    Pool* pool = pools_[i].get();
    if (pool == nullptr || !pool->timer_armed || pool->timer_due > now) continue;
    pool->timer_armed = false;
    curl_multi_socket_action(pool->multi.get(), CURL_SOCKET_TIMEOUT, 0, &running);
  }
}

void ConnectionPools::ForEachDone(absl::FunctionRef<void(CURL*, CURLcode)> done) {
  int pending = 0;
  // `done` may open a pool (a retry starting): index, not iterate.
  for (size_t i = 0; i < pools_.size(); ++i) {
    if (pools_[i] == nullptr) continue;
    while (CURLMsg* msg = curl_multi_info_read(pools_[i]->multi.get(), &pending)) {
      if (msg->msg == CURLMSG_DONE) done(msg->easy_handle, msg->data.result);
    }
  }
}

void ConnectionPools::CloseIdle(Clock::time_point now) {
  if (now < next_idle_check_) return;
  next_idle_check_ = now + std::chrono::seconds(1);
  const Clock::time_point cutoff = now - limits_.max_idle;
  for (size_t i = 1; i < pools_.size(); ++i) {
    Pool* pool = pools_[i].get();
    if (pool == nullptr || pool->active > 0 || pool->idle_since > cutoff) continue;
    pools_[i].reset();  // closes the pool's idle connections
  }
}

int ConnectionPools::OnSocket(CURL* /*easy*/, curl_socket_t fd, int what, void* pool_arg,
                              void* socket_data) {
  auto* pool = static_cast<Pool*>(pool_arg);
  const int epoll_fd = pool->owner->epoll_fd_;
  if (what == CURL_POLL_REMOVE) {
    epoll_ctl(epoll_fd, EPOLL_CTL_DEL, fd, nullptr);
    curl_multi_assign(pool->multi.get(), fd, nullptr);
    return 0;
  }
  epoll_event ev{};
  ev.data.u64 = (static_cast<uint64_t>(pool->slot + 1) << 32) | static_cast<uint32_t>(fd);
  if (what == CURL_POLL_IN || what == CURL_POLL_INOUT) ev.events |= EPOLLIN;
  if (what == CURL_POLL_OUT || what == CURL_POLL_INOUT) ev.events |= EPOLLOUT;
  if (socket_data == nullptr) {
    if (epoll_ctl(epoll_fd, EPOLL_CTL_ADD, fd, &ev) != 0 && errno == EEXIST) {
      epoll_ctl(epoll_fd, EPOLL_CTL_MOD, fd, &ev);
    }
    curl_multi_assign(pool->multi.get(), fd, pool);
  } else {
    if (epoll_ctl(epoll_fd, EPOLL_CTL_MOD, fd, &ev) != 0 && errno == ENOENT) {
      epoll_ctl(epoll_fd, EPOLL_CTL_ADD, fd, &ev);
    }
  }
  return 0;
}

int ConnectionPools::OnTimer(CURLM* /*multi*/, long timeout_ms, void* pool_arg) {
  auto* pool = static_cast<Pool*>(pool_arg);
  if (timeout_ms < 0) {
    pool->timer_armed = false;
  } else {
    pool->timer_armed = true;
    pool->timer_due = Clock::now() + std::chrono::milliseconds(timeout_ms);
  }
  return 0;
}

}  // namespace eko::adapter
