#include "tests/sim/http_server.h"

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <event2/listener.h>
#include <event2/thread.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>
#include <future>
#include <iterator>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace eko::sim {
namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string FormDecode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '+') {
      out.push_back(' ');
    } else if (c == '%' && i + 2 < text.size() && HexValue(text[i + 1]) >= 0 &&
               HexValue(text[i + 2]) >= 0) {
      out.push_back(static_cast<char>(HexValue(text[i + 1]) * 16 + HexValue(text[i + 2])));
      i += 2;
    } else {
      out.push_back(c);
    }
  }
  return out;
}

const char* MethodName(evhttp_cmd_type command) {
  switch (command) {
    case EVHTTP_REQ_GET:
      return "GET";
    case EVHTTP_REQ_POST:
      return "POST";
    case EVHTTP_REQ_HEAD:
      return "HEAD";
    case EVHTTP_REQ_PUT:
      return "PUT";
    case EVHTTP_REQ_DELETE:
      return "DELETE";
    case EVHTTP_REQ_OPTIONS:
      return "OPTIONS";
    case EVHTTP_REQ_TRACE:
      return "TRACE";
    case EVHTTP_REQ_CONNECT:
      return "CONNECT";
    case EVHTTP_REQ_PATCH:
      return "PATCH";
  }
  return "UNKNOWN";
}

// The reason phrase for `status`, "" for codes without a common one (an
// empty reason phrase is valid HTTP/1.1).
const char* ReasonPhrase(int status) {
  static constexpr std::pair<int, const char*> kPhrases[] = {
      {200, "OK"},
      {201, "Created"},
      {202, "Accepted"},
      {204, "No Content"},
      {301, "Moved Permanently"},
      {302, "Found"},
      {304, "Not Modified"},
      {400, "Bad Request"},
      {401, "Unauthorized"},
      {403, "Forbidden"},
      {404, "Not Found"},
      {405, "Method Not Allowed"},
      {408, "Request Timeout"},
      {409, "Conflict"},
      {413, "Content Too Large"},
      {415, "Unsupported Media Type"},
      {422, "Unprocessable Content"},
      {429, "Too Many Requests"},
      {500, "Internal Server Error"},
      {501, "Not Implemented"},
      {502, "Bad Gateway"},
      {503, "Service Unavailable"},
      {504, "Gateway Timeout"},
  };
  for (const auto& [code, phrase] : kPhrases) {
    if (code == status) return phrase;
  }
  return "";
}

// Aborts the connection of `req` so that the peer sees a TCP RST (and no
// FIN), then frees the connection and `req`. A request whose client already
// left is just freed.
void ResetConnection(evhttp_request* req) {
  evhttp_connection* connection = evhttp_request_get_connection(req);
  if (connection == nullptr) {
    evhttp_request_free(req);
    return;
  }
  const evutil_socket_t fd = bufferevent_getfd(evhttp_connection_get_bufferevent(connection));
  if (fd >= 0) {
    // With a zero linger time, closing the socket sends an RST. But
    // evhttp_connection_free calls shutdown(SHUT_WR), which sends a FIN,
    // before the socket is closed; a client reading the reply would see that
    // FIN as a clean EOF. So the connection is aborted here: on Linux,
    // connect(AF_UNSPEC) on a connected TCP socket sends the RST at once and
    // leaves the socket unconnected, so evhttp's shutdown and close that
    // follow send nothing.
    const linger abort_on_close = {1, 0};
    setsockopt(fd, SOL_SOCKET, SO_LINGER, &abort_on_close, sizeof(abort_on_close));
    sockaddr unspecified;
    std::memset(&unspecified, 0, sizeof(unspecified));
    unspecified.sa_family = AF_UNSPEC;
    connect(fd, &unspecified, sizeof(unspecified));
  }
  evhttp_connection_free(connection);  // Also frees req.
}

// Bufferevent callbacks of a connection taken over by TruncateReply: once
// the partial reply is written, or on any error or timeout, the connection
// (passed as `arg`) is freed, which closes the socket and frees its request.
void OnTruncatedReplyWritten(bufferevent*, void* arg) {
  evhttp_connection_free(static_cast<evhttp_connection*>(arg));
}

