#include "adapters/eko/transport.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <future>
#include <string>
#include <thread>

#include "gtest/gtest.h"

namespace eko::adapter {
namespace {

// A loopback TCP listener on a free port. `Serve` answers each accepted
// connection with `reply` after reading the request head (and body, if a
// Content-Length is present), then closes it; the raw request is kept.
class RawServer {
 public:
  RawServer() {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    EXPECT_EQ(bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
    EXPECT_EQ(listen(fd_, 16), 0);
    socklen_t len = sizeof(addr);
    getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
  }
  ~RawServer() {
    if (thread_.joinable()) thread_.join();
    close(fd_);
  }

  std::string url(const std::string& path = "/x") const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }

  void Serve(std::string reply) {
    thread_ = std::thread([this, reply] {
      const int conn = accept(fd_, nullptr, nullptr);
      if (conn < 0) return;
      std::string request;
      char buf[4096];
      while (true) {
        const ssize_t n = read(conn, buf, sizeof(buf));
        if (n <= 0) break;
        request.append(buf, static_cast<size_t>(n));
        const size_t head_end = request.find("\r\n\r\n");
        if (head_end == std::string::npos) continue;
        size_t body_len = 0;
        const size_t cl = request.find("Content-Length: ");
        if (cl != std::string::npos && cl < head_end)
          body_len = std::stoul(request.substr(cl + 16));
        if (request.size() >= head_end + 4 + body_len) break;
      }
      received_ = request;
      if (!reply.empty()) {
        [[maybe_unused]] ssize_t w = write(conn, reply.data(), reply.size());
      }
      close(conn);
    });
  }

  std::string received() {
    if (thread_.joinable()) thread_.join();
    return received_;
  }

