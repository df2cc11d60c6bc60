#include "tests/integration/test_stack.h"

#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <future>
#include <mutex>
#include <set>
#include <thread>

#include "google/rpc/error_details.pb.h"
#include "grpcpp/generic/generic_stub.h"
#include "rapidjson/document.h"
#include "rapidjson/stringbuffer.h"
#include "rapidjson/writer.h"
#include "tests/support/http_client.h"
#include "tests/support/test_pki.h"

namespace eko::testing {
namespace {

constexpr auto kStartTimeout = std::chrono::seconds(20);

std::mutex& SecretsMutex() {
  static std::mutex mu;
  return mu;
}
std::set<std::string>& Secrets() {
  static std::set<std::string> secrets = {kSimAccessKey, "234567890123", "345678901234"};
  return secrets;
}

std::string JsonString(const rapidjson::Value& object, const char* key) {
  auto it = object.FindMember(key);
  if (it == object.MemberEnd()) return "";
  if (it->value.IsString()) return it->value.GetString();
  if (it->value.IsInt64()) return std::to_string(it->value.GetInt64());
  return "";
}

// Calls `poll` every 10 ms until it returns true or `timeout` has passed;
// returns its last answer.
template <typename Poll>
bool PollUntil(Poll poll, std::chrono::milliseconds timeout) {
  const auto give_up = std::chrono::steady_clock::now() + timeout;
  while (!poll()) {
    if (std::chrono::steady_clock::now() >= give_up) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return true;
}

}  // namespace

std::string Fault::ToJson() const {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
  w.StartObject();
  if (!customer_id.empty()) {
    w.Key("customer_id");
    w.String(customer_id.c_str());
  }
  w.Key("times");
  w.Int(times);
  w.Key("action");
  w.String(action.c_str());
  if (action == "respond" || action == "truncate") {
    w.Key("http_status");
    w.Int(http_status);
    if (!headers.empty()) {
      w.Key("headers");
      w.StartObject();
      for (const auto& [name, value] : headers) {
        w.Key(name.c_str());
        w.String(value.c_str());
      }
      w.EndObject();
    }
    w.Key("body");
    w.String(body.c_str(), static_cast<rapidjson::SizeType>(body.size()));
  }
  if (delay_ms != 0) {
    w.Key("delay_ms");
    w.Int(delay_ms);
  }
  w.EndObject();
  return buffer.GetString();
}

std::unique_ptr<TestStack> TestStack::Start(const StackOptions& options) {
  std::unique_ptr<TestStack> stack(new TestStack());
  std::vector<std::string> sim_args = {EKO_SIM_BINARY,    "--listen",       "127.0.0.1:0",
                                       "--developer-key", kSimDeveloperKey, "--access-key",
                                       kSimAccessKey};
  if (!options.fixed_otp.empty()) {
    sim_args.insert(sim_args.end(), {"--fixed-otp", options.fixed_otp});
  }
  const UpstreamTestPki& pki = UpstreamTestPki::Get();
  if (options.https) {
    if (!pki.ok()) {
      ADD_FAILURE() << "cannot make the test PKI: " << pki.error();
      return nullptr;
    }
    sim_args.insert(sim_args.end(),
                    {"--tls-cert-file", pki.CertFile(options.sim_certificate), "--tls-key-file",
                     pki.KeyFile(options.sim_certificate), "--admin-listen", "127.0.0.1:0"});
    if (!options.sim_tls_min_version.empty()) {
      sim_args.insert(sim_args.end(), {"--tls-min-version", options.sim_tls_min_version});
    }
    if (!options.sim_tls_max_version.empty()) {
      sim_args.insert(sim_args.end(), {"--tls-max-version", options.sim_tls_max_version});
    }
  }
  auto sim = ChildProcess::Start(sim_args);
  if (!sim) {
    ADD_FAILURE() << "cannot start " << EKO_SIM_BINARY;
    return nullptr;
  }
  stack->sim_.emplace(std::move(*sim));
  auto sim_url = stack->sim_->WaitForLine("eko-sim listening on ", kStartTimeout);
  if (!sim_url) {
    ADD_FAILURE() << "eko-sim did not start: " << stack->sim_->StderrText();
    return nullptr;
  }
  stack->sim_base_url_ = *sim_url;
  if (options.https) {
    // By name, as the gateway reaches Eko: the host check then matches a
    // DNS name of the certificate.
    const size_t host = stack->sim_base_url_.find("127.0.0.1");
    if (host != std::string::npos) stack->sim_base_url_.replace(host, 9, "localhost");
    auto admin_url = stack->sim_->WaitForLine("eko-sim admin on ", kStartTimeout);
    if (!admin_url) {
      ADD_FAILURE() << "eko-sim did not serve its admin endpoints: " << stack->sim_->StderrText();
      return nullptr;
    }
    stack->sim_admin_url_ = *admin_url;
  } else {
    stack->sim_admin_url_ = sim_url->substr(0, sim_url->find("/ekoapi")) + "/__sim";
  }

  stack->key_file_ = ::testing::TempDir() + "/eko-access-key-" + std::to_string(getpid()) + "-" +
                     std::to_string(reinterpret_cast<uintptr_t>(stack.get()));
  std::ofstream(stack->key_file_) << options.gateway_access_key << "\n";

  const std::string& gateway_base_url =
      options.base_url_override.empty() ? stack->sim_base_url_ : options.base_url_override;
  std::vector<std::string> gateway_args = {EKO_GATEWAY_BINARY,
                                           "--listen",
                                           "127.0.0.1:0",
                                           "--eko-base-url",
                                           gateway_base_url,
                                           "--eko-developer-key",
                                           kSimDeveloperKey,
                                           "--eko-access-key-file",
                                           stack->key_file_,
                                           "--eko-initiator-id",
                                           "9962981729",
                                           "--eko-user-code",
                                           "20810200",
                                           "--log-level",
                                           "debug"};
  if (gateway_base_url.rfind("https://", 0) == 0) {
    gateway_args.insert(gateway_args.end(), {"--eko-ca-file", pki.CertFile(options.gateway_ca)});
  }
  gateway_args.insert(gateway_args.end(), options.extra_gateway_flags.begin(),
                      options.extra_gateway_flags.end());
  if (options.metrics) gateway_args.insert(gateway_args.end(), {"--metrics-listen", "127.0.0.1:0"});
  auto gateway =
      ChildProcess::Start(gateway_args, options.gateway_env, options.gateway_open_file_limit);
  if (!gateway) {
    ADD_FAILURE() << "cannot start " << EKO_GATEWAY_BINARY;
    return nullptr;
  }
  stack->gateway_.emplace(std::move(*gateway));
  if (options.metrics) {
    auto metrics = stack->gateway_->WaitForLine("eko-gateway metrics on port ", kStartTimeout);
    if (!metrics) {
      ADD_FAILURE() << "eko-gateway did not serve metrics: " << stack->gateway_->StderrText();
      return nullptr;
    }
    stack->metrics_port_ = std::stoi(*metrics);
  }
  auto port = stack->gateway_->WaitForLine("eko-gateway listening on port ", kStartTimeout);
  if (!port) {
    ADD_FAILURE() << "eko-gateway did not start: " << stack->gateway_->StderrText();
    return nullptr;
  }
  stack->gateway_port_ = std::stoi(*port);
  stack->channel_ = grpc::CreateChannel("127.0.0.1:" + *port, grpc::InsecureChannelCredentials());
  stack->stub_ = v1::OnboardingService::NewStub(stack->channel_);
  return stack;
}

void RegisterSecret(const std::string& secret) {
  if (secret.empty()) return;
  std::lock_guard<std::mutex> lock(SecretsMutex());
  Secrets().insert(secret);
}

std::string TestStack::ScrapeMetrics() {
  return HttpCall("GET", "http://127.0.0.1:" + std::to_string(metrics_port_) + "/metrics").body;
}

TestStack::~TestStack() {
  stub_.reset();
  channel_.reset();
  if (gateway_) {
    gateway_->Stop(SIGTERM, std::chrono::seconds(15));
    const std::string log = gateway_->StderrText();
    std::lock_guard<std::mutex> lock(SecretsMutex());
    for (const std::string& secret : Secrets()) {
      EXPECT_EQ(log.find(secret), std::string::npos)
          << "a secret or personal value reached the gateway log: " << secret.substr(0, 2) << "...";
    }
  }
  gateway_.reset();
  sim_.reset();
  if (!key_file_.empty()) unlink(key_file_.c_str());
}

std::optional<SimOtp> TestStack::LatestOtp(const std::string& customer_id) {
  HttpResult r = HttpCall("GET", sim_admin_url_ + "/otp?customer_id=" + customer_id);
  if (r.status != 200) return std::nullopt;
  rapidjson::Document doc;
  doc.Parse(r.body.c_str());
  if (!doc.IsObject()) return std::nullopt;
  SimOtp otp{JsonString(doc, "otp"), JsonString(doc, "otp_ref_id"),
             JsonString(doc, "kyc_request_id")};
  RegisterSecret(otp.otp);
  return otp;
}

bool TestStack::ExpireOtps(const std::string& customer_id) {
  return HttpCall("POST", sim_admin_url_ + "/otp/expire?customer_id=" + customer_id).status == 200;
}

bool TestStack::InjectFault(const Fault& fault) {
  HttpResult r = HttpCall("POST", sim_admin_url_ + "/faults", fault.ToJson());
  EXPECT_EQ(r.status, 200) << r.body;
  return r.status == 200;
}

void TestStack::ClearFaults() { HttpCall("DELETE", sim_admin_url_ + "/faults"); }

std::vector<RecordedRequest> TestStack::Requests() {
  std::vector<RecordedRequest> out;
  HttpResult r = HttpCall("GET", sim_admin_url_ + "/requests");
  rapidjson::Document doc;
  doc.Parse(r.body.c_str());
  if (!doc.IsArray()) {
    ADD_FAILURE() << "unexpected /__sim/requests body: " << r.body;
    return out;
  }
  for (const auto& item : doc.GetArray()) {
    RecordedRequest req;
    req.method = JsonString(item, "method");
    req.path = JsonString(item, "path");
    req.body = JsonString(item, "body");
    auto query = item.FindMember("query");
    if (query != item.MemberEnd() && query->value.IsObject()) {
      for (auto it = query->value.MemberBegin(); it != query->value.MemberEnd(); ++it) {
        req.query[it->name.GetString()] = JsonString(query->value, it->name.GetString());
      }
    }
    req.content_type = JsonString(item, "content_type");
    auto ok = item.FindMember("auth_ok");
    req.auth_ok = ok != item.MemberEnd() && ok->value.IsBool() && ok->value.GetBool();
    out.push_back(std::move(req));
  }
  return out;
}

std::vector<RecordedRequest> TestStack::RequestsFor(const std::string& customer_id) {
  std::vector<RecordedRequest> out;
  for (RecordedRequest& r : Requests()) {
    if (r.path.find(customer_id) != std::string::npos ||
        r.body.find(customer_id) != std::string::npos) {
      out.push_back(std::move(r));
    }
  }
  return out;
}

void TestStack::ClearRequests() { HttpCall("DELETE", sim_admin_url_ + "/requests"); }

bool TestStack::WaitForRequests(const std::string& customer_id, size_t count,
                                std::chrono::milliseconds timeout) {
  return PollUntil([&] { return RequestsFor(customer_id).size() >= count; }, timeout);
}

bool TestStack::WaitForGatewayLog(const std::string& text, std::chrono::milliseconds timeout) {
  return PollUntil([&] { return gateway_->StderrText().find(text) != std::string::npos; }, timeout);
}

double MetricSample(const std::string& metrics, const std::string& series) {
  size_t at = 0;
  while ((at = metrics.find(series, at)) != std::string::npos) {
    const size_t value = at + series.size();
    if ((at == 0 || metrics[at - 1] == '\n') && value < metrics.size() && metrics[value] == ' ') {
      return std::stod(metrics.substr(value + 1));
    }
    at = value;
  }
  return -1;
}

std::unique_ptr<grpc::ClientContext> Context(std::chrono::milliseconds timeout) {
  auto context = std::make_unique<grpc::ClientContext>();
  context->set_deadline(std::chrono::system_clock::now() + timeout);
  return context;
}

grpc::health::v1::HealthCheckResponse::ServingStatus HealthStatus(TestStack& stack,
                                                                  const std::string& service) {
  grpc::GenericStub generic(stack.channel());
  grpc::health::v1::HealthCheckRequest request;
  request.set_service(service);
  const std::string bytes = request.SerializeAsString();
  grpc::Slice slice(bytes);
  grpc::ByteBuffer send(&slice, 1);
  grpc::ByteBuffer receive;
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  std::promise<grpc::Status> done;
  generic.UnaryCall(&context, "/grpc.health.v1.Health/Check", grpc::StubOptions(), &send, &receive,
                    [&done](grpc::Status s) { done.set_value(s); });
  grpc::health::v1::HealthCheckResponse response;
  std::vector<grpc::Slice> slices;
  if (!done.get_future().get().ok() || !receive.Dump(&slices).ok()) {
    return grpc::health::v1::HealthCheckResponse::UNKNOWN;
  }
  std::string reply;
  for (const auto& s : slices) reply.append(reinterpret_cast<const char*>(s.begin()), s.size());
  if (!response.ParseFromString(reply)) return grpc::health::v1::HealthCheckResponse::UNKNOWN;
  return response.status();
}

::testing::AssertionResult Succeeded(const grpc::Status& status) {
  if (status.ok()) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure()
         << "status " << status.error_code() << ": " << status.error_message();
}

::testing::AssertionResult HasError(const grpc::Status& status, grpc::StatusCode code,
                                    const std::string& reason) {
  const std::string actual = DecodeDetails(status).reason;
  if (status.error_code() == code && actual == reason) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure()
         << "status " << status.error_code() << " with reason \"" << actual << "\" ("
         << status.error_message() << "), not " << code << " with reason \"" << reason << "\"";
}

ErrorDetails DecodeDetails(const grpc::Status& status) {
  ErrorDetails out;
  google::rpc::Status rpc;
  if (!rpc.ParseFromString(status.error_details())) return out;
  EXPECT_EQ(rpc.code(), static_cast<int>(status.error_code()));
  EXPECT_EQ(rpc.message(), status.error_message());
  for (const auto& any : rpc.details()) {
    out.type_urls.push_back(any.type_url());
    google::rpc::ErrorInfo info;
    google::rpc::BadRequest bad_request;
    google::rpc::RequestInfo request_info;
    if (any.UnpackTo(&info) && any.Is<google::rpc::ErrorInfo>()) {
      ++out.error_info_count;
      out.reason = info.reason();
      out.domain = info.domain();
      out.metadata.insert(info.metadata().begin(), info.metadata().end());
    } else if (any.Is<google::rpc::BadRequest>() && any.UnpackTo(&bad_request)) {
      for (const auto& v : bad_request.field_violations()) out.violated_fields.push_back(v.field());
    } else if (any.Is<google::rpc::RequestInfo>() && any.UnpackTo(&request_info)) {
      out.request_id = request_info.request_id();
      out.serving_data = request_info.serving_data();
    }
  }
  return out;
}

}  // namespace eko::testing