void OnTruncatedReplyEvent(bufferevent*, short, void* arg) {
  evhttp_connection_free(static_cast<evhttp_connection*>(arg));
}

// Sends `response` with a Content-Length of its full body but only the first
// half of the body, then closes the connection (see ReplyAction::kTruncate).
// evhttp cannot send a reply shorter than its framing, so the connection's
// bufferevent is taken over: evhttp's callbacks are replaced (it never sees
// this connection again until it is freed) and the raw bytes are queued on
// the bufferevent's output, which libevent flushes before the write callback
// frees the connection. A request whose client already left is just freed.
void TruncateReply(evhttp_request* req, const SimResponse& response) {
  evhttp_connection* connection = evhttp_request_get_connection(req);
  if (connection == nullptr) {
    evhttp_request_free(req);
    return;
  }
  bufferevent* bev = evhttp_connection_get_bufferevent(connection);
  bufferevent_disable(bev, EV_READ);
  bufferevent_setcb(bev, nullptr, &OnTruncatedReplyWritten, &OnTruncatedReplyEvent, connection);
  bufferevent_setwatermark(bev, EV_WRITE, 0, 0);  // Write callback once the output is empty.

  std::string head = absl::StrCat("HTTP/1.1 ", response.http_status, " ",
                                  ReasonPhrase(response.http_status), "\r\n");
  for (const auto& [name, value] : response.headers) {
    absl::StrAppend(&head, name, ": ", value, "\r\n");
  }
  absl::StrAppend(&head, "Content-Length: ", response.body.size(), "\r\n\r\n");
  evbuffer* output = bufferevent_get_output(bev);
  evbuffer_add(output, head.data(), head.size());
  evbuffer_add(output, response.body.data(), response.body.size() / 2);
  bufferevent_enable(bev, EV_WRITE);
}

// OpenSSL's version constant for "1.0" ... "1.3"; 0 for "" (OpenSSL's
// default); -1 for anything else.
int TlsVersion(const std::string& text) {
  static constexpr std::pair<const char*, int> kVersions[] = {
      {"", 0},
      {"1.0", TLS1_VERSION},
      {"1.1", TLS1_1_VERSION},
      {"1.2", TLS1_2_VERSION},
      {"1.3", TLS1_3_VERSION},
  };
  for (const auto& [name, version] : kVersions) {
    if (text == name) return version;
  }
  return -1;
}

// The reason of OpenSSL's latest error, for messages.
std::string OpensslError() {
  const unsigned long code = ERR_get_error();
  char reason[256] = "unknown error";
  if (code != 0) ERR_error_string_n(code, reason, sizeof(reason));
  ERR_clear_error();
  return reason;
}

// A server SSL_CTX per the TLS fields of `options` (tls_cert_chain_file set).
absl::StatusOr<SSL_CTX*> NewServerTlsContext(const HttpServer::Options& options) {
  const int min_version = TlsVersion(options.tls_min_version);
  const int max_version = TlsVersion(options.tls_max_version);
  if (min_version < 0 || max_version < 0) {
    return absl::InvalidArgumentError(absl::StrCat("TLS versions are 1.0, 1.1, 1.2 or 1.3; got \"",
                                                   options.tls_min_version, "\" and \"",
                                                   options.tls_max_version, "\""));
  }
  std::unique_ptr<SSL_CTX, decltype(&SSL_CTX_free)> context(SSL_CTX_new(TLS_server_method()),
                                                            &SSL_CTX_free);
  if (context == nullptr) return absl::InternalError("SSL_CTX_new: " + OpensslError());
  SSL_CTX* ctx = context.get();
  const bool legacy = min_version != 0 && min_version < TLS1_2_VERSION;
  if (legacy) SSL_CTX_set_security_level(ctx, 0);
  if (SSL_CTX_set_min_proto_version(ctx, min_version) != 1 ||
      SSL_CTX_set_max_proto_version(ctx, max_version) != 1 ||
      (legacy && SSL_CTX_set_cipher_list(ctx, "DEFAULT:@SECLEVEL=0") != 1)) {
    return absl::InvalidArgumentError("cannot set the TLS versions: " + OpensslError());
  }
  if (SSL_CTX_use_certificate_chain_file(ctx, options.tls_cert_chain_file.c_str()) != 1) {
    return absl::InvalidArgumentError(absl::StrCat(
        "cannot load certificate chain ", options.tls_cert_chain_file, ": ", OpensslError()));
  }
  if (SSL_CTX_use_PrivateKey_file(ctx, options.tls_key_file.c_str(), SSL_FILETYPE_PEM) != 1 ||
      SSL_CTX_check_private_key(ctx) != 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("cannot use private key ", options.tls_key_file, ": ", OpensslError()));
  }
  return context.release();
}

