// One attempt on a libcurl easy handle: options, headers, callbacks, and how it ended.
#ifndef EKO_ADAPTERS_EKO_CURL_REQUEST_H_
#define EKO_ADAPTERS_EKO_CURL_REQUEST_H_

#include <curl/curl.h>

#include <cstdint>
#include <optional>
#include <string>

#include "absl/time/time.h"
#include "adapters/eko/curl_handles.h"
#include "adapters/eko/curl_outcome.h"
#include "adapters/eko/transport.h"

namespace eko::adapter {

// What libcurl's callbacks record during one attempt. It must stay at one
// address while the attempt runs.
struct AttemptState {
  int64_t max_body_bytes = 0;  // options.max_response_bytes
  std::string body;
  bool body_too_large = false;  // the body went past max_body_bytes
  int sends = 0;                // times libcurl was about to send the request
  bool resend_blocked = false;  // libcurl tried to send it again on a new connection
};

// Sets up `easy` (new or reset) for one attempt of `request`: the fixed
// headers plus options.auth_headers() (called here, so each attempt is signed
// afresh) into `headers`, TLS (1.2 or newer, verified, handshakes counted
// into options.counters), HTTP version (options.http2), keep-alive limits,
// deadline as curl's total timeout, and the callbacks that fill `state`,
// which is reset. `share` (the loop's DNS and TLS session cache, or null)
// and `private_data` (CURLINFO_PRIVATE) are attached. `headers`, `state` and
// `share` must outlive the attempt.
void PrepareAttempt(CURL* easy, const HttpRequest& request, const CurlTransportOptions& options,
                    CURLSH* share, CurlSlist& headers, AttemptState& state, void* private_data);

// The value of CURLOPT_MAXAGE_CONN for an idle lifetime of `max_idle`:
// libcurl skips a cached connection when its idle time in whole seconds,
// rounded down, exceeds that value, so a connection idle for floor(max_idle)
// seconds or longer is never reused.
long MaxAgeConnSeconds(absl::Duration max_idle);

// Counts the connections a finished attempt opened (CURLINFO_NUM_CONNECTS)
// into `counters` by the HTTP version of its response.
void CountConnections(CURL* easy, UpstreamConnectionCounters& counters);

// True when the attempt's response came over HTTP/2.
bool ReceivedOverHttp2(CURL* easy);

// Whether a request to `url` learns the protocol from its TLS handshake:
// https with HTTP/2 offered (ALPN). Such transfers wait (CURLOPT_PIPEWAIT)
// for a connection being set up rather than open another.
bool NegotiatesProtocol(const std::string& url, const CurlTransportOptions& options);

// What a finished attempt tells about whether the request left, for MapCurlResult.
CurlAttemptResult ReadAttemptResult(CURL* easy, CURLcode code, const AttemptState& state);

// The Retry-After of the attempt's response, as HttpResponse::retry_after.
std::optional<absl::Duration> ReadRetryAfter(CURL* easy);

}  // namespace eko::adapter

#endif  // EKO_ADAPTERS_EKO_CURL_REQUEST_H_
