// The gateway's connections to Eko through nghttpx, a TLS reverse proxy that
// offers HTTP/2 (or only HTTP/1.1) in front of the real eko-sim: HTTP/2
// multiplexing and fallback, TLS session resumption, the idle lifetime and
// pre-warming, as the gateway's metrics count them.
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <future>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "eko/onboarding/v1/onboarding_service.grpc.pb.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "tests/integration/requests.h"
#include "tests/integration/test_stack.h"
#include "tests/support/child_process.h"
#include "tests/support/http_client.h"

namespace eko::testing {
namespace {

constexpr char kNghttpx[] = "/usr/sbin/nghttpx";
constexpr auto kStartTimeout = std::chrono::seconds(20);

sockaddr_in Loopback(int port) {
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = htons(static_cast<uint16_t>(port));
  return address;
}

// A loopback port free at the time of asking.
int FreePort() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address = Loopback(0);
  socklen_t length = sizeof(address);
  bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address));
  getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  close(fd);
  return ntohs(address.sin_port);
}

bool Accepts(int port) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  const sockaddr_in address = Loopback(port);
  const bool connected =
      connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof(address)) == 0;
  close(fd);
  return connected;
}

// A CA and a certificate for localhost and 127.0.0.1 from it, made with the
// openssl CLI in a temporary directory (removed at exit).
class Pki {
 public:
  static const Pki& Get() {
    static const Pki pki;
    return pki;
  }
  ~Pki() { std::filesystem::remove_all(dir_); }

  bool ok() const { return ok_; }
  std::string Path(const std::string& name) const { return dir_ + "/" + name; }

 private:
  Pki() {
    char dir[] = "/tmp/eko-upstream-conn-XXXXXX";
    if (mkdtemp(dir) == nullptr) return;
    dir_ = dir;
    std::ofstream(Path("server.ext"))
        << "subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n";
    const std::string ec = " -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes";
    ok_ =
        Run("openssl req -x509" + ec +
            " -keyout ca.key -out ca.pem -days 2 -subj /CN=upstream-conn-test-ca"
            " -addext basicConstraints=critical,CA:TRUE"
            " -addext keyUsage=critical,keyCertSign,cRLSign") &&
        Run("openssl req -new" + ec + " -keyout server.key -out server.csr -subj /CN=localhost") &&
        Run("openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -set_serial 1 -days 2"
            " -out server.pem -extfile server.ext");
  }
  bool Run(const std::string& command) const {
    return std::system(("cd " + dir_ + " && " + command + " >>openssl.log 2>&1").c_str()) == 0;
  }

  std::string dir_;
  bool ok_ = false;
};

struct UpstreamOptions {
  bool offer_h2 = true;  // ALPN h2 and http/1.1, or http/1.1 only
  std::vector<std::string> gateway_flags;
};

