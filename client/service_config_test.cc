// The client retry policy the gateway ships (deploy/grpc-service-config.json):
// gRPC C++ accepts it, it retries UNAVAILABLE and nothing else, it covers every
// RPC, and eko-cli loads it (--service-config).
#include <cstdlib>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "client/cli.h"
#include "client/connection.h"
#include "client/fake_onboarding_service.h"
#include "client/test_support.h"
#include "eko/onboarding/v1/onboarding_service.grpc.pb.h"
#include "gmock/gmock.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"

namespace eko::cli {
namespace {

namespace v1 = ::eko::onboarding::v1;
using ::google::protobuf::Value;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr char kShippedFile[] = EKO_SOURCE_SERVICE_CONFIG;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string WriteTempFile(const std::string& name, const std::string& text) {
  const std::string path = ::testing::TempDir() + name;
  std::ofstream(path, std::ios::binary) << text;
  return path;
}

class ServiceConfigTest : public test_support::FakeServiceTest {
 protected:
  // Calls GetCustomer on a channel made with grpc::ChannelArguments::
  // SetServiceConfigJSON(`service_config`).
  grpc::Status GetCustomerWith(const std::string& service_config) {
    grpc::ChannelArguments arguments;
    arguments.SetServiceConfigJSON(service_config);
    auto stub = v1::OnboardingService::NewStub(
        grpc::CreateCustomChannel(addr_, grpc::InsecureChannelCredentials(), arguments));
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    v1::GetCustomerRequest request;
    request.set_customer_id("9876543210");
    v1::GetCustomerResponse response;
    return stub->GetCustomer(&context, request, &response);
  }

  size_t GetCustomerCalls() { return service_.Requests<v1::GetCustomerResponse>().size(); }

