// One attempt on a libcurl easy handle: options, headers, callbacks, and how it ended.
#include "adapters/eko/curl_request.h"

#include <openssl/ssl.h>

#include <algorithm>
#include <atomic>
#include <vector>

#include "absl/strings/match.h"

namespace eko::adapter {
namespace {

// Where a connection's SSL_CTX keeps the UpstreamConnectionCounters its
// handshakes count into.
int CountersIndex() {
  static const int index = SSL_CTX_get_ex_new_index(0, nullptr, nullptr, nullptr, nullptr);
  return index;
}

// Set (non-null) on an SSL once its handshake has been counted.
int CountedIndex() {
  static const int index = SSL_get_ex_new_index(0, nullptr, nullptr, nullptr, nullptr);
  return index;
}

void OnTlsInfo(const SSL* ssl, int where, int /*ret*/) {
  if ((where & SSL_CB_HANDSHAKE_DONE) == 0) return;
  // TLS 1.3 reports HANDSHAKE_DONE again after each post-handshake message
  // (session tickets); only the first is the handshake.
  if (SSL_get_ex_data(ssl, CountedIndex()) != nullptr) return;
  SSL* marked = const_cast<SSL*>(ssl);  // OpenSSL's callback hands out const
  SSL_set_ex_data(marked, CountedIndex(), marked);
  auto* counters = static_cast<UpstreamConnectionCounters*>(
      SSL_CTX_get_ex_data(SSL_get_SSL_CTX(ssl), CountersIndex()));
  if (counters == nullptr) return;
  std::atomic<uint64_t>& counter =
      SSL_session_reused(ssl) ? counters->tls_handshakes_resumed : counters->tls_handshakes_full;
  counter.fetch_add(1, std::memory_order_relaxed);
  const unsigned char* protocol = nullptr;
  unsigned int length = 0;
  SSL_get0_alpn_selected(ssl, &protocol, &length);
  const bool h2 = length == 2 && protocol[0] == 'h' && protocol[1] == '2';
  counters->latest_alpn_h2.store(h2, std::memory_order_relaxed);
  counters->alpn_results.fetch_add(1, std::memory_order_release);
}

// libcurl makes an SSL_CTX per connection and shows it here before the
// handshake.
CURLcode OnSslContext(CURL* /*easy*/, void* ssl_ctx, void* counters) {
  auto* ctx = static_cast<SSL_CTX*>(ssl_ctx);
  SSL_CTX_set_ex_data(ctx, CountersIndex(), counters);
  SSL_CTX_set_info_callback(ctx, &OnTlsInfo);
  return CURLE_OK;
}

size_t OnBody(char* data, size_t size, size_t count, void* state_arg) {
  auto* state = static_cast<AttemptState*>(state_arg);
  const size_t n = size * count;
  if (static_cast<int64_t>(state->body.size() + n) > state->max_body_bytes) {
    state->body_too_large = true;
    return 0;  // aborts the transfer with CURLE_WRITE_ERROR
  }
  state->body.append(data, n);
  return n;
}

// libcurl re-sends a request once, on a new connection, when a reused
// keep-alive connection dies before any response byte arrives. The first
// request may have reached Eko, so a second send is refused: the attempt
// ends as kConnectionLost (outcome unknown) instead.
int OnPrereq(void* state_arg, char* /*conn_primary_ip*/, char* /*conn_local_ip*/,
             int /*conn_primary_port*/, int /*conn_local_port*/) {
  auto* state = static_cast<AttemptState*>(state_arg);
  if (++state->sends > 1) {
    state->resend_blocked = true;
    return CURL_PREREQFUNC_ABORT;
  }
  return CURL_PREREQFUNC_OK;
}

}  // namespace

long MaxAgeConnSeconds(absl::Duration max_idle) {
  return static_cast<long>(std::max<int64_t>(0, absl::ToInt64Seconds(max_idle) - 1));
}

void PrepareAttempt(CURL* easy, const HttpRequest& req, const CurlTransportOptions& options,
                    CURLSH* share, CurlSlist& headers, AttemptState& state, void* private_data) {
  state = AttemptState();
  state.max_body_bytes = options.max_response_bytes;

  headers.Clear();
  headers.Append("Accept: application/json");
  headers.Append("Expect:");
  // Eko's docs list content-type: application/json as a header of every
  // request, GET included.
  headers.Append("Content-Type: application/json");
  if (options.auth_headers) {
    for (const std::string& line : options.auth_headers()) headers.Append(line.c_str());
  }

  curl_easy_setopt(easy, CURLOPT_URL, req.url.c_str());
  curl_easy_setopt(easy, CURLOPT_PRIVATE, private_data);
  curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(easy, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(easy, CURLOPT_TCP_NODELAY, 1L);
  curl_easy_setopt(easy, CURLOPT_TCP_KEEPALIVE, 1L);
  if (share != nullptr) curl_easy_setopt(easy, CURLOPT_SHARE, share);
  curl_easy_setopt(easy, CURLOPT_SSLVERSION, static_cast<long>(CURL_SSLVERSION_TLSv1_2));
  if (options.counters != nullptr) {
    curl_easy_setopt(easy, CURLOPT_SSL_CTX_FUNCTION, &OnSslContext);
    curl_easy_setopt(easy, CURLOPT_SSL_CTX_DATA, options.counters.get());
  }
  if (options.http2 == Http2Mode::kAuto) {
    // h2 through ALPN on https, HTTP/1.1 on http.
    curl_easy_setopt(easy, CURLOPT_HTTP_VERSION, static_cast<long>(CURL_HTTP_VERSION_2TLS));
    // Wait for a connection being set up to tell (ALPN) whether it
    // multiplexes rather than open one more; on plain http that is only
    // known from its first response, so there each transfer opens its own.
    if (NegotiatesProtocol(req.url, options)) curl_easy_setopt(easy, CURLOPT_PIPEWAIT, 1L);
  } else {
    curl_easy_setopt(easy, CURLOPT_HTTP_VERSION, static_cast<long>(CURL_HTTP_VERSION_1_1));
  }
  curl_easy_setopt(easy, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt(easy, CURLOPT_SSL_VERIFYHOST, 2L);
  if (!options.extra_ca_file.empty()) {
    // The extra bundle is trusted in addition to the system store (CAPATH).
    curl_easy_setopt(easy, CURLOPT_CAINFO, options.extra_ca_file.c_str());
    curl_easy_setopt(easy, CURLOPT_CAPATH, options.system_ca_dir.c_str());
  }
  curl_easy_setopt(easy, CURLOPT_USERAGENT, options.user_agent.c_str());
  curl_easy_setopt(easy, CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, &OnBody);
  curl_easy_setopt(easy, CURLOPT_WRITEDATA, &state);
  curl_easy_setopt(easy, CURLOPT_PREREQFUNCTION, &OnPrereq);
  curl_easy_setopt(easy, CURLOPT_PREREQDATA, &state);
  // Idle keep-alive connections older than this are not reused, which keeps
  // the "server closed an idle connection" race (see OnPrereq) rare.
  curl_easy_setopt(easy, CURLOPT_MAXAGE_CONN, MaxAgeConnSeconds(options.max_idle_connection));
  curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS,
                   static_cast<long>(absl::ToInt64Milliseconds(options.connect_timeout)));
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
}

CurlAttemptResult ReadAttemptResult(CURL* easy, CURLcode code, const AttemptState& state) {
  CurlAttemptResult result;
  result.code = code;
  curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &result.http_status);
  long request_bytes = 0;
  curl_easy_getinfo(easy, CURLINFO_REQUEST_SIZE, &request_bytes);
  result.request_sent = request_bytes > 0;
  result.body_too_large = state.body_too_large;
  result.resend_blocked = state.resend_blocked;
  return result;
}

std::optional<absl::Duration> ReadRetryAfter(CURL* easy) {
  curl_off_t seconds = 0;
  if (curl_easy_getinfo(easy, CURLINFO_RETRY_AFTER, &seconds) != CURLE_OK) return std::nullopt;
  return RetryAfterFromCurl(seconds);
}

void CountConnections(CURL* easy, UpstreamConnectionCounters& counters) {
  long opened = 0;
  curl_easy_getinfo(easy, CURLINFO_NUM_CONNECTS, &opened);
  if (opened <= 0) return;
  long version = 0;
  curl_easy_getinfo(easy, CURLINFO_HTTP_VERSION, &version);
  std::atomic<uint64_t>& counter = version == CURL_HTTP_VERSION_2_0 ? counters.opened_http2
                                   : version == 0                   ? counters.opened_unknown
                                                                    : counters.opened_http1;
  counter.fetch_add(static_cast<uint64_t>(opened), std::memory_order_relaxed);
}

bool NegotiatesProtocol(const std::string& url, const CurlTransportOptions& options) {
  return options.http2 == Http2Mode::kAuto && absl::StartsWithIgnoreCase(url, "https://");
}

bool ReceivedOverHttp2(CURL* easy) {
  long version = 0;
  curl_easy_getinfo(easy, CURLINFO_HTTP_VERSION, &version);
  return version == CURL_HTTP_VERSION_2_0;
}

}  // namespace eko::adapter