void IgnoreSigpipeIfDefault() {
  struct sigaction current;
  std::memset(&current, 0, sizeof(current));
  if (sigaction(SIGPIPE, nullptr, &current) == 0 && current.sa_handler == SIG_DFL) {
    signal(SIGPIPE, SIG_IGN);
  }
}

}  // namespace

std::map<std::string, std::string> ParseQueryString(std::string_view query) {
  std::map<std::string, std::string> params;
  while (!query.empty()) {
    const size_t amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (pair.empty()) continue;
    const size_t eq = pair.find('=');
    std::string name = FormDecode(pair.substr(0, eq));
    std::string value =
        eq == std::string_view::npos ? std::string() : FormDecode(pair.substr(eq + 1));
    params[std::move(name)] = std::move(value);
  }
  return params;
}

absl::StatusOr<uint64_t> RaiseOpenFileLimit() {
  struct rlimit limit;
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) {
    return absl::InternalError(absl::StrCat("getrlimit: ", std::strerror(errno)));
  }
  constexpr rlim_t kCap = 1 << 20;
  const rlim_t target = limit.rlim_max == RLIM_INFINITY ? kCap : limit.rlim_max;
  if (limit.rlim_cur < target) {
    limit.rlim_cur = target;
    if (setrlimit(RLIMIT_NOFILE, &limit) != 0) {
      return absl::InternalError(absl::StrCat("setrlimit: ", std::strerror(errno)));
    }
  }
  return static_cast<uint64_t>(limit.rlim_cur);
}

// A reply (or close) waiting for its timer, or a stalled request (no timer).
struct HttpServer::Deferred {
  HttpServer* server = nullptr;
  evhttp_request* req = nullptr;
  event* timer = nullptr;
  SimResponse response;
};

HttpServer::HttpServer(Handler handler) : handler_(std::move(handler)) {}

