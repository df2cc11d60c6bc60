// Hostile clients at the connection level, against the real gateway and
// simulator on loopback: a flood of connections that never send the HTTP/2
// preface, beyond the gateway's open-file limit; many connections from one
// address; idle connections; and what is left after a flood. Each test also
// shows that a well-behaved caller, whose calls reach the simulator, is
// unaffected.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "gtest/gtest.h"
#include "tests/integration/process_stats.h"
#include "tests/integration/requests.h"
#include "tests/integration/test_stack.h"

namespace eko::testing {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr int kGatewayOpenFiles = 256;
constexpr int kPerPeerCap = 30;
constexpr milliseconds kHandshakeTimeout(2000);
constexpr char kRefusedTotal[] =
    R"(eko_gateway_connections_refused_total{reason="max_connections"})";
constexpr char kRefusedPerPeer[] =
    R"(eko_gateway_connections_refused_total{reason="max_connections_per_peer"})";

// Raw TCP connections that never send anything, closed on destruction.
class RawConnections {
 public:
  RawConnections() = default;
  RawConnections(const RawConnections&) = delete;
  ~RawConnections() { CloseAll(); }

  // Starts `count` non-blocking connects to 127.0.0.1:`port` from `source`
  // (a loopback address); false when a socket cannot be made.
  bool Open(int port, const std::string& source, int count) {
    for (int i = 0; i < count; ++i) {
      const int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
      if (fd < 0) return false;
      sockaddr_in from{};
      from.sin_family = AF_INET;
      inet_pton(AF_INET, source.c_str(), &from.sin_addr);
      sockaddr_in to{};
      to.sin_family = AF_INET;
      to.sin_port = htons(static_cast<uint16_t>(port));
      inet_pton(AF_INET, "127.0.0.1", &to.sin_addr);
      if (bind(fd, reinterpret_cast<sockaddr*>(&from), sizeof(from)) != 0 ||
          (connect(fd, reinterpret_cast<sockaddr*>(&to), sizeof(to)) != 0 &&
           errno != EINPROGRESS)) {
        close(fd);
        return false;
      }
      fds_.push_back(fd);
    }
    return true;
  }

  // How many the server has closed (end-of-file or reset seen). What the
  // server sent before (its HTTP/2 settings) is read and dropped.
  int ClosedByServer() const {
    int closed = 0;
    for (const int fd : fds_) {
      char buffer[4096];
      ssize_t n;
      while ((n = recv(fd, buffer, sizeof(buffer), MSG_DONTWAIT)) > 0) {
      }
      if (n == 0 || (n < 0 && (errno == ECONNRESET || errno == EPIPE))) ++closed;
    }
    return closed;
  }

  void CloseAll() {
    for (const int fd : fds_) close(fd);
    fds_.clear();
  }

 private:
  std::vector<int> fds_;
};

// Polls `condition` every 50 ms until it holds or `timeout` passes.
template <typename Condition>
bool Eventually(Condition condition, milliseconds timeout) {
  const auto give_up = std::chrono::steady_clock::now() + timeout;
  while (!condition()) {
    if (std::chrono::steady_clock::now() >= give_up) return false;
    std::this_thread::sleep_for(milliseconds(50));
  }
  return true;
}

int64_t OpenFds(pid_t pid) { return ProcessStats::Of(pid).open_fds; }
int64_t ResidentKib(pid_t pid) { return ProcessStats::Of(pid).rss_kib; }

// A call that reaches the simulator.
grpc::Status UpstreamCall(TestStack& stack) {
  return Call(stack, CustomerLookup("6111111111"), milliseconds(5000));
}

// This process opens more connections than the gateway may hold.
void RaiseOwnOpenFileLimit() {
  rlimit files{};
  if (getrlimit(RLIMIT_NOFILE, &files) == 0 && files.rlim_cur < files.rlim_max) {
    files.rlim_cur = files.rlim_max;
    setrlimit(RLIMIT_NOFILE, &files);
  }
}

// One gateway with 256 open files, 64 of them reserved for upstream
// connections, a per-address cap of 30 and a 2 s handshake timeout.
class HostileConnectionTest : public SharedStackTest {
 protected:
  static void SetUpTestSuite() {
    RaiseOwnOpenFileLimit();
    StartSharedStack(
        {.extra_gateway_flags = {"--upstream-reserved-fds", "64", "--max-connections-per-peer",
                                 std::to_string(kPerPeerCap), "--handshake-timeout-ms",
                                 std::to_string(kHandshakeTimeout.count())},
         .metrics = true,
         .gateway_open_file_limit = kGatewayOpenFiles});
  }

