// bench-curl-floor: the upstream floor. A direct libcurl client (multi-socket
// interface on one epoll thread, keep-alive) that calls the Eko simulator's
// GET /customer/profile/{id} in a closed loop with signed requests, exactly
// as eko-gateway would for GetCustomer but without gRPC or the gateway's own
// work. Its own CPU per call is what libcurl + signing cost a client; the
// simulator's (--pid) is the upstream's cost. Same report as eko-bench.
// Over https:// it verifies the server against --ca-file and keeps TLS
// sessions in one share handle; --http2 multiplexes the transfers over
// HTTP/2 (ALPN), as eko-gateway does when Eko offers h2.
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

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "tests/bench/bench_common.h"
#include "tests/bench/command_line.h"
#include "tests/bench/load_common.h"
#include "tests/bench/report.h"

namespace {

constexpr char kUsage[] =
    R"(the upstream floor: a direct libcurl client of the Eko simulator's
GET /customer/profile/{id}, closed loop (see tests/bench/README.md).
Usage: bench-curl-floor --base-url=URL [--concurrency=C] [--ca-file=PEM] [--http2]
       [--flag=value ...])";

}  // namespace

ABSL_FLAG(std::string, base_url, "",
          "Eko (simulator) base URL, e.g. http://127.0.0.1:8090/ekoapi/v3");
ABSL_FLAG(std::string, initiator_id, "9962981729", "initiator_id query parameter");
ABSL_FLAG(std::string, user_code, "20810200", "user_code query parameter");
ABSL_FLAG(std::string, developer_key, "sim-developer-key", "developer_key header");
ABSL_FLAG(std::string, access_key, "sim-access-key", "access key the requests are signed with");
ABSL_FLAG(int64_t, concurrency, 1, "transfers kept in flight (closed loop)");
ABSL_FLAG(int64_t, multi_handles, 1,
          "spread the transfers over this many libcurl multi handles, each with its own "
          "connection cache, all on the one epoll thread (1: as eko-gateway)");
ABSL_FLAG(std::string, ca_file, "",
          "PEM file of the CAs an https:// base URL's certificate is verified against "
          "(empty: the system's)");
ABSL_FLAG(bool, http2, false,
          "offer HTTP/2 over TLS (ALPN h2, else HTTP/1.1) and multiplex the transfers over "
          "each multi handle's connections");
ABSL_FLAG(int64_t, http2_max_streams, 1000,
          "with --http2: transfers one connection carries at once "
          "(CURLMOPT_MAX_CONCURRENT_STREAMS)");