absl::StatusOr<std::unique_ptr<HttpServer>> HttpServer::Start(const std::string& listen,
                                                              Handler handler,
                                                              const Options& options) {
  static std::once_flag threads_once;
  std::call_once(threads_once, [] { evthread_use_pthreads(); });
  IgnoreSigpipeIfDefault();

  const size_t colon = listen.rfind(':');
  if (colon == std::string::npos) {
    return absl::InvalidArgumentError(
        absl::StrCat("listen address must be host:port, got \"", listen, "\""));
  }
  std::string host = listen.substr(0, colon);
  const std::string port_text = listen.substr(colon + 1);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  if (host.empty()) host = "0.0.0.0";
  int port_number = 0;
  if (!absl::SimpleAtoi(port_text, &port_number) || port_number < 0 || port_number > 65535) {
    return absl::InvalidArgumentError(absl::StrCat("bad port in \"", listen, "\""));
  }

  struct addrinfo hints;
  std::memset(&hints, 0, sizeof(hints));
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  struct addrinfo* resolved = nullptr;
  const int gai = getaddrinfo(host.c_str(), port_text.c_str(), &hints, &resolved);
  if (gai != 0 || resolved == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat("cannot resolve \"", host, "\": ", gai_strerror(gai)));
  }
  std::unique_ptr<addrinfo, decltype(&freeaddrinfo)> resolved_owner(resolved, &freeaddrinfo);

  std::unique_ptr<HttpServer> server(new HttpServer(std::move(handler)));
  if (!options.tls_cert_chain_file.empty()) {
    absl::StatusOr<SSL_CTX*> context = NewServerTlsContext(options);
    if (!context.ok()) return context.status();
    server->ssl_ctx_ = *context;
  } else if (!options.tls_key_file.empty()) {
    return absl::InvalidArgumentError("a TLS key file needs a certificate chain file");
  }
  server->base_ = event_base_new();
  if (server->base_ == nullptr) return absl::InternalError("event_base_new failed");
  server->http_ = evhttp_new(server->base_);
  if (server->http_ == nullptr) return absl::InternalError("evhttp_new failed");
  evhttp_set_max_body_size(server->http_, static_cast<ev_ssize_t>(options.max_body_bytes));
  evhttp_set_max_headers_size(server->http_, static_cast<ev_ssize_t>(options.max_header_bytes));
  evhttp_set_timeout(server->http_, options.idle_timeout_s);
  if (server->ssl_ctx_ != nullptr) {
    evhttp_set_bevcb(server->http_, &HttpServer::NewTlsBufferevent, server.get());
  }
  evhttp_set_allowed_methods(server->http_, EVHTTP_REQ_GET | EVHTTP_REQ_POST | EVHTTP_REQ_HEAD |
                                                EVHTTP_REQ_PUT | EVHTTP_REQ_DELETE |
                                                EVHTTP_REQ_OPTIONS | EVHTTP_REQ_PATCH);
  evhttp_set_gencb(server->http_, &HttpServer::OnRequest, server.get());

  evconnlistener* listener = evconnlistener_new_bind(
      server->base_, nullptr, nullptr,
      LEV_OPT_REUSEABLE | LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC, options.backlog,
      resolved->ai_addr, static_cast<int>(resolved->ai_addrlen));
  if (listener == nullptr) {
    return absl::UnavailableError(
        absl::StrCat("cannot listen on ", listen, ": ", std::strerror(errno)));
  }
  // From here the evhttp owns the listener (and closes its socket).
  if (evhttp_bind_listener(server->http_, listener) == nullptr) {
    evconnlistener_free(listener);
    return absl::InternalError("evhttp_bind_listener failed");
  }
  struct sockaddr_storage bound;
  socklen_t bound_len = sizeof(bound);
  if (getsockname(evconnlistener_get_fd(listener), reinterpret_cast<sockaddr*>(&bound),
                  &bound_len) != 0) {
    return absl::InternalError(absl::StrCat("getsockname: ", std::strerror(errno)));
  }
  server->port_ =
      ntohs(bound.ss_family == AF_INET6 ? reinterpret_cast<sockaddr_in6*>(&bound)->sin6_port
                                        : reinterpret_cast<sockaddr_in*>(&bound)->sin_port);
  if (host == "0.0.0.0") {
    server->url_host_ = "127.0.0.1";
  } else if (host == "::") {
    server->url_host_ = "[::1]";
  } else if (host.find(':') != std::string::npos) {
    server->url_host_ = absl::StrCat("[", host, "]");
  } else {
    server->url_host_ = host;
  }

  server->stop_event_ = event_new(server->base_, -1, 0, &HttpServer::OnStop, server.get());
  server->sweep_event_ =
      event_new(server->base_, -1, EV_PERSIST, &HttpServer::OnSweep, server.get());
  if (server->stop_event_ == nullptr || server->sweep_event_ == nullptr) {
    return absl::InternalError("event_new failed");
  }
  const int sweep_ms = options.sweep_interval_ms > 0 ? options.sweep_interval_ms : 5000;
  const timeval sweep_interval = {static_cast<time_t>(sweep_ms / 1000),
                                  static_cast<suseconds_t>((sweep_ms % 1000) * 1000)};
  event_add(server->sweep_event_, &sweep_interval);

  // The loop signals this promise from its first iteration.
  std::promise<void> running;
  const timeval now = {0, 0};
  event_base_once(
      server->base_, -1, EV_TIMEOUT,
      [](evutil_socket_t, short, void* arg) { static_cast<std::promise<void>*>(arg)->set_value(); },
      &running, &now);
  event_base* base = server->base_;
  server->loop_thread_ = std::thread([base] { event_base_loop(base, EVLOOP_NO_EXIT_ON_EMPTY); });
  running.get_future().wait();
  return server;
}

