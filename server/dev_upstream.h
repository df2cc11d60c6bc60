#ifndef EKO_SERVER_DEV_UPSTREAM_H_
#define EKO_SERVER_DEV_UPSTREAM_H_

#include <functional>
#include <memory>
#include <string>

#include "absl/status/statusor.h"

namespace eko::server {

// A stand-in for Eko that the gateway starts and owns in --dev mode. The
// production eko-gateway has none (it links no test code); eko-gateway-dev
// provides the Eko simulator through a DevUpstreamFactory.
class DevUpstream {
 public:
  virtual ~DevUpstream() = default;
  // Base URL the gateway calls instead of Eko's.
  virtual std::string base_url() const = 0;
  // Admin URL of the stand-in (OTPs etc.), for tools such as eko-cli.
  virtual std::string admin_url() const = 0;
};

// Credentials the stand-in expects and the gateway uses in --dev mode.
struct DevCredentials {
  std::string developer_key = "dev-developer-key";
  std::string access_key = "dev-access-key";
  std::string initiator_id = "9962981729";
  std::string user_code = "20810200";
};

// Starts a stand-in listening on `listen` ("host:port").
using DevUpstreamFactory = std::function<absl::StatusOr<std::unique_ptr<DevUpstream>>(
    const DevCredentials& credentials, const std::string& listen)>;

}  // namespace eko::server

#endif  // EKO_SERVER_DEV_UPSTREAM_H_
