#ifndef EKO_SERVER_ONBOARDING_SERVICE_H_
#define EKO_SERVER_ONBOARDING_SERVICE_H_

#include <cstddef>
#include <mutex>
#include <string>
#include <unordered_set>

#include "adapters/common/clock.h"
#include "adapters/upstream_client.h"
#include "eko/onboarding/v1/onboarding_service.grpc.pb.h"
#include "grpcpp/support/byte_buffer.h"
#include "server/caller_auth.h"
#include "server/metrics.h"

namespace eko::server {

namespace v1 = ::eko::onboarding::v1;

namespace internal {
// Base<First<Rest<...>>>: the generated With<Kind>Method_<Rpc> templates
// applied to Base, the last wrapper innermost.
template <typename Base, template <typename> class... Wrappers>
struct Wrapped {
  using type = Base;
};
template <typename Base, template <typename> class First, template <typename> class... Rest>
struct Wrapped<Base, First, Rest...> {
  using type = First<typename Wrapped<Base, Rest...>::type>;
};
template <typename Base>
using Unwrapped = Base;

// v1::OnboardingService::Service with every RPC of the registry a raw
// callback method: its handler gets the request's bytes and fills in the
// response's. The wire contract is the typed service's (same methods, same
// messages), and reflection still describes it from the descriptor pool.
#define EKO_RAW_CALLBACK_METHOD(NAME, ...) v1::OnboardingService::WithRawCallbackMethod_##NAME,
using RawCallbackService = Wrapped<v1::OnboardingService::Service,
                                   EKO_ONBOARDING_RPCS(EKO_RAW_CALLBACK_METHOD) Unwrapped>::type;
#undef EKO_RAW_CALLBACK_METHOD
}  // namespace internal

// Thin callback-API handlers: authorise, parse the request's bytes,
// validate, hand the call to the upstream client (which suppresses
// duplicates and admits calls, see server/upstream_chain.h), and finish the
// RPC from its completion (on the client's thread): cancellation, logging,
// metrics and status conversion. Every RPC, refused ones included, goes
// through the same steps: authorisation first, then a request whose bytes do
// not parse gets INVALID_ARGUMENT / REQUEST_MALFORMED with RequestInfo, and
// is logged and counted like any other call (server/request_parsing.h).
// The authorised caller's name (CallerAuthorizer::AuthorizedCaller; "" for
// every call without an authorizer) goes to the client as
// CallOptions::caller, so one caller's client_ref_ids never answer
// another's calls. No handler blocks. `client` must outlive the service.
class OnboardingServiceImpl final : public internal::RawCallbackService {
 public:
  // What the handlers use. Only `client` is required; a null `authorizer`
  // or `metrics` turns that feature off. All must outlive the service.
  // `has_default_user_code`: the client fills in a user_code when a request
  // has none (else validation requires one). `clock` dates validation and
  // measures latency.
  struct Dependencies {
    adapter::UpstreamClient* client = nullptr;
    bool has_default_user_code = false;
    const CallerAuthorizer* authorizer = nullptr;
    GatewayMetrics* metrics = nullptr;
    const Clock* clock = &Clock::Real();
  };
  // Also routes protobuf's log to the gateway's (RouteProtobufLogToGatewayLog).
  explicit OnboardingServiceImpl(Dependencies deps);

  // One handler per RPC of the registry (adapters/rpc_registry.h).
#define EKO_DECLARE_HANDLER(NAME, ...)                                                        \
  grpc::ServerUnaryReactor* NAME(grpc::CallbackServerContext* context,                        \
                                 const grpc::ByteBuffer* request, grpc::ByteBuffer* response) \
      override;
  EKO_ONBOARDING_RPCS(EKO_DECLARE_HANDLER)
#undef EKO_DECLARE_HANDLER

  // The RPCs CutOffInFlight ended, by what their callers are told.
  struct CutOffResult {
    // The upstream call had started (handed to the client chain and not
    // refused; a repeat joined or replayed an earlier call): Eko may have
    // acted. UNKNOWN, GATEWAY_SHUTTING_DOWN, upstreamOutcome=UNKNOWN.
    int after_sending = 0;
    // Nothing was sent: UNAVAILABLE, GATEWAY_SHUTTING_DOWN,
    // upstreamOutcome=NOT_SENT.
    int not_sent = 0;
  };
  // For the end of the shutdown grace: ends every RPC in flight at once with
  // GATEWAY_SHUTTING_DOWN (error table rows shutdown-cut-off-*), by
  // cancelling its upstream call and answering its cancellation with that
  // status instead of CANCELLED. Returns without waiting: each RPC finishes
  // when its upstream call's cancellation completes (on the client's thread),
  // so shut the gRPC server down after this call, not before. An RPC whose
  // result had arrived, or that its caller had cancelled, is left alone; one
  // whose real result arrives before the cancellation takes effect still gets
  // that result (it is counted all the same). RPCs that arrive afterwards are
  // answered UNAVAILABLE / NOT_SENT instead of calling upstream.
  // Thread-safe; may be called more than once (later calls count only RPCs
  // not cut off before).
  CutOffResult CutOffInFlight();

  // RPCs started and not yet done.
  size_t InFlight() const;

  class InFlightRpc;  // one RPC's state as CutOffInFlight sees it

 private:
  template <typename Request, typename Response>
  grpc::ServerUnaryReactor* Handle(grpc::CallbackServerContext* context,
                                   const grpc::ByteBuffer* request, grpc::ByteBuffer* response);
  void Register(InFlightRpc* rpc);
  void Unregister(InFlightRpc* rpc);

  Dependencies deps_;
  mutable std::mutex in_flight_mu_;
  std::unordered_set<InFlightRpc*> in_flight_;  // guarded by in_flight_mu_
  bool cut_off_ = false;                        // guarded by in_flight_mu_
};

// The request id for a call: the caller's `x-request-id` metadata when it is
// 1..64 printable characters, else a fresh random one.
std::string RequestIdFor(const grpc::CallbackServerContext& context);

}  // namespace eko::server

#endif  // EKO_SERVER_ONBOARDING_SERVICE_H_
