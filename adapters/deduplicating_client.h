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
#include "adapters/call_key.h"
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
// - a different request under a used key is refused with INVALID_ARGUMENT /
//   CLIENT_REF_ID_REUSED;
// - when the store cannot decide, the call fails with the store's refusal.
// A refusal the store decides at once is returned by the method; one it
// decides later (a store shared between replicas) completes the call through
// `done`, as does the inner client's refusal of a call that started then.
// RPCs without a client_ref_id, and requests that leave it empty, pass
// through untouched. Calls answered here complete on a thread of this
// client's, never inside the method; cancelling one that has not gone
// upstream completes it at once with CANCELLED. Never blocks. Thread-safe.
// Destroy it only when no call is in flight.
class DeduplicatingClient final : public UpstreamClient {
 public:
  // `store`, `inner` and `clock` must outlive this client.
  DeduplicatingClient(DuplicateStore* store, UpstreamClient* inner,
                      const Clock& clock = Clock::Real());

  EKO_ONBOARDING_RPCS(EKO_UPSTREAM_CALL_VIA_START_CALL)

  void Cancel(uint64_t call_id) override;

  // Calls answered here (repeats, and calls waiting for the store's
  // verdict) not yet completed or sent upstream.
  size_t pending_repeats() const;

 private:
  using Verdict = DuplicateStore::Verdict;
  // Ids of calls answered here have this bit set; the inner client's never
  // do (see UpstreamClient).
  static constexpr uint64_t kAnsweredHere = uint64_t{1} << 63;
  // Completes a call answered here with the store's verdict, or with
  // CANCELLED when given none.
  using Answer = absl::AnyInvocable<void(const Verdict*) &&>;

  template <typename Request, typename Response>
  absl::StatusOr<uint64_t> StartCall(const Request& request, const CallOptions& options,
                                     UpstreamDone<Response> done);
  template <typename Request, typename Response>
  absl::StatusOr<uint64_t> Deduplicate(const Request& request, const CallOptions& options,
                                       UpstreamDone<Response> done);
  // Sends the first call of `key` to the inner client; its outcome goes to
  // the store when `tracked`.
  template <typename Request, typename Response>
  absl::StatusOr<uint64_t> StartFirst(const std::string& key, bool tracked, const Request& request,
                                      const CallOptions& options, UpstreamDone<Response> done);

  // A fresh id for a call answered here.
  uint64_t NextId();
  void AddAnswer(uint64_t id, Answer answer);
  // Removes and returns the answer of `id`; empty when already completed.
  Answer TakeAnswer(uint64_t id);
  // Completes call `id` with `verdict` from the executor, never on the
  // calling thread; a first call whose caller has gone releases `key`.
  void AnswerLater(uint64_t id, const std::string& key, Verdict verdict);
  // Call `id`, decided late, goes upstream (inner_id 0, on the executor) or
  // went as `inner_id`; Cancel(id) reaches it from then until Forgotten(id).
  void Forwarded(uint64_t id, uint64_t inner_id);
  void Forgotten(uint64_t id);

  DuplicateStore* const store_;
  UpstreamClient* const inner_;
  const Clock& clock_;
  mutable std::mutex mu_;
  uint64_t next_id_ = 0;
  std::unordered_map<uint64_t, Answer> answers_;
  std::unordered_map<uint64_t, uint64_t> forwarded_;  // id -> inner id (0: starting)
  SerialExecutor executor_;                           // last: drained before the members above go
};

// What the first call of a key leaves to its repeats: its own outcome,
// except when its caller's deadline or cancellation ended it (codes about
// that caller, not about the request): then, as the request may have
// reached Eko, the error of row client-ref-id-outcome-unknown.
DuplicateStore::Outcome OutcomeForRepeats(Rpc rpc, const absl::Status& status, std::string response,
                                          const CallSummary& summary);

