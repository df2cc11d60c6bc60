#include "adapters/eko/classifier.h"

#include <optional>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "adapters/common/rich_status.h"
#include "adapters/common/strings.h"
#include "adapters/eko/error_table.h"
#include "adapters/eko/next_steps.h"

namespace eko::adapter {
namespace {

using onboarding::v1::NextStep;
using rich::ErrorBuilder;

constexpr size_t kMaxMetadataChars = 200;

// Bounded, valid UTF-8 text for ErrorInfo metadata and detail descriptions.
std::string Truncated(std::string_view text) {
  return std::string(TruncateUtf8(SanitizeUtf8(text), kMaxMetadataChars));
}

// What is known about the failed call when a row turns into a status.
struct Facts {
  Facts(Rpc r, int status) : rpc(r), http_status(status) {}
  Rpc rpc;
  int http_status = 0;
  const Envelope* envelope = nullptr;
  const HttpResponse* http = nullptr;
  bool caller_deadline_passed = false;
  std::string problem;  // why a body was not understood
  std::vector<std::pair<std::string, std::string>> metadata;
  std::optional<absl::Duration> retry_after;
};

absl::Status BuildError(const ErrorRow& row, const Facts& facts) {
  ErrorBuilder error(facts.caller_deadline_passed ? row.code_if_caller_deadline : row.code,
                     row.reason, row.message);
  error.Metadata("rpc", RpcName(facts.rpc));
  if (facts.http_status > 0) error.Metadata("httpStatus", std::to_string(facts.http_status));
  const Envelope* env = facts.envelope;
  if (env != nullptr) {
    error.Metadata("ekoStatus", std::to_string(env->status))
        .Metadata("ekoResponseTypeId", std::to_string(env->response_type_id))
        .Metadata("ekoMessage", Truncated(env->message));
    if (env->response_status_id) {
      error.Metadata("ekoResponseStatusId", std::to_string(*env->response_status_id));
    }
  }
  if (row.layer == ErrorLayer::kTransport && facts.http != nullptr) {
    if (!facts.http->error_detail.empty()) {
      error.Metadata("transportError", Truncated(facts.http->error_detail));
    }
  }
  if (!row.upstream_outcome.empty()) error.Metadata("upstreamOutcome", row.upstream_outcome);
  if (!facts.problem.empty()) error.Metadata("problem", Truncated(facts.problem));
  for (const auto& [key, value] : facts.metadata) error.Metadata(key, value);

  const std::string eko_text =
      env == nullptr ? "" : Truncated(env->description.empty() ? env->message : env->description);
  if (row.details & kBadRequest) {
    bool any = false;
    if (env != nullptr) {
      for (const auto& [param, why] : env->invalid_params) {
        error.FieldViolation(ProtoFieldForEkoParam(param), Truncated(why));
        any = true;
      }
    }
    for (const auto& [code, field] : row.default_fields) {
      const bool applies =
          code == 0 || (env != nullptr && (env->status == code || env->response_type_id == code));
      if (!any && applies) {
        error.FieldViolation(field, eko_text.empty() ? row.message : eko_text);
        any = true;
      }
    }
    if (!any) error.FieldViolation("(request)", eko_text.empty() ? row.message : eko_text);
  }
  if (row.details & kPreconditionFailure) {
    error.PreconditionViolation(row.precondition_type, row.precondition_subject,
                                eko_text.empty() ? row.message : eko_text);
  }
  if (row.details & kQuotaFailure) {
    error.QuotaViolation("customer_id", eko_text.empty() ? row.message : eko_text);
  }
  if (row.details & kResourceInfo) {
    error.Resource("eko.customer", "customer_id", eko_text.empty() ? row.message : eko_text);
  }
  if (row.details & kRetryInfo) {
    std::optional<absl::Duration> after = facts.retry_after;
    if (!after && facts.http != nullptr) after = facts.http->retry_after;
    error.RetryAfter(after.value_or(absl::Seconds(1)));
  }
  return error;
}

template <typename Predicate>
const ErrorRow* FirstRow(ErrorLayer layer, Predicate matches) {
  for (const ErrorRow& row : ErrorRows()) {
    if (row.layer == layer && matches(row.match)) return &row;
  }
  return nullptr;
}

bool Contains(const std::vector<CodeMatch>& codes, int32_t code, Rpc rpc) {
  for (const CodeMatch& m : codes) {
    if (m.code == code && (m.rpcs & RpcBit(rpc)) != 0) return true;
  }
  return false;
}

// response_status_id values -2..5 are coarse states, not error codes.
bool IsCoarseState(int32_t value) { return value >= -2 && value <= 5; }

const ErrorRow* FindBusinessRow(Rpc rpc, const Envelope& env) {
  if (const ErrorRow* row = FirstRow(ErrorLayer::kBusiness, [&](const ErrorMatch& m) {
        for (const TypeStatusMatch& pair : m.type_status_pairs) {
          if (env.response_type_id == pair.response_type_id &&
              env.response_status_id == pair.response_status_id && (pair.rpcs & RpcBit(rpc)) != 0) {
            return true;
          }
        }
        return false;
      })) {
    return row;
  }
  if (const ErrorRow* row = FirstRow(ErrorLayer::kBusiness, [&](const ErrorMatch& m) {
        return Contains(m.codes, env.status, rpc);
      })) {
    return row;
  }
  if (env.response_status_id && !IsCoarseState(*env.response_status_id)) {
    if (const ErrorRow* row = FirstRow(ErrorLayer::kBusiness, [&](const ErrorMatch& m) {
          return Contains(m.codes, *env.response_status_id, rpc);
        })) {
      return row;
    }
  }
  if (const ErrorRow* row = FirstRow(ErrorLayer::kBusiness, [&](const ErrorMatch& m) {
        return Contains(m.codes, env.response_type_id, rpc);
      })) {
    return row;
  }
  if (env.response_type_id == -1) {
    return FirstRow(ErrorLayer::kBusiness, [](const ErrorMatch& m) { return m.parameter_error; });
  }
  return nullptr;
}

const ErrorRow* FindMessageRow(const Envelope& env) {
  const std::string message = absl::AsciiStrToLower(env.message);
  return FirstRow(ErrorLayer::kBusiness, [&](const ErrorMatch& m) {
    for (const std::string& fragment : m.message_fragments) {
      if (absl::StrContains(message, fragment)) return true;
    }
    return false;
  });
}

const ErrorRow& FallbackRow(ErrorLayer layer) {
  const ErrorRow* row = FirstRow(layer, [](const ErrorMatch&) { return true; });
  return row != nullptr ? *row : ErrorRowFor(ErrorId::kUpstreamUnmappedStatus);
}

}  // namespace

std::string_view ProtoFieldForEkoParam(std::string_view eko_param) {
  if (eko_param == "aadhar") return "aadhaar";
  if (eko_param == "piddata") return "pid_data";
  return eko_param;
}

absl::Status GatewayError(ErrorId id, Rpc rpc,
                          const std::vector<std::pair<std::string, std::string>>& metadata,
                          absl::Duration retry_after) {
  Facts facts(rpc, 0);
  facts.metadata = metadata;
  facts.retry_after = retry_after;
  return BuildError(ErrorRowFor(id), facts);
}

absl::Status BadResponseError(Rpc rpc, int http_status, std::string_view why) {
  Facts facts{rpc, http_status};
  facts.problem = std::string(why);
  return BuildError(ErrorRowFor(ErrorId::kUpstreamBadResponse), facts);
}

absl::Status ClassifyHttp(Rpc rpc, const HttpResponse& response, bool caller_deadline_passed) {
  Facts facts{rpc, response.http_status};
  facts.http = &response;
  facts.caller_deadline_passed = caller_deadline_passed;
  if (response.outcome != TransportOutcome::kCompleted) {
    const ErrorRow* row = FirstRow(ErrorLayer::kTransport, [&](const ErrorMatch& m) {
      for (const TransportOutcome outcome : m.outcomes) {
        if (outcome == response.outcome) return true;
      }
      return false;
    });
    return BuildError(row != nullptr ? *row : ErrorRowFor(ErrorId::kTransportFailed), facts);
  }
  facts.caller_deadline_passed = false;
  const int http = response.http_status;
  if (http >= 200 && http < 300) return absl::OkStatus();
  const ErrorRow* row = FirstRow(ErrorLayer::kHttp, [&](const ErrorMatch& m) {
    for (const auto& [low, high] : m.http_ranges) {
      if (http >= low && http <= high) return true;
    }
    return false;
  });
  return BuildError(row != nullptr ? *row : ErrorRowFor(ErrorId::kUpstreamHttpUnmapped), facts);
}

absl::StatusOr<NextStep> ClassifyEnvelope(Rpc rpc, const Envelope& env, int http_status) {
  Facts facts{rpc, http_status};
  facts.envelope = &env;
  // A specific business code wins over everything else (e.g. 463 arrives with
  // response_type_id -1 and invalid_params, and is CUSTOMER_NOT_FOUND).
  if (const ErrorRow* row = FindBusinessRow(rpc, env)) return BuildError(*row, facts);
  // A step counts only when `status` is 0 or repeats the response type; any
  // other status is a code this table does not know.
  if (env.status == 0 || env.status == env.response_type_id) {
    if (std::optional<NextStep> step = FindStep(rpc, env.response_type_id)) return *step;
  }
  if (const ErrorRow* row = FindMessageRow(env)) return BuildError(*row, facts);
  return BuildError(FallbackRow(ErrorLayer::kFallback), facts);
}

}  // namespace eko::adapter
