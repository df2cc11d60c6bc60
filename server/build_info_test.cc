#include "server/build_info.h"

#include <regex>
#include <string>

#include "grpcpp/version_info.h"
#include "gtest/gtest.h"

namespace eko::server {
namespace {

bool Matches(const std::string& text, const char* pattern) {
  return std::regex_match(text, std::regex(pattern));
}

TEST(BuildInfoTest, NamesTheProjectVersionCommitAndLibraries) {
  const BuildInfo& info = GetBuildInfo();
  EXPECT_TRUE(Matches(info.version, R"(\d+\.\d+\.\d+)")) << info.version;
  // A commit from the checkout (12 hex digits), -DEKO_BUILD_COMMIT, or
  // "unknown"; never empty, never a character that needs quoting.
  EXPECT_TRUE(Matches(info.commit, "[0-9A-Za-z._-]+")) << info.commit;
  // The gRPC C++ release (grpc::Version()), not gRPC core's own numbering.
  EXPECT_EQ(info.grpc, GRPC_CPP_VERSION_STRING);
  EXPECT_TRUE(Matches(info.curl, R"(\d+\.\d+\.\d+.*)")) << info.curl;
}

TEST(BuildInfoTest, VersionLineIsOneLineNamingTheProgram) {
  const BuildInfo& info = GetBuildInfo();
  EXPECT_EQ(VersionLine("eko-gateway"), "eko-gateway " + info.version + " commit=" + info.commit +
                                            " grpc=" + info.grpc + " curl=" + info.curl);
}

}  // namespace
}  // namespace eko::server