 private:
  int fd_ = -1;
  int port_ = 0;
  std::thread thread_;
  std::string received_;
};

std::unique_ptr<Transport> MakeTransport(CurlTransportOptions options = {}) {
  auto transport = CreateCurlTransport(std::move(options));
  EXPECT_TRUE(transport.ok()) << transport.status();
  return *std::move(transport);
}

HttpResponse RunOne(Transport& transport, HttpRequest request) {
  std::promise<HttpResponse> promise;
  auto future = promise.get_future();
  transport.Submit(std::move(request),
                   [&promise](HttpResponse r) mutable { promise.set_value(std::move(r)); });
  return future.get();
}

TEST(TransportTest, PutsBodyAndHeadersAndReadsResponse) {
  RawServer server;
  server.Serve(
      "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 11\r\n"
      "Connection: close\r\n\r\n{\"status\":0}");
  CurlTransportOptions options;
  options.auth_headers = [] { return std::vector<std::string>{"developer_key: dk"}; };
  auto transport = MakeTransport(options);
  HttpRequest request;
  request.method = HttpMethod::kPut;
  request.url = server.url("/a/b");
  request.body = R"({"k":"v"})";
  request.deadline = absl::Now() + absl::Seconds(5);
  HttpResponse response = RunOne(*transport, request);
  EXPECT_EQ(response.outcome, TransportOutcome::kCompleted) << response.error_detail;
  EXPECT_EQ(response.http_status, 200);
  EXPECT_EQ(response.body, "{\"status\":0");  // Content-Length 11 cuts the last byte
  const std::string raw = server.received();
  EXPECT_EQ(raw.rfind("PUT /a/b HTTP/1.1\r\n", 0), 0u) << raw;
  EXPECT_NE(raw.find("developer_key: dk\r\n"), std::string::npos) << raw;
  EXPECT_NE(raw.find("Content-Type: application/json\r\n"), std::string::npos) << raw;
  EXPECT_NE(raw.find("\r\n\r\n{\"k\":\"v\"}"), std::string::npos) << raw;
}

TEST(TransportTest, ParsesRetryAfter) {
  RawServer server;
  server.Serve("HTTP/1.1 429 Too Many\r\nRetry-After: 12\r\nContent-Length: 0\r\n\r\n");
  auto transport = MakeTransport();
  HttpRequest request;
  request.url = server.url();
  request.deadline = absl::Now() + absl::Seconds(5);
  HttpResponse response = RunOne(*transport, request);
  EXPECT_EQ(response.http_status, 429);
  ASSERT_TRUE(response.retry_after.has_value());
  EXPECT_EQ(*response.retry_after, absl::Seconds(12));
}

TEST(TransportTest, RefusedConnectionIsNotSent) {
  int port;
  {
    RawServer closed;  // bind a port, then release it so nothing listens
    port = std::stoi(closed.url().substr(17, 5));
  }
  auto transport = MakeTransport();
  HttpRequest request;
  request.url = "http://127.0.0.1:" + std::to_string(port) + "/x";
  request.deadline = absl::Now() + absl::Seconds(5);
  EXPECT_EQ(RunOne(*transport, request).outcome, TransportOutcome::kNotSent);
}

TEST(TransportTest, ConnectionClosedAfterRequestIsConnectionLost) {
  RawServer server;
  server.Serve("");  // read the request, then close without answering
  auto transport = MakeTransport();
  HttpRequest request;
  request.method = HttpMethod::kPost;
  request.body = "{}";
  request.url = server.url();
  request.deadline = absl::Now() + absl::Seconds(5);
  EXPECT_EQ(RunOne(*transport, request).outcome, TransportOutcome::kConnectionLost);
}

TEST(TransportTest, SilentServerTimesOutAfterSend) {
  RawServer server;  // listens but never accepts: the kernel completes the handshake
  auto transport = MakeTransport();
  HttpRequest request;
  request.url = server.url();
  request.deadline = absl::Now() + absl::Milliseconds(300);
  const absl::Time start = absl::Now();
  HttpResponse response = RunOne(*transport, request);
  EXPECT_EQ(response.outcome, TransportOutcome::kTimedOut) << response.error_detail;
  EXPECT_LT(absl::Now() - start, absl::Seconds(3));
}

TEST(TransportTest, OversizedBodyIsRejected) {
  RawServer server;
  server.Serve("HTTP/1.1 200 OK\r\nContent-Length: 5000\r\n\r\n" + std::string(5000, 'x'));
  CurlTransportOptions options;
  options.max_response_bytes = 1000;
  auto transport = MakeTransport(options);
  HttpRequest request;
  request.url = server.url();
  request.deadline = absl::Now() + absl::Seconds(5);
  EXPECT_EQ(RunOne(*transport, request).outcome, TransportOutcome::kResponseTooLarge);
}

TEST(TransportTest, CancelAbortsARunningTransfer) {
  RawServer server;  // never answers
  auto transport = MakeTransport();
  HttpRequest request;
  request.url = server.url();
  request.deadline = absl::Now() + absl::Seconds(30);
  std::promise<HttpResponse> promise;
  const uint64_t id = transport->Submit(
      request, [&promise](HttpResponse r) mutable { promise.set_value(std::move(r)); });
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  transport->Cancel(id);
  auto future = promise.get_future();
  ASSERT_EQ(future.wait_for(std::chrono::seconds(5)), std::future_status::ready);
  EXPECT_EQ(future.get().outcome, TransportOutcome::kCancelled);
}

TEST(TransportTest, ShutdownCompletesEveryPendingTransfer) {
  RawServer server;  // never answers
  std::atomic<int> cancelled{0};
  {
    auto transport = MakeTransport();
    for (int i = 0; i < 20; ++i) {
      HttpRequest request;
      request.url = server.url();
      request.deadline = absl::Now() + absl::Seconds(30);
      transport->Submit(request, [&cancelled](HttpResponse r) {
        if (r.outcome == TransportOutcome::kCancelled) ++cancelled;
      });
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_EQ(cancelled.load(), 20);
}

}  // namespace
}  // namespace eko::adapter

namespace eko::adapter {
namespace {

TEST(TransportRetryTest, NeverSentAttemptsAreRetriedAndSignedAfresh) {
  int port;
  {
    RawServer closed;
    port = std::stoi(closed.url().substr(17, 5));
  }
  std::atomic<int> signatures{0};
  CurlTransportOptions options;
  options.auth_headers = [&signatures] {
    ++signatures;
    return std::vector<std::string>{"secret-key: s" + std::to_string(signatures.load())};
  };
  auto transport = MakeTransport(options);
  HttpRequest request;
  request.url = "http://127.0.0.1:" + std::to_string(port) + "/x";
  request.deadline = absl::Now() + absl::Seconds(5);
  request.max_retries = 2;
  request.retry_backoff = absl::Milliseconds(20);
  HttpResponse response = RunOne(*transport, request);
  EXPECT_EQ(response.outcome, TransportOutcome::kNotSent);
  EXPECT_EQ(response.attempts, 3);
  EXPECT_EQ(signatures.load(), 3);
}

TEST(TransportRetryTest, NoRetryWhenTheDeadlineLeavesNoRoom) {
  int port;
  {
    RawServer closed;
    port = std::stoi(closed.url().substr(17, 5));
  }
  auto transport = MakeTransport();
  HttpRequest request;
  request.url = "http://127.0.0.1:" + std::to_string(port) + "/x";
  request.deadline = absl::Now() + absl::Milliseconds(120);
  request.max_retries = 5;
  request.retry_backoff = absl::Milliseconds(500);
  request.min_attempt_budget = absl::Milliseconds(100);
  HttpResponse response = RunOne(*transport, request);
  EXPECT_EQ(response.outcome, TransportOutcome::kNotSent);
  EXPECT_LE(response.attempts, 2);
}

TEST(TransportRetryTest, SentRequestsAreNeverRetried) {
  RawServer server;
  server.Serve("");  // reads the request, closes without answering
  auto transport = MakeTransport();
  HttpRequest request;
  request.method = HttpMethod::kPost;
  request.body = "{}";
  request.url = server.url();
  request.deadline = absl::Now() + absl::Seconds(5);
  request.max_retries = 3;
  HttpResponse response = RunOne(*transport, request);
  EXPECT_EQ(response.outcome, TransportOutcome::kConnectionLost);
  EXPECT_EQ(response.attempts, 1);
}

}  // namespace
}  // namespace eko::adapter

namespace eko::adapter {
namespace {

// A loopback HTTP/1.1 keep-alive server on its own thread. It holds every
// request (GET, no body) until `batch` are waiting, then answers them all, so
// a test can prove that many transfers were in flight at once. It counts the
// connections it accepted and the ones the client closed.
class BatchServer {
 public:
  explicit BatchServer(size_t batch) : batch_(batch) {
    listen_fd_ = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
    EXPECT_EQ(listen(listen_fd_, 128), 0);
    socklen_t len = sizeof(addr);
    getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { Run(); });
  }
  ~BatchServer() {
    stop_ = true;
    thread_.join();
    for (const Conn& c : conns_) close(c.fd);
    close(listen_fd_);
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/x"; }
  // Requests held before answering, from the next poll round on.
  void set_batch(size_t batch) { batch_ = batch; }
  int accepted() const { return accepted_.load(); }
  int closed_by_client() const { return closed_.load(); }

 private:
  struct Conn {
    int fd;
    std::string buffer;
    int waiting = 0;  // complete requests not answered yet
  };

  void Run() {
    while (!stop_) {
      std::vector<pollfd> fds{{listen_fd_, POLLIN, 0}};
      for (const Conn& c : conns_) fds.push_back({c.fd, POLLIN, 0});
      if (poll(fds.data(), fds.size(), 20) <= 0) continue;
      if (fds[0].revents & POLLIN) {
        while (true) {
          const int fd = accept4(listen_fd_, nullptr, nullptr, SOCK_NONBLOCK);
          if (fd < 0) break;
          ++accepted_;
          conns_.push_back({fd});
        }
      }
      std::vector<Conn> open;
      for (size_t i = 1; i < fds.size(); ++i) {
        Conn& c = conns_[i - 1];
        if (fds[i].revents & (POLLIN | POLLHUP | POLLERR)) {
          char buf[4096];
          const ssize_t n = read(c.fd, buf, sizeof(buf));
          if (n == 0 || (n < 0 && errno != EAGAIN)) {
            ++closed_;
            close(c.fd);
            continue;
          }
          if (n > 0) c.buffer.append(buf, static_cast<size_t>(n));
          for (size_t end; (end = c.buffer.find("\r\n\r\n")) != std::string::npos;) {
            c.buffer.erase(0, end + 4);
            ++c.waiting;
            ++pending_;
          }
        }
        open.push_back(std::move(c));
      }
      // Connections opened in this round were not polled yet.
      for (size_t i = fds.size() - 1; i < conns_.size(); ++i) open.push_back(conns_[i]);
      conns_ = std::move(open);
      if (pending_ >= batch_) {
        static constexpr char kReply[] =
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}";
        for (Conn& c : conns_) {
          for (; c.waiting > 0; --c.waiting) {
            [[maybe_unused]] ssize_t w = write(c.fd, kReply, sizeof(kReply) - 1);
          }
        }
        pending_ = 0;
      }
    }
  }

