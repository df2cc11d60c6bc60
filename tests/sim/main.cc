// eko-sim: runs the Eko simulator as a process.
//
// Prints exactly one line to stdout once it accepts connections:
//   eko-sim listening on http://HOST:PORT/ekoapi/v3
// Everything else goes to stderr. Exits 0 on SIGTERM or SIGINT, 2 on bad
// flags, 1 when it cannot start.

#include <signal.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/string_view.h"
#include "tests/sim/http_server.h"
#include "tests/sim/simulator.h"

namespace {

constexpr char kUsage[] =
    "Usage: eko-sim [flags]\n"
    "A test double of Eko's customer-onboarding REST API.\n"
    "\n"
    "  --listen=HOST:PORT      address to serve (default 127.0.0.1:8090; port 0 = any free)\n"
    "  --developer-key=KEY     expected developer_key header (default sim-developer-key)\n"
    "  --access-key=KEY        access key that signs secret-key (default sim-access-key)\n"
    "  --initiator-id=ID       expected initiator_id (default 9962981729)\n"
    "  --base-path=PATH        prefix of Eko's paths (default /ekoapi/v3)\n"
    "  --fixed-otp=DIGITS      issue this OTP every time (default: random 6 digits)\n"
    "  --latency-ms=N          delay every Eko-endpoint reply by N ms (default 0)\n"
    "  --otp-ttl-ms=N          OTP lifetime in ms (default 300000)\n"
    "  --help                  print this help and exit\n"
    "\n"
    "Admin endpoints (no auth) live under http://HOST:PORT/__sim; see tests/sim/README.md.\n";

bool ParseInt64Flag(absl::string_view name, const std::string& text, int64_t* out) {
  if (!absl::SimpleAtoi(text, out) || *out < 0) {
    std::fprintf(stderr, "eko-sim: %.*s needs a non-negative integer, got \"%s\"\n",
                 static_cast<int>(name.size()), name.data(), text.c_str());
    return false;
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  eko::sim::SimConfig config;
  std::string listen = "127.0.0.1:8090";

  for (int i = 1; i < argc; ++i) {
    absl::string_view arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      std::fputs(kUsage, stdout);
      return 0;
    }
    if (!absl::StartsWith(arg, "--")) {
      std::fprintf(stderr, "eko-sim: unexpected argument \"%s\"\n%s", argv[i], kUsage);
      return 2;
    }
    std::string name;
    std::string value;
    const size_t eq = arg.find('=');
    if (eq != absl::string_view::npos) {
      name = std::string(arg.substr(0, eq));
      value = std::string(arg.substr(eq + 1));
    } else {
      name = std::string(arg);
      if (i + 1 >= argc) {
        std::fprintf(stderr, "eko-sim: %s needs a value\n", name.c_str());
        return 2;
      }
      value = argv[++i];
    }
    bool ok = true;
    if (name == "--listen") {
      listen = value;
    } else if (name == "--developer-key") {
      config.developer_key = value;
    } else if (name == "--access-key") {
      config.access_key = value;
    } else if (name == "--initiator-id") {
      config.initiator_id = value;
    } else if (name == "--base-path") {
      config.base_path = value;
    } else if (name == "--fixed-otp") {
      config.fixed_otp = value;
    } else if (name == "--latency-ms") {
      ok = ParseInt64Flag(name, value, &config.latency_ms);
    } else if (name == "--otp-ttl-ms") {
      ok = ParseInt64Flag(name, value, &config.otp_ttl_ms);
    } else {
      std::fprintf(stderr, "eko-sim: unknown flag %s\n%s", name.c_str(), kUsage);
      return 2;
    }
    if (!ok) return 2;
  }

  // SIGTERM/SIGINT are blocked in every thread (the loop thread inherits the
  // mask) and collected by sigwait below.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  signal(SIGPIPE, SIG_IGN);

  if (auto limit = eko::sim::RaiseOpenFileLimit(); !limit.ok()) {
    std::fprintf(stderr, "eko-sim: warning: %s\n", std::string(limit.status().message()).c_str());
  }

  auto simulator = eko::sim::Simulator::Start(config, listen);
  if (!simulator.ok()) {
    std::fprintf(stderr, "eko-sim: cannot start: %s\n",
                 std::string(simulator.status().message()).c_str());
    return 1;
  }
  std::fprintf(stderr, "eko-sim: initiator_id=%s otp=%s latency_ms=%lld otp_ttl_ms=%lld admin=%s\n",
               config.initiator_id.c_str(), config.fixed_otp.empty() ? "random" : "fixed",
               static_cast<long long>(config.latency_ms), static_cast<long long>(config.otp_ttl_ms),
               (*simulator)->admin_url().c_str());
  std::printf("eko-sim listening on %s\n", (*simulator)->base_url().c_str());
  std::fflush(stdout);

  int received = 0;
  sigwait(&stop_signals, &received);
  std::fprintf(stderr, "eko-sim: signal %d, stopping\n", received);
  simulator->reset();
  return 0;
}