HttpServer::~HttpServer() {
  if (loop_thread_.joinable()) {
    event_active(stop_event_, EV_READ, 0);  // Thread-safe: evthread_use_pthreads ran.
    loop_thread_.join();
  }
  ReleaseAll();
  if (sweep_event_ != nullptr) event_free(sweep_event_);
  if (http_ != nullptr) evhttp_free(http_);  // Closes every connection and the listener.
  if (stop_event_ != nullptr) event_free(stop_event_);
  if (base_ != nullptr) {
    // A bufferevent that wrote just before the loop stopped holds a reference
    // for its deferred write callback; event_base_free drops such callbacks
    // without running them, leaking the connection (its TLS session and socket
    // included). Run what is pending so every freed connection is released.
    for (int round = 0; round < 16 && event_base_get_num_events(base_, EVENT_BASE_COUNT_ACTIVE) > 0;
         ++round) {
      event_base_loop(base_, EVLOOP_NONBLOCK);
    }
    event_base_free(base_);
  }
  if (ssl_ctx_ != nullptr) SSL_CTX_free(ssl_ctx_);
}

void HttpServer::OnStop(evutil_socket_t, short, void* arg) {
  event_base_loopbreak(static_cast<HttpServer*>(arg)->base_);
}

// evhttp's factory of each accepted connection's bufferevent when serving
// HTTPS: the server side of a TLS session, whose socket evhttp sets after.
// A failed handshake is an error event on it, on which evhttp frees the
// connection (and the SSL with it, BEV_OPT_CLOSE_ON_FREE). Peers that close
// without close_notify are common and not an error.
bufferevent* HttpServer::NewTlsBufferevent(event_base* base, void* arg) {
  // Only allocation failures make SSL_new or the bufferevent fail; evhttp
  // then falls back to a plain bufferevent for this one connection.
  SSL* ssl = SSL_new(static_cast<HttpServer*>(arg)->ssl_ctx_);
  if (ssl == nullptr) return nullptr;
  bufferevent* bev = bufferevent_openssl_socket_new(base, -1, ssl, BUFFEREVENT_SSL_ACCEPTING,
                                                    BEV_OPT_CLOSE_ON_FREE);
  if (bev == nullptr) {
    SSL_free(ssl);
    return nullptr;
  }
  bufferevent_openssl_set_allow_dirty_shutdown(bev, 1);
  return bev;
}

void HttpServer::OnRequest(evhttp_request* req, void* arg) {
  static_cast<HttpServer*>(arg)->Dispatch(req);
}

void HttpServer::Dispatch(evhttp_request* req) {
  SimRequest request;
  request.method = MethodName(evhttp_request_get_command(req));
  const evhttp_uri* uri = evhttp_request_get_evhttp_uri(req);
  const char* path = uri != nullptr ? evhttp_uri_get_path(uri) : nullptr;
  request.path = path != nullptr && *path != '\0' ? path : "/";
  const char* query = uri != nullptr ? evhttp_uri_get_query(uri) : nullptr;
  if (query != nullptr) {
    request.raw_query = query;
    request.query = ParseQueryString(request.raw_query);
  }
  const evkeyvalq* headers = evhttp_request_get_input_headers(req);
  for (const evkeyval* header = headers->tqh_first; header != nullptr;
       header = header->next.tqe_next) {
    std::string name = absl::AsciiStrToLower(header->key);
    auto [it, inserted] = request.headers.emplace(std::move(name), header->value);
    if (!inserted) absl::StrAppend(&it->second, ", ", header->value);
  }
  evbuffer* input = evhttp_request_get_input_buffer(req);
  request.body.resize(evbuffer_get_length(input));
  if (!request.body.empty()) evbuffer_copyout(input, request.body.data(), request.body.size());

  // Replies are small; send them without waiting for Nagle.
  if (evhttp_connection* connection = evhttp_request_get_connection(req)) {
    const evutil_socket_t fd = bufferevent_getfd(evhttp_connection_get_bufferevent(connection));
    if (fd >= 0) {
      const int one = 1;
      setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    }
  }

  SimResponse response = handler_(request);
  // Closing a connection (or taking it over, for kTruncate) from inside its
  // own request callback is unsafe in evhttp, so every action but an
  // immediate reply goes through a (possibly zero) timer.
  if (response.action == ReplyAction::kRespond && response.delay_ms <= 0) {
    Perform(req, response);
    return;
  }
  auto deferred = std::make_unique<Deferred>();
  Deferred* raw = deferred.get();
  raw->server = this;
  raw->req = req;
  raw->response = std::move(response);
  if (raw->response.action != ReplyAction::kStall) {
    raw->timer = evtimer_new(base_, &HttpServer::OnDeferredTimer, raw);
    const int64_t delay_ms = raw->response.delay_ms > 0 ? raw->response.delay_ms : 0;
    const timeval delay = {static_cast<time_t>(delay_ms / 1000),
                           static_cast<suseconds_t>((delay_ms % 1000) * 1000)};
    evtimer_add(raw->timer, &delay);
  }
  deferred_.emplace(raw, std::move(deferred));
  deferred_count_ = deferred_.size();
}

