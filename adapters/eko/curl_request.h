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
// afresh) into `headers`, TLS verification, keep-alive limits, deadline as
// curl's total timeout, and the callbacks that fill `state`, which is reset.
// `private_data` becomes CURLINFO_PRIVATE. `headers` and `state` must outlive
// the attempt.
void PrepareAttempt(CURL* easy, const HttpRequest& request, const CurlTransportOptions& options,
                    CurlSlist& headers, AttemptState& state, void* private_data);

// What a finished attempt tells about whether the request left, for MapCurlResult.
CurlAttemptResult ReadAttemptResult(CURL* easy, CURLcode code, const AttemptState& state);

// The Retry-After of the attempt's response, as HttpResponse::retry_after.
std::optional<absl::Duration> ReadRetryAfter(CURL* easy);

}  // namespace eko::adapter

#endif  // EKO_ADAPTERS_EKO_CURL_REQUEST_H_
