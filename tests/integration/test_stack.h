#ifndef EKO_TESTS_INTEGRATION_TEST_STACK_H_
#define EKO_TESTS_INTEGRATION_TEST_STACK_H_

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "eko/onboarding/v1/onboarding_service.grpc.pb.h"
#include "google/rpc/status.pb.h"
#include "grpc/health/v1/health.pb.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "tests/support/child_process.h"

// The real eko-sim and eko-gateway binaries started as separate processes on
// loopback ports chosen at run time, plus helpers to drive them.
namespace eko::testing {

namespace v1 = ::eko::onboarding::v1;

inline constexpr char kSimDeveloperKey[] = "itest-developer-key";
inline constexpr char kSimAccessKey[] = "itest-access-key-do-not-log";

struct StackOptions {
  // Access key the gateway signs with; differs from the simulator's to test
  // authentication failures.
  std::string gateway_access_key = kSimAccessKey;
  // When set, the gateway points here instead of at the simulator.
  std::string base_url_override;
  std::vector<std::string> extra_gateway_flags;
  // "NAME=value" entries added to (or replacing in) the gateway's environment.
  std::vector<std::string> gateway_env;
  bool metrics = false;   // serve metrics on a free port (metrics_port())
  std::string fixed_otp;  // passed to eko-sim --fixed-otp when non-empty
  // When positive, the gateway's RLIMIT_NOFILE (soft and hard).
  int gateway_open_file_limit = 0;
  // HTTPS between gateway and simulator, verified as in production: eko-sim
  // serves certificate `sim_certificate` of UpstreamTestPki
  // (tests/support/test_pki.h) and the gateway gets --eko-ca-file with that
  // PKI's CA `gateway_ca` whenever its base URL is https://. The simulator's
  // admin endpoints stay on plain HTTP on a port of their own. false: plain
  // HTTP throughout.
  bool https = true;
  std::string sim_certificate = "server";
  std::string gateway_ca = "ca";
  // eko-sim --tls-min-version / --tls-max-version when non-empty.
  std::string sim_tls_min_version;
  std::string sim_tls_max_version;
};

struct SimOtp {
  std::string otp;
  std::string otp_ref_id;
  std::string kyc_request_id;
};

// A simulator fault (POST /__sim/faults, see tests/sim/README.md).
struct Fault {
  std::string customer_id;         // "" matches every customer
  int times = 1;                   // uses; -1 until cleared
  std::string action = "respond";  // respond, reset, stall, truncate or pass
  // Sent for respond and truncate only.
  int http_status = 200;
  std::map<std::string, std::string> headers;
  std::string body;
  int delay_ms = 0;

  // The fault as POST /__sim/faults takes it.
  std::string ToJson() const;
};

struct RecordedRequest {
  std::string method;
  std::string path;
  std::map<std::string, std::string> query;
  std::string body;
  std::string content_type;
  bool auth_ok = false;
};

class TestStack {
 public:
  // Starts both processes; fails the current test (and returns nullptr) if
  // either does not come up.
  static std::unique_ptr<TestStack> Start(const StackOptions& options = {});
  ~TestStack();

  v1::OnboardingService::Stub& stub() { return *stub_; }
  std::shared_ptr<grpc::Channel> channel() { return channel_; }
  int gateway_port() const { return gateway_port_; }
  int metrics_port() const { return metrics_port_; }
  // GET /metrics of the gateway.
  std::string ScrapeMetrics();
  const std::string& sim_base_url() const { return sim_base_url_; }
  const std::string& sim_admin_url() const { return sim_admin_url_; }
  ChildProcess& gateway() { return *gateway_; }

  // Simulator admin helpers.
  std::optional<SimOtp> LatestOtp(const std::string& customer_id);
  bool ExpireOtps(const std::string& customer_id);
  // Adds a simulator fault (see tests/sim/README.md); false if refused.
  bool InjectFault(const Fault& fault);
  void ClearFaults();
  std::vector<RecordedRequest> Requests();
  // The requests whose path or body holds `customer_id`.
  std::vector<RecordedRequest> RequestsFor(const std::string& customer_id);
  void ClearRequests();

