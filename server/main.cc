// eko-gateway, the production binary: see README.md and `eko-gateway --help`.
// It contains no test code; --dev mode lives in eko-gateway-dev.
#include "server/gateway_main.h"

int main(int argc, char** argv) { return eko::server::RunGateway(argc, argv, nullptr); }
