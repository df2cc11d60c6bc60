// Server reflection, as grpcurl / buf curl use it: the gateway lists its
// services and serves the descriptors of OnboardingService, grpc.health.v1
// and the google.rpc error details. The reflection messages are built at run
// time from grpc-proto's reflection.proto (a separate descriptor pool), so
// nothing clashes with the copy compiled into libgrpc++_reflection.
#include <memory>
#include <set>
#include <string>

#include "google/protobuf/compiler/importer.h"
#include "google/protobuf/descriptor.pb.h"
#include "google/protobuf/dynamic_message.h"
#include "grpcpp/grpcpp.h"
#include "grpcpp/support/sync_stream.h"
#include "gtest/gtest.h"
#include "tests/integration/test_stack.h"

namespace eko::testing {
namespace {

namespace pb = ::google::protobuf;

class SilentErrors : public pb::compiler::MultiFileErrorCollector {
 public:
  void AddError(const std::string& file, int line, int, const std::string& message) override {
    ADD_FAILURE() << file << ":" << line << ": " << message;
  }
};

class ReflectionClient {
 public:
  explicit ReflectionClient(std::shared_ptr<grpc::Channel> channel) : channel_(std::move(channel)) {
    source_tree_.MapPath("", EKO_GRPC_PROTO_DIR);
    importer_ = std::make_unique<pb::compiler::Importer>(&source_tree_, &errors_);
    const pb::FileDescriptor* file = importer_->Import("grpc/reflection/v1alpha/reflection.proto");
    EXPECT_NE(file, nullptr);
    request_type_ =
        importer_->pool()->FindMessageTypeByName("grpc.reflection.v1alpha.ServerReflectionRequest");
    response_type_ = importer_->pool()->FindMessageTypeByName(
        "grpc.reflection.v1alpha.ServerReflectionResponse");
  }

  // Sends one request with `field` set to `value`; returns the response.
  std::unique_ptr<pb::Message> Ask(const std::string& field, const std::string& value) {
    std::unique_ptr<pb::Message> request(factory_.GetPrototype(request_type_)->New());
    request->GetReflection()->SetString(request.get(), request_type_->FindFieldByName(field),
                                        value);
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    std::unique_ptr<grpc::ClientReaderWriter<grpc::ByteBuffer, grpc::ByteBuffer>> stream(
        grpc::internal::ClientReaderWriterFactory<grpc::ByteBuffer, grpc::ByteBuffer>::Create(
            channel_.get(),
            grpc::internal::RpcMethod(
                "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo",
                grpc::internal::RpcMethod::BIDI_STREAMING),
            &context));
    const std::string bytes = request->SerializeAsString();
    grpc::Slice slice(bytes);
    EXPECT_TRUE(stream->Write(grpc::ByteBuffer(&slice, 1)));
    stream->WritesDone();
    grpc::ByteBuffer reply;
    std::unique_ptr<pb::Message> response(factory_.GetPrototype(response_type_)->New());
    if (stream->Read(&reply)) {
      std::vector<grpc::Slice> slices;
      EXPECT_TRUE(reply.Dump(&slices).ok());
      std::string data;
      for (const auto& s : slices) data.append(reinterpret_cast<const char*>(s.begin()), s.size());
      EXPECT_TRUE(response->ParseFromString(data));
    }
    EXPECT_TRUE(stream->Finish().ok());
    return response;
  }

  // Names of the services the server lists.
  std::set<std::string> ListServices() {
    std::set<std::string> names;
    auto response = Ask("list_services", "");
    const pb::Reflection* r = response->GetReflection();
    const pb::FieldDescriptor* list_field =
        response_type_->FindFieldByName("list_services_response");
    if (!r->HasField(*response, list_field)) return names;
    const pb::Message& list = r->GetMessage(*response, list_field);
    const pb::FieldDescriptor* services = list.GetDescriptor()->FindFieldByName("service");
    for (int i = 0; i < list.GetReflection()->FieldSize(list, services); ++i) {
      const pb::Message& service = list.GetReflection()->GetRepeatedMessage(list, services, i);
      names.insert(service.GetReflection()->GetString(
          service, service.GetDescriptor()->FindFieldByName("name")));
    }
    return names;
  }

  // The files the server returns for `symbol` (the defining file first).
  std::vector<pb::FileDescriptorProto> FilesFor(const std::string& symbol) {
    std::vector<pb::FileDescriptorProto> files;
    auto response = Ask("file_containing_symbol", symbol);
    const pb::Reflection* r = response->GetReflection();
    const pb::FieldDescriptor* fd_field =
        response_type_->FindFieldByName("file_descriptor_response");
    if (!r->HasField(*response, fd_field)) return files;
    const pb::Message& fd = r->GetMessage(*response, fd_field);
    const pb::FieldDescriptor* protos =
        fd.GetDescriptor()->FindFieldByName("file_descriptor_proto");
    for (int i = 0; i < fd.GetReflection()->FieldSize(fd, protos); ++i) {
      pb::FileDescriptorProto file;
      EXPECT_TRUE(file.ParseFromString(fd.GetReflection()->GetRepeatedString(fd, protos, i)));
      files.push_back(std::move(file));
    }
    return files;
  }

 private:
  std::shared_ptr<grpc::Channel> channel_;
  pb::compiler::DiskSourceTree source_tree_;
  SilentErrors errors_;
  std::unique_ptr<pb::compiler::Importer> importer_;
  pb::DynamicMessageFactory factory_;
  const pb::Descriptor* request_type_ = nullptr;
  const pb::Descriptor* response_type_ = nullptr;
};

bool DeclaresService(const std::vector<pb::FileDescriptorProto>& files, const std::string& name) {
  for (const auto& file : files) {
    for (const auto& service : file.service()) {
      if (file.package() + "." + service.name() == name) return true;
    }
  }
  return false;
}

TEST(ReflectionTest, ListsServicesAndDescribesHealthAndErrorDetails) {
  auto stack = TestStack::Start();
  ASSERT_NE(stack, nullptr);
  ReflectionClient client(stack->channel());
  const std::set<std::string> services = client.ListServices();
  EXPECT_TRUE(services.count("eko.onboarding.v1.OnboardingService"));
  EXPECT_TRUE(services.count("grpc.health.v1.Health"));
  EXPECT_TRUE(services.count("grpc.reflection.v1alpha.ServerReflection"));

  EXPECT_TRUE(DeclaresService(client.FilesFor("eko.onboarding.v1.OnboardingService"),
                              "eko.onboarding.v1.OnboardingService"));
  EXPECT_TRUE(DeclaresService(client.FilesFor("grpc.health.v1.Health"), "grpc.health.v1.Health"));
  auto error_details = client.FilesFor("google.rpc.ErrorInfo");
  ASSERT_FALSE(error_details.empty());
  EXPECT_EQ(error_details[0].package(), "google.rpc");
}

}  // namespace
}  // namespace eko::testing
