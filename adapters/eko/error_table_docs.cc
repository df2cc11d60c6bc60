// The error table as text: each row's scope, detail types and the Markdown
// table docs/errors.md carries (see error_table.h).
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "adapters/common/strings.h"
#include "adapters/eko/error_table.h"

namespace eko::adapter {
namespace {

constexpr NamedValue<ErrorLayer> kLayerNames[] = {
    {ErrorLayer::kLocal, "local"},         {ErrorLayer::kGateway, "gateway"},
    {ErrorLayer::kTransport, "transport"}, {ErrorLayer::kHttp, "HTTP"},
    {ErrorLayer::kEnvelope, "envelope"},   {ErrorLayer::kBusiness, "Eko code"},
    {ErrorLayer::kFallback, "fallback"},
};

}  // namespace

std::string RowScopeText(const ErrorRow& row) {
  // Signals grouped by scope, in the order their scopes first appear.
  std::vector<std::pair<RpcSet, std::vector<std::string>>> groups;
  const auto add = [&groups](RpcSet rpcs, std::string signal) {
    for (auto& [scope, signals] : groups) {
      if (scope == rpcs) {
        signals.push_back(std::move(signal));
        return;
      }
    }
    groups.push_back({rpcs, {std::move(signal)}});
  };
  for (const CodeMatch& m : row.match.codes) add(m.rpcs, absl::StrCat(m.code));
  for (const TypeStatusMatch& m : row.match.type_status_pairs) {
    add(m.rpcs, absl::StrCat(m.response_type_id, "/", m.response_status_id));
  }
  bool scoped = false;
  for (const auto& group : groups) scoped = scoped || group.first != kAllRpcs;
  if (!scoped) return "every RPC";
  std::vector<std::string> parts;
  for (const auto& [scope, signals] : groups) {
    std::vector<std::string> rpcs;
    for (int i = 0; i < kRpcCount; ++i) {
      if (scope & RpcBit(static_cast<Rpc>(i))) rpcs.emplace_back(RpcName(static_cast<Rpc>(i)));
    }
    parts.push_back(absl::StrCat(absl::StrJoin(signals, ", "), ": ",
                                 scope == kAllRpcs ? "every RPC" : absl::StrJoin(rpcs, ", ")));
  }
  return absl::StrJoin(parts, "; ");
}

std::string DetailTypeNames(unsigned details) {
  std::vector<std::string> names;
  if (details & kBadRequest) names.push_back("BadRequest");
  if (details & kPreconditionFailure) names.push_back("PreconditionFailure");
  if (details & kQuotaFailure) names.push_back("QuotaFailure");
  if (details & kResourceInfo) names.push_back("ResourceInfo");
  if (details & kRetryInfo) names.push_back("RetryInfo");
  return absl::StrJoin(names, ", ");
}

std::string RetrySafetyText(const ErrorRow& row) {
  using Code = absl::StatusCode;
  if (row.upstream_outcome == "UNKNOWN" || row.code == Code::kUnknown) {
    return "no: Eko may have acted; look the customer up first";
  }
  const bool retry_info = (row.details & kRetryInfo) != 0;
  switch (row.code) {
    case Code::kUnavailable:
      return retry_info ? "yes (same request), after RetryInfo's delay" : "yes (same request)";
    case Code::kResourceExhausted:
      return retry_info ? "yes (same request), after RetryInfo's delay"
                        : "no: not before the quota renews";
    case Code::kDeadlineExceeded:
      return "yes (same request), with a longer deadline";
    case Code::kInvalidArgument:
      return "no: fix the request";
    case Code::kUnauthenticated:
    case Code::kPermissionDenied:
      return "no: fix the credentials";
    case Code::kFailedPrecondition:
      return "no: meet the precondition first";
    case Code::kNotFound:
    case Code::kAlreadyExists:
      return "no: the answer stands";
    case Code::kCancelled:
      return "no: the caller cancelled";
    default:
      return "no: report it";
  }
}

std::string ErrorTableMarkdown() {
  std::string out =
      "| id | layer | situation | applies to | gRPC code | reason | details besides ErrorInfo "
      "and RequestInfo | safe to retry? | what to do |\n"
      "| --- | --- | --- | --- | --- | --- | --- | --- | --- |\n";
  for (const ErrorRow& row : ErrorRows()) {
    std::string code = absl::StrCat("`", absl::StatusCodeToString(row.code), "`");
    if (row.code_if_caller_deadline != row.code) {
      code = absl::StrCat("`", absl::StatusCodeToString(row.code_if_caller_deadline),
                          "` when the caller's deadline ran out, else ", code);
    }
    absl::StrAppend(&out, "| `", row.id, "` | ", ToAbsl(NameOf(kLayerNames, row.layer)), " | ",
                    absl::StrReplaceAll(row.situation, {{"|", "\\|"}}), " | ", RowScopeText(row),
                    " | ", code, " | `", row.reason, "` | ", DetailTypeNames(row.details), " | ",
                    RetrySafetyText(row), " | ", row.guidance, " |\n");
  }
  return out;
}

}  // namespace eko::adapter