  std::atomic<size_t> batch_;
  int listen_fd_ = -1;
  int port_ = 0;
  std::thread thread_;
  std::atomic<bool> stop_{false};
  std::atomic<int> accepted_{0};
  std::atomic<int> closed_{0};
  std::vector<Conn> conns_;  // server thread only
  size_t pending_ = 0;       // server thread only
};

// Submits `n` GETs at once and waits for all of them.
std::vector<HttpResponse> RunWave(Transport& transport, const std::string& url, int n) {
  std::vector<std::promise<HttpResponse>> promises(n);
  std::vector<std::future<HttpResponse>> futures;
  for (auto& p : promises) futures.push_back(p.get_future());
  for (int i = 0; i < n; ++i) {
    HttpRequest request;
    request.url = url;
    request.deadline = absl::Now() + absl::Seconds(10);
    transport.Submit(request,
                     [&promises, i](HttpResponse r) { promises[i].set_value(std::move(r)); });
  }
  std::vector<HttpResponse> responses;
  for (auto& f : futures) responses.push_back(f.get());
  return responses;
}

TEST(TransportPoolTest, TransfersBeyondOnePoolRunAtOnceAndReuseConnections) {
  constexpr int kInFlight = 10;
  BatchServer server(kInFlight);  // answers only once all 10 are in flight
  CurlTransportOptions options;
  options.transfers_per_pool = 3;  // 4 pools
  auto transport = MakeTransport(options);
  for (int wave = 0; wave < 3; ++wave) {
    for (const HttpResponse& r : RunWave(*transport, server.url(), kInFlight)) {
      EXPECT_EQ(r.outcome, TransportOutcome::kCompleted) << r.error_detail;
      EXPECT_EQ(r.http_status, 200);
    }
  }
  // Each pool reuses the connections it opened in the first wave.
  EXPECT_EQ(server.accepted(), kInFlight);
  EXPECT_EQ(server.closed_by_client(), 0);
}

// libcurl's default cap on a multi handle's cached connections is four times
// the transfers it holds at that moment; a pool that was busy and then holds
// only a few transfers must still keep the connections of the busy spell.
TEST(TransportPoolTest, AQuietSpellKeepsTheConnectionsOfABusyOne) {
  constexpr int kBusy = 12;
  BatchServer server(kBusy);
  auto transport = MakeTransport();
  const auto expect_ok = [](const std::vector<HttpResponse>& responses) {
    for (const HttpResponse& r : responses) {
      EXPECT_EQ(r.outcome, TransportOutcome::kCompleted) << r.error_detail;
    }
  };
  expect_ok(RunWave(*transport, server.url(), kBusy));
  ASSERT_EQ(server.accepted(), kBusy);
  server.set_batch(1);
  for (int wave = 0; wave < 6; ++wave) expect_ok(RunWave(*transport, server.url(), 2));
  server.set_batch(kBusy);
  expect_ok(RunWave(*transport, server.url(), kBusy));
  EXPECT_EQ(server.accepted(), kBusy);
  EXPECT_EQ(server.closed_by_client(), 0);
}

TEST(TransportPoolTest, UnusedPoolsCloseTheirConnectionsButTheFirstKeepsItsOwn) {
  constexpr int kInFlight = 8;
  BatchServer server(kInFlight);
  CurlTransportOptions options;
  options.transfers_per_pool = 2;  // 4 pools, 2 connections each
  options.max_idle_seconds = 1;
  auto transport = MakeTransport(options);
  for (const HttpResponse& r : RunWave(*transport, server.url(), kInFlight)) {
    EXPECT_EQ(r.outcome, TransportOutcome::kCompleted) << r.error_detail;
  }
  // Pools are checked once a second and closed after a second unused.
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (server.closed_by_client() < 6 && std::chrono::steady_clock::now() < give_up) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  EXPECT_EQ(server.closed_by_client(), 6);  // pools 2-4; the first keeps its two
}

// A callback never runs inside Submit: callers (the gateway's reactors) hold
// their own lock across it.
thread_local bool inside_submit = false;

TEST(TransportInlineTest, CallbacksNeverRunInsideSubmit) {
  auto transport = MakeTransport();
  constexpr int kCalls = 200;
  std::atomic<int> done{0};
  std::atomic<int> ran_inside_submit{0};
  std::promise<void> all_done;
  for (int i = 0; i < kCalls; ++i) {
    HttpRequest request;
    // libcurl refuses the scheme on its first step: a transport that drove
    // the transfer from Submit would finish it before Submit returns.
    request.url = "ftp://127.0.0.1/x";
    request.deadline = absl::Now() + absl::Seconds(5);
    inside_submit = true;
    transport->Submit(request, [&](HttpResponse r) {
      if (inside_submit) ++ran_inside_submit;
      EXPECT_EQ(r.outcome, TransportOutcome::kFailed);
      if (++done == kCalls) all_done.set_value();
    });
    inside_submit = false;
  }
  ASSERT_EQ(all_done.get_future().wait_for(std::chrono::seconds(10)), std::future_status::ready);
  EXPECT_EQ(ran_inside_submit.load(), 0);
}

TEST(TransportInlineTest, CallbackMaySubmitAgain) {
  RawServer first;
  first.Serve("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}");
  RawServer second;
  second.Serve("HTTP/1.1 201 Created\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}");
  auto transport = MakeTransport();
  std::promise<HttpResponse> chained;
  HttpRequest request;
  request.url = first.url();
  request.deadline = absl::Now() + absl::Seconds(5);
  transport->Submit(request, [&](HttpResponse r) {
    EXPECT_EQ(r.http_status, 200);
    HttpRequest next;
    next.url = second.url();
    next.deadline = absl::Now() + absl::Seconds(5);
    transport->Submit(next, [&](HttpResponse r2) { chained.set_value(std::move(r2)); });
  });
  auto future = chained.get_future();
  ASSERT_EQ(future.wait_for(std::chrono::seconds(10)), std::future_status::ready);
  EXPECT_EQ(future.get().http_status, 201);
}

}  // namespace
}  // namespace eko::adapter
