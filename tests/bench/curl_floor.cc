// bench-curl-floor: the upstream floor. A direct libcurl client (multi-socket
// interface on one epoll thread, keep-alive) that calls the Eko simulator's
// GET /customer/profile/{id} in a closed loop with signed requests, exactly
// as eko-gateway would for GetCustomer but without gRPC or the gateway's own
// work. Its own CPU per call is what libcurl + signing cost a client; the
// simulator's (--pid) is the upstream's cost. Same report as eko-bench.
#include <curl/curl.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <signal.h>
#include <sys/epoll.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <iostream>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "tests/bench/bench_common.h"

namespace eko::bench {
namespace {

constexpr char kUsage[] = R"(usage: bench-curl-floor --base-url=URL --concurrency=C [flags]
  --base-url=URL          Eko (simulator) base URL, e.g. http://127.0.0.1:8090/ekoapi/v3
  --customer-id=ID        customer looked up (default 6111111111)
  --initiator-id=ID       initiator_id query parameter (default 9962981729)
  --user-code=CODE        user_code query parameter (default 20810200)
  --developer-key=KEY     developer_key header (default sim-developer-key)
  --access-key=KEY        access key the requests are signed with (default sim-access-key)
  --concurrency=C         transfers kept in flight (closed loop; default 1)
  --multi-handles=K       spread the transfers over K libcurl multi handles, each with its
                          own connection cache, all on the one epoll thread (default 1, as
                          eko-gateway)
  --duration-s=D          measured window (default 10)
  --warmup-s=W            warm-up before the window, not measured (default 2)
  --timeout-ms=T          timeout of each transfer (default 30000)
  --pid=[NAME=]PID        a process under test to measure (repeatable); this client is
                          always reported as "client"
  --json                  print one JSON object instead of the table
  --kv-out=FILE           also write the report as key=value lines to FILE
Exit status: 0 when the run completed (whatever the replies were), 1 on a setup failure,
2 on bad flags.
)";

struct Options {
  std::string base_url;
  std::string customer_id = "6111111111";
  std::string initiator_id = "9962981729";
  std::string user_code = "20810200";
  std::string developer_key = "sim-developer-key";
  std::string access_key = "sim-access-key";
  int64_t concurrency = 1;
  int64_t multi_handles = 1;
  double duration_s = 10;
  double warmup_s = 2;
  int64_t timeout_ms = 30000;
  std::vector<WatchTarget> watch;
  bool json = false;
  std::string kv_out;
};

absl::StatusOr<Options> ParseOptions(int argc, char** argv, bool* help) {
  Options o;
  FlagParser flags(argc, argv);
  while (std::optional<std::string> name = flags.Next()) {
    absl::Status status;
    const auto set_string = [&](std::string* out) {
      absl::StatusOr<std::string> v = flags.Value();
      if (v.ok()) *out = *v;
      status = v.status();
    };
    if (*name == "help") {
      *help = true;
      return o;
    } else if (*name == "base-url") {
      set_string(&o.base_url);
    } else if (*name == "customer-id") {
      set_string(&o.customer_id);
    } else if (*name == "initiator-id") {
      set_string(&o.initiator_id);
    } else if (*name == "user-code") {
      set_string(&o.user_code);
    } else if (*name == "developer-key") {
      set_string(&o.developer_key);
    } else if (*name == "access-key") {
      set_string(&o.access_key);
    } else if (*name == "concurrency") {
      absl::StatusOr<int64_t> v = flags.IntValue(1, 100000);
      if (v.ok()) o.concurrency = *v;
      status = v.status();
    } else if (*name == "multi-handles") {
      absl::StatusOr<int64_t> v = flags.IntValue(1, 1024);
      if (v.ok()) o.multi_handles = *v;
      status = v.status();
    } else if (*name == "duration-s" || *name == "warmup-s") {
      absl::StatusOr<double> v = flags.DoubleValue(*name == "duration-s" ? 0.1 : 0, 86400);
      if (v.ok()) (*name == "duration-s" ? o.duration_s : o.warmup_s) = *v;
      status = v.status();
    } else if (*name == "timeout-ms") {
      absl::StatusOr<int64_t> v = flags.IntValue(1, 3600000);
      if (v.ok()) o.timeout_ms = *v;
      status = v.status();
    } else if (*name == "pid") {
      std::string text;
      set_string(&text);
      if (status.ok()) {
        absl::StatusOr<WatchTarget> target = ParseWatchTarget(text);
        if (target.ok()) o.watch.push_back(*target);
        status = target.status();
      }
    } else if (*name == "json") {
      o.json = true;
    } else if (*name == "kv-out") {
      set_string(&o.kv_out);
    } else {
      return absl::InvalidArgumentError(absl::StrCat("unknown flag --", *name));
    }
    if (!status.ok()) return status;
  }
  if (!flags.error().empty()) return absl::InvalidArgumentError(flags.error());
  if (o.base_url.empty()) return absl::InvalidArgumentError("--base-url is required");
  return o;
}

std::string Base64(const unsigned char* data, size_t size) {
  std::string out(4 * ((size + 2) / 3), '\0');
  const int written =
      EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), data, static_cast<int>(size));
  out.resize(written > 0 ? static_cast<size_t>(written) : 0);
  return out;
}

