// eko-sim: runs the Eko simulator as a process.
//
// Prints one line to stdout once it accepts connections:
//   eko-sim listening on http://HOST:PORT/ekoapi/v3   (https:// with --tls-cert-file)
// and, with --admin-listen, a second one:
//   eko-sim admin on http://HOST:PORT/__sim
// Everything else goes to stderr. Exits 0 on SIGTERM or SIGINT, 1 on an
// unknown or malformed flag (absl::flags), 2 on a configuration the simulator
// refuses or a stray argument, 1 when it cannot start. `eko-sim --help`
// lists the flags.

#include <signal.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/flags/usage_config.h"
#include "absl/strings/match.h"
#include "tests/sim/http_server.h"
#include "tests/sim/simulator.h"

// Defaults come from SimConfig{}, so they are written once.
ABSL_FLAG(std::string, listen, "127.0.0.1:8090", "address to serve (port 0 picks a free port)");
ABSL_FLAG(std::string, developer_key, eko::sim::SimConfig{}.developer_key,
          "expected developer_key header");
ABSL_FLAG(std::string, access_key, eko::sim::SimConfig{}.access_key,
          "access key that signs secret-key");
ABSL_FLAG(std::string, initiator_id, eko::sim::SimConfig{}.initiator_id, "expected initiator_id");
ABSL_FLAG(std::string, base_path, eko::sim::SimConfig{}.base_path, "prefix of Eko's paths");
ABSL_FLAG(std::string, fixed_otp, eko::sim::SimConfig{}.fixed_otp,
          "issue this OTP every time (empty: random 6 digits)");
ABSL_FLAG(int64_t, latency_ms, eko::sim::SimConfig{}.latency_ms,
          "delay every Eko-endpoint reply by this many ms");
ABSL_FLAG(int64_t, otp_ttl_ms, eko::sim::SimConfig{}.otp_ttl_ms, "OTP lifetime in ms");
ABSL_FLAG(std::string, tls_cert_file, "",
          "serve HTTPS with this PEM certificate chain (leaf first); empty: plain HTTP");
ABSL_FLAG(std::string, tls_key_file, "", "PEM private key of --tls-cert-file (unencrypted)");
ABSL_FLAG(std::string, tls_min_version, "",
          "lowest TLS version offered: 1.0, 1.1, 1.2 or 1.3 (below 1.2 also sets OpenSSL "
          "security level 0); empty: OpenSSL's default");
ABSL_FLAG(std::string, tls_max_version, "",
          "highest TLS version offered: 1.0, 1.1, 1.2 or 1.3; empty: OpenSSL's default");
ABSL_FLAG(std::string, admin_listen, "",
          "also serve the admin endpoints (only those) over plain HTTP on this address");

int main(int argc, char** argv) {
  // --help lists the flags of this file (absl looks for a file named after
  // the program by default).
  absl::FlagsUsageConfig usage;
  usage.contains_help_flags = [](absl::string_view file) {
    return absl::EndsWith(file, "tests/sim/main.cc");
  };
  usage.contains_helpshort_flags = usage.contains_help_flags;
  absl::SetFlagsUsageConfig(usage);
  absl::SetProgramUsageMessage(
      "a test double of Eko's customer-onboarding REST API; admin endpoints (no auth) live "
      "under http://HOST:PORT/__sim (see tests/sim/README.md).\nUsage: eko-sim [--flag=value ...]");
  // absl accepts --flag=value, --flag value and --dashed-or_underscored names
  // only as written; both spellings of each flag are accepted here.
  std::vector<char*> args(argv, argv + argc);
  std::vector<std::string> renamed;
  renamed.reserve(args.size());
  for (size_t i = 1; i < args.size(); ++i) {
    std::string arg = args[i];
    if (arg.rfind("--", 0) != 0) continue;
    const size_t end = arg.find('=');
    for (size_t j = 2; j < arg.size() && j < end; ++j) {
      if (arg[j] == '-') arg[j] = '_';
    }
    renamed.push_back(std::move(arg));
    args[i] = renamed.back().data();
  }
  const std::vector<char*> positional =
      absl::ParseCommandLine(static_cast<int>(args.size()), args.data());
  if (positional.size() > 1) {
    std::fprintf(stderr, "eko-sim: unexpected argument \"%s\" (see --help)\n", positional[1]);
    return 2;
  }
  eko::sim::SimConfig config;
  const std::string listen = absl::GetFlag(FLAGS_listen);
  config.developer_key = absl::GetFlag(FLAGS_developer_key);
  config.access_key = absl::GetFlag(FLAGS_access_key);
  config.initiator_id = absl::GetFlag(FLAGS_initiator_id);
  config.base_path = absl::GetFlag(FLAGS_base_path);
  config.fixed_otp = absl::GetFlag(FLAGS_fixed_otp);
  config.latency_ms = absl::GetFlag(FLAGS_latency_ms);
  config.otp_ttl_ms = absl::GetFlag(FLAGS_otp_ttl_ms);
  if (absl::Status valid = eko::sim::ValidateConfig(config); !valid.ok()) {
    std::fprintf(stderr, "eko-sim: %s\n", std::string(valid.message()).c_str());
    return 2;
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

  eko::sim::Simulator::ServeOptions serve;
  serve.http.tls_cert_chain_file = absl::GetFlag(FLAGS_tls_cert_file);
  serve.http.tls_key_file = absl::GetFlag(FLAGS_tls_key_file);
  serve.http.tls_min_version = absl::GetFlag(FLAGS_tls_min_version);
  serve.http.tls_max_version = absl::GetFlag(FLAGS_tls_max_version);
  serve.admin_listen = absl::GetFlag(FLAGS_admin_listen);
  auto simulator = eko::sim::Simulator::Start(config, listen, serve);
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
  if (!serve.admin_listen.empty()) {
    std::printf("eko-sim admin on %s\n", (*simulator)->admin_url().c_str());
  }
  std::fflush(stdout);

  int received = 0;
  sigwait(&stop_signals, &received);
  std::fprintf(stderr, "eko-sim: signal %d, stopping\n", received);
  simulator->reset();
  return 0;
}
