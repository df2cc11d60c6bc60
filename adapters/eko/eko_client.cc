#include "adapters/eko/eko_client.h"

#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "adapters/common/status_macros.h"
#include "adapters/eko/signer.h"

namespace eko::adapter {

EkoClient::EkoClient(EkoClientConfig config, std::unique_ptr<Transport> transport)
    : config_(std::move(config)),
      transport_(std::move(transport)),
      breaker_(config_.breaker_failures, config_.breaker_open_for) {
  while (!config_.base_url.empty() && config_.base_url.back() == '/') config_.base_url.pop_back();
}

absl::Status EkoClient::Admit(Rpc rpc, absl::Time now, absl::Time caller_deadline) {
  if (caller_deadline - now < config_.min_deadline) {
    return GatewayError(
        "deadline-too-short", rpc,
        {{"minDeadlineMs", std::to_string(absl::ToInt64Milliseconds(config_.min_deadline))},
         {"remainingMs",
          std::to_string(std::max<int64_t>(0, absl::ToInt64Milliseconds(caller_deadline - now)))}});
  }
  if (std::optional<absl::Duration> wait = breaker_.Admit(now)) {
    return GatewayError("upstream-circuit-open", rpc, {}, *wait);
  }
  if (in_flight_.fetch_add(1) >= config_.max_in_flight) {
    in_flight_.fetch_sub(1);
    // The breaker admitted the call; it ends without a verdict.
    breaker_.Record(CircuitBreaker::Result::kNeutral, now);
    return GatewayError("gateway-overloaded", rpc,
                        {{"maxInFlight", std::to_string(config_.max_in_flight)}},
                        absl::Milliseconds(200));
  }
  return absl::OkStatus();
}

void EkoClient::Release(const HttpResponse& reply) {
  in_flight_.fetch_sub(1);
  CircuitBreaker::Result result = CircuitBreaker::Result::kSuccess;
  switch (reply.outcome) {
    case TransportOutcome::kCompleted:
      if (reply.http_status >= 500) result = CircuitBreaker::Result::kFailure;
      break;
    case TransportOutcome::kNotSent:
    case TransportOutcome::kTimedOut:
    case TransportOutcome::kConnectionLost:
    case TransportOutcome::kResponseIncomplete:
      result = CircuitBreaker::Result::kFailure;
      break;
    case TransportOutcome::kCancelled:
    case TransportOutcome::kFailed:
    case TransportOutcome::kResponseTooLarge:
      result = CircuitBreaker::Result::kNeutral;
      break;
  }
  breaker_.Record(result, absl::Now());
}

absl::StatusOr<std::unique_ptr<EkoClient>> EkoClient::Create(EkoClientConfig config) {
  EKO_ASSIGN_OR_RETURN(Signer signer, Signer::Create(config.access_key));
  auto shared_signer = std::make_shared<Signer>(std::move(signer));
  CurlTransportOptions options = config.transport;
  options.auth_headers = [shared_signer, developer_key = config.developer_key] {
    const std::string timestamp = NowMillisText();
    return std::vector<std::string>{
        absl::StrCat(kDeveloperKeyHeader, ": ", developer_key),
        absl::StrCat(kSecretKeyHeader, ": ", shared_signer->Sign(timestamp)),
        absl::StrCat(kSecretKeyTimestampHeader, ": ", timestamp)};
  };
  EKO_ASSIGN_OR_RETURN(std::unique_ptr<Transport> transport,
                       CreateCurlTransport(std::move(options)));
  return std::make_unique<EkoClient>(std::move(config), std::move(transport));
}

}  // namespace eko::adapter
