#include "adapters/eko/transport.h"

#include <curl/curl.h>
#include <pthread.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <map>
#include <mutex>
#include <random>
#include <thread>
#include <unordered_map>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"

namespace eko::adapter {
namespace {

using SteadyClock = std::chrono::steady_clock;

constexpr size_t kMaxPooledEasyHandles = 4096;
constexpr int kMaxEpollEvents = 256;
// epoll_event.data.u64 of the wake eventfd; a socket's is (pool slot + 1) << 32 | fd.
constexpr uint64_t kWakeEventData = 0;

std::optional<absl::Duration> ParseRetryAfter(absl::string_view value) {
  value = absl::StripAsciiWhitespace(value);
  int64_t seconds = 0;
  if (absl::SimpleAtoi(value, &seconds)) {
    if (seconds < 0) return std::nullopt;
    return absl::Seconds(seconds);
  }
  absl::Time when;
  std::string error;
  if (absl::ParseTime("%a, %d %b %Y %H:%M:%S", std::string(absl::StripSuffix(value, " GMT")), &when,
                      &error)) {
    return std::max(absl::ZeroDuration(), when - absl::Now());
  }
  return std::nullopt;
}

class CurlMultiTransport final : public Transport {
 public:
  explicit CurlMultiTransport(CurlTransportOptions options) : options_(std::move(options)) {}
  ~CurlMultiTransport() override;

  absl::Status Start();
  uint64_t Submit(HttpRequest request, Callback done) override;
  void Cancel(uint64_t id) override;
  absl::Time LastProgress() const override {
    return absl::FromUnixNanos(last_progress_ns_.load(std::memory_order_relaxed));
  }

 private:
  // One libcurl multi handle: its own connection pool and timer.
  struct Pool {
    CurlMultiTransport* owner = nullptr;
    size_t slot = 0;  // index in pools_
    CURLM* multi = nullptr;
    size_t active = 0;  // transfers whose easy handle is in `multi`
    bool timer_armed = false;
    SteadyClock::time_point timer_due;
    SteadyClock::time_point idle_since;  // when `active` last became 0
  };

  struct Transfer {
    uint64_t id = 0;
    Pool* pool = nullptr;  // while an attempt runs
    CURL* easy = nullptr;
    curl_slist* headers = nullptr;
    HttpRequest request;
    Callback done;
    HttpResponse response;
    bool too_large = false;
    int64_t max_bytes = 0;
    int attempts = 0;
    int sends = 0;                // times libcurl was about to send this attempt
    bool resend_blocked = false;  // libcurl tried to re-send on a new connection
    SteadyClock::time_point started;
  };

  void Loop();
  void Wake();
  void DrainCommands();
  void StartTransfer(std::unique_ptr<Transfer> transfer);
  void StartAttempt(Transfer* transfer);
  bool MaybeScheduleRetry(Transfer* transfer);
  void StartDueRetries();
  void RunDueTimers();
  void CompleteDone();
  Pool* PoolWithRoom();
  void ReleaseFromPool(Transfer* transfer);
  void ClosePoolsIdleSince(SteadyClock::time_point cutoff);
  void Finish(Transfer* transfer, CURLcode code);
  void Abort(Transfer* transfer, std::string why);
  CURL* TakeEasy();
  void ReturnEasy(CURL* easy);
  int EpollTimeoutMs() const;

  static int OnSocket(CURL* easy, curl_socket_t fd, int what, void* self, void* socket_data);
  static int OnTimer(CURLM* multi, long timeout_ms, void* self);
  static size_t OnBody(char* data, size_t size, size_t count, void* transfer);
  static size_t OnHeader(char* data, size_t size, size_t count, void* transfer);
  static int OnPrereq(void* transfer, char* conn_primary_ip, char* conn_local_ip,
                      int conn_primary_port, int conn_local_port);

  const CurlTransportOptions options_;
  int epoll_fd_ = -1;
  int wake_fd_ = -1;
  std::thread thread_;

