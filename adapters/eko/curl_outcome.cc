// Pure: a finished libcurl attempt as a TransportOutcome ("did Eko get it?"); Retry-After.
#include "adapters/eko/curl_outcome.h"

namespace eko::adapter {

CurlOutcome MapCurlResult(const CurlAttemptResult& r) {
  CurlOutcome mapped;
  mapped.error_detail = r.code == CURLE_OK ? "" : curl_easy_strerror(r.code);
  switch (r.code) {
    case CURLE_OK:
      mapped.outcome = TransportOutcome::kCompleted;
      break;
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_COULDNT_CONNECT:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_ENGINE_NOTFOUND:
      mapped.outcome = TransportOutcome::kNotSent;
      break;
    case CURLE_OPERATION_TIMEDOUT:
      mapped.outcome = r.request_sent ? TransportOutcome::kTimedOut : TransportOutcome::kNotSent;
      break;
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
      if (r.http_status > 0) {
        mapped.outcome = TransportOutcome::kResponseIncomplete;
      } else {
        mapped.outcome =
            r.request_sent ? TransportOutcome::kConnectionLost : TransportOutcome::kNotSent;
      }
      break;
    case CURLE_WRITE_ERROR:
      mapped.outcome =
          r.body_too_large ? TransportOutcome::kResponseTooLarge : TransportOutcome::kFailed;
      break;
    case CURLE_ABORTED_BY_CALLBACK:
      if (r.resend_blocked) {
        mapped.outcome = TransportOutcome::kConnectionLost;
        mapped.error_detail = "connection lost after the request was sent";
      } else {
        mapped.outcome = TransportOutcome::kFailed;
      }
      break;
    default:
      mapped.outcome = TransportOutcome::kFailed;
      break;
  }
  return mapped;
}

std::optional<absl::Duration> RetryAfterFromCurl(curl_off_t seconds) {
  if (seconds == 0) return std::nullopt;
  if (seconds < 0) return absl::ZeroDuration();
  return absl::Seconds(seconds);
}

}  // namespace eko::adapter