// Eko's request signature: secret-key = base64(HMAC-SHA256(key = the text of
// base64(access key), message = the millisecond timestamp as decimal text)).
class EkoSigner {
 public:
  explicit EkoSigner(const std::string& access_key)
      : key_(Base64(reinterpret_cast<const unsigned char*>(access_key.data()), access_key.size())) {
  }

  // The three auth header lines for a request sent now.
  std::vector<std::string> Headers(const std::string& developer_key) const {
    const std::string timestamp =
        absl::StrCat(std::chrono::duration_cast<std::chrono::milliseconds>(
                         std::chrono::system_clock::now().time_since_epoch())
                         .count());
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int mac_size = 0;
    HMAC(EVP_sha256(), key_.data(), static_cast<int>(key_.size()),
         reinterpret_cast<const unsigned char*>(timestamp.data()), timestamp.size(), mac,
         &mac_size);
    return {absl::StrCat("developer_key: ", developer_key),
            absl::StrCat("secret-key: ", Base64(mac, mac_size)),
            absl::StrCat("secret-key-timestamp: ", timestamp)};
  }

 private:
  const std::string key_;
};

// One closed-loop slot: an easy handle that is re-armed after each transfer
// (its multi handle's connection cache keeps the connection alive).
struct Transfer {
  CURL* easy = nullptr;
  size_t shard = 0;
  curl_slist* headers = nullptr;
  int64_t started_ns = 0;
};

size_t DiscardBody(char* /*data*/, size_t size, size_t count, void* /*transfer*/) {
  return size * count;
}

// The transfers are spread over `count` multi handles ("shards"), all driven
// by one epoll loop on this thread through libcurl's multi-socket API, as
// eko-gateway's transport drives its one multi handle. Each shard has its own
// connection cache.
class Shards {
 public:
  explicit Shards(size_t count) : shards_(count) {}
  ~Shards() {
    for (Shard& shard : shards_) curl_multi_cleanup(shard.multi);
    if (epoll_fd_ >= 0) close(epoll_fd_);
  }

  absl::Status Init() {
    epoll_fd_ = epoll_create1(EPOLL_CLOEXEC);
    if (epoll_fd_ < 0) return absl::InternalError("epoll_create1 failed");
    for (size_t i = 0; i < shards_.size(); ++i) {
      Shard& shard = shards_[i];
      shard.owner = this;
      shard.index = i;
      shard.multi = curl_multi_init();
      if (shard.multi == nullptr) return absl::InternalError("curl_multi_init failed");
      curl_multi_setopt(shard.multi, CURLMOPT_SOCKETFUNCTION, &Shards::OnSocket);
      curl_multi_setopt(shard.multi, CURLMOPT_SOCKETDATA, &shard);
      curl_multi_setopt(shard.multi, CURLMOPT_TIMERFUNCTION, &Shards::OnTimer);
      curl_multi_setopt(shard.multi, CURLMOPT_TIMERDATA, &shard);
    }
    return absl::OkStatus();
  }

  size_t size() const { return shards_.size(); }
  CURLM* multi(size_t shard) { return shards_[shard].multi; }

  // Waits at most `max_wait_ms` for socket events or a due timer and lets
  // libcurl act on them. Completed transfers are then read with Done().
  void Poll(int max_wait_ms) {
    const int64_t now = NowNs();
    int64_t wait_ms = max_wait_ms;
    for (const Shard& shard : shards_) {
      if (shard.timer_due_ns >= 0) {
        wait_ms = std::min<int64_t>(
            wait_ms, std::max<int64_t>(0, (shard.timer_due_ns - now + 999999) / 1000000));
      }
    }
    epoll_event events[256];
    const int n = epoll_wait(epoll_fd_, events, 256, static_cast<int>(wait_ms));
    int running = 0;
    for (int i = 0; i < n; ++i) {
      const auto shard = static_cast<size_t>(events[i].data.u64 >> 32);
      const auto fd = static_cast<curl_socket_t>(events[i].data.u64 & 0xffffffffu);
      int flags = 0;
      if (events[i].events & EPOLLIN) flags |= CURL_CSELECT_IN;
      if (events[i].events & EPOLLOUT) flags |= CURL_CSELECT_OUT;
      if (events[i].events & (EPOLLERR | EPOLLHUP)) flags |= CURL_CSELECT_ERR;
      curl_multi_socket_action(shards_[shard].multi, fd, flags, &running);
    }
    const int64_t after = NowNs();
    for (Shard& shard : shards_) {
      if (shard.timer_due_ns >= 0 && shard.timer_due_ns <= after) {
        shard.timer_due_ns = -1;
        curl_multi_socket_action(shard.multi, CURL_SOCKET_TIMEOUT, 0, &running);
      }
    }
  }

