#include "server/onboarding_service.h"

#include <chrono>
#include <cstdio>
#include <mutex>
#include <random>
#include <utility>

#include "absl/strings/str_join.h"
#include "adapters/common/log.h"
#include "adapters/common/rich_status.h"
#include "adapters/eko/rpc_traits.h"
#include "server/status_conversion.h"
#include "server/validation.h"

namespace eko::server {
namespace {

constexpr char kRequestIdHeader[] = "x-request-id";
constexpr size_t kMaxRequestIdChars = 64;

std::string RandomRequestId() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  char buf[33];
  std::snprintf(buf, sizeof(buf), "%016llx%016llx", static_cast<unsigned long long>(rng()),
                static_cast<unsigned long long>(rng()));
  return buf;
}

absl::Time CallerDeadline(const grpc::CallbackServerContext& context) {
  const auto deadline = context.deadline();
  if (deadline == std::chrono::system_clock::time_point::max()) return absl::InfiniteFuture();
  return absl::FromChrono(deadline);
}

// One RPC in flight: validation, the upstream call, and Finish. Deletes
// itself in OnDone. The mutex orders Start (which records the upstream call
// id) before the completion, which may arrive on the transport thread before
// Call() has even returned.
template <typename Request, typename Response>
class UpstreamReactor final : public grpc::ServerUnaryReactor {
 public:
  UpstreamReactor(const OnboardingServiceImpl::Dependencies& deps,
                  grpc::CallbackServerContext* context, const Request* request, Response* response)
      : client_(deps.client),
        has_default_user_code_(deps.has_default_user_code),
        metrics_(deps.metrics),
        clock_(*deps.clock),
        request_(request),
        response_(response),
        request_id_(RequestIdFor(*context)),
        caller_deadline_(CallerDeadline(*context)),
        started_(clock_.Now()) {
    context->AddTrailingMetadata(kRequestIdHeader, request_id_);
  }

  // `caller` is the caller-authorisation verdict, checked first: the
  // authorised caller's name (CallerAuthorizer::AuthorizedCaller), which
  // keeps its duplicate-suppression keys apart from other callers'.
  void Start(const absl::StatusOr<std::string>& caller) {
    if (!caller.ok()) {
      Complete(caller.status(), adapter::CallSummary{});
      return;
    }
    ValidationContext validation;
    validation.has_default_user_code = has_default_user_code_;
    validation.now = started_;
    if (absl::Status invalid = Validate(*request_, validation); !invalid.ok()) {
      Complete(invalid, adapter::CallSummary{});
      return;
    }
    std::unique_lock<std::mutex> lock(mu_);
    adapter::CallOptions options;
    options.caller_deadline = caller_deadline_;
    options.caller = *caller;
    absl::StatusOr<uint64_t> call_id = adapter::CallUpstream(
        *client_, *request_, options,
        [this](absl::StatusOr<Response> result, const adapter::CallSummary& summary) {
          { std::lock_guard<std::mutex> wait_for_start(mu_); }
          if (result.ok()) *response_ = *std::move(result);
          Complete(result.status(), summary);
        });
    if (!call_id.ok()) {
      // Refused before sending (deadline, load, breaker, reused
      // client_ref_id): `done` never runs.
      lock.unlock();
      Complete(call_id.status(), adapter::CallSummary{});
      return;
    }
    call_id_ = *call_id;
    call_started_ = true;
    if (cancel_requested_) client_->Cancel(call_id_);
  }

  void OnCancel() override {
    std::lock_guard<std::mutex> lock(mu_);
    if (call_started_) {
      client_->Cancel(call_id_);
    } else {
      cancel_requested_ = true;
    }
  }

  void OnDone() override { delete this; }

 private:
  void Complete(const absl::Status& status, const adapter::CallSummary& summary) {
    google::rpc::ErrorInfo info;
    if (!status.ok()) rich::GetErrorInfo(status, &info);
    const std::string code = absl::StatusCodeToString(status.code());
    const absl::Duration latency = clock_.Now() - started_;
    LogCall(status, code, info.reason(), latency, summary);
    if (!summary.ignored_fields.empty()) ReportIgnoredFields(summary.ignored_fields);
    if (metrics_ != nullptr) {
      const std::string_view method = adapter::RpcName(adapter::RpcTraits<Request>::kRpc);
      metrics_->RecordRpc(method, code, info.reason(), latency);
      if (summary.attempts > 0 && !summary.replayed) {
        metrics_->RecordUpstream(method, summary.http_status, summary.attempts,
                                 summary.upstream_elapsed);
      }
    }
    Finish(ToGrpcStatus(status, RequestIdentity{request_id_, summary.client_ref_id}));
  }