  std::mutex mu_;
  std::vector<std::unique_ptr<Transfer>> submitted_;  // guarded by mu_
  std::vector<uint64_t> cancelled_;                   // guarded by mu_
  bool stopping_ = false;                             // guarded by mu_
  std::atomic<uint64_t> next_id_{1};
  std::atomic<int64_t> last_progress_ns_{absl::ToUnixNanos(absl::Now())};

  // Loop-thread state.
  std::unordered_map<uint64_t, Transfer*> active_;
  // Transfers waiting out a retry backoff (also in active_, with no easy handle).
  std::multimap<SteadyClock::time_point, Transfer*> backoff_;
  std::mt19937_64 jitter_{std::random_device{}()};
  std::vector<CURL*> easy_pool_;
  // Slots of closed pools are null and reused, so a slot number in an epoll
  // event stays meaningful.
  std::vector<std::unique_ptr<Pool>> pools_;
  SteadyClock::time_point next_idle_check_;
};

CurlMultiTransport::~CurlMultiTransport() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  if (thread_.joinable()) {
    Wake();
    thread_.join();
  }
  for (CURL* easy : easy_pool_) curl_easy_cleanup(easy);
  for (auto& pool : pools_) {
    if (pool != nullptr) curl_multi_cleanup(pool->multi);
  }
  if (wake_fd_ >= 0) close(wake_fd_);
  if (epoll_fd_ >= 0) close(epoll_fd_);
}

absl::Status CurlMultiTransport::Start() {
  epoll_fd_ = epoll_create1(EPOLL_CLOEXEC);
  wake_fd_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (epoll_fd_ < 0 || wake_fd_ < 0) {
    return absl::InternalError(absl::StrCat("epoll/eventfd: ", std::strerror(errno)));
  }
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.u64 = kWakeEventData;
  if (epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, wake_fd_, &ev) != 0) {
    return absl::InternalError(absl::StrCat("epoll_ctl: ", std::strerror(errno)));
  }
  // The first pool is made here so that a libcurl that cannot make one fails
  // start-up instead of every call.
  if (PoolWithRoom() == nullptr) return absl::InternalError("curl_multi_init failed");
  next_idle_check_ = SteadyClock::now() + std::chrono::seconds(1);
  thread_ = std::thread([this] { Loop(); });
  return absl::OkStatus();
}

void CurlMultiTransport::Wake() {
  const uint64_t one = 1;
  // A full eventfd counter still wakes the loop, so a failed write is harmless.
  [[maybe_unused]] ssize_t n = write(wake_fd_, &one, sizeof(one));
}

uint64_t CurlMultiTransport::Submit(HttpRequest request, Callback done) {
  auto transfer = std::make_unique<Transfer>();
  transfer->id = next_id_.fetch_add(1);
  transfer->request = std::move(request);
  transfer->done = std::move(done);
  transfer->max_bytes = options_.max_response_bytes;
  const uint64_t id = transfer->id;
  bool was_empty;
  {
    std::lock_guard<std::mutex> lock(mu_);
    was_empty = submitted_.empty() && cancelled_.empty();
    submitted_.push_back(std::move(transfer));
  }
  if (was_empty) Wake();
  return id;
}

void CurlMultiTransport::Cancel(uint64_t id) {
  bool was_empty;
  {
    std::lock_guard<std::mutex> lock(mu_);
    was_empty = submitted_.empty() && cancelled_.empty();
    cancelled_.push_back(id);
  }
  if (was_empty) Wake();
}

int CurlMultiTransport::EpollTimeoutMs() const {
  std::optional<SteadyClock::time_point> due = SteadyClock::now() + std::chrono::seconds(1);
  for (const auto& pool : pools_) {
    if (pool != nullptr && pool->timer_armed && pool->timer_due < *due) due = pool->timer_due;
  }
  if (!backoff_.empty() && (!due || backoff_.begin()->first < *due)) due = backoff_.begin()->first;
  if (!due) return -1;
  const auto now = SteadyClock::now();
  if (*due <= now) return 0;
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(*due - now).count() + 1;
  return static_cast<int>(std::min<int64_t>(ms, 1000));
}

