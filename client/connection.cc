#include "client/connection.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <system_error>

#include "absl/strings/str_cat.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/support/channel_arguments.h"

namespace eko::cli {

std::string DefaultServiceConfigFile(const std::string& program) {
  const char* from_env = std::getenv(kServiceConfigEnvVar);
  if (from_env != nullptr && from_env[0] != '\0') return from_env;
  std::error_code error;
  std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe", error);
  if (error) self = program;
  const std::filesystem::path beside = self.parent_path() / kServiceConfigFileName;
  if (!self.empty() && std::filesystem::is_regular_file(beside, error)) return beside.string();
#ifdef EKO_SOURCE_SERVICE_CONFIG
  if (std::filesystem::is_regular_file(EKO_SOURCE_SERVICE_CONFIG, error)) {
    return EKO_SOURCE_SERVICE_CONFIG;
  }
#endif
  return "";
}

absl::Status LoadServiceConfig(const std::string& default_file, ConnectionOptions* options) {
  const std::string& file =
      options->service_config_file.empty() ? default_file : options->service_config_file;
  options->service_config_json.clear();
  if (file.empty() || file == "none") return absl::OkStatus();
  std::ifstream in(file, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  if (!in || text.str().empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("cannot read the service config '", file, "' (--service-config)"));
  }
  options->service_config_json = text.str();
  return absl::OkStatus();
}

std::shared_ptr<grpc::ChannelCredentials> MakeChannelCredentials(const ConnectionOptions&) {
  return grpc::InsecureChannelCredentials();
}

std::shared_ptr<grpc::Channel> MakeChannel(const ConnectionOptions& options) {
  grpc::ChannelArguments arguments;
  arguments.SetUserAgentPrefix("eko-cli");
  if (!options.service_config_json.empty()) {
    arguments.SetServiceConfigJSON(options.service_config_json);
  }
  return grpc::CreateCustomChannel(options.addr, MakeChannelCredentials(options), arguments);
}

void ApplyCallOptions(const ConnectionOptions& options, grpc::ClientContext* context) {
  context->set_deadline(std::chrono::system_clock::now() + options.timeout);
}

}  // namespace eko::cli
