#ifndef EKO_ADAPTERS_COALESCING_CLIENT_H_
#define EKO_ADAPTERS_COALESCING_CLIENT_H_

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "absl/functional/any_invocable.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "adapters/call_key.h"
#include "adapters/common/serial_executor.h"
#include "adapters/eko/classifier.h"
#include "adapters/eko/rpc_traits.h"
#include "adapters/upstream_client.h"

namespace eko::adapter {

// A decorator that coalesces identical lookups (the RPCs without a
// client_ref_id: GetCustomer, GetSender). A lookup identical to one in flight
// (same caller as CallOptions::caller, same RPC, same serialized request)
// joins it instead of making its own upstream call: every caller of the
// shared call gets its answer, error or not. For an enrolled customer each
// GetCustomer sends an SMS OTP and invalidates the previous otp_ref_id, so a
// burst of retries must reach Eko once. Nothing is kept once the shared call
// has completed: the next identical lookup makes a new upstream call.
//
// Deadlines: a lookup joins only a call whose caller deadline is not later
// than its own, so the shared call (bounded by that deadline) always ends
// before the joiner's own deadline, and a joiner shares whatever it ends
// with, a DEADLINE_EXCEEDED at the first caller's deadline included. A
// lookup with an earlier deadline than the identical call in flight goes
// upstream on its own, uncoalesced.
//
// Cancelling a lookup completes it at once with CANCELLED; the shared call
// goes on while any of its callers still waits, and is cancelled upstream
// when the last one cancels. The first caller still waiting when the shared
// call completes gets its CallSummary; the others get one that says
// `replayed` and reports no upstream exchange, so the exchange is counted
// once. Other RPCs pass through untouched (their repeats are the business of
// DeduplicatingClient). Completions never run inside a method: the first
// caller's on the inner client's thread, the others on a thread of this
// client's. Thread-safe. Destroy it only when no call is in flight.
class CoalescingClient final : public UpstreamClient {
 public:
  // `inner` must outlive this client. Its call ids must be below 2^62 or
  // have the top bit set (UpstreamClient's rule for decorators that answer
  // calls themselves, as DeduplicatingClient does): this client's own ids
  // are 0b01 in the top two bits, so it can be stacked in front of or behind
  // a DeduplicatingClient.
  explicit CoalescingClient(UpstreamClient* inner);

  EKO_ONBOARDING_RPCS(EKO_UPSTREAM_CALL_VIA_START_CALL)

  void Cancel(uint64_t call_id) override;

  // Lookups that joined an identical call in flight instead of making their
  // own upstream call, since construction.
  int64_t coalesced_calls() const { return coalesced_calls_.load(); }
  // Lookups started or joined here whose completion has not been handed
  // over yet.
  size_t waiting_calls() const;

 private:
  static constexpr uint64_t kIdTagMask = uint64_t{3} << 62;
  static constexpr uint64_t kOwnIdTag = uint64_t{1} << 62;

  // How a shared call ended; `response` is serialized, for any RPC.
  struct Outcome {
    absl::Status status;
    std::string response;
    CallSummary summary;
  };
  // Completes one caller: with `outcome` and `summary`, or with CANCELLED
  // when given no outcome.
  using Answer = absl::AnyInvocable<void(const Outcome* outcome, const CallSummary& summary) &&>;

  // One upstream call and the callers waiting for it.
  struct Flight {
    std::string key;
    absl::Time deadline;
    std::vector<uint64_t> waiters;  // ids, in arrival order
    std::optional<uint64_t> upstream_id;
    bool ended = false;  // completed, refused, or left by its last waiter
  };
  struct Waiter {
    std::shared_ptr<Flight> flight;
    Answer answer;
  };
  struct Joined {
    uint64_t id = 0;
    std::shared_ptr<Flight> flight;  // null: go upstream uncoalesced
    bool leads = false;              // this caller starts the upstream call
  };

  template <typename Request, typename Response>
  absl::StatusOr<uint64_t> StartCall(const Request& request, const CallOptions& options,
                                     UpstreamDone<Response> done);
  template <typename Request, typename Response>
  absl::StatusOr<uint64_t> Coalesce(const Request& request, const CallOptions& options,
                                    UpstreamDone<Response> done);

  // Joins the flight of `key`, starts one, or says to go uncoalesced.
  Joined Join(std::string key, absl::Time deadline, Answer answer);
  // Records how starting `flight`'s upstream call went; a refusal is the
  // answer of the callers that joined meanwhile.
  void Started(const std::shared_ptr<Flight>& flight, const absl::StatusOr<uint64_t>& started);
  // Hands `outcome` to every caller of `flight` still waiting.
  void Land(const std::shared_ptr<Flight>& flight, Outcome outcome);
  // Ends `flight`: later lookups start a new one. Returns the answers of its
  // callers still waiting, in arrival order, and forgets them. Under `mu_`.
  std::vector<Answer> EndFlightLocked(const std::shared_ptr<Flight>& flight);
  // Hands `outcome` to `answers` on the executor, as replays.
  void AnswerLater(std::vector<Answer> answers, std::shared_ptr<const Outcome> outcome);

  UpstreamClient* const inner_;
  std::atomic<int64_t> coalesced_calls_{0};
  mutable std::mutex mu_;
  uint64_t next_id_ = 0;
  std::unordered_map<std::string, std::shared_ptr<Flight>> flights_;
  std::unordered_map<uint64_t, Waiter> waiters_;
  SerialExecutor executor_;  // last: drained before the members above go
};

template <typename Request, typename Response>
absl::StatusOr<uint64_t> CoalescingClient::StartCall(const Request& request,
                                                     const CallOptions& options,
                                                     UpstreamDone<Response> done) {
  if constexpr (!RpcTraits<Request>::kHasClientRefId) {
    return Coalesce(request, options, std::move(done));
  }
  return CallUpstream(*inner_, request, options, std::move(done));
}

template <typename Request, typename Response>
absl::StatusOr<uint64_t> CoalescingClient::Coalesce(const Request& request,
                                                    const CallOptions& options,
                                                    UpstreamDone<Response> done) {
  constexpr Rpc kRpc = RpcTraits<Request>::kRpc;
  // `done` goes to this caller's answer, or to the inner call when the
  // lookup goes uncoalesced.
  auto pending = std::make_shared<UpstreamDone<Response>>(std::move(done));
  Answer answer = [pending](const Outcome* outcome, const CallSummary& summary) {
    if (outcome == nullptr) {
      std::move (*pending)(GatewayError(ErrorId::kCancelled, kRpc, {}), summary);
      return;
    }
    if (!outcome->status.ok()) {
      std::move (*pending)(outcome->status, summary);
      return;
    }
    Response response;
    response.ParseFromString(outcome->response);
    std::move (*pending)(std::move(response), summary);
  };
  Joined joined = Join(CallerRpcKey(options.caller, kRpc, request.SerializeAsString()),
                       options.caller_deadline, std::move(answer));
  if (joined.flight == nullptr) return CallUpstream(*inner_, request, options, std::move(*pending));
  if (!joined.leads) return joined.id;
  absl::StatusOr<uint64_t> started = CallUpstream(
      *inner_, request, options,
      [this, flight = joined.flight](absl::StatusOr<Response> result, const CallSummary& summary) {
        Outcome outcome{result.status(), "", summary};
        if (result.ok()) outcome.response = result->SerializeAsString();
        Land(flight, std::move(outcome));
      });
  Started(joined.flight, started);
  if (!started.ok()) return started.status();
  return joined.id;
}

}  // namespace eko::adapter

#endif  // EKO_ADAPTERS_COALESCING_CLIENT_H_