 private:
  struct Shard {
    Shards* owner = nullptr;
    size_t index = 0;
    CURLM* multi = nullptr;
    int64_t timer_due_ns = -1;  // -1: no timer
  };

  static int OnSocket(CURL* /*easy*/, curl_socket_t fd, int what, void* shard_ptr,
                      void* /*socket_data*/) {
    auto* shard = static_cast<Shard*>(shard_ptr);
    const int epoll_fd = shard->owner->epoll_fd_;
    if (what == CURL_POLL_REMOVE) {
      epoll_ctl(epoll_fd, EPOLL_CTL_DEL, fd, nullptr);
      return 0;
    }
    epoll_event ev{};
    ev.data.u64 = (static_cast<uint64_t>(shard->index) << 32) | static_cast<uint32_t>(fd);
    if (what == CURL_POLL_IN || what == CURL_POLL_INOUT) ev.events |= EPOLLIN;
    if (what == CURL_POLL_OUT || what == CURL_POLL_INOUT) ev.events |= EPOLLOUT;
    if (epoll_ctl(epoll_fd, EPOLL_CTL_MOD, fd, &ev) != 0 && errno == ENOENT) {
      epoll_ctl(epoll_fd, EPOLL_CTL_ADD, fd, &ev);
    }
    return 0;
  }

  static int OnTimer(CURLM* /*multi*/, long timeout_ms, void* shard_ptr) {
    auto* shard = static_cast<Shard*>(shard_ptr);
    shard->timer_due_ns = timeout_ms < 0 ? -1 : NowNs() + int64_t{timeout_ms} * 1000000;
    return 0;
  }

  std::vector<Shard> shards_;
  int epoll_fd_ = -1;
};

