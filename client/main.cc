// eko-cli: command-line client of the eko-onboarding-gateway (see README.md).
#include <iostream>

#include "absl/time/time.h"
#include "adapters/common/grpc_library.h"
#include "client/cli.h"

int main(int argc, char** argv) {
  const int exit_code = eko::cli::RunCli(argc, argv, std::cin, std::cout, std::cerr);
  // Every channel is gone by now; let gRPC finish closing them before exit.
  eko::WaitForGrpcLibraryShutdown(absl::Seconds(2));
  return exit_code;
}
