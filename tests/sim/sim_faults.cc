#include "tests/sim/sim_faults.h"

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/string_view.h"
#include "rapidjson/document.h"
#include "rapidjson/error/en.h"
#include "rapidjson/stringbuffer.h"
#include "rapidjson/writer.h"
#include "tests/sim/sim_json.h"

namespace eko::sim {
namespace {

using JsonWriter = json::Writer;
using json::KeyInt;
using json::KeyStr;
using json::KeyStrObject;

struct ActionName {
  const char* name;
  FaultAction action;
};

constexpr ActionName kActionNames[] = {
    {"respond", FaultAction::kRespond}, {"reset", FaultAction::kReset},
    {"stall", FaultAction::kStall},     {"truncate", FaultAction::kTruncate},
    {"pass", FaultAction::kPass},
};

const char* NameOf(FaultAction action) {
  for (const ActionName& entry : kActionNames) {
    if (entry.action == action) return entry.name;
  }
  return "?";
}

absl::Status Invalid(absl::string_view key, absl::string_view problem) {
  return absl::InvalidArgumentError(absl::StrCat("\"", key, "\" ", problem));
}

// RFC 9110 token characters, the only ones allowed in a header name.
bool IsTokenChar(char c) {
  return absl::ascii_isalnum(static_cast<unsigned char>(c)) ||
         absl::string_view("!#$%&'*+-.^_`|~").find(c) != absl::string_view::npos;
}

bool IsHeaderName(absl::string_view name) {
  return !name.empty() && std::all_of(name.begin(), name.end(), IsTokenChar);
}

// A header value may not break out of its line.
bool IsHeaderValue(absl::string_view value) {
  return value.find_first_of(absl::string_view("\r\n\0", 3)) == absl::string_view::npos;
}

// A non-empty string, or (for customer_id) a non-negative integer taken as text.
absl::StatusOr<std::string> MatchText(const rapidjson::Value& value, absl::string_view key,
                                      bool allow_integer) {
  if (value.IsString()) {
    if (value.GetStringLength() == 0) {
      return Invalid(key, "must not be empty; leave it out to match anything");
    }
    return std::string(value.GetString(), value.GetStringLength());
  }
  if (allow_integer && value.IsUint64()) return std::to_string(value.GetUint64());
  return Invalid(key, allow_integer ? "must be a string of digits" : "must be a string");
}

absl::StatusOr<int64_t> Integer(const rapidjson::Value& value, absl::string_view key, int64_t min,
                                int64_t max) {
  if (!value.IsInt64() || value.GetInt64() < min || value.GetInt64() > max) {
    return Invalid(key, absl::StrCat("must be an integer from ", min, " to ", max));
  }
  return value.GetInt64();
}

}  // namespace

absl::StatusOr<FaultSpec> ParseFaultSpec(absl::string_view json) {
  rapidjson::Document doc;
  doc.Parse(json.data(), json.size());
  if (doc.HasParseError()) {
    return absl::InvalidArgumentError(
        absl::StrCat("fault is not valid JSON: ", rapidjson::GetParseError_En(doc.GetParseError()),
                     " at offset ", doc.GetErrorOffset()));
  }
  if (!doc.IsObject()) return absl::InvalidArgumentError("fault must be a JSON object");

  FaultSpec spec;
  bool has_reply_fields = false;  // http_status, headers or body given.
  const rapidjson::Value& root = doc;
  for (const auto& member : root.GetObject()) {
    const absl::string_view key(member.name.GetString(), member.name.GetStringLength());
    const rapidjson::Value& value = member.value;
    if (key == "method") {
      absl::StatusOr<std::string> method = MatchText(value, key, /*allow_integer=*/false);
      if (!method.ok()) return method.status();
      spec.method = absl::AsciiStrToUpper(*method);
    } else if (key == "path_contains") {
      absl::StatusOr<std::string> text = MatchText(value, key, /*allow_integer=*/false);
      if (!text.ok()) return text.status();
      spec.path_contains = *std::move(text);
    } else if (key == "customer_id") {
      absl::StatusOr<std::string> text = MatchText(value, key, /*allow_integer=*/true);
      if (!text.ok()) return text.status();
      spec.customer_id = *std::move(text);
    } else if (key == "times") {
      if (!value.IsInt64() || (value.GetInt64() < 1 && value.GetInt64() != -1)) {
        return Invalid(key, "must be a positive integer, or -1 for until cleared");
      }
      spec.times = value.GetInt64();
    } else if (key == "action") {
      if (!value.IsString()) return Invalid(key, "must be a string");
      const absl::string_view name(value.GetString(), value.GetStringLength());
      const auto it = std::find_if(std::begin(kActionNames), std::end(kActionNames),
                                   [&](const ActionName& entry) { return name == entry.name; });
      if (it == std::end(kActionNames)) {
        return Invalid(key, "must be one of respond, reset, stall, truncate, pass");
      }
      spec.action = it->action;
    } else if (key == "http_status") {
      absl::StatusOr<int64_t> status = Integer(value, key, 200, 599);
      if (!status.ok()) return status.status();
      spec.http_status = static_cast<int>(*status);
      has_reply_fields = true;
    } else if (key == "headers") {
      if (!value.IsObject()) return Invalid(key, "must be an object of strings");
      for (const auto& header : value.GetObject()) {
        const std::string name(header.name.GetString(), header.name.GetStringLength());
        if (!IsHeaderName(name)) {
          return Invalid(key, absl::StrCat("has an invalid header name \"", name, "\""));
        }
        const std::string lower = absl::AsciiStrToLower(name);
        if (lower == "content-length" || lower == "transfer-encoding") {
          return Invalid(key, absl::StrCat("must not set ", name,
                                           "; the simulator frames the body (use truncate)"));
        }
        if (!header.value.IsString()) {
          return Invalid(key, absl::StrCat("value of \"", name, "\" must be a string"));
        }
        std::string text(header.value.GetString(), header.value.GetStringLength());
        if (!IsHeaderValue(text)) {
          return Invalid(key, absl::StrCat("value of \"", name, "\" must not contain CR or LF"));
        }
        spec.headers.emplace_back(name, std::move(text));
      }
      has_reply_fields = true;
    } else if (key == "body") {
      if (!value.IsString()) return Invalid(key, "must be a string (sent as is)");
      spec.body.assign(value.GetString(), value.GetStringLength());
      has_reply_fields = true;
    } else if (key == "delay_ms") {
      absl::StatusOr<int64_t> delay = Integer(value, key, 0, kMaxFaultDelayMs);
      if (!delay.ok()) return delay.status();
      spec.delay_ms = *delay;
    } else {
      return absl::InvalidArgumentError(absl::StrCat(
          "unknown key \"", key,
          "\"; known: method, path_contains, customer_id, times, action, http_status, headers, "
          "body, delay_ms"));
    }
  }

  const bool sends_reply =
      spec.action == FaultAction::kRespond || spec.action == FaultAction::kTruncate;
  if (!sends_reply && has_reply_fields) {
    return absl::InvalidArgumentError(absl::StrCat(
        "http_status, headers and body do not apply to action \"", NameOf(spec.action), "\""));
  }
  if (spec.http_status == 204 || spec.http_status == 304) {
    if (spec.action == FaultAction::kTruncate || !spec.body.empty()) {
      return absl::InvalidArgumentError("http_status 204 and 304 cannot carry a body");
    }
  }
  if (spec.action == FaultAction::kTruncate && spec.body.empty()) {
    return absl::InvalidArgumentError("action \"truncate\" needs a non-empty \"body\"");
  }
  return spec;
}

SimResponse FaultResponse(const FaultSpec& spec) {
  SimResponse response;
  response.delay_ms = spec.delay_ms;
  switch (spec.action) {
    case FaultAction::kRespond:
    case FaultAction::kPass:  // Not expected here; answered like kRespond.
      response.action = ReplyAction::kRespond;
      break;
    case FaultAction::kTruncate:
      response.action = ReplyAction::kTruncate;
      break;
    case FaultAction::kReset:
      response.action = ReplyAction::kReset;
      return response;
    case FaultAction::kStall:
      response.action = ReplyAction::kStall;
      return response;
  }
  response.http_status = spec.http_status;
  const bool has_content_type = std::any_of(
      spec.headers.begin(), spec.headers.end(),
      [](const auto& header) { return absl::EqualsIgnoreCase(header.first, "content-type"); });
  if (!has_content_type) response.headers.emplace_back("Content-Type", "application/json");
  response.headers.insert(response.headers.end(), spec.headers.begin(), spec.headers.end());
  response.body = spec.body;
  return response;
}

int64_t FaultTable::Add(FaultSpec spec) {
  Entry entry;
  entry.id = next_id_++;
  entry.spec = std::move(spec);
  entries_.push_back(std::move(entry));
  return entries_.back().id;
}

std::optional<FaultHit> FaultTable::Take(absl::string_view method, absl::string_view path,
                                         absl::string_view customer_id) {
  for (auto it = entries_.begin(); it != entries_.end(); ++it) {
    const FaultSpec& spec = it->spec;
    if (spec.method && !absl::EqualsIgnoreCase(*spec.method, method)) continue;
    if (spec.path_contains && !absl::StrContains(path, *spec.path_contains)) continue;
    if (spec.customer_id && *spec.customer_id != customer_id) continue;
    FaultHit hit{it->id, spec};
    ++it->hits;
    if (it->spec.times > 0 && --it->spec.times == 0) entries_.erase(it);
    return hit;
  }
  return std::nullopt;
}

size_t FaultTable::Clear() {
  const size_t cleared = entries_.size();
  entries_.clear();
  return cleared;
}

std::string FaultTable::ToJson() const {
  rapidjson::StringBuffer buffer;
  JsonWriter w(buffer);
  w.StartArray();
  for (const Entry& entry : entries_) {
    const FaultSpec& spec = entry.spec;
    w.StartObject();
    KeyInt(w, "id", entry.id);
    if (spec.method) KeyStr(w, "method", *spec.method);
    if (spec.path_contains) KeyStr(w, "path_contains", *spec.path_contains);
    if (spec.customer_id) KeyStr(w, "customer_id", *spec.customer_id);
    KeyInt(w, "times", spec.times);
    KeyStr(w, "action", NameOf(spec.action));
    if (spec.action == FaultAction::kRespond || spec.action == FaultAction::kTruncate) {
      KeyInt(w, "http_status", spec.http_status);
      KeyStrObject(w, "headers", spec.headers);
      KeyStr(w, "body", spec.body);
    }
    KeyInt(w, "delay_ms", spec.delay_ms);
    KeyInt(w, "hits", entry.hits);
    w.EndObject();
  }
  w.EndArray();
  return std::string(buffer.GetString(), buffer.GetSize());  // Bodies may hold NULs.
}

}  // namespace eko::sim
