// One upstream event-loop thread: a Transport driving libcurl's multi-socket API with epoll.
#include "adapters/eko/event_loop.h"

#include <curl/curl.h>
#include <pthread.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <map>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "adapters/common/log.h"
#include "adapters/common/unique_handle.h"
#include "adapters/eko/connection_pools.h"
#include "adapters/eko/curl_handles.h"
#include "adapters/eko/curl_outcome.h"
#include "adapters/eko/curl_request.h"
#include "adapters/eko/retry_policy.h"

namespace eko::adapter {
namespace {

using SteadyClock = std::chrono::steady_clock;

constexpr size_t kMaxCachedEasyHandles = 4096;
// Multiplexed pools open at most this many connections and hold that many
// connections' worth of streams.
constexpr int kConnectionsPerMultiplexedPool = 4;
constexpr int kMaxEpollEvents = 256;
// epoll_event.data.u64 of the wake eventfd (below the pools' socket range).
constexpr uint64_t kWakeEventData = 0;
static_assert(kWakeEventData < ConnectionPools::kFirstSocketEventData);

// Sole owner of a file descriptor; a failed open (fd < 0) keeps its errno.
class ScopedFd {
 public:
  explicit ScopedFd(int fd) : fd_(fd), open_errno_(fd < 0 ? errno : 0) {}
  ~ScopedFd() {
    if (fd_ >= 0) close(fd_);
  }
  ScopedFd(const ScopedFd&) = delete;
  ScopedFd& operator=(const ScopedFd&) = delete;
  int get() const { return fd_; }
  int open_errno() const { return open_errno_; }

 private:
  const int fd_;
  const int open_errno_;
};

using CurlShare = UniqueHandle<CURLSH, curl_share_cleanup>;

ConnectionPools::Limits PoolLimits(const CurlTransportOptions& options) {
  ConnectionPools::Limits limits;
  limits.transfers_per_pool = options.transfers_per_pool;
  limits.http2_max_streams = options.http2_max_streams;
  limits.multiplexed_transfers_per_pool =
      kConnectionsPerMultiplexedPool * std::max(1, options.http2_max_streams);
  limits.multiplexed_connections_per_pool = kConnectionsPerMultiplexedPool;
  limits.max_idle =
      std::chrono::milliseconds(absl::ToInt64Milliseconds(options.max_idle_connection));
  return limits;
}

class CurlEventLoop final : public Transport {
 public:
  explicit CurlEventLoop(const CurlTransportOptions& options)
      : options_(options),
        epoll_fd_(epoll_create1(EPOLL_CLOEXEC)),
        wake_fd_(eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)),
        pools_(epoll_fd_.get(), PoolLimits(options_)) {}
  ~CurlEventLoop() override;

  // Watches the wake fd, opens the first pool, makes the share handle, queues
  // the warm-up requests and starts the thread.
  absl::Status Start();
  uint64_t Submit(HttpRequest request, Callback done) override;
  void Cancel(uint64_t id) override;
  absl::Time LastProgress() const override {
    return absl::FromUnixNanos(last_progress_ns_.load(std::memory_order_relaxed));
  }
  int64_t InFlight() const override { return in_flight_.load(std::memory_order_relaxed); }

 private:
  struct Transfer {
    uint64_t id = 0;
    HttpRequest request;
    Callback done;
    SteadyClock::time_point started;
    int attempts = 0;  // attempts started
    // A HEAD request opening a connection of its own (options.prewarm_url).
    bool warm_up = false;
    // The running attempt; no easy handle while waiting out a retry backoff.
    ConnectionPools::Pool* pool = nullptr;
    CurlSlist headers;
    AttemptState state;
    CurlEasy easy;  // last: destroyed before the headers and state it points to
  };

  void Loop();
  void Wake();
  void QueueWarmUps();
  void DrainCommands();
  int EpollTimeoutMs() const;
  void StartTransfer(std::unique_ptr<Transfer> transfer);
  void StartAttempt(Transfer* transfer);
  void StartDueRetries();
  bool MaybeScheduleRetry(Transfer* transfer);
  void Finish(Transfer* transfer, CURLcode code);
  void Abort(Transfer* transfer, std::string why);
  void ReleaseFromPool(Transfer* transfer);
  // Sizes the pools by the protocol the latest TLS handshake (of any loop)
  // negotiated, when one finished since the last look.
  void FollowNegotiatedProtocol();
  // Ends `transfer`: forgets it, then runs its callback with `response`.
  void Complete(Transfer* transfer, HttpResponse response);

