#ifndef EKO_ADAPTERS_TESTING_FAKE_UPSTREAM_CLIENT_H_
#define EKO_ADAPTERS_TESTING_FAKE_UPSTREAM_CLIENT_H_

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/functional/any_invocable.h"
#include "absl/status/status.h"
#include "adapters/eko/rpc_traits.h"
#include "adapters/upstream_client.h"

namespace eko::adapter {

// An UpstreamClient for tests. It answers every call on a thread of its own
// (never inside the call, as the interface requires), or holds it until the
// test finishes, releases or cancels it; it records what it was asked.
// Thread-safe. Ids count from 1.
class FakeUpstreamClient final : public UpstreamClient {
 public:
  ~FakeUpstreamClient() override {
    std::lock_guard<std::mutex> lock(threads_mu_);
    for (std::thread& t : threads_) t.join();
  }

  EKO_ONBOARDING_RPCS(EKO_UPSTREAM_CALL_VIA_START_CALL)

  // Calls from now on are held until Finish(), Release() or Cancel().
  void Hold() {
    std::lock_guard<std::mutex> lock(mu_);
    hold_ = true;
  }
  // Calls from now on are refused with `status` (their `done` never runs).
  void Refuse(absl::Status status) {
    std::lock_guard<std::mutex> lock(mu_);
    refusal_ = std::move(status);
  }
  // Calls from now on complete with `status`; a non-empty `client_ref_id`
  // replaces the request's in their CallSummary.
  void FailWith(absl::Status status, std::string client_ref_id = "") {
    std::lock_guard<std::mutex> lock(mu_);
    failure_ = std::move(status);
    summary_ref_ = std::move(client_ref_id);
  }
  // The `upstream.message` of OK answers completed from now on.
  void Answer(std::string message) {
    std::lock_guard<std::mutex> lock(mu_);
    message_ = std::move(message);
  }

  // Completes held call `id` with `status` and waits until its `done` ran.
  void Finish(uint64_t id, absl::Status status) {
    Complete complete;
    {
      std::lock_guard<std::mutex> lock(mu_);
      complete = std::move(held_.at(id));
      held_.erase(id);
    }
    std::thread([&] { std::move(complete)(status); }).join();
  }
  // Completes every held call OK and waits until their `done` ran.
  void Release() {
    std::map<uint64_t, Complete> held;
    {
      std::lock_guard<std::mutex> lock(mu_);
      held.swap(held_);
    }
    for (auto& entry : held) {
      Complete& complete = entry.second;
      std::thread([&] { std::move(complete)(absl::OkStatus()); }).join();
    }
  }

  // Records the cancel; a held call completes with CANCELLED.
  void Cancel(uint64_t call_id) override {
    Complete complete;
    {
      std::lock_guard<std::mutex> lock(mu_);
      cancelled_.push_back(call_id);
      auto it = held_.find(call_id);
      if (it != held_.end()) {
        complete = std::move(it->second);
        held_.erase(it);
      }
    }
    cv_.notify_all();
    if (complete != nullptr) RunLater(std::move(complete), absl::CancelledError("cancelled"));
  }

  // Calls made, refused ones included.
  int calls() const {
    std::lock_guard<std::mutex> lock(mu_);
    return static_cast<int>(rpcs_.size());
  }
  // Their RPC names, in order.
  std::vector<std::string> rpcs() const {
    std::lock_guard<std::mutex> lock(mu_);
    return rpcs_;
  }
  CallOptions last_options() const {
    std::lock_guard<std::mutex> lock(mu_);
    return last_options_;
  }
  std::vector<uint64_t> cancelled() const {
    std::lock_guard<std::mutex> lock(mu_);
    return cancelled_;
  }
  // Waits (up to 5 s) until `n` calls are held.
  bool WaitForHeld(size_t n) {
    std::unique_lock<std::mutex> lock(mu_);
    return cv_.wait_for(lock, std::chrono::seconds(5), [&] { return held_.size() >= n; });
  }
  // Waits (up to 5 s) for a Cancel.
  bool WaitForCancel() {
    std::unique_lock<std::mutex> lock(mu_);
    return cv_.wait_for(lock, std::chrono::seconds(5), [&] { return !cancelled_.empty(); });
  }

 private:
  using Complete = absl::AnyInvocable<void(absl::Status) &&>;

  template <typename Request, typename Response>
  absl::StatusOr<uint64_t> StartCall(const Request& request, const CallOptions& options,
                                     UpstreamDone<Response> done) {
    std::unique_lock<std::mutex> lock(mu_);
    rpcs_.emplace_back(RpcName(RpcTraits<Request>::kRpc));
    last_options_ = options;
    if (!refusal_.ok()) return refusal_;
    CallSummary summary;
    summary.outcome = UpstreamOutcome::kAnswered;
    summary.attempts = 1;
    summary.client_ref_id = summary_ref_;
    if constexpr (RpcTraits<Request>::kHasClientRefId) {
      if (summary.client_ref_id.empty()) summary.client_ref_id = request.client_ref_id();
    }
    const uint64_t id = ++next_id_;
    Complete complete = [this, summary, done = std::move(done)](absl::Status status) mutable {
      if (status.code() == absl::StatusCode::kCancelled) {
        summary.outcome = UpstreamOutcome::kCancelled;
      }
      if (!status.ok()) {
        std::move(done)(status, summary);
        return;
      }
      Response response;
      response.set_next_step(onboarding::v1::NEXT_STEP_COMPLETE);
      response.mutable_upstream()->set_message(message());
      std::move(done)(std::move(response), summary);
    };
    if (hold_) {
      held_.emplace(id, std::move(complete));
      lock.unlock();
      cv_.notify_all();
      return id;
    }
    const absl::Status outcome = failure_;
    lock.unlock();
    RunLater(std::move(complete), outcome);
    return id;
  }

  std::string message() const {
    std::lock_guard<std::mutex> lock(mu_);
    return message_;
  }

  void RunLater(Complete complete, absl::Status status) {
    std::lock_guard<std::mutex> lock(threads_mu_);
    threads_.emplace_back(
        [complete = std::move(complete), status]() mutable { std::move(complete)(status); });
  }

  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool hold_ = false;
  absl::Status refusal_;
  absl::Status failure_;
  std::string summary_ref_;
  std::string message_ = "answered";
  uint64_t next_id_ = 0;
  std::vector<std::string> rpcs_;
  CallOptions last_options_;
  std::vector<uint64_t> cancelled_;
  std::map<uint64_t, Complete> held_;
  std::mutex threads_mu_;
  std::vector<std::thread> threads_;
};

}  // namespace eko::adapter

#endif  // EKO_ADAPTERS_TESTING_FAKE_UPSTREAM_CLIENT_H_
