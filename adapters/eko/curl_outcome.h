// Pure: a finished libcurl attempt as a TransportOutcome ("did Eko get it?"); Retry-After.
#ifndef EKO_ADAPTERS_EKO_CURL_OUTCOME_H_
#define EKO_ADAPTERS_EKO_CURL_OUTCOME_H_

#include <curl/curl.h>

#include <optional>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "adapters/eko/transport.h"

namespace eko::adapter {

// What is known about one attempt once libcurl reports it done.
struct CurlAttemptResult {
  CURLcode code = CURLE_OK;
  // Request bytes went out on a connection (CURLINFO_REQUEST_SIZE > 0).
  bool request_sent = false;
  // CURLINFO_RESPONSE_CODE: 0 when no status line arrived.
  long http_status = 0;
  // The body callback refused bytes beyond the response size limit.
  bool body_too_large = false;
  // The pre-request callback refused a second send of the same request.
  bool resend_blocked = false;
};

struct CurlOutcome {
  TransportOutcome outcome = TransportOutcome::kFailed;
  // Empty for kCompleted; otherwise libcurl's description or ours (static storage).
  absl::string_view error_detail;
};

// kCompleted for CURLE_OK; kNotSent only when the request provably never left
// (DNS, connect, TLS, or a failure before any request byte was sent); any
// doubt about whether Eko got the request reads as kTimedOut, kConnectionLost
// or kResponseIncomplete, never as kNotSent.
CurlOutcome MapCurlResult(const CurlAttemptResult& result);

// HttpResponse::retry_after from CURLINFO_RETRY_AFTER (seconds, from the
// Retry-After header's delay-seconds or HTTP-date form): a positive value as
// is, a date in the past as zero, and 0 (no header, an unusable one, or a
// zero delay: libcurl reports all three alike) as absent.
std::optional<absl::Duration> RetryAfterFromCurl(curl_off_t seconds);

}  // namespace eko::adapter

#endif  // EKO_ADAPTERS_EKO_CURL_OUTCOME_H_