// Fingerprint of a request: SHA-256 of its serialized bytes.
std::string RequestFingerprint(const std::string& serialized_request);

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
  const std::string key = CallerRpcKey(options.caller, kRpc, request.client_ref_id());
  // `done` goes to the answer, or to the inner call when this is the first.
  auto pending = std::make_shared<UpstreamDone<Response>>(std::move(done));
  // Registered before Begin, whose verdict may arrive before it returns.
  const uint64_t id = NextId();
  Answer answer = [this, id, key, pending, request, options](const Verdict* verdict) {
    CallSummary summary;
    summary.client_ref_id = request.client_ref_id();
    absl::Status error;
    if (verdict == nullptr) {
      summary.outcome = UpstreamOutcome::kCancelled;
      error = GatewayError(ErrorId::kCancelled, kRpc, {});
    } else if (verdict->kind == Verdict::Kind::kProceed) {
      Forwarded(id, 0);
      absl::StatusOr<uint64_t> started =
          StartFirst(key, verdict->tracked, request, options,
                     UpstreamDone<Response>([this, id, pending](absl::StatusOr<Response> result,
                                                                const CallSummary& first) mutable {
                       Forgotten(id);
                       std::move (*pending)(std::move(result), first);
                     }));
      if (started.ok()) {
        Forwarded(id, *started);
        return;
      }
      Forgotten(id);
      error = started.status();
    } else if (verdict->kind == Verdict::Kind::kConflict) {
      error = GatewayError(ErrorId::kClientRefIdReused, kRpc, {});
    } else if (verdict->kind == Verdict::Kind::kRefused) {
      error = verdict->outcome.status;
    } else {
      const DuplicateStore::Outcome& first = verdict->outcome;
      summary.client_ref_id = first.client_ref_id;
      summary.replayed = true;
      if (!first.status.ok()) {
        std::move (*pending)(first.status, summary);
        return;
      }
      Response response;
      response.ParseFromString(first.response);
      std::move (*pending)(std::move(response), summary);
      return;
    }
    std::move (*pending)(error, summary);
  };
  AddAnswer(id, std::move(answer));
  const DuplicateStore::Claim claim{.key = key,
                                    .fingerprint = RequestFingerprint(request.SerializeAsString()),
                                    .now = clock_.Now(),
                                    .deadline = options.caller_deadline};
  Verdict verdict = store_->Begin(
      claim, [this, id, key](Verdict later) { AnswerLater(id, key, std::move(later)); });
  switch (verdict.kind) {
    case Verdict::Kind::kPending:
      return id;
    case Verdict::Kind::kReplay:
      AnswerLater(id, key, std::move(verdict));
      return id;
    case Verdict::Kind::kConflict:
      TakeAnswer(id);
      return GatewayError(ErrorId::kClientRefIdReused, kRpc, {});
    case Verdict::Kind::kRefused:
      TakeAnswer(id);
      return verdict.outcome.status;
    case Verdict::Kind::kProceed:
      break;
  }
  TakeAnswer(id);
  return StartFirst(key, verdict.tracked, request, options, std::move(*pending));
}

template <typename Request, typename Response>
absl::StatusOr<uint64_t> DeduplicatingClient::StartFirst(const std::string& key, bool tracked,
                                                         const Request& request,
                                                         const CallOptions& options,
                                                         UpstreamDone<Response> done) {
  if (!tracked) return CallUpstream(*inner_, request, options, std::move(done));
  absl::StatusOr<uint64_t> started = CallUpstream(
      *inner_, request, options,
      [this, key, done = std::move(done)](absl::StatusOr<Response> result,
                                          const CallSummary& summary) mutable {
        store_->Finish(key,
                       OutcomeForRepeats(RpcTraits<Request>::kRpc, result.status(),
                                         result.ok() ? result->SerializeAsString() : "", summary),
                       clock_.Now());
        std::move(done)(std::move(result), summary);
      });
  // Refused by the inner client (its `done` never runs): repeats may retry.
  if (!started.ok()) store_->Finish(key, {started.status(), "", ""}, clock_.Now());
  return started;
}

}  // namespace eko::adapter

#endif  // EKO_ADAPTERS_DEDUPLICATING_CLIENT_H_