  // Polls the simulator until it has received `count` requests for
  // `customer_id` (see RequestsFor); false if it has not within `timeout`.
  bool WaitForRequests(const std::string& customer_id, size_t count,
                       std::chrono::milliseconds timeout = std::chrono::seconds(10));
  // Polls the gateway's log until it holds `text`; false if it does not
  // within `timeout`.
  bool WaitForGatewayLog(const std::string& text,
                         std::chrono::milliseconds timeout = std::chrono::seconds(10));

 private:
  TestStack() = default;
  std::optional<ChildProcess> sim_;
  std::optional<ChildProcess> gateway_;
  std::string sim_base_url_;
  std::string sim_admin_url_;
  std::string key_file_;
  int gateway_port_ = 0;
  int metrics_port_ = 0;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::OnboardingService::Stub> stub_;
};

// Secrets and personal data that must never appear in any gateway log. Every
// TestStack scans its gateway's log for all of them when it stops; OTPs read
// from the simulator are registered automatically.
void RegisterSecret(const std::string& secret);

// The sender address the integration tests onboard with (a valid Address:
// line, city, state, 6-digit pincode; no district or area).
inline v1::Address TestAddress() {
  v1::Address address;
  address.set_line("4 Park Street");
  address.set_city("Pune");
  address.set_state("Maharashtra");
  address.set_pincode("411001");
  return address;
}

// TestAddress() as OnboardSender sends it to Eko by default: a JSON string
// holding the object, as it appears inside the request body.
inline constexpr char kTestAddressOnTheWire[] =
    R"("{\"line\":\"4 Park Street\",\"city\":\"Pune\",\"state\":\"Maharashtra\",)"
    R"(\"pincode\":\"411001\"}")";

// A client context with a deadline `timeout` from now.
std::unique_ptr<grpc::ClientContext> Context(
    std::chrono::milliseconds timeout = std::chrono::seconds(10));

// What grpc.health.v1.Health/Check answers for `service` ("" is the server
// as a whole); UNKNOWN when the call fails.
grpc::health::v1::HealthCheckResponse::ServingStatus HealthStatus(TestStack& stack,
                                                                  const std::string& service);

// The value of `series` (a metric name with its labels exactly as the text
// shows them) in Prometheus text `metrics`; -1 when absent.
double MetricSample(const std::string& metrics, const std::string& series);

// Decoded error details of a failed call.
struct ErrorDetails {
  std::string reason;
  std::string domain;
  std::map<std::string, std::string> metadata;
  std::vector<std::string> violated_fields;
  std::vector<std::string> type_urls;  // every detail, in order
  std::string request_id;
  std::string serving_data;
  int error_info_count = 0;
};
ErrorDetails DecodeDetails(const grpc::Status& status);

// Success when `status` is OK; otherwise a failure that shows the status.
::testing::AssertionResult Succeeded(const grpc::Status& status);

// Success when `status` has `code` and its ErrorInfo `reason`; otherwise a
// failure that shows both.
::testing::AssertionResult HasError(const grpc::Status& status, grpc::StatusCode code,
                                    const std::string& reason);

// Base of a suite whose tests share one TestStack, `stack_`, started before
// its first test and stopped after its last. A suite that needs options
// declares its own SetUpTestSuite calling StartSharedStack(options).
class SharedStackTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { StartSharedStack({}); }
  static void TearDownTestSuite() {
    delete stack_;
    stack_ = nullptr;
  }
  static void StartSharedStack(const StackOptions& options) {
    stack_ = TestStack::Start(options).release();
  }
  void SetUp() override { ASSERT_NE(stack_, nullptr) << "the suite's stack did not start"; }

  static inline TestStack* stack_ = nullptr;
};

}  // namespace eko::testing

#endif  // EKO_TESTS_INTEGRATION_TEST_STACK_H_