// eko-sim (plain HTTP) behind nghttpx (TLS, the gateway's Eko) and a gateway
// with metrics, each a process of its own.
class Upstream {
 public:
  // Null, with a test failure, when a process does not come up.
  static std::unique_ptr<Upstream> Start(const UpstreamOptions& options) {
    std::unique_ptr<Upstream> up(new Upstream());
    if (!Pki::Get().ok()) {
      ADD_FAILURE() << "openssl could not make the test certificates";
      return nullptr;
    }
    auto sim = ChildProcess::Start({EKO_SIM_BINARY, "--listen", "127.0.0.1:0", "--developer-key",
                                    kSimDeveloperKey, "--access-key", kSimAccessKey});
    if (!sim) return Failed("cannot start eko-sim");
    up->sim_.emplace(std::move(*sim));
    const std::optional<std::string> sim_url =
        up->sim_->WaitForLine("eko-sim listening on ", kStartTimeout);
    if (!sim_url) return Failed("eko-sim did not start: " + up->sim_->StderrText());
    // http://127.0.0.1:PORT/PATH
    const size_t port_at = sim_url->find(':', 5) + 1;
    const size_t path_at = sim_url->find('/', port_at);
    const std::string sim_port = sim_url->substr(port_at, path_at - port_at);
    up->sim_admin_url_ = sim_url->substr(0, path_at) + "/__sim";

    const int proxy_port = FreePort();
    std::vector<std::string> proxy_args = {kNghttpx,
                                           "--conf=/dev/null",
                                           "--frontend=127.0.0.1," + std::to_string(proxy_port),
                                           "--backend=127.0.0.1," + sim_port,
                                           "--workers=1",
                                           "--no-ocsp",
                                           "--frontend-http2-max-concurrent-streams=1000"};
    if (!options.offer_h2) proxy_args.push_back("--npn-list=http/1.1");
    proxy_args.insert(proxy_args.end(),
                      {Pki::Get().Path("server.key"), Pki::Get().Path("server.pem")});
    auto proxy = ChildProcess::Start(proxy_args);
    if (!proxy) return Failed("cannot start nghttpx");
    up->proxy_.emplace(std::move(*proxy));
    const auto give_up = std::chrono::steady_clock::now() + kStartTimeout;
    while (!Accepts(proxy_port)) {
      if (std::chrono::steady_clock::now() > give_up) {
        return Failed("nghttpx did not start: " + up->proxy_->StderrText());
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }

    up->key_file_ = Pki::Get().Path("access-key-" + std::to_string(proxy_port));
    std::ofstream(up->key_file_) << kSimAccessKey << "\n";
    std::vector<std::string> gateway_args = {
        EKO_GATEWAY_BINARY,
        "--listen",
        "127.0.0.1:0",
        "--metrics-listen",
        "127.0.0.1:0",
        "--eko-base-url",
        "https://localhost:" + std::to_string(proxy_port) + sim_url->substr(path_at),
        "--eko-ca-file",
        Pki::Get().Path("ca.pem"),
        "--eko-developer-key",
        kSimDeveloperKey,
        "--eko-access-key-file",
        up->key_file_,
        "--eko-initiator-id",
        "9962981729",
        "--eko-user-code",
        "20810200"};
    gateway_args.insert(gateway_args.end(), options.gateway_flags.begin(),
                        options.gateway_flags.end());
    auto gateway = ChildProcess::Start(gateway_args);
    if (!gateway) return Failed("cannot start eko-gateway");
    up->gateway_.emplace(std::move(*gateway));
    const auto metrics = up->gateway_->WaitForLine("eko-gateway metrics on port ", kStartTimeout);
    const auto port =
        metrics ? up->gateway_->WaitForLine("eko-gateway listening on port ", kStartTimeout)
                : std::nullopt;
    if (!port) return Failed("eko-gateway did not start: " + up->gateway_->StderrText());
    up->metrics_url_ = "http://127.0.0.1:" + *metrics + "/metrics";
    up->stub_ = v1::OnboardingService::NewStub(
        grpc::CreateChannel("127.0.0.1:" + *port, grpc::InsecureChannelCredentials()));
    return up;
  }

  ~Upstream() {
    if (!key_file_.empty()) unlink(key_file_.c_str());
  }

  // Every call of `customer_ids` at once (GetCustomer), each answered by the
  // simulator after `delay_ms`; the number that succeeded.
  int LookUpAtOnce(const std::vector<std::string>& customer_ids, int delay_ms = 0) {
    if (delay_ms > 0) {
      HttpCall("POST", sim_admin_url_ + "/faults", Delay("", -1, delay_ms).ToJson());
    }
    struct Call {
      grpc::ClientContext context;
      v1::GetCustomerRequest request;
      v1::GetCustomerResponse response;
      std::promise<grpc::Status> status;
    };
    std::vector<std::unique_ptr<Call>> calls;
    for (const std::string& id : customer_ids) {
      auto call = std::make_unique<Call>();
      call->context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
      Call* c = call.get();
      c->request = CustomerLookup(id);
      stub_->async()->GetCustomer(&c->context, &c->request, &c->response,
                                  [c](grpc::Status s) { c->status.set_value(s); });
      calls.push_back(std::move(call));
    }
    int ok = 0;
    for (auto& call : calls) {
      const grpc::Status status = call->status.get_future().get();
      EXPECT_TRUE(status.ok()) << status.error_code() << ": " << status.error_message();
      ok += status.ok() ? 1 : 0;
    }
    if (delay_ms > 0) HttpCall("DELETE", sim_admin_url_ + "/faults");
    return ok;
  }

  // `series` of the gateway's metrics, e.g.
  // eko_upstream_connections_opened_total{protocol="http/2"}; -1 if absent.
  double Metric(const std::string& series) {
    return MetricSample(HttpCall("GET", metrics_url_).body, series);
  }
  double Opened(const std::string& protocol) {
    return Metric("eko_upstream_connections_opened_total{protocol=\"" + protocol + "\"}");
  }
  double Handshakes(const std::string& session) {
    return Metric("eko_upstream_tls_handshakes_total{session=\"" + session + "\"}");
  }

  std::string GatewayLog() const { return gateway_->StderrText(); }

 private:
  Upstream() = default;
  static std::unique_ptr<Upstream> Failed(const std::string& why) {
    ADD_FAILURE() << why;
    return nullptr;
  }

  std::optional<ChildProcess> sim_;
  std::optional<ChildProcess> proxy_;
  std::optional<ChildProcess> gateway_;
  std::string sim_admin_url_;
  std::string metrics_url_;
  std::string key_file_;
  std::unique_ptr<v1::OnboardingService::Stub> stub_;
};

// `count` distinct customer ids from `first` (distinct, so no two lookups
// are coalesced into one upstream call).
std::vector<std::string> Customers(int count, long first = 9100000000) {
  std::vector<std::string> ids;
  for (int i = 0; i < count; ++i) ids.push_back(std::to_string(first + i));
  return ids;
}

class UpstreamConnectionsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (access(kNghttpx, X_OK) != 0) {
      GTEST_SKIP() << kNghttpx << " is missing: install Debian's nghttp2-proxy (scripts/setup.sh)";
    }
  }
};