namespace eko::bench {
namespace {

// The flags, checked, with the request's URL built.
struct Options {
  LoadSettings load;
  std::string base_url;     // --base-url
  std::string profile_url;  // --base-url/customer/profile/--customer-id
  std::string query;        // ?initiator_id=...&user_code=...
  std::string developer_key;
  std::string access_key;
  int64_t concurrency = 0;
  int64_t multi_handles = 0;
  std::string ca_file;
  bool http2 = false;
  int64_t http2_max_streams = 0;
};

absl::StatusOr<Options> ReadOptions(LoadSettings load) {
  const std::string base_url = absl::GetFlag(FLAGS_base_url);
  if (base_url.empty()) return absl::InvalidArgumentError("--base-url is required");
  std::string profile_url = absl::StrCat(base_url, "/customer/profile/", load.customer_id);
  Options o{.load = std::move(load),
            .base_url = base_url,
            .profile_url = std::move(profile_url),
            .query = absl::StrCat("?initiator_id=", absl::GetFlag(FLAGS_initiator_id),
                                  "&user_code=", absl::GetFlag(FLAGS_user_code)),
            .developer_key = absl::GetFlag(FLAGS_developer_key),
            .access_key = absl::GetFlag(FLAGS_access_key),
            .concurrency = absl::GetFlag(FLAGS_concurrency),
            .multi_handles = absl::GetFlag(FLAGS_multi_handles),
            .ca_file = absl::GetFlag(FLAGS_ca_file),
            .http2 = absl::GetFlag(FLAGS_http2),
            .http2_max_streams = absl::GetFlag(FLAGS_http2_max_streams)};
  absl::Status checked = FirstError({
      CheckRange<int64_t>("concurrency", o.concurrency, 1, 100000),
      CheckRange<int64_t>("multi-handles", o.multi_handles, 1, 1024),
      CheckRange<int64_t>("http2-max-streams", o.http2_max_streams, 1, 100000),
  });
  if (!checked.ok()) return checked;
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
  std::string url;  // its customer's (--distinct-customers)
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
  // `max_streams` > 0: multiplex over HTTP/2 with at most that many
  // transfers per connection.
  Shards(size_t count, long max_streams) : shards_(count), max_streams_(max_streams) {}
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
      if (max_streams_ > 0) {
        curl_multi_setopt(shard.multi, CURLMOPT_PIPELINING, CURLPIPE_MULTIPLEX);
        curl_multi_setopt(shard.multi, CURLMOPT_MAX_CONCURRENT_STREAMS, max_streams_);
      }
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
  const long max_streams_;
  int epoll_fd_ = -1;
};

// TLS sessions and DNS answers shared by every transfer (one thread, so no
// locks), as each eko-gateway loop shares them across its pools.
class SessionShare {
 public:
  SessionShare() : share_(curl_share_init()) {
    curl_share_setopt(share_, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
    curl_share_setopt(share_, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
  }
  ~SessionShare() { curl_share_cleanup(share_); }
  SessionShare(const SessionShare&) = delete;
  SessionShare& operator=(const SessionShare&) = delete;

  CURLSH* get() const { return share_; }

 private:
  CURLSH* const share_;
};

int Run(const Options& o) {
  RaiseOpenFileLimitOrWarn("bench-curl-floor");
  if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
    std::cerr << "bench-curl-floor: curl_global_init failed\n";
    return 1;
  }
  const EkoSigner signer(o.access_key);
  Shards shards(static_cast<size_t>(o.multi_handles),
                o.http2 ? static_cast<long>(o.http2_max_streams) : 0L);
  const SessionShare share;
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
    t.url = absl::StrCat(o.base_url, "/customer/profile/",
                         CustomerId(o.load, static_cast<int64_t>(i)), o.query);
    curl_easy_setopt(t.easy, CURLOPT_URL, t.url.c_str());
    curl_easy_setopt(t.easy, CURLOPT_PRIVATE, &t);
    curl_easy_setopt(t.easy, CURLOPT_HTTPGET, 1L);
    curl_easy_setopt(t.easy, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(t.easy, CURLOPT_TCP_NODELAY, 1L);
    curl_easy_setopt(t.easy, CURLOPT_TCP_KEEPALIVE, 1L);
    curl_easy_setopt(t.easy, CURLOPT_TIMEOUT_MS, static_cast<long>(o.load.timeout_ms));
    curl_easy_setopt(t.easy, CURLOPT_USERAGENT, "eko-bench-curl-floor");
    curl_easy_setopt(t.easy, CURLOPT_WRITEFUNCTION, &DiscardBody);
    curl_easy_setopt(t.easy, CURLOPT_SHARE, share.get());
    curl_easy_setopt(t.easy, CURLOPT_SSLVERSION, CURL_SSLVERSION_TLSv1_2);
    if (!o.ca_file.empty()) curl_easy_setopt(t.easy, CURLOPT_CAINFO, o.ca_file.c_str());
    if (o.http2) {
      curl_easy_setopt(t.easy, CURLOPT_HTTP_VERSION, CURL_HTTP_VERSION_2TLS);
      curl_easy_setopt(t.easy, CURLOPT_PIPEWAIT, 1L);
    } else {
      curl_easy_setopt(t.easy, CURLOPT_HTTP_VERSION, CURL_HTTP_VERSION_1_1);
    }
  }

  ProcessWatcher watcher(o.load.watch);
  watcher.Start();

  const int64_t begin = NowNs();
  const int64_t window_start = begin + static_cast<int64_t>(o.load.warmup_s * 1e9);
  const int64_t window_end = window_start + static_cast<int64_t>(o.load.duration_s * 1e9);
  bool window_marked = false;
  bool end_marked = false;
  LatencySamples latency;
  std::map<std::string, int64_t> outcomes;
  int64_t completed = 0;
  int64_t connections_opened = 0;  // over the whole run, warm-up included
  int64_t http2_responses = 0;     // likewise
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
        long new_connections = 0;
        curl_easy_getinfo(t->easy, CURLINFO_NUM_CONNECTS, &new_connections);
        connections_opened += new_connections;
        long http_version = 0;
        curl_easy_getinfo(t->easy, CURLINFO_HTTP_VERSION, &http_version);
        if (http_version == CURL_HTTP_VERSION_2_0) ++http2_responses;
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
  report.connections = static_cast<int>(connections_opened);
  report.window_s = static_cast<double>(window_end - window_start) / 1e9;
  report.completed = completed;
  report.outcomes = std::move(outcomes);
  report.ok_outcome = "http_200";
  report.latency = &latency;
  report.notes.emplace_back("url", o.profile_url);
  report.notes.emplace_back("multi_handles", absl::StrCat(o.multi_handles));
  report.notes.emplace_back("distinct_customers",
                            absl::StrCat(std::min(o.load.distinct_customers, o.concurrency)));
  report.notes.emplace_back("http", o.http2 ? "2 (ALPN h2, multiplexed)" : "1.1");
  report.notes.emplace_back("http2_responses", absl::StrCat(http2_responses));
  return FinishRun(report, watcher, o.load);
}

}  // namespace
}  // namespace eko::bench

int main(int argc, char** argv) {
  signal(SIGPIPE, SIG_IGN);
  return eko::bench::LoadToolMain<eko::bench::Options>(
      argc, argv,
      {.tool = "bench-curl-floor", .usage = kUsage, .flag_files = {"tests/bench/curl_floor.cc"}},
      &eko::bench::ReadOptions, &eko::bench::Run);
}
