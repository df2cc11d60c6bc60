#include "server/build_info.h"

#include "absl/strings/str_cat.h"
#include "curl/curl.h"
#include "grpcpp/grpcpp.h"

#ifndef EKO_BUILD_VERSION
#error "EKO_BUILD_VERSION must be defined (server/CMakeLists.txt)"
#endif
#ifndef EKO_BUILD_COMMIT
#error "EKO_BUILD_COMMIT must be defined (server/CMakeLists.txt)"
#endif

namespace eko::server {

const BuildInfo& GetBuildInfo() {
  static const BuildInfo* const kInfo = new BuildInfo{
      .version = EKO_BUILD_VERSION,
      .commit = EKO_BUILD_COMMIT,
      .grpc = grpc::Version(),
      .curl = curl_version_info(CURLVERSION_NOW)->version,
  };
  return *kInfo;
}

std::string VersionLine(std::string_view program) {
  const BuildInfo& info = GetBuildInfo();
  return absl::StrCat(std::string(program), " ", info.version, " commit=", info.commit,
                      " grpc=", info.grpc, " curl=", info.curl);
}

}  // namespace eko::server
