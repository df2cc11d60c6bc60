// Tests of the libcurl transport against loopback servers: outcomes, retries, pools, threading.
#include "adapters/eko/transport.h"

#include <atomic>
#include <chrono>
#include <future>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/time/time.h"
#include "adapters/eko/curl_request.h"
#include "adapters/eko/transport_test_servers.h"
#include "gtest/gtest.h"

namespace eko::adapter {
namespace {

using test_servers::BatchServer;
using test_servers::RawServer;

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

// A GET of `url` due within `timeout`.
HttpRequest RequestTo(std::string url, absl::Duration timeout = absl::Seconds(5)) {
  HttpRequest request;
  request.url = std::move(url);
  request.deadline = absl::Now() + timeout;
  return request;
}

// One GET answered with `raw_response` by a fresh loopback server.
HttpResponse FetchAnswer(const std::string& raw_response, CurlTransportOptions options = {}) {
  RawServer server;
  server.Serve(raw_response);
  auto transport = MakeTransport(std::move(options));
  return RunOne(*transport, RequestTo(server.url()));
}

// A URL on a loopback port nothing listens on: bound once, then released.
std::string UnusedPortUrl() {
  int port;
  {
    RawServer closed;
    port = std::stoi(closed.url().substr(17, 5));
  }
  return "http://127.0.0.1:" + std::to_string(port) + "/x";
}

TEST(TransportTest, PutsBodyAndHeadersAndReadsResponse) {
  RawServer server;
  server.Serve(
      "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 11\r\n"
      "Connection: close\r\n\r\n{\"status\":0}");
  CurlTransportOptions options;
  options.auth_headers = [] { return std::vector<std::string>{"developer_key: dk"}; };
  auto transport = MakeTransport(options);
  HttpRequest request = RequestTo(server.url("/a/b"));
  request.method = HttpMethod::kPut;
  request.body = R"({"k":"v"})";
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

// libcurl skips a connection when its idle time in whole seconds exceeds
// CURLOPT_MAXAGE_CONN; one idle for the limit, rounded down, must not be reused.
TEST(TransportTest, IdleLimitBecomesTheMaxAgeBelowIt) {
  EXPECT_EQ(MaxAgeConnSeconds(absl::Seconds(30)), 29);
  EXPECT_EQ(MaxAgeConnSeconds(absl::Milliseconds(30999)), 29);
  EXPECT_EQ(MaxAgeConnSeconds(absl::Seconds(1)), 0);
  EXPECT_EQ(MaxAgeConnSeconds(absl::Milliseconds(200)), 0);
}

TEST(TransportTest, ParsesRetryAfter) {
  HttpResponse response =
      FetchAnswer("HTTP/1.1 429 Too Many\r\nRetry-After: 12\r\nContent-Length: 0\r\n\r\n");
  EXPECT_EQ(response.http_status, 429);
  ASSERT_TRUE(response.retry_after.has_value());
  EXPECT_EQ(*response.retry_after, absl::Seconds(12));
}

TEST(TransportTest, ParsesRetryAfterAsAnHttpDate) {
  const std::string when = absl::FormatTime("%a, %d %b %Y %H:%M:%S GMT",
                                            absl::Now() + absl::Seconds(30), absl::UTCTimeZone());
  HttpResponse response =
      FetchAnswer("HTTP/1.1 503 Busy\r\nRetry-After: " + when + "\r\nContent-Length: 0\r\n\r\n");
  EXPECT_EQ(response.http_status, 503);
  ASSERT_TRUE(response.retry_after.has_value());
  EXPECT_GE(*response.retry_after, absl::Seconds(27));
  EXPECT_LE(*response.retry_after, absl::Seconds(31));
}

// Easy handles are reused: one response's Retry-After must not reach the next.
TEST(TransportTest, RetryAfterIsPerResponse) {
  RawServer limited;
  limited.Serve("HTTP/1.1 429 Too Many\r\nRetry-After: 12\r\nContent-Length: 0\r\n\r\n");
  RawServer plain;
  plain.Serve("HTTP/1.1 429 Too Many\r\nContent-Length: 0\r\n\r\n");
  auto transport = MakeTransport();
  HttpRequest request = RequestTo(limited.url());
  EXPECT_EQ(RunOne(*transport, request).retry_after, absl::Seconds(12));
  request.url = plain.url();
  HttpResponse response = RunOne(*transport, request);
  EXPECT_EQ(response.http_status, 429);
  EXPECT_EQ(response.retry_after, std::nullopt);
}

TEST(TransportTest, RefusedConnectionIsNotSent) {
  auto transport = MakeTransport();
  HttpRequest request = RequestTo(UnusedPortUrl());
  EXPECT_EQ(RunOne(*transport, request).outcome, TransportOutcome::kNotSent);
}

TEST(TransportTest, ConnectionClosedAfterRequestIsConnectionLost) {
  RawServer server;
  server.Serve("");  // read the request, then close without answering
  auto transport = MakeTransport();
  HttpRequest request = RequestTo(server.url());
  request.method = HttpMethod::kPost;
  request.body = "{}";
  EXPECT_EQ(RunOne(*transport, request).outcome, TransportOutcome::kConnectionLost);
}

TEST(TransportTest, SilentServerTimesOutAfterSend) {
  RawServer server;  // listens but never accepts: the kernel completes the handshake
  auto transport = MakeTransport();
  HttpRequest request = RequestTo(server.url(), absl::Milliseconds(300));
  const absl::Time start = absl::Now();
  HttpResponse response = RunOne(*transport, request);
  EXPECT_EQ(response.outcome, TransportOutcome::kTimedOut) << response.error_detail;
  EXPECT_LT(absl::Now() - start, absl::Seconds(3));
}

TEST(TransportTest, OversizedBodyIsRejected) {
  CurlTransportOptions options;
  options.max_response_bytes = 1000;
  EXPECT_EQ(FetchAnswer("HTTP/1.1 200 OK\r\nContent-Length: 5000\r\n\r\n" + std::string(5000, 'x'),
                        options)
                .outcome,
            TransportOutcome::kResponseTooLarge);
}

TEST(TransportTest, CancelAbortsARunningTransfer) {
  RawServer server;  // never answers
  auto transport = MakeTransport();
  HttpRequest request = RequestTo(server.url(), absl::Seconds(30));
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
      HttpRequest request = RequestTo(server.url(), absl::Seconds(30));
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
  std::atomic<int> signatures{0};
  CurlTransportOptions options;
  options.auth_headers = [&signatures] {
    ++signatures;
    return std::vector<std::string>{"secret-key: s" + std::to_string(signatures.load())};
  };
  auto transport = MakeTransport(options);
  HttpRequest request = RequestTo(UnusedPortUrl());
  request.max_retries = 2;
  request.retry_backoff = absl::Milliseconds(20);
  HttpResponse response = RunOne(*transport, request);
  EXPECT_EQ(response.outcome, TransportOutcome::kNotSent);
  EXPECT_EQ(response.attempts, 3);
  EXPECT_EQ(signatures.load(), 3);
}

TEST(TransportRetryTest, NoRetryWhenTheDeadlineLeavesNoRoom) {
  auto transport = MakeTransport();
  HttpRequest request = RequestTo(UnusedPortUrl(), absl::Milliseconds(120));
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
  HttpRequest request = RequestTo(server.url());
  request.method = HttpMethod::kPost;
  request.body = "{}";
  request.max_retries = 3;
  HttpResponse response = RunOne(*transport, request);
  EXPECT_EQ(response.outcome, TransportOutcome::kConnectionLost);
  EXPECT_EQ(response.attempts, 1);
}

}  // namespace
}  // namespace eko::adapter

namespace eko::adapter {
namespace {

// Submits `n` GETs at once and waits for all of them.
std::vector<HttpResponse> RunWave(Transport& transport, const std::string& url, int n) {
  std::vector<std::promise<HttpResponse>> promises(n);
  std::vector<std::future<HttpResponse>> futures;
  for (auto& p : promises) futures.push_back(p.get_future());
  for (int i = 0; i < n; ++i) {
    HttpRequest request = RequestTo(url, absl::Seconds(10));
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

TEST(TransportPoolTest, CountsTheConnectionsItOpensByProtocol) {
  constexpr int kInFlight = 4;
  BatchServer server(kInFlight);
  CurlTransportOptions options;
  options.counters = std::make_shared<UpstreamConnectionCounters>();
  auto transport = MakeTransport(options);
  for (int wave = 0; wave < 3; ++wave) {
    for (const HttpResponse& r : RunWave(*transport, server.url(), kInFlight)) {
      EXPECT_EQ(r.outcome, TransportOutcome::kCompleted) << r.error_detail;
    }
  }
  // Plain http is HTTP/1.1 whatever --eko-http2 says; later waves reuse.
  EXPECT_EQ(options.counters->opened_http1.load(), uint64_t{kInFlight});
  EXPECT_EQ(options.counters->opened_http2.load(), 0u);
  EXPECT_EQ(options.counters->tls_handshakes_full.load(), 0u);
}

TEST(TransportPoolTest, UnusedPoolsCloseTheirConnectionsButTheFirstKeepsItsOwn) {
  constexpr int kInFlight = 8;
  BatchServer server(kInFlight);
  CurlTransportOptions options;
  options.transfers_per_pool = 2;  // 4 pools, 2 connections each
  options.max_idle_connection = absl::Seconds(1);
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
    // libcurl refuses the scheme on its first step: a transport that drove
    // the transfer from Submit would finish it before Submit returns.
    HttpRequest request = RequestTo("ftp://127.0.0.1/x");
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
  HttpRequest request = RequestTo(first.url());
  transport->Submit(request, [&](HttpResponse r) {
    EXPECT_EQ(r.http_status, 200);
    HttpRequest next = RequestTo(second.url());
    transport->Submit(next, [&](HttpResponse r2) { chained.set_value(std::move(r2)); });
  });
  auto future = chained.get_future();
  ASSERT_EQ(future.wait_for(std::chrono::seconds(10)), std::future_status::ready);
  EXPECT_EQ(future.get().http_status, 201);
}

// A loop that only records what reaches it; its load is set by the test.
class RecordingLoop final : public Transport {
 public:
  uint64_t Submit(HttpRequest, Callback) override { return ++submitted; }
  void Cancel(uint64_t id) override { cancelled.push_back(id); }
  int64_t InFlight() const override { return load; }

  int64_t load = 0;
  uint64_t submitted = 0;
  std::vector<uint64_t> cancelled;
};

struct SpreadLoops {
  explicit SpreadLoops(int n) {
    std::vector<std::unique_ptr<Transport>> owned;
    for (int i = 0; i < n; ++i) {
      auto loop = std::make_unique<RecordingLoop>();
      loops.push_back(loop.get());
      owned.push_back(std::move(loop));
    }
    transport = SpreadOverLoops(std::move(owned));
  }
  std::vector<RecordingLoop*> loops;
  std::unique_ptr<Transport> transport;
};

TEST(SpreadOverLoopsTest, EachTransferGoesToTheLeastLoadedLoop) {
  SpreadLoops spread(4);
  spread.loops[0]->load = 7;
  spread.loops[1]->load = 3;
  spread.loops[2]->load = 9;
  spread.loops[3]->load = 5;
  for (int i = 0; i < 3; ++i) spread.transport->Submit(HttpRequest{}, [](HttpResponse) {});
  EXPECT_EQ(spread.loops[1]->submitted, 3u);
  EXPECT_EQ(spread.transport->InFlight(), 7 + 3 + 9 + 5);
  spread.loops[1]->load = 10;
  spread.transport->Submit(HttpRequest{}, [](HttpResponse) {});
  EXPECT_EQ(spread.loops[3]->submitted, 1u);
}

TEST(SpreadOverLoopsTest, EqualLoadsTakeTurns) {
  SpreadLoops spread(3);
  for (int i = 0; i < 9; ++i) spread.transport->Submit(HttpRequest{}, [](HttpResponse) {});
  for (const RecordingLoop* loop : spread.loops) EXPECT_EQ(loop->submitted, 3u);
}

TEST(SpreadOverLoopsTest, CancelReachesTheLoopThatTookTheTransfer) {
  SpreadLoops spread(2);
  spread.loops[0]->load = 1;
  const uint64_t id = spread.transport->Submit(HttpRequest{}, [](HttpResponse) {});
  ASSERT_EQ(spread.loops[1]->submitted, 1u);
  spread.transport->Cancel(id);
  EXPECT_TRUE(spread.loops[0]->cancelled.empty());
  EXPECT_EQ(spread.loops[1]->cancelled, std::vector<uint64_t>{1});
}

TEST(SpreadOverLoopsTest, OneLoopIsUsedAsItIs) {
  SpreadLoops spread(1);
  EXPECT_EQ(spread.transport.get(), static_cast<Transport*>(spread.loops[0]));
}

TEST(TransportTest, CountsTransfersInFlightUntilTheirCallbackRuns) {
  constexpr int kInFlight = 3;
  BatchServer server(kInFlight);  // answers only once all 3 are in flight
  auto transport = MakeTransport();
  EXPECT_EQ(transport->InFlight(), 0);
  std::vector<std::promise<int64_t>> seen(kInFlight);
  for (int i = 0; i < kInFlight; ++i) {
    transport->Submit(RequestTo(server.url(), absl::Seconds(10)),
                      [&, i](HttpResponse) { seen[i].set_value(transport->InFlight()); });
  }
  std::vector<int64_t> in_flight_at_callback;
  for (auto& s : seen) in_flight_at_callback.push_back(s.get_future().get());
  // Each callback runs after its own transfer stopped counting.
  for (const int64_t n : in_flight_at_callback) EXPECT_LT(n, kInFlight);
  EXPECT_EQ(transport->InFlight(), 0);
}

}  // namespace
}  // namespace eko::adapter
