#include "adapters/eko/admission_client.h"

#include <algorithm>
#include <string>

#include "adapters/common/log.h"
#include "adapters/eko/classifier.h"

namespace eko::adapter {
namespace {

using Result = CircuitBreaker::Result;
using Cause = CircuitBreaker::Cause;

struct BreakerVerdict {
  Result result = Result::kNeutral;
  Cause cause = Cause::kUnspecified;
};

BreakerVerdict VerdictOf(const CallSummary& summary) {
  switch (summary.outcome) {
    case UpstreamOutcome::kAnswered:
      return summary.http_status >= 500 ? BreakerVerdict{Result::kFailure, Cause::kHttp5xx}
                                        : BreakerVerdict{Result::kSuccess};
    case UpstreamOutcome::kTimedOut:
      // Only a timeout of the gateway's own full budget is Eko's slowness; a
      // caller's short deadline must not open the breaker for everyone.
      return summary.deadline_was_callers ? BreakerVerdict{Result::kNeutral}
                                          : BreakerVerdict{Result::kFailure, Cause::kTimedOut};
    case UpstreamOutcome::kNotSent:
      return {Result::kFailure, Cause::kConnectFailed};
    case UpstreamOutcome::kConnectionLost:
      return {Result::kFailure, Cause::kConnectionLost};
    case UpstreamOutcome::kIncomplete:
      return {Result::kFailure, Cause::kIncompleteResponse};
    case UpstreamOutcome::kNone:
    case UpstreamOutcome::kTooLarge:
    case UpstreamOutcome::kCancelled:
    case UpstreamOutcome::kFailed:
      return {Result::kNeutral};
  }
  return {Result::kNeutral};
}

CircuitBreaker::Listener LogTransitions(BreakerScope scope, absl::Duration open_for) {
  return [scope, open_for](const CircuitBreaker::Transition& transition) {
    const bool opened = transition.to == CircuitBreaker::State::kOpen;
    const log::Level level = opened ? log::Level::kWarn : log::Level::kInfo;
    if (!log::Enabled(level)) return;
    const std::string failures = std::to_string(transition.consecutive_failures);
    const std::string open_ms = std::to_string(absl::ToInt64Milliseconds(open_for));
    if (opened) {
      log::Write(level, "breaker",
                 {{"scope", BreakerScopeName(scope)},
                  {"state", CircuitBreaker::StateName(transition.to)},
                  {"from", CircuitBreaker::StateName(transition.from)},
                  {"cause", CircuitBreaker::CauseName(transition.cause)},
                  {"consecutive_failures", failures},
                  {"open_ms", open_ms}});
    } else {
      log::Write(level, "breaker",
                 {{"scope", BreakerScopeName(scope)},
                  {"state", CircuitBreaker::StateName(transition.to)},
                  {"from", CircuitBreaker::StateName(transition.from)}});
    }
  };
}

int Severity(CircuitBreaker::State state) {
  switch (state) {
    case CircuitBreaker::State::kClosed:
      return 0;
    case CircuitBreaker::State::kHalfOpen:
      return 1;
    case CircuitBreaker::State::kOpen:
      return 2;
  }
  return 0;
}

}  // namespace

BreakerScope BreakerScopeOf(Rpc rpc) {
  switch (rpc) {
    case Rpc::kGetCustomer:
    case Rpc::kOnboardCustomer:
    case Rpc::kVerifyCustomerOtp:
      return BreakerScope::kCustomer;
    case Rpc::kGetSender:
    case Rpc::kOnboardSender:
    case Rpc::kStartSenderEkyc:
    case Rpc::kValidateEkycOtp:
      return BreakerScope::kSender;
  }
  return BreakerScope::kCustomer;
}

std::string_view BreakerScopeName(BreakerScope scope) {
  return scope == BreakerScope::kSender ? "sender" : "customer";
}

AdmissionClient::AdmissionClient(AdmissionOptions options, UpstreamClient* inner,
                                 const Clock& clock)
    : options_(options),
      inner_(inner),
      clock_(clock),
      breakers_{{CircuitBreaker(options.breaker_failures, options.breaker_open_for,
                                LogTransitions(BreakerScope::kCustomer, options.breaker_open_for)),
                 CircuitBreaker(options.breaker_failures, options.breaker_open_for,
                                LogTransitions(BreakerScope::kSender, options.breaker_open_for))}} {
}

CircuitBreaker::State AdmissionClient::breaker_state() const {
  const absl::Time now = clock_.Now();
  CircuitBreaker::State worst = CircuitBreaker::State::kClosed;
  for (const CircuitBreaker& breaker : breakers_) {
    const CircuitBreaker::State state = breaker.state(now);
    if (Severity(state) > Severity(worst)) worst = state;
  }
  return worst;
}

absl::Status AdmissionClient::Enter(Rpc rpc, absl::Time now, absl::Time caller_deadline) {
  if (caller_deadline - now < options_.min_deadline) {
    return GatewayError(
        ErrorId::kDeadlineTooShort, rpc,
        {{"minDeadlineMs", std::to_string(absl::ToInt64Milliseconds(options_.min_deadline))},
         {"remainingMs",
          std::to_string(std::max<int64_t>(0, absl::ToInt64Milliseconds(caller_deadline - now)))}});
  }
  CircuitBreaker& breaker = breakers_[static_cast<size_t>(BreakerScopeOf(rpc))];
  if (std::optional<absl::Duration> wait = breaker.Admit(now)) {
    return GatewayError(ErrorId::kUpstreamCircuitOpen, rpc, {}, *wait);
  }
  if (in_flight_.fetch_add(1) >= options_.max_in_flight) {
    in_flight_.fetch_sub(1);
    // The breaker admitted the call; it ends without a verdict.
    breaker.Record(Result::kNeutral, now);
    return GatewayError(ErrorId::kGatewayOverloaded, rpc,
                        {{"maxInFlight", std::to_string(options_.max_in_flight)}},
                        absl::Milliseconds(200));
  }
  return absl::OkStatus();
}

void AdmissionClient::Leave(Rpc rpc, const CallSummary& summary) {
  in_flight_.fetch_sub(1);
  const BreakerVerdict verdict = VerdictOf(summary);
  const absl::Time now = clock_.Now();
  const BreakerScope own = BreakerScopeOf(rpc);
  breakers_[static_cast<size_t>(own)].Record(verdict.result, now, verdict.cause);
  if (verdict.cause != Cause::kConnectFailed) return;
  // The upstream as a whole is unreachable: every scope learns it.
  for (size_t scope = 0; scope < breakers_.size(); ++scope) {
    if (scope != static_cast<size_t>(own))
      breakers_[scope].Record(verdict.result, now, verdict.cause);
  }
}

}  // namespace eko::adapter
