#include "server/secret_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "adapters/common/strings.h"
#include "openssl/crypto.h"

namespace eko::server {

absl::StatusOr<std::string> ReadSecretFile(std::string_view what, const std::string& path,
                                           size_t max_bytes) {
  const auto error = [&](std::string_view problem) {
    return absl::InvalidArgumentError(
        absl::StrCat(ToAbsl(what), " \"", path, "\": ", ToAbsl(problem)));
  };
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return error(absl::StrCat("cannot open: ", std::strerror(errno)));
  std::string contents;
  absl::Status status;
  struct stat info;
  if (::fstat(fd, &info) != 0) {
    status = error(absl::StrCat("cannot stat: ", std::strerror(errno)));
  } else if (!S_ISREG(info.st_mode)) {
    status = error("not a regular file");
  } else if (static_cast<size_t>(info.st_size) > max_bytes) {
    status = error(absl::StrCat("larger than ", max_bytes, " bytes"));
  } else {
    contents.resize(static_cast<size_t>(info.st_size));
    size_t done = 0;
    while (done < contents.size()) {
      const ssize_t n = ::read(fd, contents.data() + done, contents.size() - done);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      done += static_cast<size_t>(n);
    }
    if (done != contents.size()) status = error("cannot read the whole file");
  }
  ::close(fd);
  if (!status.ok()) {
    if (!contents.empty()) OPENSSL_cleanse(contents.data(), contents.size());
    return status;
  }
  return contents;
}

}  // namespace eko::server
