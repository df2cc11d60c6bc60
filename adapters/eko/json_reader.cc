#include "adapters/eko/json_reader.h"

#include <limits>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "adapters/common/strings.h"
#include "rapidjson/error/en.h"

namespace eko::adapter::json {
namespace {

constexpr unsigned kParseFlags =
    rapidjson::kParseNumbersAsStringsFlag | rapidjson::kParseIterativeFlag;

absl::Status WrongType(const char* key, const char* expected) {
  return absl::InternalError(absl::StrCat("field '", key, "' is not ", expected));
}

// Returns false when arrays/objects nest deeper than kMaxDepth outside strings.
bool DepthWithinLimit(std::string_view text) {
  int depth = 0;
  bool in_string = false;
  bool escaped = false;
  for (const char c : text) {
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      if (++depth > kMaxDepth) return false;
    } else if (c == '}' || c == ']') {
      --depth;
    }
  }
  return true;
}

const rapidjson::Value* Member(const rapidjson::Value& object, const char* key) {
  if (!object.IsObject()) return nullptr;
  auto it = object.FindMember(key);
  if (it == object.MemberEnd() || it->value.IsNull()) return nullptr;
  return &it->value;
}

std::string_view Text(const rapidjson::Value& v) {
  return std::string_view(v.GetString(), v.GetStringLength());
}

}  // namespace

absl::Status ParseObject(std::string_view text, rapidjson::Document* doc) {
  if (!DepthWithinLimit(text)) {
    return absl::InternalError(absl::StrCat("JSON nests deeper than ", kMaxDepth, " levels"));
  }
  doc->Parse<kParseFlags>(text.data(), text.size());
  if (doc->HasParseError()) {
    return absl::InternalError(absl::StrCat("body is not valid JSON (",
                                            rapidjson::GetParseError_En(doc->GetParseError()),
                                            " at offset ", doc->GetErrorOffset(), ")"));
  }
  if (!doc->IsObject()) return absl::InternalError("JSON body is not an object");
  return absl::OkStatus();
}

std::optional<int64_t> ParseInt(std::string_view text) {
  if (text.empty()) return std::nullopt;
  bool negative = false;
  size_t i = 0;
  if (text[0] == '-' || text[0] == '+') {
    negative = text[0] == '-';
    i = 1;
  }
  if (i == text.size()) return std::nullopt;
  uint64_t magnitude = 0;
  const uint64_t limit =
      negative ? uint64_t{1} << 63 : static_cast<uint64_t>(std::numeric_limits<int64_t>::max());
  for (; i < text.size(); ++i) {
    const char c = text[i];
    if (c < '0' || c > '9') return std::nullopt;
    const uint64_t digit = static_cast<uint64_t>(c - '0');
    if (magnitude > (limit - digit) / 10) return std::nullopt;
    magnitude = magnitude * 10 + digit;
  }
  if (negative) {
    return magnitude == (uint64_t{1} << 63) ? std::numeric_limits<int64_t>::min()
                                            : -static_cast<int64_t>(magnitude);
  }
  return static_cast<int64_t>(magnitude);
}

namespace {

// `whole` without its digit-group commas, or nullopt when a comma is not a
// valid group separator.
std::optional<std::string> UngroupedDigits(std::string_view whole) {
  if (whole.find(',') == std::string_view::npos) return std::string(whole);
  std::string digits;
  size_t group_start = 0;
  bool first = true;
  while (true) {
    const size_t comma = whole.find(',', group_start);
    const std::string_view group =
        whole.substr(group_start, comma == std::string_view::npos ? std::string_view::npos
                                                                  : comma - group_start);
    const bool last = comma == std::string_view::npos;
    const bool size_ok =
        first ? (!group.empty() && group.size() <= 3)
              : (last ? group.size() == 3 : (group.size() == 2 || group.size() == 3));
    if (!size_ok) return std::nullopt;
    digits.append(group);
    if (last) return digits;
    first = false;
    group_start = comma + 1;
  }
}

}  // namespace

absl::StatusOr<google::type::Money> ParseInrAmount(std::string_view text) {
  const auto invalid = [&] {
    return absl::InternalError(
        absl::StrCat("'", ToAbsl(text.substr(0, 32)), "' is not a decimal amount"));
  };
  if (text.empty() || text.size() > 40) return invalid();
  bool negative = false;
  size_t i = 0;
  if (text[0] == '-' || text[0] == '+') {
    negative = text[0] == '-';
    i = 1;
  }
  const size_t dot = text.find('.', i);
  const std::optional<std::string> ungrouped = UngroupedDigits(
      text.substr(i, dot == std::string_view::npos ? std::string_view::npos : dot - i));
  if (!ungrouped) return invalid();
  const std::string_view whole = *ungrouped;
  const std::string_view fraction =
      dot == std::string_view::npos ? std::string_view() : text.substr(dot + 1);
  if (whole.empty() && fraction.empty()) return invalid();
  if (fraction.size() > 9) return invalid();
  int64_t units = 0;
  if (!whole.empty()) {
    if (whole[0] == '-' || whole[0] == '+') return invalid();
    auto parsed = ParseInt(whole);
    if (!parsed) return invalid();
    units = *parsed;
  }
  int32_t nanos = 0;
  for (size_t k = 0; k < 9; ++k) {
    int digit = 0;
    if (k < fraction.size()) {
      const char c = fraction[k];
      if (c < '0' || c > '9') return invalid();
      digit = c - '0';
    }
    nanos = nanos * 10 + digit;
  }
  google::type::Money money;
  money.set_currency_code("INR");
  money.set_units(negative ? -units : units);
  money.set_nanos(negative ? -nanos : nanos);
  return money;
}