  void FailGetCustomer(grpc::StatusCode code) {
    service_.Fail<v1::GetCustomerResponse>(grpc::Status(code, "scripted"));
  }
};

TEST_F(ServiceConfigTest, ShippedConfigRetriesUnavailableAndNothingElse) {
  const std::string shipped = ReadFile(kShippedFile);
  ASSERT_FALSE(shipped.empty()) << kShippedFile;
  FailGetCustomer(grpc::StatusCode::UNAVAILABLE);
  FailGetCustomer(grpc::StatusCode::UNAVAILABLE);
  const grpc::Status retried = GetCustomerWith(shipped);
  EXPECT_TRUE(retried.ok()) << retried.error_message();
  EXPECT_EQ(GetCustomerCalls(), 3u);

  for (const grpc::StatusCode code :
       {grpc::StatusCode::UNKNOWN, grpc::StatusCode::DEADLINE_EXCEEDED,
        grpc::StatusCode::RESOURCE_EXHAUSTED, grpc::StatusCode::INTERNAL}) {
    const size_t before = GetCustomerCalls();
    FailGetCustomer(code);
    EXPECT_EQ(GetCustomerWith(shipped).error_code(), code);
    EXPECT_EQ(GetCustomerCalls(), before + 1) << "code " << code << " was retried";
  }
}

TEST_F(ServiceConfigTest, ABrokenConfigFailsTheCallAndSendsNothing) {
  const std::string shipped = ReadFile(kShippedFile);
  ASSERT_FALSE(shipped.empty()) << kShippedFile;
  std::string unknown_code = shipped;
  const size_t at = unknown_code.find("\"UNAVAILABLE\"");
  ASSERT_NE(at, std::string::npos);
  unknown_code.replace(at, 13, "\"NOT_A_CODE\"");
  for (const std::string& broken : {shipped.substr(0, shipped.size() / 2), unknown_code}) {
    EXPECT_FALSE(GetCustomerWith(broken).ok()) << broken;
  }
  EXPECT_EQ(GetCustomerCalls(), 0u);
}

std::vector<std::string> Strings(const Value& list) {
  std::vector<std::string> out;
  for (const Value& item : list.list_value().values()) out.push_back(item.string_value());
  return out;
}

double Seconds(const Value& duration) {
  const std::string& text = duration.string_value();
  EXPECT_FALSE(text.empty());
  EXPECT_EQ(text.back(), 's') << text;
  return std::strtod(text.c_str(), nullptr);
}

TEST(ServiceConfigFileTest, EveryRpcHasATimeoutWaitsForReadyAndRetriesOnlyUnavailable) {
  google::protobuf::Struct config;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(ReadFile(kShippedFile), &config).ok());
  std::multiset<std::string> named;
  std::map<std::string, double> timeout_of;
  for (const Value& method_config : config.fields().at("methodConfig").list_value().values()) {
    const auto& fields = method_config.struct_value().fields();
    EXPECT_TRUE(fields.at("waitForReady").bool_value());
    const auto& retry = fields.at("retryPolicy").struct_value().fields();
    EXPECT_THAT(Strings(retry.at("retryableStatusCodes")), ElementsAre("UNAVAILABLE"));
    EXPECT_GE(retry.at("maxAttempts").number_value(), 3);
    EXPECT_LE(retry.at("maxAttempts").number_value(), 5);
    EXPECT_GT(retry.at("backoffMultiplier").number_value(), 1);
    EXPECT_LT(Seconds(retry.at("initialBackoff")), Seconds(retry.at("maxBackoff")));
    for (const Value& name : fields.at("name").list_value().values()) {
      const auto& parts = name.struct_value().fields();
      EXPECT_EQ(parts.at("service").string_value(), "eko.onboarding.v1.OnboardingService");
      named.insert(parts.at("method").string_value());
      timeout_of[parts.at("method").string_value()] = Seconds(fields.at("timeout"));
    }
  }
  // Each RPC is named exactly once.
  const google::protobuf::ServiceDescriptor* service =
      v1::GetCustomerRequest::descriptor()->file()->FindServiceByName("OnboardingService");
  ASSERT_NE(service, nullptr);
  std::multiset<std::string> methods;
  for (int i = 0; i < service->method_count(); ++i) methods.insert(service->method(i)->name());
  EXPECT_EQ(named, methods);
  // Lookups give up sooner than writes, which outlast the gateway's own 30 s
  // cap on an Eko call (--eko-timeout-ms) so the gateway answers first.
  for (const char* lookup : {"GetCustomer", "GetSender"}) {
    for (const char* write : {"OnboardCustomer", "VerifyCustomerOtp", "OnboardSender",
                              "StartSenderEkyc", "ValidateEkycOtp"}) {
      EXPECT_LT(timeout_of[lookup], timeout_of[write]) << lookup << " vs " << write;
      EXPECT_GT(timeout_of[write], 30) << write;
    }
  }
}

class CliServiceConfigTest : public ServiceConfigTest {};

TEST_F(CliServiceConfigTest, TheFlagLoadsTheFileAndNoneTurnsItOff) {
  FailGetCustomer(grpc::StatusCode::UNAVAILABLE);
  test_support::CliRun run =
      Run({"get-customer", "--customer-id", "9876543210", "--service-config", kShippedFile});
  EXPECT_EQ(run.code, kExitOk) << run.err;
  EXPECT_EQ(GetCustomerCalls(), 2u);

  FailGetCustomer(grpc::StatusCode::UNAVAILABLE);
  run = Run({"get-customer", "--customer-id", "9876543210", "--service-config", "none"});
  EXPECT_EQ(run.code, kExitCallFailed);
  EXPECT_THAT(run.err, ::testing::StartsWith("error: UNAVAILABLE"));
  EXPECT_EQ(GetCustomerCalls(), 3u);
}

TEST_F(CliServiceConfigTest, AnUnreadableFileIsAUsageErrorAndSendsNothing) {
  const test_support::CliRun run = Run({"get-customer", "--customer-id", "9876543210",
                                        "--service-config", "/nonexistent/config.json"});
  EXPECT_EQ(run.code, kExitUsage);
  EXPECT_THAT(run.err, HasSubstr("cannot read the service config '/nonexistent/config.json'"));
  EXPECT_EQ(service_.calls(), 0);
}

TEST_F(CliServiceConfigTest, TheEnvironmentsDefaultAppliesWithoutTheFlag) {
  FailGetCustomer(grpc::StatusCode::UNAVAILABLE);
  const test_support::CliRun run =
      test_support::RunEkoCli({"get-customer", "--customer-id", "9876543210"}, "", addr_, false,
                              WriteTempFile("service-config.json", ReadFile(kShippedFile)));
  EXPECT_EQ(run.code, kExitOk) << run.err;
  EXPECT_EQ(GetCustomerCalls(), 2u);
}

TEST(DefaultServiceConfigFileTest, EnvironmentFirstThenTheShippedFile) {
  ASSERT_EQ(setenv(kServiceConfigEnvVar, "/etc/eko/config.json", 1), 0);
  EXPECT_EQ(DefaultServiceConfigFile("eko-cli"), "/etc/eko/config.json");
  ASSERT_EQ(unsetenv(kServiceConfigEnvVar), 0);
  // Nothing lies next to the test binary: the source tree's file.
  EXPECT_EQ(DefaultServiceConfigFile("eko-cli"), kShippedFile);
}

}  // namespace
}  // namespace eko::cli