void CurlMultiTransport::Loop() {
  // Named so that top -H, perf and /proc show where upstream work runs.
  pthread_setname_np(pthread_self(), "eko-upstream");
  epoll_event events[kMaxEpollEvents];
  int running = 0;
  while (true) {
    last_progress_ns_.store(absl::ToUnixNanos(absl::Now()), std::memory_order_relaxed);
    const int n = epoll_wait(epoll_fd_, events, kMaxEpollEvents, EpollTimeoutMs());
    for (int i = 0; i < n; ++i) {
      const uint64_t data = events[i].data.u64;
      if (data == kWakeEventData) {
        uint64_t count;
        [[maybe_unused]] ssize_t r = read(wake_fd_, &count, sizeof(count));
        continue;
      }
      const size_t slot = (data >> 32) - 1;
      const auto fd = static_cast<curl_socket_t>(data & 0xffffffffu);
      // A pool closed earlier in this batch leaves its events behind.
      if (slot >= pools_.size() || pools_[slot] == nullptr) continue;
      int flags = 0;
      if (events[i].events & EPOLLIN) flags |= CURL_CSELECT_IN;
      if (events[i].events & EPOLLOUT) flags |= CURL_CSELECT_OUT;
      if (events[i].events & (EPOLLERR | EPOLLHUP)) flags |= CURL_CSELECT_ERR;
      curl_multi_socket_action(pools_[slot]->multi, fd, flags, &running);
    }
    DrainCommands();
    StartDueRetries();
    RunDueTimers();
    CompleteDone();
    const auto now = SteadyClock::now();
    if (now >= next_idle_check_) {
      next_idle_check_ = now + std::chrono::seconds(1);
      ClosePoolsIdleSince(now - std::chrono::seconds(options_.max_idle_seconds));
    }

    bool stopping;
    {
      std::lock_guard<std::mutex> lock(mu_);
      stopping = stopping_;
    }
    if (stopping) {
      DrainCommands();
      while (!active_.empty()) Abort(active_.begin()->second, "transport shutting down");
      return;
    }
  }
}

void CurlMultiTransport::RunDueTimers() {
  int running = 0;
  const auto now = SteadyClock::now();
  // Indexing, not iterators: a timeout may complete transfers but never adds
  // or closes pools.
  for (size_t i = 0; i < pools_.size(); ++i) {
    Pool* pool = pools_[i].get();
    if (pool == nullptr || !pool->timer_armed || pool->timer_due > now) continue;
    pool->timer_armed = false;
    curl_multi_socket_action(pool->multi, CURL_SOCKET_TIMEOUT, 0, &running);
  }
}

CurlMultiTransport::Pool* CurlMultiTransport::PoolWithRoom() {
  const size_t limit = static_cast<size_t>(std::max(1, options_.transfers_per_pool));
  size_t free_slot = pools_.size();
  for (size_t i = 0; i < pools_.size(); ++i) {
    if (pools_[i] == nullptr) {
      free_slot = std::min(free_slot, i);
    } else if (pools_[i]->active < limit) {
      return pools_[i].get();
    }
  }
  auto pool = std::make_unique<Pool>();
  pool->owner = this;
  pool->slot = free_slot;
  pool->multi = curl_multi_init();
  if (pool->multi == nullptr) return nullptr;
  curl_multi_setopt(pool->multi, CURLMOPT_SOCKETFUNCTION, &CurlMultiTransport::OnSocket);
  curl_multi_setopt(pool->multi, CURLMOPT_SOCKETDATA, pool.get());
  curl_multi_setopt(pool->multi, CURLMOPT_TIMERFUNCTION, &CurlMultiTransport::OnTimer);
  curl_multi_setopt(pool->multi, CURLMOPT_TIMERDATA, pool.get());
  curl_multi_setopt(pool->multi, CURLMOPT_PIPELINING, static_cast<long>(CURLPIPE_MULTIPLEX));
  // Unset, libcurl caps a multi handle's cached connections at four times
  // the transfers it holds at that moment, and closes connections that just
  // finished whenever a pool briefly holds few transfers. A pool never holds
  // more than `limit` transfers, so it keeps up to `limit` connections.
  curl_multi_setopt(pool->multi, CURLMOPT_MAXCONNECTS, static_cast<long>(limit));
  pool->idle_since = SteadyClock::now();
  if (free_slot == pools_.size()) pools_.emplace_back();
  pools_[free_slot] = std::move(pool);
  return pools_[free_slot].get();
}

