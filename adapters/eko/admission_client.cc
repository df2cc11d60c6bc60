#include "adapters/eko/admission_client.h"

#include <algorithm>
#include <string>

#include "adapters/eko/classifier.h"

namespace eko::adapter {
namespace {

CircuitBreaker::Result BreakerResult(const CallSummary& summary) {
  switch (summary.outcome) {
    case UpstreamOutcome::kAnswered:
      return summary.http_status >= 500 ? CircuitBreaker::Result::kFailure
                                        : CircuitBreaker::Result::kSuccess;
    case UpstreamOutcome::kTimedOut:
      // Only a timeout of the gateway's own full budget is Eko's slowness; a
      // caller's short deadline must not open the breaker for everyone.
      return summary.deadline_was_callers ? CircuitBreaker::Result::kNeutral
                                          : CircuitBreaker::Result::kFailure;
    case UpstreamOutcome::kNotSent:
    case UpstreamOutcome::kConnectionLost:
    case UpstreamOutcome::kIncomplete:
      return CircuitBreaker::Result::kFailure;
    case UpstreamOutcome::kNone:
    case UpstreamOutcome::kTooLarge:
    case UpstreamOutcome::kCancelled:
    case UpstreamOutcome::kFailed:
      return CircuitBreaker::Result::kNeutral;
  }
  return CircuitBreaker::Result::kNeutral;
}

}  // namespace

AdmissionClient::AdmissionClient(AdmissionOptions options, UpstreamClient* inner,
                                 const Clock& clock)
    : options_(options),
      inner_(inner),
      clock_(clock),
      breaker_(options.breaker_failures, options.breaker_open_for) {}

absl::Status AdmissionClient::Enter(Rpc rpc, absl::Time now, absl::Time caller_deadline) {
  if (caller_deadline - now < options_.min_deadline) {
    return GatewayError(
        ErrorId::kDeadlineTooShort, rpc,
        {{"minDeadlineMs", std::to_string(absl::ToInt64Milliseconds(options_.min_deadline))},
         {"remainingMs",
          std::to_string(std::max<int64_t>(0, absl::ToInt64Milliseconds(caller_deadline - now)))}});
  }
  if (std::optional<absl::Duration> wait = breaker_.Admit(now)) {
    return GatewayError(ErrorId::kUpstreamCircuitOpen, rpc, {}, *wait);
  }
  if (in_flight_.fetch_add(1) >= options_.max_in_flight) {
    in_flight_.fetch_sub(1);
    // The breaker admitted the call; it ends without a verdict.
    breaker_.Record(CircuitBreaker::Result::kNeutral, now);
    return GatewayError(ErrorId::kGatewayOverloaded, rpc,
                        {{"maxInFlight", std::to_string(options_.max_in_flight)}},
                        absl::Milliseconds(200));
  }
  return absl::OkStatus();
}

void AdmissionClient::Leave(const CallSummary& summary) {
  in_flight_.fetch_sub(1);
  breaker_.Record(BreakerResult(summary), clock_.Now());
}

}  // namespace eko::adapter
