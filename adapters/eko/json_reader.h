#ifndef EKO_ADAPTERS_EKO_JSON_READER_H_
#define EKO_ADAPTERS_EKO_JSON_READER_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "google/type/money.pb.h"
#include "rapidjson/document.h"

// Checked, lenient accessors over untrusted JSON from Eko.
//
// Documents are parsed with numbers kept as their source text, so nothing
// goes through floating point and "25000.50" and 25000.50 read the same.
// Every accessor returns:
//   - nullopt when the member is absent, null, or an empty string;
//   - an error (INTERNAL, naming the member) when it has the wrong type or
//     cannot be converted;
//   - the value otherwise (strings with malformed UTF-8 replaced by U+FFFD).
namespace eko::adapter::json {

// Largest nesting of arrays/objects accepted; deeper documents are rejected
// before parsing so hostile input cannot exhaust the stack.
inline constexpr int kMaxDepth = 64;

// Parses `text` into `doc`; the root must be an object.
absl::Status ParseObject(std::string_view text, rapidjson::Document* doc);

absl::StatusOr<std::optional<int64_t>> Int(const rapidjson::Value& object, const char* key);
absl::StatusOr<std::optional<std::string>> String(const rapidjson::Value& object, const char* key);
absl::StatusOr<std::optional<google::type::Money>> Money(const rapidjson::Value& object,
                                                         const char* key);
// Returns the member if it is an object; nullopt if absent or null; an error
// for any other type.
absl::StatusOr<const rapidjson::Value*> Object(const rapidjson::Value& object, const char* key);

// Parses decimal text such as "25000.50", "-1.5" or "7" into INR money without
// floating point. At most 9 fractional digits; no exponent.
absl::StatusOr<google::type::Money> ParseInrAmount(std::string_view text);

// Parses an optionally signed decimal integer that fits in int64.
std::optional<int64_t> ParseInt(std::string_view text);

}  // namespace eko::adapter::json

#endif  // EKO_ADAPTERS_EKO_JSON_READER_H_