void CurlMultiTransport::ReleaseFromPool(Transfer* t) {
  if (t->easy == nullptr) return;
  Pool* pool = t->pool;
  curl_multi_remove_handle(pool->multi, t->easy);
  if (--pool->active == 0) pool->idle_since = SteadyClock::now();
  ReturnEasy(t->easy);
  t->easy = nullptr;
  t->pool = nullptr;
}

void CurlMultiTransport::ClosePoolsIdleSince(SteadyClock::time_point cutoff) {
  // The first pool stays: it serves light load and keeps its warm connections.
  for (size_t i = 1; i < pools_.size(); ++i) {
    Pool* pool = pools_[i].get();
    if (pool == nullptr || pool->active > 0 || pool->idle_since > cutoff) continue;
    curl_multi_cleanup(pool->multi);  // closes the pool's idle connections
    pools_[i].reset();
  }
}

void CurlMultiTransport::DrainCommands() {
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
    if (it != active_.end()) Abort(it->second, "cancelled by the caller");
  }
}

CURL* CurlMultiTransport::TakeEasy() {
  if (easy_pool_.empty()) return curl_easy_init();
  CURL* easy = easy_pool_.back();
  easy_pool_.pop_back();
  return easy;
}

void CurlMultiTransport::ReturnEasy(CURL* easy) {
  if (easy_pool_.size() >= kMaxPooledEasyHandles) {
    curl_easy_cleanup(easy);
    return;
  }
  curl_easy_reset(easy);
  easy_pool_.push_back(easy);
}

void CurlMultiTransport::StartTransfer(std::unique_ptr<Transfer> owned) {
  Transfer* t = owned.release();
  t->started = SteadyClock::now();
  active_.emplace(t->id, t);
  StartAttempt(t);
}

void CurlMultiTransport::StartDueRetries() {
  const auto now = SteadyClock::now();
  while (!backoff_.empty() && backoff_.begin()->first <= now) {
    Transfer* t = backoff_.begin()->second;
    backoff_.erase(backoff_.begin());
    StartAttempt(t);
  }
}