TEST_F(UpstreamConnectionsTest, Http2MultiplexesConcurrentCallsOverFewConnections) {
  auto up = Upstream::Start({.gateway_flags = {"--upstream-loops", "2"}});
  ASSERT_NE(up, nullptr);
  constexpr int kCalls = 200;
  // Held 300 ms each by the simulator, all 200 are in flight at once.
  EXPECT_EQ(up->LookUpAtOnce(Customers(kCalls), 300), kCalls);
  const double h2 = up->Opened("http/2");
  std::cout << "HTTP/2: " << h2 << " connections for " << kCalls << " concurrent calls\n";
  EXPECT_GE(h2, 1);
  EXPECT_LE(h2, 4);  // one per loop, give or take a race at start
  EXPECT_EQ(up->Opened("http/1.1"), 0);
  // Later calls reuse them.
  EXPECT_EQ(up->LookUpAtOnce(Customers(kCalls, 9200000000), 100), kCalls);
  EXPECT_EQ(up->Opened("http/2"), h2);
}

// A loop's pools take 256 transfers each until it knows the upstream
// multiplexes, and each pool has connections of its own. The TLS handshake
// (ALPN) tells, long before the first answer of a slow Eko: 600 calls then
// share one pool, not three, and one or two connections.
TEST_F(UpstreamConnectionsTest, Http2IsKnownFromTheHandshakeNotFromTheFirstAnswer) {
  auto up = Upstream::Start({.gateway_flags = {"--upstream-loops", "1"}});
  ASSERT_NE(up, nullptr);
  constexpr int kCalls = 600;
  EXPECT_EQ(up->LookUpAtOnce(Customers(kCalls), 1000), kCalls);
  const double h2 = up->Opened("http/2");
  std::cout << "HTTP/2: " << h2 << " connections for " << kCalls << " calls at once\n";
  EXPECT_GE(h2, 1);
  EXPECT_LE(h2, 2);
}

TEST_F(UpstreamConnectionsTest, FallsBackToHttp11WhenTheServerDoesNotOfferH2) {
  auto up = Upstream::Start({.offer_h2 = false, .gateway_flags = {"--upstream-loops", "1"}});
  ASSERT_NE(up, nullptr);
  EXPECT_EQ(up->LookUpAtOnce(Customers(10), 200), 10);
  EXPECT_EQ(up->Opened("http/2"), 0);
  EXPECT_GE(up->Opened("http/1.1"), 10);  // one per call in flight
}

