#ifndef EKO_SERVER_ONBOARDING_SERVICE_H_
#define EKO_SERVER_ONBOARDING_SERVICE_H_

#include <string>

#include "adapters/common/clock.h"
#include "adapters/upstream_client.h"
#include "eko/onboarding/v1/onboarding_service.grpc.pb.h"
#include "server/caller_auth.h"
#include "server/metrics.h"

namespace eko::server {

namespace v1 = ::eko::onboarding::v1;

// Thin callback-API handlers: authorise, validate, hand the call to the
// upstream client (which suppresses duplicates and admits calls, see
// server/upstream_chain.h), and finish the RPC from its completion (on the
// client's thread): cancellation, logging, metrics and status conversion.
// The authorised caller's name (CallerAuthorizer::AuthorizedCaller; "" for
// every call without an authorizer) goes to the client as
// CallOptions::caller, so one caller's client_ref_ids never answer
// another's calls. No handler blocks. `client` must outlive the service.
class OnboardingServiceImpl final : public v1::OnboardingService::CallbackService {
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
  explicit OnboardingServiceImpl(Dependencies deps);

  // One handler per RPC of the registry (adapters/rpc_registry.h).
#define EKO_DECLARE_HANDLER(NAME, ...)                                                           \
  grpc::ServerUnaryReactor* NAME(grpc::CallbackServerContext* context,                           \
                                 const v1::NAME##Request* request, v1::NAME##Response* response) \
      override;
  EKO_ONBOARDING_RPCS(EKO_DECLARE_HANDLER)
#undef EKO_DECLARE_HANDLER

 private:
  template <typename Request, typename Response>
  grpc::ServerUnaryReactor* Handle(grpc::CallbackServerContext* context, const Request* request,
                                   Response* response);

  Dependencies deps_;
};

// The request id for a call: the caller's `x-request-id` metadata when it is
// 1..64 printable characters, else a fresh random one.
std::string RequestIdFor(const grpc::CallbackServerContext& context);

}  // namespace eko::server

#endif  // EKO_SERVER_ONBOARDING_SERVICE_H_
