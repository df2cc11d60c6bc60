#ifndef EKO_ADAPTERS_COMMON_STRINGS_H_
#define EKO_ADAPTERS_COMMON_STRINGS_H_

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

}  // namespace eko

#endif  // EKO_ADAPTERS_COMMON_STRINGS_H_
