#ifndef EKO_ADAPTERS_COMMON_STRINGS_H_
#define EKO_ADAPTERS_COMMON_STRINGS_H_

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "absl/strings/string_view.h"

// Debian builds abseil with its own string_view (ABSL_OPTION_USE_STD_STRING_VIEW
// is 0), so absl::string_view and std::string_view are different types here.
// The project's interfaces use std::string_view; these convert at the seams.
namespace eko {

inline std::string_view ToStd(absl::string_view text) { return {text.data(), text.size()}; }
inline absl::string_view ToAbsl(std::string_view text) { return {text.data(), text.size()}; }

// `text` with every byte that is not part of a well-formed UTF-8 sequence
// replaced by U+FFFD, so it can go into protobuf string fields.
std::string SanitizeUtf8(std::string_view text);

// At most `max_bytes` of valid UTF-8 `text`, cut only at a character boundary.
std::string_view TruncateUtf8(std::string_view text, size_t max_bytes);

// One value of an enum and its name: a row of the table that names an enum's
// values for both printing and parsing.
template <typename Enum>
struct NamedValue {
  Enum value;
  std::string_view name;
};

// The name `table` gives `value`; `fallback` when it has none.
template <typename Enum, size_t N>
constexpr std::string_view NameOf(const NamedValue<Enum> (&table)[N], Enum value,
                                  std::string_view fallback = {}) {
  for (const NamedValue<Enum>& row : table) {
    if (row.value == value) return row.name;
  }
  return fallback;
}

// The value `table` names `name` (case-sensitive); nullopt when none has it.
template <typename Enum, size_t N>
constexpr std::optional<Enum> ValueNamed(const NamedValue<Enum> (&table)[N],
                                         std::string_view name) {
  for (const NamedValue<Enum>& row : table) {
    if (row.name == name) return row.value;
  }
  return std::nullopt;
}

}  // namespace eko

#endif  // EKO_ADAPTERS_COMMON_STRINGS_H_
