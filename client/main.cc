// eko-cli: command-line client of the eko-onboarding-gateway (see README.md).
#include <iostream>

#include "client/cli.h"

int main(int argc, char** argv) {
  return eko::cli::RunCli(argc, argv, std::cin, std::cout, std::cerr);
}