  // Optional fields of Eko's reply that were left unset: counted, and logged
  // at warn by name only (their values may be personal data).
  void ReportIgnoredFields(const std::vector<std::string>& fields) const {
    const std::string_view method = adapter::RpcName(adapter::RpcTraits<Request>::kRpc);
    if (metrics_ != nullptr) {
      for (const std::string& field : fields) metrics_->RecordIgnoredField(method, field);
    }
    if (!log::Enabled(log::Level::kWarn)) return;
    const std::string names = absl::StrJoin(fields, ",");
    log::Write(
        log::Level::kWarn, "upstream_fields_ignored",
        {{"method", std::string(method)},
         {"request_id", request_id_},
         {"fields", names},
         {"message", "Eko sent optional fields with an unusable type or value; left unset"}});
  }

  void LogCall(const absl::Status& status, std::string_view code, std::string_view reason,
               absl::Duration latency, const adapter::CallSummary& summary) const {
    const log::Level level = status.ok() || status.code() == absl::StatusCode::kInvalidArgument ||
                                     status.code() == absl::StatusCode::kFailedPrecondition ||
                                     status.code() == absl::StatusCode::kNotFound ||
                                     status.code() == absl::StatusCode::kAlreadyExists
                                 ? log::Level::kInfo
                                 : log::Level::kWarn;
    if (!log::Enabled(level)) return;
    const std::string latency_ms = std::to_string(absl::ToDoubleMilliseconds(latency));
    const std::string http_status = std::to_string(summary.http_status);
    const std::string attempts = std::to_string(summary.attempts);
    const std::string method(adapter::RpcName(adapter::RpcTraits<Request>::kRpc));
    const std::string customer = log::MaskMobile(request_->customer_id());
    log::Write(level, "rpc",
               {{"method", method},
                {"code", code},
                {"reason", reason},
                {"latency_ms", latency_ms},
                {"request_id", request_id_},
                {"customer", customer},
                {"client_ref_id", summary.client_ref_id},
                {"replayed", summary.replayed ? "true" : "false"},
                {"upstream_attempts", attempts},
                {"upstream_http_status", http_status}});
  }

  adapter::UpstreamClient* const client_;
  const bool has_default_user_code_;
  GatewayMetrics* const metrics_;
  const Clock& clock_;
  const Request* const request_;
  Response* const response_;
  const std::string request_id_;
  const absl::Time caller_deadline_;
  const absl::Time started_;

  std::mutex mu_;
  uint64_t call_id_ = 0;
  bool call_started_ = false;
  bool cancel_requested_ = false;
};

}  // namespace

std::string RequestIdFor(const grpc::CallbackServerContext& context) {
  const auto& metadata = context.client_metadata();
  auto it = metadata.find(kRequestIdHeader);
  if (it != metadata.end()) {
    const std::string_view value(it->second.data(), it->second.size());
    bool printable = !value.empty() && value.size() <= kMaxRequestIdChars;
    for (const char c : value) printable = printable && c > ' ' && c <= '~';
    if (printable) return std::string(value);
  }
  return RandomRequestId();
}

OnboardingServiceImpl::OnboardingServiceImpl(Dependencies deps) : deps_(deps) {}

template <typename Request, typename Response>
grpc::ServerUnaryReactor* OnboardingServiceImpl::Handle(grpc::CallbackServerContext* context,
                                                        const Request* request,
                                                        Response* response) {
  auto* reactor = new UpstreamReactor<Request, Response>(deps_, context, request, response);
  reactor->Start(deps_.authorizer == nullptr ? absl::StatusOr<std::string>(std::string())
                                             : deps_.authorizer->AuthorizedCaller(*context));
  return reactor;
}

#define EKO_DEFINE_HANDLER(NAME, ...)                                                         \
  grpc::ServerUnaryReactor* OnboardingServiceImpl::NAME(grpc::CallbackServerContext* context, \
                                                        const v1::NAME##Request* request,     \
                                                        v1::NAME##Response* response) {       \
    return Handle(context, request, response);                                                \
  }
EKO_ONBOARDING_RPCS(EKO_DEFINE_HANDLER)
#undef EKO_DEFINE_HANDLER

}  // namespace eko::server
