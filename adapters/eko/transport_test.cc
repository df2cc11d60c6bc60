#include "adapters/eko/transport.h"

#include <arpa/inet.h>
#include <netinet/in.h>
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
