#ifndef EKO_ADAPTERS_TESTING_COMPLETIONS_TEST_UTIL_H_
#define EKO_ADAPTERS_TESTING_COMPLETIONS_TEST_UTIL_H_

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "adapters/upstream_client.h"

namespace eko::adapter {

// What one call's `done` received.
struct Completion {
  absl::Status status;
  std::string response;  // serialized, when OK
  std::string message;   // the response's upstream().message(), when OK
  CallSummary summary;
  std::thread::id thread;
};

// Records the completions of calls to an UpstreamClient decorator, in the
// order they run, for tests to wait on. Thread-safe.
class Completions {
 public:
  // A `done` that records its completion here.
  template <typename Response>
  UpstreamDone<Response> Record() {
    return [this](absl::StatusOr<Response> result, const CallSummary& summary) {
      std::lock_guard<std::mutex> lock(mu_);
      Completion& seen = seen_.emplace_back();
      seen.status = result.status();
      if (result.ok()) {
        seen.response = result->SerializeAsString();
        seen.message = result->upstream().message();
      }
      seen.summary = summary;
      seen.thread = std::this_thread::get_id();
      cv_.notify_all();
    };
  }
  // The completions, once there are at least `n` (empty after 5 s without).
  std::vector<Completion> WaitFor(size_t n) {
    std::unique_lock<std::mutex> lock(mu_);
    if (!cv_.wait_for(lock, std::chrono::seconds(5), [&] { return seen_.size() >= n; })) return {};
    return seen_;
  }
  size_t count() {
    std::lock_guard<std::mutex> lock(mu_);
    return seen_.size();
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<Completion> seen_;
};

}  // namespace eko::adapter

#endif  // EKO_ADAPTERS_TESTING_COMPLETIONS_TEST_UTIL_H_
