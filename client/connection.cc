#include "client/connection.h"

#include "grpcpp/create_channel.h"
#include "grpcpp/support/channel_arguments.h"

namespace eko::cli {

std::shared_ptr<grpc::ChannelCredentials> MakeChannelCredentials(const ConnectionOptions&) {
  return grpc::InsecureChannelCredentials();
}

std::shared_ptr<grpc::Channel> MakeChannel(const ConnectionOptions& options) {
  grpc::ChannelArguments arguments;
  arguments.SetUserAgentPrefix("eko-cli");
  return grpc::CreateCustomChannel(options.addr, MakeChannelCredentials(options), arguments);
}

void ApplyCallOptions(const ConnectionOptions& options, grpc::ClientContext* context) {
  context->set_deadline(std::chrono::system_clock::now() + options.timeout);
}

}  // namespace eko::cli