int Run(const Options& o) {
  if (absl::StatusOr<uint64_t> limit = RaiseOpenFileLimit(); !limit.ok()) {
    std::cerr << "bench-curl-floor: warning: " << limit.status().message() << "\n";
  }
  if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
    std::cerr << "bench-curl-floor: curl_global_init failed\n";
    return 1;
  }
  const std::string url =
      absl::StrCat(o.base_url, "/customer/profile/", o.customer_id,
                   "?initiator_id=", o.initiator_id, "&user_code=", o.user_code);
  const EkoSigner signer(o.access_key);
  Shards shards(static_cast<size_t>(o.multi_handles));
  if (absl::Status init = shards.Init(); !init.ok()) {
    std::cerr << "bench-curl-floor: " << init.message() << "\n";
    return 1;
  }
  std::vector<Transfer> transfers(static_cast<size_t>(o.concurrency));

  // (Re)starts `t`: fresh signature, same handle and connection cache.
  const auto start = [&](Transfer& t) {
    curl_slist_free_all(t.headers);
    t.headers = curl_slist_append(nullptr, "Accept: application/json");
    for (const std::string& line : signer.Headers(o.developer_key)) {
      t.headers = curl_slist_append(t.headers, line.c_str());
    }
    curl_easy_setopt(t.easy, CURLOPT_HTTPHEADER, t.headers);
    t.started_ns = NowNs();
    curl_multi_add_handle(shards.multi(t.shard), t.easy);
  };
  for (size_t i = 0; i < transfers.size(); ++i) {
    Transfer& t = transfers[i];
    t.shard = i % shards.size();
    t.easy = curl_easy_init();
    curl_easy_setopt(t.easy, CURLOPT_URL, url.c_str());
    curl_easy_setopt(t.easy, CURLOPT_PRIVATE, &t);
    curl_easy_setopt(t.easy, CURLOPT_HTTPGET, 1L);
    curl_easy_setopt(t.easy, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(t.easy, CURLOPT_TCP_NODELAY, 1L);
    curl_easy_setopt(t.easy, CURLOPT_TCP_KEEPALIVE, 1L);
    curl_easy_setopt(t.easy, CURLOPT_TIMEOUT_MS, static_cast<long>(o.timeout_ms));
    curl_easy_setopt(t.easy, CURLOPT_USERAGENT, "eko-bench-curl-floor");
    curl_easy_setopt(t.easy, CURLOPT_WRITEFUNCTION, &DiscardBody);
  }

  std::vector<WatchTarget> watch = o.watch;
  watch.push_back(WatchTarget{"client", getpid()});
  ProcessWatcher watcher(watch);
  watcher.Start();

  const int64_t begin = NowNs();
  const int64_t window_start = begin + static_cast<int64_t>(o.warmup_s * 1e9);
  const int64_t window_end = window_start + static_cast<int64_t>(o.duration_s * 1e9);
  bool window_marked = false;
  bool end_marked = false;
  LatencySamples latency;
  std::map<std::string, int64_t> outcomes;
  int64_t completed = 0;
  int64_t active = o.concurrency;
  for (Transfer& t : transfers) start(t);

  while (active > 0) {
    int64_t now = NowNs();
    // Wake up for the window's edges too, so CPU readings are on time.
    const int64_t next_edge = !window_marked ? window_start : window_end;
    shards.Poll(end_marked ? 100
                           : static_cast<int>(std::clamp<int64_t>(
                                 (next_edge - now + 999999) / 1000000, 0, 100)));
    for (size_t s = 0; s < shards.size(); ++s) {
      int pending = 0;
      while (CURLMsg* msg = curl_multi_info_read(shards.multi(s), &pending)) {
        if (msg->msg != CURLMSG_DONE) continue;
        now = NowNs();
        Transfer* t = nullptr;
        curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, reinterpret_cast<char**>(&t));
        const CURLcode result = msg->data.result;
        long http_status = 0;
        curl_easy_getinfo(t->easy, CURLINFO_RESPONSE_CODE, &http_status);
        curl_multi_remove_handle(shards.multi(s), t->easy);
        if (now >= window_start && now < window_end) {
          latency.Add(now - t->started_ns);
          ++completed;
          ++outcomes[result == CURLE_OK ? absl::StrCat("http_", http_status)
                                        : absl::StrCat("curl: ", curl_easy_strerror(result))];
        }
        if (now < window_end) {
          start(*t);
        } else {
          --active;
        }
      }
    }
    now = NowNs();
    if (!window_marked && now >= window_start) {
      watcher.MarkWindowStart();
      window_marked = true;
    }
    if (!end_marked && now >= window_end) {
      watcher.MarkWindowEnd();
      end_marked = true;
    }
  }
  if (!window_marked) watcher.MarkWindowStart();
  if (!end_marked) watcher.MarkWindowEnd();
  watcher.Stop();
  for (Transfer& t : transfers) {
    curl_easy_cleanup(t.easy);
    curl_slist_free_all(t.headers);
  }

  Report report;
  report.tool = "bench-curl-floor";
  report.target = "upstream";
  report.mode = "closed";
  report.concurrency = static_cast<int>(o.concurrency);
  report.connections = static_cast<int>(o.concurrency);
  report.warmup_s = o.warmup_s;
  report.window_s = static_cast<double>(window_end - window_start) / 1e9;
  report.completed = completed;
  report.outcomes = std::move(outcomes);
  report.ok_outcome = "http_200";
  report.latency = &latency;
  report.processes = watcher.Results();
  report.machine_cpu_percent = watcher.machine_cpu_percent();
  report.notes.emplace_back("url", absl::StrCat(o.base_url, "/customer/profile/", o.customer_id));
  report.notes.emplace_back("multi_handles", absl::StrCat(o.multi_handles));
  if (absl::Status emitted = EmitReport(report, o.json, o.kv_out); !emitted.ok()) {
    std::cerr << "bench-curl-floor: " << emitted.message() << "\n";
    return 1;
  }
  for (const ProcessResult& p : report.processes) {
    if (!p.error.empty()) {
      std::cerr << "bench-curl-floor: process " << p.name << " (" << p.pid << "): " << p.error
                << "\n";
      return 1;
    }
  }
  return 0;
}

}  // namespace
}  // namespace eko::bench

int main(int argc, char** argv) {
  signal(SIGPIPE, SIG_IGN);
  bool help = false;
  absl::StatusOr<eko::bench::Options> options = eko::bench::ParseOptions(argc, argv, &help);
  if (help) {
    std::cout << eko::bench::kUsage;
    return 0;
  }
  if (!options.ok()) {
    std::cerr << "bench-curl-floor: " << options.status().message() << "\n" << eko::bench::kUsage;
    return 2;
  }
  return eko::bench::Run(*options);
}