  const CurlTransportOptions options_;
  // Declared before pools_, which watch their sockets on epoll_fd_.
  const ScopedFd epoll_fd_;
  const ScopedFd wake_fd_;

  std::mutex mu_;
  std::vector<std::unique_ptr<Transfer>> submitted_;  // guarded by mu_
  std::vector<uint64_t> cancelled_;                   // guarded by mu_
  bool stopping_ = false;                             // guarded by mu_
  std::atomic<uint64_t> next_id_{1};
  std::atomic<int64_t> in_flight_{0};  // submitted, not completed; warm-ups not counted
  std::atomic<int64_t> last_progress_ns_{absl::ToUnixNanos(absl::Now())};

  // Loop-thread state. The share handle (DNS answers and TLS sessions of
  // every pool; no locks, one thread uses it) outlives the pools and the
  // easy handles.
  CurlShare share_;
  ConnectionPools pools_;
  EasyHandleCache easy_cache_{kMaxCachedEasyHandles};
  std::unordered_map<uint64_t, std::unique_ptr<Transfer>> active_;
  // Transfers waiting out a retry backoff (also in active_, with no easy handle).
  std::multimap<SteadyClock::time_point, Transfer*> backoff_;
  std::mt19937_64 jitter_{std::random_device{}()};
  uint64_t alpn_results_seen_ = 0;  // of options_.counters->alpn_results
  std::thread thread_;
};

CurlEventLoop::~CurlEventLoop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  if (thread_.joinable()) {
    Wake();
    thread_.join();
  }
}

