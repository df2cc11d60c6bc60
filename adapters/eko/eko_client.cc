#include "adapters/eko/eko_client.h"

#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "adapters/common/status_macros.h"
#include "adapters/eko/signer.h"

namespace eko::adapter {

UpstreamOutcome ToUpstreamOutcome(TransportOutcome outcome) {
  switch (outcome) {
    case TransportOutcome::kCompleted:
      return UpstreamOutcome::kAnswered;
    case TransportOutcome::kNotSent:
      return UpstreamOutcome::kNotSent;
    case TransportOutcome::kTimedOut:
      return UpstreamOutcome::kTimedOut;
    case TransportOutcome::kConnectionLost:
      return UpstreamOutcome::kConnectionLost;
    case TransportOutcome::kResponseIncomplete:
      return UpstreamOutcome::kIncomplete;
    case TransportOutcome::kResponseTooLarge:
      return UpstreamOutcome::kTooLarge;
    case TransportOutcome::kCancelled:
      return UpstreamOutcome::kCancelled;
    case TransportOutcome::kFailed:
      return UpstreamOutcome::kFailed;
  }
  return UpstreamOutcome::kFailed;
}

EkoClient::EkoClient(EkoClientConfig config, std::unique_ptr<Transport> transport)
    : config_(std::move(config)), transport_(std::move(transport)) {
  while (!config_.base_url.empty() && config_.base_url.back() == '/') config_.base_url.pop_back();
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