absl::StatusOr<std::optional<int64_t>> Int(const rapidjson::Value& object, const char* key) {
  const rapidjson::Value* v = Member(object, key);
  if (v == nullptr) return std::optional<int64_t>();
  if (!v->IsString()) return WrongType(key, "an integer");
  const std::string_view text = Text(*v);
  if (text.empty()) return std::optional<int64_t>();
  auto parsed = ParseInt(text);
  if (!parsed) return WrongType(key, "an integer");
  return std::optional<int64_t>(*parsed);
}

absl::StatusOr<std::optional<std::string>> String(const rapidjson::Value& object, const char* key) {
  const rapidjson::Value* v = Member(object, key);
  if (v == nullptr) return std::optional<std::string>();
  // Numbers are held as their source text, so they read back unchanged.
  if (!v->IsString()) return WrongType(key, "a string");
  if (v->GetStringLength() == 0) return std::optional<std::string>();
  // Upstream text goes into protobuf string fields, which must be UTF-8.
  return std::optional<std::string>(SanitizeUtf8(Text(*v)));
}

absl::StatusOr<std::optional<google::type::Money>> Money(const rapidjson::Value& object,
                                                         const char* key) {
  const rapidjson::Value* v = Member(object, key);
  if (v == nullptr) return std::optional<google::type::Money>();
  if (!v->IsString()) return WrongType(key, "an amount");
  if (v->GetStringLength() == 0) return std::optional<google::type::Money>();
  auto money = ParseInrAmount(Text(*v));
  if (!money.ok()) return WrongType(key, "an amount");
  return std::optional<google::type::Money>(*std::move(money));
}

absl::StatusOr<const rapidjson::Value*> Object(const rapidjson::Value& object, const char* key) {
  const rapidjson::Value* v = Member(object, key);
  if (v == nullptr) return static_cast<const rapidjson::Value*>(nullptr);
  if (!v->IsObject()) return WrongType(key, "an object");
  return v;
}

namespace {

template <typename T>
std::optional<T> OrIgnore(absl::StatusOr<std::optional<T>> value, std::string_view path,
                          IgnoredFields* ignored) {
  if (value.ok()) return *std::move(value);
  ignored->emplace_back(path);
  return std::nullopt;
}

}  // namespace

std::optional<std::string> OptionalString(const rapidjson::Value& object, const char* key,
                                          std::string_view path, IgnoredFields* ignored) {
  return OrIgnore(String(object, key), path, ignored);
}

std::optional<int64_t> OptionalInt(const rapidjson::Value& object, const char* key,
                                   std::string_view path, IgnoredFields* ignored) {
  return OrIgnore(Int(object, key), path, ignored);
}

std::optional<int32_t> OptionalInt32(const rapidjson::Value& object, const char* key,
                                     std::string_view path, IgnoredFields* ignored) {
  const std::optional<int64_t> value = OptionalInt(object, key, path, ignored);
  if (!value) return std::nullopt;
  if (*value < std::numeric_limits<int32_t>::min() ||
      *value > std::numeric_limits<int32_t>::max()) {
    ignored->emplace_back(path);
    return std::nullopt;
  }
  return static_cast<int32_t>(*value);
}

std::optional<google::type::Money> OptionalMoney(const rapidjson::Value& object, const char* key,
                                                 std::string_view path, IgnoredFields* ignored) {
  return OrIgnore(Money(object, key), path, ignored);
}

std::optional<bool> OptionalBool(const rapidjson::Value& object, const char* key,
                                 std::string_view path, IgnoredFields* ignored) {
  const rapidjson::Value* v = Member(object, key);
  if (v == nullptr) return std::nullopt;
  if (v->IsBool()) return v->GetBool();
  if (v->IsString()) {
    const std::string text = absl::AsciiStrToLower(ToAbsl(Text(*v)));
    if (text.empty()) return std::nullopt;
    if (text == "true" || text == "1") return true;
    if (text == "false" || text == "0") return false;
  }
  ignored->emplace_back(path);
  return std::nullopt;
}

namespace {

// `object[key]` when it is of the kind `is_kind` tests for; null when absent
// or null, and when of another kind (then `path` is appended to *ignored).
const rapidjson::Value* OptionalOfKind(const rapidjson::Value& object, const char* key,
                                       std::string_view path, IgnoredFields* ignored,
                                       bool (rapidjson::Value::*is_kind)() const) {
  const rapidjson::Value* v = Member(object, key);
  if (v == nullptr) return nullptr;
  if ((v->*is_kind)()) return v;
  ignored->emplace_back(path);
  return nullptr;
}

}  // namespace

const rapidjson::Value* OptionalObject(const rapidjson::Value& object, const char* key,
                                       std::string_view path, IgnoredFields* ignored) {
  return OptionalOfKind(object, key, path, ignored, &rapidjson::Value::IsObject);
}

const rapidjson::Value* OptionalArray(const rapidjson::Value& object, const char* key,
                                      std::string_view path, IgnoredFields* ignored) {
  return OptionalOfKind(object, key, path, ignored, &rapidjson::Value::IsArray);
}

}  // namespace eko::adapter::json
