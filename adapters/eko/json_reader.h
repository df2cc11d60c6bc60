#ifndef EKO_ADAPTERS_EKO_JSON_READER_H_
#define EKO_ADAPTERS_EKO_JSON_READER_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

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

// Lenient readers for optional fields, which Eko types loosely. Each returns
// the value, or nullopt when the member is absent, null or an empty string;
// when the member is present but unusable (wrong type, not convertible) it
// appends `path` (the member's JSON path from the envelope root, such as
// "data.customer_profile.balance") to *ignored and returns nullopt.
using IgnoredFields = std::vector<std::string>;

std::optional<std::string> OptionalString(const rapidjson::Value& object, const char* key,
                                          std::string_view path, IgnoredFields* ignored);
std::optional<int64_t> OptionalInt(const rapidjson::Value& object, const char* key,
                                   std::string_view path, IgnoredFields* ignored);
// As OptionalInt, and the value must fit in int32.
std::optional<int32_t> OptionalInt32(const rapidjson::Value& object, const char* key,
                                     std::string_view path, IgnoredFields* ignored);
std::optional<google::type::Money> OptionalMoney(const rapidjson::Value& object, const char* key,
                                                 std::string_view path, IgnoredFields* ignored);
// JSON true/false, 1/0 (number or string), "true"/"false" in any case.
std::optional<bool> OptionalBool(const rapidjson::Value& object, const char* key,
                                 std::string_view path, IgnoredFields* ignored);
// The member if it is an object; nullptr when absent, null, or (recorded as
// ignored) of another type.
const rapidjson::Value* OptionalObject(const rapidjson::Value& object, const char* key,
                                       std::string_view path, IgnoredFields* ignored);
// The member if it is an array; otherwise as OptionalObject.
const rapidjson::Value* OptionalArray(const rapidjson::Value& object, const char* key,
                                      std::string_view path, IgnoredFields* ignored);

// Parses decimal text such as "25000.50", "-1.5", "7" or "2,50,000.00" into
// INR money without floating point. At most 9 fractional digits; no
// exponent. Commas may group the whole part's digits (Indian or Western
// grouping: groups of two or three digits after the first, the last group
// three digits); any other comma makes the text invalid.
absl::StatusOr<google::type::Money> ParseInrAmount(std::string_view text);

// Parses an optionally signed decimal integer that fits in int64.
std::optional<int64_t> ParseInt(std::string_view text);

}  // namespace eko::adapter::json

#endif  // EKO_ADAPTERS_EKO_JSON_READER_H_
