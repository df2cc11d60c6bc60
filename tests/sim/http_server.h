#ifndef EKO_TESTS_SIM_HTTP_SERVER_H_
#define EKO_TESTS_SIM_HTTP_SERVER_H_

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>

#include "absl/status/statusor.h"
#include "tests/sim/sim_types.h"

struct event;
struct bufferevent;
struct event_base;
struct evhttp;
struct evhttp_request;
struct ssl_ctx_st;

namespace eko::sim {

// Decodes an application/x-www-form-urlencoded query string ("a=1&b=x%20y";
// '+' means space). A name without '=' gets an empty value; a repeated name
// keeps its last value; malformed %-escapes are kept literally.
std::map<std::string, std::string> ParseQueryString(std::string_view query);

// Raises the soft RLIMIT_NOFILE to the hard limit (so thousands of
// connections fit) and returns the new soft limit.
absl::StatusOr<uint64_t> RaiseOpenFileLimit();

// A small HTTP/1.1 server on libevent's evhttp: one event-loop thread serves
// every connection (no thread per connection), with keep-alive. Each request
// is handed to `handler` on the loop thread; the handler must not block. The
// returned SimResponse is sent after its delay_ms using a loop timer, so a
// delayed reply never holds up other connections. The other ReplyActions
// break the connection on the wire instead: kCloseConnection closes it (FIN),
// kReset aborts it (RST), kTruncate sends a reply shorter than its
// Content-Length and closes, kStall parks the request without replying
// (a periodic sweep frees it once its client has gone).
//
// With Options::tls_cert_chain_file set, the server speaks HTTPS only
// (OpenSSL bufferevents): a connection whose TLS handshake fails (a plaintext
// client, an unsupported version, a client refusing the certificate) is
// closed without a request being seen, and without affecting others.
//
// Starting the server sets SIGPIPE to SIG_IGN if it is still SIG_DFL, since
// writing to a connection the peer closed would otherwise kill the process.
class HttpServer {
 public:
  using Handler = std::function<SimResponse(const SimRequest&)>;

  struct Options {
    size_t max_body_bytes = 1 << 20;     // Larger bodies get HTTP 413.
    size_t max_header_bytes = 64 << 10;  // Larger header blocks get HTTP 400.
    int idle_timeout_s = 60;             // Read/write inactivity before a connection is closed.
    int backlog = 4096;                  // listen() backlog (the kernel may cap it).
    // How often stalled requests whose client went away are released.
    int sweep_interval_ms = 5000;
    // HTTPS when set: PEM files of the certificate chain (leaf first) and of
    // its private key (unencrypted).
    std::string tls_cert_chain_file;
    std::string tls_key_file;
    // Protocol versions offered: "1.0", "1.1", "1.2", "1.3" or "" (OpenSSL's
    // default). A minimum below 1.2 also lowers the OpenSSL security level to
    // 0, since Debian's OpenSSL 3 refuses TLS 1.0/1.1 at its default level.
    std::string tls_min_version;
    std::string tls_max_version;
  };

  // Binds `listen` ("host:port", "[v6]:port" or ":port"; port 0 picks a free
  // one), starts the loop thread and returns once the loop is running and
  // the socket accepts connections.
  static absl::StatusOr<std::unique_ptr<HttpServer>> Start(const std::string& listen,
                                                           Handler handler, const Options& options);
  static absl::StatusOr<std::unique_ptr<HttpServer>> Start(const std::string& listen,
                                                           Handler handler) {
    return Start(listen, std::move(handler), Options());
  }

  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Stops the loop, joins its thread and closes every connection; replies
  // still waiting for their delay are dropped.
  ~HttpServer();

  int port() const { return port_; }
  // "https" when serving TLS, else "http".
  const char* scheme() const { return ssl_ctx_ != nullptr ? "https" : "http"; }
  // A host clients can connect to, ready for a URL: the bound host, with
  // wildcard addresses replaced by loopback and IPv6 in brackets.
  const std::string& url_host() const { return url_host_; }

  // Requests currently waiting for a delayed action or stalled. Any thread.
  size_t deferred_count() const { return deferred_count_.load(); }

 private:
  struct Deferred;

  explicit HttpServer(Handler handler);

  static void OnRequest(evhttp_request* req, void* arg);
  static bufferevent* NewTlsBufferevent(event_base* base, void* arg);
  static void OnDeferredTimer(int fd, short what, void* arg);
  static void OnStop(int fd, short what, void* arg);
  static void OnSweep(int fd, short what, void* arg);

  void Dispatch(evhttp_request* req);
  void Perform(evhttp_request* req, const SimResponse& response);
  void ReleaseAll();

  Handler handler_;
  ssl_ctx_st* ssl_ctx_ = nullptr;  // Set when serving HTTPS; freed after http_.
  event_base* base_ = nullptr;
  evhttp* http_ = nullptr;
  event* stop_event_ = nullptr;   // Activated from any thread to stop the loop.
  event* sweep_event_ = nullptr;  // Periodically frees stalled requests whose client left.
  std::thread loop_thread_;
  int port_ = 0;
  std::string url_host_;
  // Replies waiting for a timer (or stalled forever), owned here. Touched
  // only on the loop thread, or after it has stopped.
  std::unordered_map<Deferred*, std::unique_ptr<Deferred>> deferred_;
  std::atomic<size_t> deferred_count_{0};  // deferred_.size(), readable anywhere.
};

}  // namespace eko::sim

#endif  // EKO_TESTS_SIM_HTTP_SERVER_H_
