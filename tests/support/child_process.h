#ifndef EKO_TESTS_SUPPORT_CHILD_PROCESS_H_
#define EKO_TESTS_SUPPORT_CHILD_PROCESS_H_

#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace eko::testing {

// A program started for a test: stdout is read line by line, stderr goes to
// a log file that tests may inspect. The destructor sends SIGTERM and reaps.
class ChildProcess {
 public:
  // Starts `argv[0]` with `argv` and the current environment, where `env`
  // ("NAME=value" entries) adds or replaces variables; a positive `open_file_limit` becomes the
  // child's RLIMIT_NOFILE (soft and hard). Returns nullopt if the program cannot be started.
  static std::optional<ChildProcess> Start(const std::vector<std::string>& argv,
                                           const std::vector<std::string>& env = {},
                                           int open_file_limit = 0);

  ChildProcess(ChildProcess&& other) noexcept;
  ChildProcess& operator=(ChildProcess&&) = delete;
  ~ChildProcess();

  // Reads stdout until a line starting with `prefix` arrives; returns the rest
  // of that line, or nullopt on EOF or timeout.
  std::optional<std::string> WaitForLine(const std::string& prefix,
                                         std::chrono::milliseconds timeout);

  // Sends `signal` and waits for the exit; returns the exit code, or 128 +
  // signal number when killed by a signal, or -1 on timeout.
  int Stop(int signal, std::chrono::milliseconds timeout);

  // Waits for a normal exit (no signal sent); same return values as Stop.
  int Wait(std::chrono::milliseconds timeout);

  pid_t pid() const { return pid_; }
  const std::string& stderr_path() const { return stderr_path_; }
  // Everything written to stderr so far.
  std::string StderrText() const;

 private:
  ChildProcess(pid_t pid, int stdout_fd, std::string stderr_path);

  pid_t pid_ = -1;
  int stdout_fd_ = -1;
  std::string stderr_path_;
  std::string buffered_;
  bool exited_ = false;
  int exit_code_ = -1;
};

}  // namespace eko::testing

#endif  // EKO_TESTS_SUPPORT_CHILD_PROCESS_H_
