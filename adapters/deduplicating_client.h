#ifndef EKO_ADAPTERS_DEDUPLICATING_CLIENT_H_
#define EKO_ADAPTERS_DEDUPLICATING_CLIENT_H_

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>

#include "absl/functional/any_invocable.h"
#include "absl/status/statusor.h"
#include "adapters/common/clock.h"
#include "adapters/common/serial_executor.h"
#include "adapters/duplicate_store.h"
#include "adapters/eko/classifier.h"
#include "adapters/eko/rpc_traits.h"
#include "adapters/upstream_client.h"

namespace eko::adapter {

// A decorator that suppresses repeated calls with a caller-given
// client_ref_id, keyed by caller (CallOptions::caller), RPC and
// client_ref_id in a DuplicateStore:
// - the first call goes to the client it wraps, and its outcome goes to the
//   store;
// - a repeat of the same request joins the first call while that is in
//   flight, or gets its stored result; either way it makes no upstream call
//   and its CallSummary says `replayed`;
// - a different request under a used key is refused at once with
//   INVALID_ARGUMENT / CLIENT_REF_ID_REUSED.
// RPCs without a client_ref_id, and requests that leave it empty, pass
// through untouched. Joined and replayed calls complete on a thread of this
// client's, never inside the method; cancelling one completes it at once
// with CANCELLED. Thread-safe. Destroy it only when no call is in flight.
class DeduplicatingClient final : public UpstreamClient {
 public:
  // `store`, `inner` and `clock` must outlive this client.
  DeduplicatingClient(DuplicateStore* store, UpstreamClient* inner,
                      const Clock& clock = Clock::Real());

  EKO_ONBOARDING_RPCS(EKO_UPSTREAM_CALL_VIA_START_CALL)

  void Cancel(uint64_t call_id) override;

  // Repeats (joined or replayed calls) not yet completed.
  size_t pending_repeats() const;

 private:
  // Ids of calls answered here have this bit set; the inner client's never
  // do (see UpstreamClient).
  static constexpr uint64_t kAnsweredHere = uint64_t{1} << 63;
  // Completes a call answered here: with the first call's outcome, or with
  // CANCELLED when given none.
  using Answer = absl::AnyInvocable<void(const DuplicateStore::Outcome*) &&>;

  template <typename Request, typename Response>
  absl::StatusOr<uint64_t> StartCall(const Request& request, const CallOptions& options,
                                     UpstreamDone<Response> done);
  template <typename Request, typename Response>
  absl::StatusOr<uint64_t> Deduplicate(const Request& request, const CallOptions& options,
                                       UpstreamDone<Response> done);

  // Registers a call answered here and returns its id.
  uint64_t AddAnswer(Answer answer);
  // Removes and returns the answer of `id`; empty when already completed.
  Answer TakeAnswer(uint64_t id);
  // The waiter handed to the store for call `id`: completes it from the
  // executor, never on the thread that runs the waiter.
  DuplicateStore::Waiter AnswerLater(uint64_t id);

  DuplicateStore* const store_;
  UpstreamClient* const inner_;
  const Clock& clock_;
  mutable std::mutex mu_;
  uint64_t next_id_ = 0;
  std::unordered_map<uint64_t, Answer> answers_;
  SerialExecutor executor_;  // last: drained before the members above go
};

// Fingerprint of a request: SHA-256 of its serialized bytes.
std::string RequestFingerprint(const std::string& serialized_request);

// The store key of a call: caller, RPC and client_ref_id. Distinct triples
// give distinct keys.
std::string DuplicateKey(std::string_view caller, Rpc rpc, std::string_view client_ref_id);

template <typename Request, typename Response>
absl::StatusOr<uint64_t> DeduplicatingClient::StartCall(const Request& request,
                                                        const CallOptions& options,
                                                        UpstreamDone<Response> done) {
  if constexpr (RpcTraits<Request>::kHasClientRefId) {
    if (!request.client_ref_id().empty()) return Deduplicate(request, options, std::move(done));
  }
  return CallUpstream(*inner_, request, options, std::move(done));
}

template <typename Request, typename Response>
absl::StatusOr<uint64_t> DeduplicatingClient::Deduplicate(const Request& request,
                                                          const CallOptions& options,
                                                          UpstreamDone<Response> done) {
  constexpr Rpc kRpc = RpcTraits<Request>::kRpc;
  // `done` goes to the answer of a joined call or to the inner call.
  auto pending = std::make_shared<UpstreamDone<Response>>(std::move(done));
  // Registered before Begin, which may hand over the first call's outcome
  // before it returns.
  const uint64_t id = AddAnswer(
      [pending, client_ref_id = request.client_ref_id()](const DuplicateStore::Outcome* first) {
        CallSummary summary;
        if (first == nullptr) {
          summary.outcome = UpstreamOutcome::kCancelled;
          summary.client_ref_id = client_ref_id;
          std::move (*pending)(GatewayError(ErrorId::kCancelled, kRpc, {}), summary);
          return;
        }
        summary.client_ref_id = first->client_ref_id;
        summary.replayed = true;
        if (!first->status.ok()) {
          std::move (*pending)(first->status, summary);
          return;
        }
        Response response;
        response.ParseFromString(first->response);
        std::move (*pending)(std::move(response), summary);
      });
  const std::string key = DuplicateKey(options.caller, kRpc, request.client_ref_id());
  switch (store_->Begin(key, RequestFingerprint(request.SerializeAsString()), clock_.Now(),
                        AnswerLater(id))) {
    case DuplicateStore::Decision::kJoined:
      return id;
    case DuplicateStore::Decision::kConflict:
      TakeAnswer(id);
      return GatewayError(ErrorId::kClientRefIdReused, kRpc, {});
    case DuplicateStore::Decision::kProceed:
      break;
  }
  TakeAnswer(id);
  absl::StatusOr<uint64_t> started =
      CallUpstream(*inner_, request, options,
                   [this, key, done = std::move(*pending)](absl::StatusOr<Response> result,
                                                           const CallSummary& summary) mutable {
                     DuplicateStore::Outcome outcome{result.status(), "", summary.client_ref_id};
                     if (result.ok()) outcome.response = result->SerializeAsString();
                     store_->Finish(key, outcome, clock_.Now());
                     std::move(done)(std::move(result), summary);
                   });
  // Refused by the inner client (its `done` never runs): repeats may retry.
  if (!started.ok()) store_->Finish(key, {started.status(), "", ""}, clock_.Now());
  return started;
}

}  // namespace eko::adapter

#endif  // EKO_ADAPTERS_DEDUPLICATING_CLIENT_H_