void CurlMultiTransport::StartAttempt(Transfer* t) {
  ++t->attempts;
  t->response = HttpResponse();
  t->too_large = false;
  t->sends = 0;
  t->resend_blocked = false;
  curl_slist_free_all(t->headers);
  t->headers = nullptr;
  t->easy = TakeEasy();
  if (t->easy == nullptr) {
    Abort(t, "curl_easy_init failed");
    return;
  }
  t->pool = PoolWithRoom();
  if (t->pool == nullptr) {
    ReturnEasy(t->easy);
    t->easy = nullptr;
    Abort(t, "curl_multi_init failed");
    return;
  }
  CURL* easy = t->easy;
  const HttpRequest& req = t->request;

  const auto add_header = [t](const std::string& line) {
    t->headers = curl_slist_append(t->headers, line.c_str());
  };
  add_header("Accept: application/json");
  add_header("Expect:");
  // Eko's docs list content-type: application/json as a header of every
  // request, GET included.
  add_header("Content-Type: application/json");
  if (options_.auth_headers) {
    for (const std::string& line : options_.auth_headers()) add_header(line);
  }

  curl_easy_setopt(easy, CURLOPT_URL, req.url.c_str());
  curl_easy_setopt(easy, CURLOPT_PRIVATE, t);
  curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(easy, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(easy, CURLOPT_TCP_NODELAY, 1L);
  curl_easy_setopt(easy, CURLOPT_TCP_KEEPALIVE, 1L);
  curl_easy_setopt(easy, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt(easy, CURLOPT_SSL_VERIFYHOST, 2L);
  if (!options_.extra_ca_file.empty()) {
    // The extra bundle is trusted in addition to the system store (CAPATH).
    curl_easy_setopt(easy, CURLOPT_CAINFO, options_.extra_ca_file.c_str());
    curl_easy_setopt(easy, CURLOPT_CAPATH, options_.system_ca_dir.c_str());
  }
  curl_easy_setopt(easy, CURLOPT_USERAGENT, options_.user_agent.c_str());
  curl_easy_setopt(easy, CURLOPT_HTTPHEADER, t->headers);
  curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, &CurlMultiTransport::OnBody);
  curl_easy_setopt(easy, CURLOPT_WRITEDATA, t);
  curl_easy_setopt(easy, CURLOPT_HEADERFUNCTION, &CurlMultiTransport::OnHeader);
  curl_easy_setopt(easy, CURLOPT_HEADERDATA, t);
  curl_easy_setopt(easy, CURLOPT_PREREQFUNCTION, &CurlMultiTransport::OnPrereq);
  curl_easy_setopt(easy, CURLOPT_PREREQDATA, t);
  // Idle keep-alive connections older than this are not reused, which keeps
  // the "server closed an idle connection" race (see OnPrereq) rare.
  curl_easy_setopt(easy, CURLOPT_MAXAGE_CONN, static_cast<long>(options_.max_idle_seconds));
  curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS,
                   static_cast<long>(absl::ToInt64Milliseconds(options_.connect_timeout)));
  if (req.deadline != absl::InfiniteFuture()) {
    const int64_t budget_ms = absl::ToInt64Milliseconds(req.deadline - absl::Now());
    curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, static_cast<long>(std::max<int64_t>(1, budget_ms)));
  }
  switch (req.method) {
    case HttpMethod::kGet:
      curl_easy_setopt(easy, CURLOPT_HTTPGET, 1L);
      break;
    case HttpMethod::kPut:
      curl_easy_setopt(easy, CURLOPT_CUSTOMREQUEST, "PUT");
      [[fallthrough]];
    case HttpMethod::kPost:
      curl_easy_setopt(easy, CURLOPT_POST, 1L);
      curl_easy_setopt(easy, CURLOPT_POSTFIELDS, req.body.data());
      curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(req.body.size()));
      break;
  }
  const CURLMcode added = curl_multi_add_handle(t->pool->multi, easy);
  if (added != CURLM_OK) {
    ReturnEasy(t->easy);
    t->easy = nullptr;
    t->pool = nullptr;
    Abort(t, curl_multi_strerror(added));
    return;
  }
  ++t->pool->active;
}

void CurlMultiTransport::CompleteDone() {
  int pending = 0;
  // Finishing a transfer may start a retry, which may open a pool: index, not iterate.
  for (size_t i = 0; i < pools_.size(); ++i) {
    if (pools_[i] == nullptr) continue;
    while (CURLMsg* msg = curl_multi_info_read(pools_[i]->multi, &pending)) {
      if (msg->msg != CURLMSG_DONE) continue;
      Transfer* t = nullptr;
      curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, reinterpret_cast<char**>(&t));
      if (t != nullptr) Finish(t, msg->data.result);
    }
  }
}

