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
  Answer answer = TakeAnswer(call_id);
  if (answer == nullptr) return;  // already answered
  executor_.Post([answer = std::move(answer)]() mutable { std::move(answer)(nullptr); });
}

size_t DeduplicatingClient::pending_repeats() const {
  std::lock_guard<std::mutex> lock(mu_);
  return answers_.size();
}

uint64_t DeduplicatingClient::AddAnswer(Answer answer) {
  std::lock_guard<std::mutex> lock(mu_);
  const uint64_t id = kAnsweredHere | ++next_id_;
  answers_.emplace(id, std::move(answer));
  return id;
}

DeduplicatingClient::Answer DeduplicatingClient::TakeAnswer(uint64_t id) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = answers_.find(id);
  if (it == answers_.end()) return nullptr;
  Answer answer = std::move(it->second);
  answers_.erase(it);
  return answer;
}

DuplicateStore::Waiter DeduplicatingClient::AnswerLater(uint64_t id) {
  return [this, id](const DuplicateStore::Outcome& first) {
    executor_.Post([this, id, first] {
      if (Answer answer = TakeAnswer(id); answer != nullptr) std::move(answer)(&first);
    });
  };
}

std::string RequestFingerprint(const std::string& serialized_request) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(serialized_request.data(), serialized_request.size(), digest, &length, EVP_sha256(),
             nullptr);
  return std::string(reinterpret_cast<const char*>(digest), length);
}

std::string DuplicateKey(std::string_view caller, Rpc rpc, std::string_view client_ref_id) {
  // The caller is length-prefixed: whatever bytes it holds, it cannot run
  // into the RPC name.
  std::string key = std::to_string(caller.size());
  key.push_back(':');
  key.append(caller);
  key.push_back('\x1f');
  key.append(RpcName(rpc));
  key.push_back('\x1f');
  key.append(client_ref_id);
  return key;
}

}  // namespace eko::adapter
