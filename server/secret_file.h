#ifndef EKO_SERVER_SECRET_FILE_H_
#define EKO_SERVER_SECRET_FILE_H_

#include <cstddef>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace eko::server {

// Reads a whole file that holds secrets (keys, tokens, certificates) with
// plain read(2), so no stdio buffer keeps a copy; a partial read is wiped
// before it is dropped. INVALID_ARGUMENT, as `<what> "<path>": <problem>`,
// when the file cannot be opened, is not a regular file, is larger than
// `max_bytes` or cannot be read whole. The message never holds the contents.
absl::StatusOr<std::string> ReadSecretFile(std::string_view what, const std::string& path,
                                           size_t max_bytes);

}  // namespace eko::server

#endif  // EKO_SERVER_SECRET_FILE_H_
