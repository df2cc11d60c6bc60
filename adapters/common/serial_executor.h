#ifndef EKO_ADAPTERS_COMMON_SERIAL_EXECUTOR_H_
#define EKO_ADAPTERS_COMMON_SERIAL_EXECUTOR_H_

#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

#include "absl/functional/any_invocable.h"

namespace eko {

// Runs posted tasks one at a time, in order, on a thread of its own: for
// completions that must not run on the thread that triggers them.
// Destruction runs the tasks still queued, then joins the thread.
class SerialExecutor {
 public:
  SerialExecutor();
  ~SerialExecutor();
  SerialExecutor(const SerialExecutor&) = delete;
  SerialExecutor& operator=(const SerialExecutor&) = delete;

  // Thread-safe; never runs `task` inside the call.
  void Post(absl::AnyInvocable<void() &&> task);

 private:
  void Run();

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<absl::AnyInvocable<void() &&>> tasks_;
  bool stopping_ = false;
  std::thread thread_;  // last: starts once the rest is initialised
};

}  // namespace eko

#endif  // EKO_ADAPTERS_COMMON_SERIAL_EXECUTOR_H_