absl::Status CurlEventLoop::Start() {
  if (epoll_fd_.get() < 0 || wake_fd_.get() < 0) {
    const int error = epoll_fd_.get() < 0 ? epoll_fd_.open_errno() : wake_fd_.open_errno();
    return absl::InternalError(absl::StrCat("epoll/eventfd: ", std::strerror(error)));
  }
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.u64 = kWakeEventData;
  if (epoll_ctl(epoll_fd_.get(), EPOLL_CTL_ADD, wake_fd_.get(), &ev) != 0) {
    return absl::InternalError(absl::StrCat("epoll_ctl: ", std::strerror(errno)));
  }
  // The first pool is made here so that a libcurl that cannot make one fails
  // start-up instead of every call.
  if (pools_.WithRoom() == nullptr) return absl::InternalError("curl_multi_init failed");
  share_.reset(curl_share_init());
  if (share_ == nullptr) return absl::InternalError("curl_share_init failed");
  curl_share_setopt(share_.get(), CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
  curl_share_setopt(share_.get(), CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
  QueueWarmUps();
  thread_ = std::thread([this] { Loop(); });
  return absl::OkStatus();
}

void CurlEventLoop::Wake() {
  const uint64_t one = 1;
  // A full eventfd counter still wakes the loop, so a failed write is harmless.
  [[maybe_unused]] ssize_t n = write(wake_fd_.get(), &one, sizeof(one));
}

void CurlEventLoop::QueueWarmUps() {
  if (options_.prewarm_url.empty()) return;
  std::lock_guard<std::mutex> lock(mu_);
  for (int i = 0; i < options_.prewarm_connections; ++i) {
    auto transfer = std::make_unique<Transfer>();
    transfer->id = next_id_.fetch_add(1);
    transfer->warm_up = true;
    transfer->request.url = options_.prewarm_url;
    transfer->request.deadline = absl::Now() + 2 * options_.connect_timeout;
    transfer->done = [](HttpResponse response) {
      if (response.outcome == TransportOutcome::kCompleted) return;
      log::Write(log::Level::kWarn, "upstream_prewarm_failed",
                 {{"message", "a warm-up connection to Eko failed; calls open their own"},
                  {"error", response.error_detail}});
    };
    submitted_.push_back(std::move(transfer));
  }
  if (!submitted_.empty()) Wake();
}

uint64_t CurlEventLoop::Submit(HttpRequest request, Callback done) {
  auto transfer = std::make_unique<Transfer>();
  transfer->id = next_id_.fetch_add(1);
  transfer->request = std::move(request);
  transfer->done = std::move(done);
  const uint64_t id = transfer->id;
  in_flight_.fetch_add(1, std::memory_order_relaxed);
  bool was_empty;
  {
    std::lock_guard<std::mutex> lock(mu_);
    was_empty = submitted_.empty() && cancelled_.empty();
    submitted_.push_back(std::move(transfer));
  }
  if (was_empty) Wake();
  return id;
}

void CurlEventLoop::Cancel(uint64_t id) {
  bool was_empty;
  {
    std::lock_guard<std::mutex> lock(mu_);
    was_empty = submitted_.empty() && cancelled_.empty();
    cancelled_.push_back(id);
  }
  if (was_empty) Wake();
}

int CurlEventLoop::EpollTimeoutMs() const {
  const auto now = SteadyClock::now();
  // The loop wakes at least once a second (LastProgress, idle pools).
  SteadyClock::time_point due = now + std::chrono::seconds(1);
  if (const auto timer = pools_.NextTimer(); timer && *timer < due) due = *timer;
  if (!backoff_.empty() && backoff_.begin()->first < due) due = backoff_.begin()->first;
  if (due <= now) return 0;
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(due - now).count() + 1;
  return static_cast<int>(std::min<int64_t>(ms, 1000));
}

void CurlEventLoop::Loop() {
  // Named so that top -H, perf and /proc show where upstream work runs.
  pthread_setname_np(pthread_self(), "eko-upstream");
  epoll_event events[kMaxEpollEvents];
  while (true) {
    last_progress_ns_.store(absl::ToUnixNanos(absl::Now()), std::memory_order_relaxed);
    const int n = epoll_wait(epoll_fd_.get(), events, kMaxEpollEvents, EpollTimeoutMs());
    for (int i = 0; i < n; ++i) {
      if (events[i].data.u64 == kWakeEventData) {
        uint64_t count;
        [[maybe_unused]] ssize_t r = read(wake_fd_.get(), &count, sizeof(count));
        continue;
      }
      pools_.OnSocketEvent(events[i].data.u64, events[i].events);
    }
    DrainCommands();
    StartDueRetries();
    pools_.RunDueTimers(SteadyClock::now());
    pools_.ForEachDone([this](CURL* easy, CURLcode code) {
      Transfer* t = nullptr;
      curl_easy_getinfo(easy, CURLINFO_PRIVATE, reinterpret_cast<char**>(&t));
      if (t != nullptr) Finish(t, code);
    });
    pools_.CloseIdle(SteadyClock::now());

    bool stopping;
    {
      std::lock_guard<std::mutex> lock(mu_);
      stopping = stopping_;
    }
    if (stopping) {
      DrainCommands();
      while (!active_.empty()) Abort(active_.begin()->second.get(), "transport shutting down");
      return;
    }
  }
}

void CurlEventLoop::DrainCommands() {
  std::vector<std::unique_ptr<Transfer>> submitted;
  std::vector<uint64_t> cancelled;
  bool stopping;
  {
    std::lock_guard<std::mutex> lock(mu_);
    submitted.swap(submitted_);
    cancelled.swap(cancelled_);
    stopping = stopping_;
  }
  for (auto& transfer : submitted) {
    if (stopping) {
      HttpResponse response;
      response.outcome = TransportOutcome::kCancelled;
      response.error_detail = "transport shutting down";
      std::move(transfer->done)(std::move(response));
      continue;
    }
    StartTransfer(std::move(transfer));
  }
  for (const uint64_t id : cancelled) {
    auto it = active_.find(id);
    if (it != active_.end()) Abort(it->second.get(), "cancelled by the caller");
  }
}

void CurlEventLoop::StartTransfer(std::unique_ptr<Transfer> transfer) {
  Transfer* t = transfer.get();
  t->started = SteadyClock::now();
  active_.emplace(t->id, std::move(transfer));
  StartAttempt(t);
}

void CurlEventLoop::StartDueRetries() {
  const auto now = SteadyClock::now();
  while (!backoff_.empty() && backoff_.begin()->first <= now) {
    Transfer* t = backoff_.begin()->second;
    backoff_.erase(backoff_.begin());
    StartAttempt(t);
  }
}

void CurlEventLoop::StartAttempt(Transfer* t) {
  ++t->attempts;
  t->easy = easy_cache_.Take();
  if (t->easy == nullptr) {
    Abort(t, "curl_easy_init failed");
    return;
  }
  FollowNegotiatedProtocol();
  ConnectionPools::Pool* pool = pools_.WithRoom(NegotiatesProtocol(t->request.url, options_));
  if (pool == nullptr) {
    easy_cache_.Return(std::move(t->easy));
    Abort(t, "curl_multi_init failed");
    return;
  }
  PrepareAttempt(t->easy.get(), t->request, options_, share_.get(), t->headers, t->state, t);
  if (t->warm_up) {
    curl_easy_setopt(t->easy.get(), CURLOPT_NOBODY, 1L);    // HEAD
    curl_easy_setopt(t->easy.get(), CURLOPT_PIPEWAIT, 0L);  // a connection of its own
  }
  if (absl::Status added = pools_.Add(pool, t->easy.get()); !added.ok()) {
    easy_cache_.Return(std::move(t->easy));
    Abort(t, std::string(added.message()));
    return;
  }
  t->pool = pool;
}

void CurlEventLoop::FollowNegotiatedProtocol() {
  if (options_.counters == nullptr) return;
  const uint64_t results = options_.counters->alpn_results.load(std::memory_order_acquire);
  if (results == alpn_results_seen_) return;
  alpn_results_seen_ = results;
  pools_.set_multiplexed(options_.counters->latest_alpn_h2.load(std::memory_order_relaxed));
}

void CurlEventLoop::Finish(Transfer* t, CURLcode code) {
  const CurlAttemptResult result = ReadAttemptResult(t->easy.get(), code, t->state);
  const CurlOutcome mapped = MapCurlResult(result);
  HttpResponse response;
  response.outcome = mapped.outcome;
  response.error_detail = std::string(mapped.error_detail);
  response.http_status = static_cast<int>(result.http_status);
  response.retry_after = ReadRetryAfter(t->easy.get());
  response.body = std::move(t->state.body);
  // Multiplexed transfers share a few connections, so pools can hold more.
  if (result.http_status > 0) pools_.set_multiplexed(ReceivedOverHttp2(t->easy.get()));
  ReleaseFromPool(t);
  if (response.outcome == TransportOutcome::kNotSent && MaybeScheduleRetry(t)) return;
  response.elapsed = absl::FromChrono(SteadyClock::now() - t->started);
  response.attempts = t->attempts;
  Complete(t, std::move(response));
}

bool CurlEventLoop::MaybeScheduleRetry(Transfer* t) {
  const std::optional<absl::Duration> wait = RetryDelay(
      t->request, t->attempts, absl::Now(),
      [this](int64_t max) { return std::uniform_int_distribution<int64_t>(0, max)(jitter_); });
  if (!wait) return false;
  backoff_.emplace(SteadyClock::now() + absl::ToChronoMicroseconds(*wait), t);
  return true;
}

void CurlEventLoop::Abort(Transfer* t, std::string why) {
  for (auto it = backoff_.begin(); it != backoff_.end(); ++it) {
    if (it->second == t) {
      backoff_.erase(it);
      break;
    }
  }
  HttpResponse response;
  response.outcome = TransportOutcome::kCancelled;
  response.error_detail = std::move(why);
  response.elapsed = absl::FromChrono(SteadyClock::now() - t->started);
  response.attempts = t->attempts;
  ReleaseFromPool(t);
  Complete(t, std::move(response));
}

void CurlEventLoop::ReleaseFromPool(Transfer* t) {
  if (t->easy == nullptr) return;
  if (options_.counters != nullptr) CountConnections(t->easy.get(), *options_.counters);
  pools_.Remove(t->pool, t->easy.get());
  easy_cache_.Return(std::move(t->easy));
  t->pool = nullptr;
}

void CurlEventLoop::Complete(Transfer* t, HttpResponse response) {
  Callback done = std::move(t->done);
  if (!t->warm_up) in_flight_.fetch_sub(1, std::memory_order_relaxed);
  active_.erase(t->id);  // destroys *t
  std::move(done)(std::move(response));
}

}  // namespace

absl::StatusOr<std::unique_ptr<Transport>> StartCurlEventLoop(const CurlTransportOptions& options) {
  auto loop = std::make_unique<CurlEventLoop>(options);
  if (absl::Status started = loop->Start(); !started.ok()) return started;
  return std::unique_ptr<Transport>(std::move(loop));
}

}  // namespace eko::adapter