// While a request waits here, a client disconnect makes evhttp detach it from
// its connection (evhttp_request_get_connection() becomes null) without
// freeing it; sending a reply on a detached request frees it.
void HttpServer::Perform(evhttp_request* req, const SimResponse& response) {
  switch (response.action) {
    case ReplyAction::kRespond: {
      evkeyvalq* headers = evhttp_request_get_output_headers(req);
      for (const auto& [name, value] : response.headers) {
        evhttp_add_header(headers, name.c_str(), value.c_str());
      }
      evbuffer* body = evbuffer_new();
      evbuffer_add(body, response.body.data(), response.body.size());
      evhttp_send_reply(req, response.http_status, nullptr, body);
      evbuffer_free(body);
      return;
    }
    case ReplyAction::kCloseConnection:
      if (evhttp_connection* connection = evhttp_request_get_connection(req)) {
        evhttp_connection_free(connection);  // Also frees req.
      } else {
        evhttp_request_free(req);
      }
      return;
    case ReplyAction::kStall:
      return;
    case ReplyAction::kReset:
      ResetConnection(req);
      return;
    case ReplyAction::kTruncate:
      TruncateReply(req, response);
      return;
  }
}

void HttpServer::OnDeferredTimer(evutil_socket_t, short, void* arg) {
  Deferred* deferred = static_cast<Deferred*>(arg);
  HttpServer* server = deferred->server;
  server->Perform(deferred->req, deferred->response);
  event_free(deferred->timer);
  server->deferred_.erase(deferred);  // Destroys *deferred.
  server->deferred_count_ = server->deferred_.size();
}

// evhttp does not watch a connection for EOF while its reply is outstanding,
// so stalled requests are probed here: a peer that closed (recv sees EOF or
// an error) gets its connection freed, which also frees the request.
void HttpServer::OnSweep(evutil_socket_t, short, void* arg) {
  HttpServer* server = static_cast<HttpServer*>(arg);
  for (auto it = server->deferred_.begin(); it != server->deferred_.end();) {
    Deferred& deferred = *it->second;
    bool release = false;
    if (deferred.timer == nullptr) {
      evhttp_connection* connection = evhttp_request_get_connection(deferred.req);
      if (connection == nullptr) {
        evhttp_request_free(deferred.req);
        release = true;
      } else {
        const evutil_socket_t fd = bufferevent_getfd(evhttp_connection_get_bufferevent(connection));
        char byte;
        const ssize_t n = fd < 0 ? 0 : recv(fd, &byte, 1, MSG_PEEK | MSG_DONTWAIT);
        if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) {
          evhttp_connection_free(connection);
          release = true;
        }
      }
    }
    it = release ? server->deferred_.erase(it) : std::next(it);
  }
  server->deferred_count_ = server->deferred_.size();
}

// Runs after the loop stopped. Requests still attached to a connection are
// freed by evhttp_free with their connection; detached ones are ours.
void HttpServer::ReleaseAll() {
  for (auto& [raw, deferred] : deferred_) {
    if (deferred->timer != nullptr) event_free(deferred->timer);
    if (evhttp_request_get_connection(deferred->req) == nullptr) {
      evhttp_request_free(deferred->req);
    }
  }
  deferred_.clear();
  deferred_count_ = 0;
}

}  // namespace eko::sim