TEST_F(UpstreamConnectionsTest, Http2OffNeverUsesH2) {
  auto up = Upstream::Start({.gateway_flags = {"--eko-http2", "off", "--upstream-loops", "1"}});
  ASSERT_NE(up, nullptr);
  EXPECT_EQ(up->LookUpAtOnce(Customers(5), 200), 5);
  EXPECT_EQ(up->Opened("http/2"), 0);
  EXPECT_EQ(up->Opened("http/1.1"), 5);
}

// libcurl 7.88 keeps one TLS session per server, and OpenSSL uses a TLS 1.3
// ticket only once: a connection opened while another is open resumes the
// latest ticket that connection received.
TEST_F(UpstreamConnectionsTest, NewConnectionsResumeTheLatestTlsSession) {
  auto up = Upstream::Start({.gateway_flags = {"--eko-http2", "off", "--upstream-loops", "1"}});
  ASSERT_NE(up, nullptr);
  EXPECT_EQ(up->LookUpAtOnce(Customers(1)), 1);
  EXPECT_EQ(up->Handshakes("full"), 1);
  EXPECT_EQ(up->Handshakes("resumed"), 0);
  // Over HTTP/1.1, k calls at once with k - 1 idle connections open one more.
  for (int k = 2; k <= 4; ++k) {
    EXPECT_EQ(up->LookUpAtOnce(Customers(k, 9300000000 + 10 * k), 300), k);
    EXPECT_EQ(up->Opened("http/1.1"), k);
    EXPECT_EQ(up->Handshakes("resumed"), k - 1);
  }
  std::cout << "TLS handshakes: " << up->Handshakes("full") << " full, "
            << up->Handshakes("resumed") << " resumed for " << up->Opened("http/1.1")
            << " connections\n";
  EXPECT_EQ(up->Handshakes("full"), 1);
}

TEST_F(UpstreamConnectionsTest, AConnectionIdleLongerThanTheLimitIsNotReused) {
  auto up = Upstream::Start(
      {.gateway_flags = {"--eko-max-idle-connection-ms", "1000", "--upstream-loops", "1"}});
  ASSERT_NE(up, nullptr);
  EXPECT_EQ(up->LookUpAtOnce(Customers(1)), 1);
  EXPECT_EQ(up->Opened("http/2"), 1);
  EXPECT_EQ(up->LookUpAtOnce(Customers(1, 9400000000)), 1);  // idle for far less than 1 s
  EXPECT_EQ(up->Opened("http/2"), 1);
  std::this_thread::sleep_for(std::chrono::milliseconds(2200));
  EXPECT_EQ(up->LookUpAtOnce(Customers(1, 9500000000)), 1);
  EXPECT_EQ(up->Opened("http/2"), 2);
  EXPECT_EQ(up->Handshakes("full") + up->Handshakes("resumed"), 2);
}

// Over HTTP/2: eko-sim answers HEAD without a length, which nghttpx's
// HTTP/1.1 side turns into "Connection: close".
TEST_F(UpstreamConnectionsTest, PrewarmedConnectionsAreOpenBeforeTheFirstCall) {
  auto up = Upstream::Start(
      {.gateway_flags = {"--eko-prewarm-connections", "3", "--upstream-loops", "1"}});
  ASSERT_NE(up, nullptr);
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (up->Opened("http/2") < 3 && std::chrono::steady_clock::now() < give_up) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_EQ(up->Opened("http/2"), 3);
  // Calls are multiplexed over the warm connections.
  EXPECT_EQ(up->LookUpAtOnce(Customers(10), 200), 10);
  EXPECT_EQ(up->Opened("http/2"), 3);
  EXPECT_EQ(up->Opened("http/1.1"), 0);
  EXPECT_EQ(up->GatewayLog().find("upstream_prewarm_failed"), std::string::npos);
}

}  // namespace
}  // namespace eko::testing
