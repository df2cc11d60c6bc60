#include "client/connection.h"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <system_error>
#include <utility>

#include "absl/status/statusor.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "adapters/common/status_macros.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/support/channel_arguments.h"

namespace eko::cli {
namespace {

// The whole contents of `path`; nullopt when it cannot be read.
std::optional<std::string> ReadWholeFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  if (!in) return std::nullopt;
  return text.str();
}

// ReadWholeFile for the file of --`flag`; an empty file is an error too.
absl::StatusOr<std::string> ReadFlagFile(const char* flag, const std::string& path) {
  std::optional<std::string> contents = ReadWholeFile(path);
  if (!contents.has_value() || contents->empty()) {
    return absl::InvalidArgumentError(absl::StrCat("cannot read --", flag, " '", path, "'",
                                                   contents.has_value() ? " (it is empty)" : ""));
  }
  return *std::move(contents);
}

}  // namespace

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
  std::optional<std::string> text = ReadWholeFile(file);
  if (!text.has_value() || text->empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("cannot read the service config '", file, "' (--service-config)"));
  }
  options->service_config_json = *std::move(text);
  return absl::OkStatus();
}

absl::Status ApplyTransportFlags(const ParsedFlags& flags, ConnectionOptions* options) {
  for (const char* flag :
       {"tls-ca-file", "tls-cert-file", "tls-key-file", "tls-server-name", "token-file"}) {
    if (flags.Has(flag) && flags.Value(flag).empty()) {
      return absl::InvalidArgumentError(absl::StrCat("--", flag, " must not be empty"));
    }
  }
  if (flags.Has("tls-cert-file") != flags.Has("tls-key-file")) {
    return absl::InvalidArgumentError(
        "--tls-cert-file and --tls-key-file go together (mutual TLS): give both");
  }
  options->tls = flags.Has("tls") || flags.Has("tls-ca-file") || flags.Has("tls-cert-file") ||
                 flags.Has("tls-server-name");
  const std::pair<const char*, std::string*> pem_files[] = {
      {"tls-ca-file", &options->tls_root_certs},
      {"tls-cert-file", &options->tls_cert_chain},
      {"tls-key-file", &options->tls_private_key}};
  for (const auto& [flag, pem] : pem_files) {
    if (!flags.Has(flag)) continue;
    EKO_ASSIGN_OR_RETURN(*pem, ReadFlagFile(flag, flags.Value(flag)));
    if (pem->find("-----BEGIN ") == std::string::npos) {
      return absl::InvalidArgumentError(
          absl::StrCat("--", flag, " '", flags.Value(flag), "' holds no PEM block"));
    }
  }
  options->tls_server_name = flags.Value("tls-server-name");
  if (flags.Has("token-file")) {
    const std::string path = flags.Value("token-file");
    EKO_ASSIGN_OR_RETURN(std::string contents, ReadFlagFile("token-file", path));
    const absl::string_view token = absl::StripAsciiWhitespace(contents);
    const bool one_word =
        std::all_of(token.begin(), token.end(), [](char c) { return c > 0x20 && c < 0x7f; });
    if (token.empty() || !one_word) {
      return absl::InvalidArgumentError(
          absl::StrCat("--token-file '", path,
                       "' must hold one token (printable ASCII without spaces) and nothing else"));
    }
    options->bearer_token = std::string(token);
  }
  return absl::OkStatus();
}

std::shared_ptr<grpc::ChannelCredentials> MakeChannelCredentials(const ConnectionOptions& options) {
  if (!options.tls) return grpc::InsecureChannelCredentials();
  grpc::SslCredentialsOptions ssl;
  ssl.pem_root_certs = options.tls_root_certs;
  ssl.pem_cert_chain = options.tls_cert_chain;
  ssl.pem_private_key = options.tls_private_key;
  return grpc::SslCredentials(ssl);
}

std::shared_ptr<grpc::Channel> MakeChannel(const ConnectionOptions& options) {
  grpc::ChannelArguments arguments;
  arguments.SetUserAgentPrefix("eko-cli");
  if (!options.service_config_json.empty()) {
    arguments.SetServiceConfigJSON(options.service_config_json);
  }
  if (!options.tls_server_name.empty()) {
    arguments.SetSslTargetNameOverride(options.tls_server_name);
  }
  return grpc::CreateCustomChannel(options.addr, MakeChannelCredentials(options), arguments);
}

void ApplyCallOptions(const ConnectionOptions& options, grpc::ClientContext* context) {
  context->set_deadline(std::chrono::system_clock::now() + options.timeout);
  if (!options.bearer_token.empty()) {
    context->AddMetadata("authorization", "Bearer " + options.bearer_token);
  }
}

}  // namespace eko::cli
