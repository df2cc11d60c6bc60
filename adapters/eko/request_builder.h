#ifndef EKO_ADAPTERS_EKO_REQUEST_BUILDER_H_
#define EKO_ADAPTERS_EKO_REQUEST_BUILDER_H_

#include <string>

#include "adapters/eko/endpoints.h"
#include "adapters/rpc_registry.h"
#include "eko/onboarding/v1/onboarding_service.pb.h"
#include "google/type/date.pb.h"

// Pure functions from a typed request to the Eko REST call (method, path,
// query, JSON body). Nothing here signs or sends.
namespace eko::adapter {

// Who the call is made by and for. `client_ref_id` is sent on POST/PUT only.
struct CallIdentity {
  std::string initiator_id;
  std::string user_code;
  std::string client_ref_id;
};

struct UpstreamRequest {
  HttpMethod method = HttpMethod::kGet;
  std::string path_and_query;  // relative to the base URL
  std::string body;            // JSON object; empty for GET
};

namespace v1 = ::eko::onboarding::v1;

// One overload per RPC of the registry (adapters/rpc_registry.h).
#define EKO_DECLARE_BUILD_UPSTREAM_REQUEST(NAME, ...)                    \
  UpstreamRequest BuildUpstreamRequest(const EndpointTable& endpoints,   \
                                       const v1::NAME##Request& request, \
                                       const CallIdentity& identity);
EKO_ONBOARDING_RPCS(EKO_DECLARE_BUILD_UPSTREAM_REQUEST)
#undef EKO_DECLARE_BUILD_UPSTREAM_REQUEST

// "YYYY-MM-DD", zero-padded.
std::string FormatDate(const google::type::Date& date);

// A fresh client_ref_id: 16 characters of [0-9a-z], the millisecond clock in
// base 36 followed by random characters, so it is unique per call and sorts
// roughly by time.
std::string GenerateClientRefId();

}  // namespace eko::adapter

#endif  // EKO_ADAPTERS_EKO_REQUEST_BUILDER_H_