  double Metric(const std::string& series) { return MetricSample(stack_->ScrapeMetrics(), series); }
};

TEST_F(HostileConnectionTest, CapIsLoweredToFitTheOpenFileLimit) {
  const double cap = Metric("eko_gateway_max_connections");
  EXPECT_GT(cap, 64);
  EXPECT_LT(cap, kGatewayOpenFiles - 64);
  EXPECT_TRUE(stack_->WaitForGatewayLog("\"event\":\"max_connections_lowered\""));
}

// 600 connections, from 30 addresses so that only the total cap applies, are
// more than the gateway's 256 open files: without the cap they would take
// every descriptor, and gRPC 1.51 stops listening for good at EMFILE.
TEST_F(HostileConnectionTest, FloodBeyondTheOpenFileLimitLeavesOtherCallersServed) {
  ASSERT_TRUE(Succeeded(UpstreamCall(*stack_)));
  const pid_t pid = stack_->gateway().pid();
  const int64_t baseline_fds = OpenFds(pid);
  const double refused_before = Metric(kRefusedTotal);

  std::atomic<bool> flooding{true};
  std::atomic<int> calls{0};
  std::atomic<int> failures{0};
  std::thread caller([&] {
    while (flooding.load()) {
      const grpc::Status status = UpstreamCall(*stack_);
      ++calls;
      if (!status.ok()) {
        ++failures;
        ADD_FAILURE() << "call during the flood: " << status.error_message();
      }
    }
  });
  {
    RawConnections flood;
    for (int peer = 0; peer < 30; ++peer) {
      ASSERT_TRUE(flood.Open(stack_->gateway_port(), "127.0.1." + std::to_string(peer + 1), 20));
    }
    // Every connection beyond what 256 descriptors can hold is refused.
    EXPECT_TRUE(Eventually(
        [&] { return Metric(kRefusedTotal) - refused_before >= 600 - kGatewayOpenFiles; },
        seconds(5)))
        << "refused: " << Metric(kRefusedTotal) - refused_before;
    EXPECT_LT(OpenFds(pid), kGatewayOpenFiles);
    std::this_thread::sleep_for(milliseconds(500));
  }
  flooding.store(false);
  caller.join();
  EXPECT_GE(calls.load(), 3);
  EXPECT_EQ(failures.load(), 0);

  // The flood's descriptors are released and the listener still accepts new
  // connections.
  EXPECT_TRUE(Eventually([&] { return OpenFds(pid) <= baseline_fds + 8; }, seconds(10)))
      << "gateway fds " << OpenFds(pid) << ", before the flood " << baseline_fds;
  grpc::ChannelArguments fresh;
  fresh.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  fresh.SetString("eko.test.fresh-connection", "after-flood");
  auto stub = v1::OnboardingService::NewStub(
      grpc::CreateCustomChannel("127.0.0.1:" + std::to_string(stack_->gateway_port()),
                                grpc::InsecureChannelCredentials(), fresh));
  v1::GetCustomerResponse response;
  EXPECT_TRUE(
      Succeeded(stub->GetCustomer(Context().get(), CustomerLookup("6111111111"), &response)));
}

TEST_F(HostileConnectionTest, PerPeerCapRefusesOneAddressAndServesOthers) {
  const double refused_before = Metric(kRefusedPerPeer);
  RawConnections greedy;
  RawConnections other;
  ASSERT_TRUE(greedy.Open(stack_->gateway_port(), "127.0.0.2", kPerPeerCap + 15));
  ASSERT_TRUE(other.Open(stack_->gateway_port(), "127.0.0.3", 5));
  // The 15 beyond the cap are closed at once; the others stay until the
  // handshake timeout.
  EXPECT_TRUE(Eventually([&] { return greedy.ClosedByServer() >= 15; }, milliseconds(1200)));
  EXPECT_EQ(greedy.ClosedByServer(), 15);
  EXPECT_EQ(other.ClosedByServer(), 0);
  EXPECT_EQ(Metric(kRefusedPerPeer) - refused_before, 15);
  EXPECT_TRUE(Succeeded(UpstreamCall(*stack_)));
  EXPECT_TRUE(
      stack_->WaitForGatewayLog("\"peer\":\"127.0.0.2\",\"reason\":\"max_connections_per_peer\""));
}

TEST_F(HostileConnectionTest, ConnectionsWithoutPrefaceAreClosedAfterTheHandshakeTimeout) {
  RawConnections idle;
  const auto start = std::chrono::steady_clock::now();
  ASSERT_TRUE(idle.Open(stack_->gateway_port(), "127.0.0.4", 5));
  std::this_thread::sleep_for(kHandshakeTimeout / 2);
  EXPECT_EQ(idle.ClosedByServer(), 0);
  EXPECT_TRUE(Eventually([&] { return idle.ClosedByServer() == 5; }, seconds(6)));
  EXPECT_LT(std::chrono::steady_clock::now() - start, kHandshakeTimeout + seconds(3));
}

// Memory the gateway took for a flood of connections is returned after it:
// a gateway holding 3000 idle connections at its peak.
TEST(HostileConnectionMemoryTest, FdsAndMemoryReturnNearBaselineAfterAFlood) {
  if (!kResidentMemoryIsMeaningful) GTEST_SKIP() << "resident memory is ASan's, not ours";
  constexpr int kFlood = 3000;
  RaiseOwnOpenFileLimit();
  auto stack =
      TestStack::Start({.extra_gateway_flags = {"--max-connections", std::to_string(kFlood),
                                                "--max-connections-per-peer", "0",
                                                "--memory-trim-interval-ms", "1000",
                                                // the flood is held until measured, however
                                                // slowly a loaded machine opens it
                                                "--handshake-timeout-ms", "60000"},
                        .metrics = true});
  ASSERT_NE(stack, nullptr);
  ASSERT_TRUE(Succeeded(UpstreamCall(*stack)));
  const pid_t pid = stack->gateway().pid();
  const int64_t baseline_fds = OpenFds(pid);
  const int64_t baseline_kib = ResidentKib(pid);
  int64_t peak_kib = baseline_kib;
  // The resident size now, remembering the highest seen.
  const auto resident = [&] {
    const int64_t now = ResidentKib(pid);
    peak_kib = std::max(peak_kib, now);
    return now;
  };
  {
    RawConnections flood;
    ASSERT_TRUE(flood.Open(stack->gateway_port(), "127.0.0.5", kFlood));
    ASSERT_TRUE(
        Eventually([&] { return OpenFds(pid) >= baseline_fds + kFlood - 100; }, seconds(20)))
        << "the gateway holds " << OpenFds(pid) - baseline_fds << " connections";
    for (int i = 0; i < 10; ++i, std::this_thread::sleep_for(milliseconds(50))) resident();
  }
  EXPECT_TRUE(Eventually([&] { return OpenFds(pid) <= baseline_fds + 8; }, seconds(20)));
  const bool returned = Eventually(
      [&] { return resident() - baseline_kib < (peak_kib - baseline_kib) / 2; }, seconds(20));
  ASSERT_GT(peak_kib - baseline_kib, 20 * 1024) << "the flood made no peak to return";
  EXPECT_TRUE(returned) << "RSS KiB: baseline " << baseline_kib << ", peak " << peak_kib << ", now "
                        << ResidentKib(pid);
  // Trims are counted; on a loaded machine the flood may be over before the
  // trimmer's next check, and free() may then have returned it already.
  const std::string metrics = stack->ScrapeMetrics();
  const double trims = MetricSample(metrics, "eko_gateway_memory_trims_total");
  EXPECT_GE(trims, 0);
  if (trims > 0) {
    EXPECT_GT(MetricSample(metrics, "eko_gateway_memory_trimmed_bytes_total"), 0);
  }
  EXPECT_TRUE(Succeeded(UpstreamCall(*stack)));
}

}  // namespace
}  // namespace eko::testing