void CurlMultiTransport::Finish(Transfer* t, CURLcode code) {
  HttpResponse response = std::move(t->response);
  long http_status = 0;
  curl_easy_getinfo(t->easy, CURLINFO_RESPONSE_CODE, &http_status);
  long request_bytes = 0;
  curl_easy_getinfo(t->easy, CURLINFO_REQUEST_SIZE, &request_bytes);
  const bool sent = request_bytes > 0;
  response.http_status = static_cast<int>(http_status);
  response.error_detail = code == CURLE_OK ? "" : curl_easy_strerror(code);
  switch (code) {
    case CURLE_OK:
      response.outcome = TransportOutcome::kCompleted;
      break;
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_COULDNT_CONNECT:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_ENGINE_NOTFOUND:
      response.outcome = TransportOutcome::kNotSent;
      break;
    case CURLE_OPERATION_TIMEDOUT:
      response.outcome = sent ? TransportOutcome::kTimedOut : TransportOutcome::kNotSent;
      break;
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
      if (http_status > 0) {
        response.outcome = TransportOutcome::kResponseIncomplete;
      } else {
        response.outcome = sent ? TransportOutcome::kConnectionLost : TransportOutcome::kNotSent;
      }
      break;
    case CURLE_WRITE_ERROR:
      response.outcome =
          t->too_large ? TransportOutcome::kResponseTooLarge : TransportOutcome::kFailed;
      break;
    case CURLE_ABORTED_BY_CALLBACK:
      response.outcome =
          t->resend_blocked ? TransportOutcome::kConnectionLost : TransportOutcome::kFailed;
      if (t->resend_blocked) response.error_detail = "connection lost after the request was sent";
      break;
    default:
      response.outcome = TransportOutcome::kFailed;
      break;
  }
  ReleaseFromPool(t);
  if (response.outcome == TransportOutcome::kNotSent && MaybeScheduleRetry(t)) return;
  response.elapsed = absl::FromChrono(SteadyClock::now() - t->started);
  response.attempts = t->attempts;
  Callback done = std::move(t->done);
  active_.erase(t->id);
  curl_slist_free_all(t->headers);
  delete t;
  std::move(done)(std::move(response));
}

bool CurlMultiTransport::MaybeScheduleRetry(Transfer* t) {
  const HttpRequest& req = t->request;
  if (t->attempts > req.max_retries) return false;
  // Full jitter over a doubling window: uniform in [0, base * 2^(attempt-1)].
  const absl::Duration window = req.retry_backoff * (int64_t{1} << std::min(t->attempts - 1, 10));
  const int64_t window_us = std::max<int64_t>(1, absl::ToInt64Microseconds(window));
  const absl::Duration wait =
      absl::Microseconds(std::uniform_int_distribution<int64_t>(0, window_us)(jitter_));
  if (req.deadline != absl::InfiniteFuture() &&
      absl::Now() + wait + req.min_attempt_budget > req.deadline) {
    return false;
  }
  backoff_.emplace(SteadyClock::now() + absl::ToChronoMicroseconds(wait), t);
  return true;
}

void CurlMultiTransport::Abort(Transfer* t, std::string why) {
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
  Callback done = std::move(t->done);
  active_.erase(t->id);
  ReleaseFromPool(t);
  curl_slist_free_all(t->headers);
  delete t;
  std::move(done)(std::move(response));
}

int CurlMultiTransport::OnSocket(CURL* /*easy*/, curl_socket_t fd, int what, void* pool_arg,
                                 void* socket_data) {
  auto* pool = static_cast<Pool*>(pool_arg);
  CurlMultiTransport* transport = pool->owner;
  if (what == CURL_POLL_REMOVE) {
    epoll_ctl(transport->epoll_fd_, EPOLL_CTL_DEL, fd, nullptr);
    curl_multi_assign(pool->multi, fd, nullptr);
    return 0;
  }
  epoll_event ev{};
  ev.data.u64 = (static_cast<uint64_t>(pool->slot + 1) << 32) | static_cast<uint32_t>(fd);
  if (what == CURL_POLL_IN || what == CURL_POLL_INOUT) ev.events |= EPOLLIN;
  if (what == CURL_POLL_OUT || what == CURL_POLL_INOUT) ev.events |= EPOLLOUT;
  if (socket_data == nullptr) {
    if (epoll_ctl(transport->epoll_fd_, EPOLL_CTL_ADD, fd, &ev) != 0 && errno == EEXIST) {
      epoll_ctl(transport->epoll_fd_, EPOLL_CTL_MOD, fd, &ev);
    }
    curl_multi_assign(pool->multi, fd, pool);
  } else {
    if (epoll_ctl(transport->epoll_fd_, EPOLL_CTL_MOD, fd, &ev) != 0 && errno == ENOENT) {
      epoll_ctl(transport->epoll_fd_, EPOLL_CTL_ADD, fd, &ev);
    }
  }
  return 0;
}

