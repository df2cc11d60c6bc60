#ifndef EKO_SERVER_BUILD_INFO_H_
#define EKO_SERVER_BUILD_INFO_H_

#include <string>
#include <string_view>

namespace eko::server {

// What a binary was built from, for `--version`, the start-up log line and
// the eko_gateway_build_info metric. Nothing in it depends on when or where
// the build ran, so identical sources build identical binaries.
struct BuildInfo {
  std::string version;  // CMake's project version, e.g. "0.1.0"
  // The source commit (12 hex digits) read when the build was configured;
  // "unknown" outside a git checkout unless -DEKO_BUILD_COMMIT gave one.
  std::string commit;
  std::string grpc;  // gRPC C++ version, e.g. "1.51.1"
  std::string curl;  // version of the libcurl loaded at run time
};

const BuildInfo& GetBuildInfo();

// One line for `--version`: "<program> <version> commit=<commit>
// grpc=<grpc> curl=<curl>".
std::string VersionLine(std::string_view program);

}  // namespace eko::server

#endif  // EKO_SERVER_BUILD_INFO_H_
