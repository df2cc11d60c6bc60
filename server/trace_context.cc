#include "server/trace_context.h"

#include <algorithm>
#include <cstdio>
#include <random>

#include "absl/strings/str_cat.h"

namespace eko::server {
namespace {

bool IsLowerHex(std::string_view text) {
  for (const char c : text) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return !text.empty();
}

bool IsAllZero(std::string_view text) { return text.find_first_not_of('0') == std::string::npos; }

}  // namespace

std::string RandomHexId(int bytes) {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  std::string id;
  do {
    id.clear();
    for (int i = 0; i < bytes; i += 8) {
      char chunk[17];
      std::snprintf(chunk, sizeof(chunk), "%016llx", static_cast<unsigned long long>(rng()));
      id.append(chunk, std::min(16, 2 * (bytes - i)));
    }
  } while (IsAllZero(id));
  return id;
}

std::string TraceContext::Traceparent() const {
  return absl::StrCat("00-", trace_id, "-", span_id, "-", trace_flags);
}

std::optional<TraceContext> ParseTraceparent(std::string_view value) {
  // version "-" trace-id "-" parent-id "-" trace-flags: 2+1+32+1+16+1+2.
  constexpr size_t kLength = 55;
  if (value.size() < kLength) return std::nullopt;
  const std::string_view version = value.substr(0, 2);
  if (!IsLowerHex(version) || version == "ff") return std::nullopt;
  // Version 00 has exactly four fields; a later version may append "-...".
  if (version == "00" ? value.size() != kLength : value.size() > kLength && value[kLength] != '-') {
    return std::nullopt;
  }
  if (value[2] != '-' || value[35] != '-' || value[52] != '-') return std::nullopt;
  TraceContext context;
  context.trace_id = std::string(value.substr(3, 32));
  context.parent_span_id = std::string(value.substr(36, 16));
  context.trace_flags = std::string(value.substr(53, 2));
  if (!IsLowerHex(context.trace_id) || IsAllZero(context.trace_id) ||
      !IsLowerHex(context.parent_span_id) || IsAllZero(context.parent_span_id) ||
      !IsLowerHex(context.trace_flags)) {
    return std::nullopt;
  }
  return context;
}

TraceContext TraceContextFor(std::optional<std::string_view> traceparent) {
  std::optional<TraceContext> parsed;
  if (traceparent.has_value()) parsed = ParseTraceparent(*traceparent);
  TraceContext context;
  if (parsed.has_value()) {
    context = *std::move(parsed);
  } else {
    context.trace_id = RandomHexId(16);
    context.trace_flags = "00";
  }
  context.span_id = RandomHexId(8);
  return context;
}

}  // namespace eko::server
