#ifndef EKO_SERVER_GATEWAY_MAIN_H_
#define EKO_SERVER_GATEWAY_MAIN_H_

#include "server/dev_upstream.h"

namespace eko::server {

// Runs the gateway process with `argv` (see `eko-gateway --help`): parses
// flags, starts, serves until SIGTERM or SIGINT, drains, and returns the
// exit code (0 after a clean stop, 1 when it cannot start, 2 on bad flags).
// `dev_upstream` provides --dev mode's stand-in for Eko; the production
// binary passes none.
int RunGateway(int argc, char** argv, const DevUpstreamFactory& dev_upstream);

}  // namespace eko::server

#endif  // EKO_SERVER_GATEWAY_MAIN_H_
