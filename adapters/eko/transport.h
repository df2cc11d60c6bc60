// The upstream HTTP client: Transport, its request and response, and the libcurl implementation.
#ifndef EKO_ADAPTERS_EKO_TRANSPORT_H_
#define EKO_ADAPTERS_EKO_TRANSPORT_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/functional/any_invocable.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "adapters/eko/endpoints.h"

namespace eko::adapter {

struct HttpRequest {
  HttpMethod method = HttpMethod::kGet;
  std::string url;
  std::string body;  // sent as application/json when non-empty or not GET
  // The transfer is abandoned at this time (curl's total timeout).
  absl::Time deadline = absl::InfiniteFuture();
  // Extra attempts allowed when an attempt provably never left (kNotSent:
  // DNS, connect or TLS failure). Each retry waits a jittered, doubling
  // backoff starting at `retry_backoff`, is signed afresh (auth_headers is
  // called again), and is made only if the backoff plus `min_attempt_budget`
  // still fits before `deadline`.
  int max_retries = 0;
  absl::Duration retry_backoff = absl::Milliseconds(50);
  absl::Duration min_attempt_budget = absl::Milliseconds(100);
};

// How a transfer ended, from the point of view of "did Eko get it?".
enum class TransportOutcome {
  kCompleted,           // an HTTP response was received (any status)
  kNotSent,             // DNS, connect or TLS failure: the request never left
  kTimedOut,            // deadline hit after the request may have been sent
  kConnectionLost,      // reset/closed after the request may have been sent
  kResponseTooLarge,    // body exceeded the configured limit
  kResponseIncomplete,  // a response started but its body was cut short
  kCancelled,           // cancelled by the caller or by shutdown
  kFailed,              // any other local failure
};

struct HttpResponse {
  TransportOutcome outcome = TransportOutcome::kFailed;
  std::string error_detail;  // curl's description when outcome != kCompleted
  int http_status = 0;
  std::string body;
  // The Retry-After header (delay-seconds or HTTP-date, in whole seconds; a
  // past date is zero); absent without one, or when it is unusable or 0.
  std::optional<absl::Duration> retry_after;
  absl::Duration elapsed;  // all attempts, backoff included
  int attempts = 0;        // attempts started
};

// Asynchronous HTTP client. Callbacks run on the transport's own threads,
// never inside Submit, and must not block.
class Transport {
 public:
  using Callback = absl::AnyInvocable<void(HttpResponse) &&>;
  virtual ~Transport() = default;

  // Starts a transfer; `done` is called exactly once. Returns an id for Cancel.
  virtual uint64_t Submit(HttpRequest request, Callback done) = 0;
  // Aborts a transfer if it is still running (its callback then reports
  // kCancelled). Unknown or finished ids are ignored.
  virtual void Cancel(uint64_t id) = 0;
  // When the event loop last completed an iteration; it wakes at least once a
  // second, so an old value means the loop is stuck.
  virtual absl::Time LastProgress() const { return absl::Now(); }
  // Transfers submitted and not completed yet (read from any thread; a
  // transport that does not count says 0). Used to spread load.
  virtual int64_t InFlight() const { return 0; }
};

// What a transport's connections to Eko did, counted on its loop threads
// and read (for metrics) from any thread.
struct UpstreamConnectionCounters {
  // Connections opened, by the HTTP version their first response came in.
  std::atomic<uint64_t> opened_http1{0};
  std::atomic<uint64_t> opened_http2{0};
  // Connections opened whose transfer got no HTTP response (e.g. the server
  // closed it), so the protocol is unknown.
  std::atomic<uint64_t> opened_unknown{0};
  // TLS handshakes completed: full, or resuming an earlier session.
  std::atomic<uint64_t> tls_handshakes_full{0};
  std::atomic<uint64_t> tls_handshakes_resumed{0};
  // TLS handshakes whose ALPN result is in, and whether the latest picked
  // h2. Loops read them to size their pools as soon as a connection says it
  // multiplexes, long before its first answer when Eko is slow.
  std::atomic<uint64_t> alpn_results{0};
  std::atomic<bool> latest_alpn_h2{false};
};

// Whether to offer HTTP/2 to Eko (ALPN "h2" next to "http/1.1" on TLS).
enum class Http2Mode {
  kAuto,  // offer h2 on https; multiplex when the server picks it
  kOff,   // HTTP/1.1 only
};

struct CurlTransportOptions {
  // Produces the authentication headers ("name: value") for one attempt; it
  // is called on the transport thread right before each attempt is sent.
  std::function<std::vector<std::string>()> auth_headers;
  absl::Duration connect_timeout = absl::Seconds(5);
  int64_t max_response_bytes = 1 << 20;
  // A keep-alive connection idle this long is not reused (whole seconds,
  // rounded down; at least one), and an extra pool unused this long is closed.
  absl::Duration max_idle_connection = absl::Seconds(30);
  Http2Mode http2 = Http2Mode::kAuto;
  // Most requests in flight on one HTTP/2 connection; it should not exceed
  // the server's SETTINGS_MAX_CONCURRENT_STREAMS, since pools are sized by
  // it (calls beyond a full pool's streams wait inside libcurl).
  int http2_max_streams = 1000;
  // Connections opened at start (spread over the loops), each by a HEAD
  // request to `prewarm_url` (its answer is ignored); they then wait in
  // their loop's first pool for calls, and the loop has cached the DNS
  // answer, the TLS session and whether Eko multiplexes. 0: none.
  int prewarm_connections = 0;
  std::string prewarm_url;
  // Counted into when set; shared by every loop.
  std::shared_ptr<UpstreamConnectionCounters> counters;
  // Event loops (threads); transfers are spread round-robin over them.
  int loops = 1;
  // Each loop splits its transfers over libcurl multi handles ("pools") of at
  // most this many transfers each, opening another pool when all are full and
  // closing a pool (and its idle connections) once it has been unused for
  // max_idle_connection. libcurl scans a pool's connections for every new
  // request, so with HTTP/1.1 (one connection per transfer in flight) a small
  // pool keeps that scan short however many transfers are in flight.
  // Once a loop has seen an HTTP/2 response, its pools hold up to 4 x
  // http2_max_streams transfers each over at most 4 connections, so the
  // cache stays short.
  int transfers_per_pool = 256;
  std::string user_agent = "eko-onboarding-gateway";
  // PEM bundle trusted for upstream TLS in addition to the system store;
  // verification of peer and host name is always on.
  std::string extra_ca_file;
  std::string system_ca_dir = "/etc/ssl/certs";
};

// libcurl multi handles driven by epoll loops, each on a dedicated thread
// (multi-socket API): keep-alive connection reuse, no thread per transfer.
absl::StatusOr<std::unique_ptr<Transport>> CreateCurlTransport(CurlTransportOptions options);

// One Transport over several loops (at least one): each transfer goes to
// the loop with the fewest transfers in flight (InFlight), ties broken
// round-robin. A loop's connections are its own, so with HTTP/1.1 (one
// connection per transfer in flight) a loop whose share drifts up opens
// connections while another's sit idle; level shares keep them reused.
std::unique_ptr<Transport> SpreadOverLoops(std::vector<std::unique_ptr<Transport>> loops);

}  // namespace eko::adapter

#endif  // EKO_ADAPTERS_EKO_TRANSPORT_H_
