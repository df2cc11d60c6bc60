#include "adapters/deduplicating_client.h"

#include <openssl/evp.h>

#include <string>

namespace eko::adapter {

DeduplicatingClient::DeduplicatingClient(DuplicateStore* store, UpstreamClient* inner,
                                         const Clock& clock)
    : store_(store), inner_(inner), clock_(clock) {}

void DeduplicatingClient::Cancel(uint64_t call_id) {
  if ((call_id & kAnsweredHere) == 0) {
    inner_->Cancel(call_id);
    return;
  }
  if (Answer answer = TakeAnswer(call_id); answer != nullptr) {
    executor_.Post([answer = std::move(answer)]() mutable { std::move(answer)(nullptr); });
    return;
  }
  // Answered, or sent upstream by an answer: the executor has run it (or
  // is running it) before this task, so forwarded_ knows the inner id.
  executor_.Post([this, call_id] {
    uint64_t inner_id = 0;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (auto it = forwarded_.find(call_id); it != forwarded_.end()) inner_id = it->second;
    }
    if (inner_id != 0) inner_->Cancel(inner_id);
  });
}

size_t DeduplicatingClient::pending_repeats() const {
  std::lock_guard<std::mutex> lock(mu_);
  return answers_.size();
}

uint64_t DeduplicatingClient::NextId() {
  std::lock_guard<std::mutex> lock(mu_);
  return kAnsweredHere | ++next_id_;
}

void DeduplicatingClient::AddAnswer(uint64_t id, Answer answer) {
  std::lock_guard<std::mutex> lock(mu_);
  answers_.emplace(id, std::move(answer));
}

DeduplicatingClient::Answer DeduplicatingClient::TakeAnswer(uint64_t id) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = answers_.find(id);
  if (it == answers_.end()) return nullptr;
  Answer answer = std::move(it->second);
  answers_.erase(it);
  return answer;
}

void DeduplicatingClient::AnswerLater(uint64_t id, const std::string& key, Verdict verdict) {
  executor_.Post([this, id, key, verdict = std::move(verdict)] {
    if (Answer answer = TakeAnswer(id); answer != nullptr) {
      std::move(answer)(&verdict);
    } else if (verdict.kind == Verdict::Kind::kProceed && verdict.tracked) {
      // Cancelled before the store let it go first: release the key.
      store_->Finish(key, {absl::CancelledError("cancelled before it was sent"), "", ""},
                     clock_.Now());
    }
  });
}

void DeduplicatingClient::Forwarded(uint64_t id, uint64_t inner_id) {
  std::lock_guard<std::mutex> lock(mu_);
  if (inner_id == 0) {
    forwarded_[id] = 0;
  } else if (auto it = forwarded_.find(id); it != forwarded_.end()) {
    it->second = inner_id;  // unless the call has already completed
  }
}

void DeduplicatingClient::Forgotten(uint64_t id) {
  std::lock_guard<std::mutex> lock(mu_);
  forwarded_.erase(id);
}

DuplicateStore::Outcome OutcomeForRepeats(Rpc rpc, const absl::Status& status, std::string response,
                                          const CallSummary& summary) {
  const bool ended_by_caller =
      summary.outcome == UpstreamOutcome::kCancelled ||
      (summary.outcome == UpstreamOutcome::kTimedOut && summary.deadline_was_callers);
  if (ended_by_caller) {
    return {GatewayError(ErrorId::kClientRefIdOutcomeUnknown, rpc, {}), "", summary.client_ref_id};
  }
  return {status, std::move(response), summary.client_ref_id};
}

std::string RequestFingerprint(const std::string& serialized_request) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(serialized_request.data(), serialized_request.size(), digest, &length, EVP_sha256(),
             nullptr);
  return std::string(reinterpret_cast<const char*>(digest), length);
}

}  // namespace eko::adapter