int CurlMultiTransport::OnTimer(CURLM* /*multi*/, long timeout_ms, void* pool_arg) {
  auto* pool = static_cast<Pool*>(pool_arg);
  if (timeout_ms < 0) {
    pool->timer_armed = false;
  } else {
    pool->timer_armed = true;
    pool->timer_due = SteadyClock::now() + std::chrono::milliseconds(timeout_ms);
  }
  return 0;
}

// libcurl re-sends a request once, on a new connection, when a reused
// keep-alive connection dies before any response byte arrives. The first
// request may have reached Eko, so a second send is refused: the transfer
// ends as kConnectionLost (outcome unknown) instead.
int CurlMultiTransport::OnPrereq(void* transfer, char* /*conn_primary_ip*/, char* /*conn_local_ip*/,
                                 int /*conn_primary_port*/, int /*conn_local_port*/) {
  auto* t = static_cast<Transfer*>(transfer);
  if (++t->sends > 1) {
    t->resend_blocked = true;
    return CURL_PREREQFUNC_ABORT;
  }
  return CURL_PREREQFUNC_OK;
}

size_t CurlMultiTransport::OnBody(char* data, size_t size, size_t count, void* transfer) {
  auto* t = static_cast<Transfer*>(transfer);
  const size_t n = size * count;
  if (static_cast<int64_t>(t->response.body.size() + n) > t->max_bytes) {
    t->too_large = true;
    return 0;  // aborts the transfer with CURLE_WRITE_ERROR
  }
  t->response.body.append(data, n);
  return n;
}

size_t CurlMultiTransport::OnHeader(char* data, size_t size, size_t count, void* transfer) {
  auto* t = static_cast<Transfer*>(transfer);
  const size_t n = size * count;
  const absl::string_view line(data, n);
  if (absl::StartsWith(line, "HTTP/")) {
    t->response.retry_after.reset();  // a new (e.g. final after 100) response starts
  } else if (absl::StartsWithIgnoreCase(line, "retry-after:")) {
    t->response.retry_after = ParseRetryAfter(line.substr(std::strlen("retry-after:")));
  }
  return n;
}

// Spreads transfers over several loops. Ids carry the loop index in their top
// byte so Cancel reaches the right one.
class ShardedTransport final : public Transport {
 public:
  explicit ShardedTransport(std::vector<std::unique_ptr<Transport>> shards)
      : shards_(std::move(shards)) {}

  uint64_t Submit(HttpRequest request, Callback done) override {
    const uint64_t shard = next_.fetch_add(1, std::memory_order_relaxed) % shards_.size();
    const uint64_t id = shards_[shard]->Submit(std::move(request), std::move(done));
    return (shard << kShardShift) | id;
  }
  void Cancel(uint64_t id) override {
    const uint64_t shard = id >> kShardShift;
    if (shard < shards_.size()) shards_[shard]->Cancel(id & ((uint64_t{1} << kShardShift) - 1));
  }
  absl::Time LastProgress() const override {
    absl::Time oldest = absl::InfiniteFuture();
    for (const auto& shard : shards_) oldest = std::min(oldest, shard->LastProgress());
    return oldest;
  }

 private:
  static constexpr int kShardShift = 56;
  std::vector<std::unique_ptr<Transport>> shards_;
  std::atomic<uint64_t> next_{0};
};

}  // namespace

absl::StatusOr<std::unique_ptr<Transport>> CreateCurlTransport(CurlTransportOptions options) {
  static std::once_flag init_once;
  static CURLcode init_result = CURLE_OK;
  std::call_once(init_once, [] { init_result = curl_global_init(CURL_GLOBAL_DEFAULT); });
  if (init_result != CURLE_OK) return absl::InternalError("curl_global_init failed");
  const int loops = std::max(1, options.loops);
  std::vector<std::unique_ptr<Transport>> shards;
  for (int i = 0; i < loops; ++i) {
    auto transport = std::make_unique<CurlMultiTransport>(options);
    if (absl::Status started = transport->Start(); !started.ok()) return started;
    shards.push_back(std::move(transport));
  }
  if (loops == 1) return std::move(shards.front());
  return std::unique_ptr<Transport>(std::make_unique<ShardedTransport>(std::move(shards)));
}

}  // namespace eko::adapter
