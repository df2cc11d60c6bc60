// Tests of the pure CURLcode -> TransportOutcome mapping and the Retry-After conversion.
#include "adapters/eko/curl_outcome.h"

#include <set>
#include <string>

#include "gtest/gtest.h"

namespace eko::adapter {
namespace {

CurlOutcome Map(CURLcode code, bool sent, long status = 0) {
  CurlAttemptResult r;
  r.code = code;
  r.request_sent = sent;
  r.http_status = status;
  return MapCurlResult(r);
}

TEST(CurlOutcomeTest, OkIsCompletedWithoutDetail) {
  for (const bool sent : {false, true}) {
    const CurlOutcome mapped = Map(CURLE_OK, sent, 200);
    EXPECT_EQ(mapped.outcome, TransportOutcome::kCompleted);
    EXPECT_EQ(mapped.error_detail, "");
  }
  CurlAttemptResult flags_set;  // flags only matter for the codes they explain
  flags_set.http_status = 503;
  flags_set.body_too_large = true;
  flags_set.resend_blocked = true;
  EXPECT_EQ(MapCurlResult(flags_set).outcome, TransportOutcome::kCompleted);
}

// DNS, connect and TLS failures happen before a request byte can leave.
TEST(CurlOutcomeTest, ConnectFailuresAreNotSent) {
  for (const CURLcode code :
       {CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY, CURLE_COULDNT_CONNECT,
        CURLE_SSL_CONNECT_ERROR, CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CACERT_BADFILE,
        CURLE_SSL_CERTPROBLEM, CURLE_SSL_ENGINE_NOTFOUND}) {
    for (const bool sent : {false, true}) {
      const CurlOutcome mapped = Map(code, sent);
      EXPECT_EQ(mapped.outcome, TransportOutcome::kNotSent) << code << " sent=" << sent;
      EXPECT_EQ(mapped.error_detail, curl_easy_strerror(code));
    }
  }
}

TEST(CurlOutcomeTest, TimeoutIsNotSentOnlyBeforeTheRequestLeft) {
  EXPECT_EQ(Map(CURLE_OPERATION_TIMEDOUT, false).outcome, TransportOutcome::kNotSent);
  EXPECT_EQ(Map(CURLE_OPERATION_TIMEDOUT, true).outcome, TransportOutcome::kTimedOut);
  EXPECT_EQ(Map(CURLE_OPERATION_TIMEDOUT, true, 200).outcome, TransportOutcome::kTimedOut);
  EXPECT_EQ(Map(CURLE_OPERATION_TIMEDOUT, true).error_detail,
            curl_easy_strerror(CURLE_OPERATION_TIMEDOUT));
}

TEST(CurlOutcomeTest, ABrokenConnectionIsLostIncompleteOrNotSent) {
  for (const CURLcode code : {CURLE_SEND_ERROR, CURLE_RECV_ERROR, CURLE_GOT_NOTHING,
                              CURLE_PARTIAL_FILE, CURLE_HTTP2, CURLE_HTTP2_STREAM}) {
    // Before any request byte left: safe to retry.
    EXPECT_EQ(Map(code, false).outcome, TransportOutcome::kNotSent) << code;
    // After the request left, before a status line: Eko may have it.
    EXPECT_EQ(Map(code, true).outcome, TransportOutcome::kConnectionLost) << code;
    // A status line arrived, its body did not.
    EXPECT_EQ(Map(code, true, 200).outcome, TransportOutcome::kResponseIncomplete) << code;
    EXPECT_EQ(Map(code, false, 502).outcome, TransportOutcome::kResponseIncomplete) << code;
    EXPECT_EQ(Map(code, true).error_detail, curl_easy_strerror(code));
  }
}

TEST(CurlOutcomeTest, AWriteErrorIsTooLargeOnlyWhenTheBodyLimitStoppedIt) {
  CurlAttemptResult r;
  r.code = CURLE_WRITE_ERROR;
  r.request_sent = true;
  r.http_status = 200;
  EXPECT_EQ(MapCurlResult(r).outcome, TransportOutcome::kFailed);
  r.body_too_large = true;
  EXPECT_EQ(MapCurlResult(r).outcome, TransportOutcome::kResponseTooLarge);
  EXPECT_EQ(MapCurlResult(r).error_detail, curl_easy_strerror(CURLE_WRITE_ERROR));
}

TEST(CurlOutcomeTest, ABlockedResendIsConnectionLost) {
  CurlAttemptResult r;
  r.code = CURLE_ABORTED_BY_CALLBACK;
  r.request_sent = true;
  EXPECT_EQ(MapCurlResult(r).outcome, TransportOutcome::kFailed);
  EXPECT_EQ(MapCurlResult(r).error_detail, curl_easy_strerror(CURLE_ABORTED_BY_CALLBACK));
  r.resend_blocked = true;
  EXPECT_EQ(MapCurlResult(r).outcome, TransportOutcome::kConnectionLost);
  EXPECT_EQ(MapCurlResult(r).error_detail, "connection lost after the request was sent");
}

TEST(CurlOutcomeTest, OtherCodesAreFailed) {
  for (const CURLcode code : {CURLE_UNSUPPORTED_PROTOCOL, CURLE_URL_MALFORMAT, CURLE_OUT_OF_MEMORY,
                              CURLE_TOO_MANY_REDIRECTS, CURLE_BAD_FUNCTION_ARGUMENT,
                              CURLE_READ_ERROR, CURLE_SSL_SHUTDOWN_FAILED, CURLE_RANGE_ERROR}) {
    for (const bool sent : {false, true}) {
      const CurlOutcome mapped = Map(code, sent);
      EXPECT_EQ(mapped.outcome, TransportOutcome::kFailed) << code;
      EXPECT_EQ(mapped.error_detail, curl_easy_strerror(code));
    }
  }
}

// Cancellation is decided by the event loop, never read from a CURLcode; and
// once a request byte left, only the connect and TLS family can read as
// "never sent" (the retry decision depends on it).
TEST(CurlOutcomeTest, NoCodeIsCancelledAndASentRequestIsRarelyNotSent) {
  const std::set<CURLcode> connect_family = {
      CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY,    CURLE_COULDNT_CONNECT,
      CURLE_SSL_CONNECT_ERROR,    CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CACERT_BADFILE,
      CURLE_SSL_CERTPROBLEM,      CURLE_SSL_ENGINE_NOTFOUND};
  for (int i = 0; i < CURL_LAST; ++i) {
    const auto code = static_cast<CURLcode>(i);
    for (const long status : {0L, 200L}) {
      for (const bool sent : {false, true}) {
        CurlAttemptResult r;
        r.code = code;
        r.request_sent = sent;
        r.http_status = status;
        for (const bool flags : {false, true}) {
          r.body_too_large = flags;
          r.resend_blocked = flags;
          const TransportOutcome outcome = MapCurlResult(r).outcome;
          EXPECT_NE(outcome, TransportOutcome::kCancelled) << i;
          if (sent && outcome == TransportOutcome::kNotSent) {
            EXPECT_TRUE(connect_family.count(code)) << i;
          }
        }
      }
    }
  }
}

TEST(CurlOutcomeTest, RetryAfterFromCurl) {
  EXPECT_EQ(RetryAfterFromCurl(12), absl::Seconds(12));
  EXPECT_EQ(RetryAfterFromCurl(1), absl::Seconds(1));
  EXPECT_EQ(RetryAfterFromCurl(86400), absl::Seconds(86400));
  // A date in the past: retry now.
  EXPECT_EQ(RetryAfterFromCurl(-30), absl::ZeroDuration());
  // No header, an unusable one, or zero: libcurl cannot tell them apart.
  EXPECT_EQ(RetryAfterFromCurl(0), std::nullopt);
}

}  // namespace
}  // namespace eko::adapter
