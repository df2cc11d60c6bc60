#ifndef EKO_TESTS_INTEGRATION_PROCESS_STATS_H_
#define EKO_TESTS_INTEGRATION_PROCESS_STATS_H_

#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>

namespace eko::testing {

// Whether resident sizes say anything about the code: not under ASan, whose
// allocator keeps freed memory in quarantine and ignores malloc_trim.
#ifdef EKO_SANITIZED
inline constexpr bool kResidentMemoryIsMeaningful = false;
#else
inline constexpr bool kResidentMemoryIsMeaningful = true;
#endif

// What a running process holds, read from /proc: open file descriptors and
// resident memory. -1 when /proc cannot be read (the process is gone).
struct ProcessStats {
  int64_t open_fds = -1;
  int64_t rss_kib = -1;

  static ProcessStats Of(pid_t pid) {
    ProcessStats stats;
    const std::filesystem::path proc = std::filesystem::path("/proc") / std::to_string(pid);
    std::error_code error;
    int64_t fds = 0;
    for (std::filesystem::directory_iterator it(proc / "fd", error), end; !error && it != end;
         it.increment(error)) {
      ++fds;
    }
    if (!error) stats.open_fds = fds;
    std::ifstream status(proc / "status");
    for (std::string line; std::getline(status, line);) {
      if (line.rfind("VmRSS:", 0) == 0) stats.rss_kib = std::stoll(line.substr(6));
    }
    return stats;
  }
};

}  // namespace eko::testing

#endif  // EKO_TESTS_INTEGRATION_PROCESS_STATS_H_
