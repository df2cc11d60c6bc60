#ifndef EKO_SERVER_CONFIG_FLAGS_H_
#define EKO_SERVER_CONFIG_FLAGS_H_

#include <functional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "server/config.h"

// The gateway's flag table (internal to config.cc and its tests): each
// GatewayConfig field's flag, environment twin, help and parser.
namespace eko::server {

using Setter = std::function<absl::Status(GatewayConfig&, const std::string&)>;

// One flag and its environment twin. The default shown in --help and the
// README comes from GatewayConfig{} (a few describe it in words instead).
struct Option {
  const char* flag;  // without the leading "--"
  const char* env;
  std::string default_text;
  const char* help;
  bool is_bool = false;
  Setter set;
  // Repeatable flags: given on the command line, they replace the list
  // their environment variable gave.
  std::vector<std::string> GatewayConfig::*list = nullptr;
};

// Every flag, in --help order.
const std::vector<Option>& Options();

}  // namespace eko::server

#endif  // EKO_SERVER_CONFIG_FLAGS_H_
