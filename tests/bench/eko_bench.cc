// eko-bench: an asynchronous gRPC load generator (callback API) for
// eko-gateway's GetCustomer and for bench-echo-server's Echo (the gRPC floor).
//
// Closed loop (--concurrency=C): C calls are kept in flight; each completion
// starts the next call at once. Open loop (--rate=R): calls start on a fixed
// schedule of R per second whatever the replies do, and latency is measured
// from each call's scheduled start, so a stalled server is not hidden by a
// stalled client (no coordinated omission).
//
// Both run a warm-up, then a measured window: only calls that complete inside
// the window count, and every one of their latencies is kept (exact
// percentiles). See README.md for the flags and the report.
#include <signal.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "eko/onboarding/v1/onboarding_service.pb.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/generic/generic_stub.h"
#include "grpcpp/security/credentials.h"
#include "grpcpp/support/byte_buffer.h"
#include "grpcpp/support/channel_arguments.h"
#include "tests/bench/bench_common.h"
#include "tests/bench/command_line.h"
#include "tests/bench/echo.pb.h"
#include "tests/bench/load_common.h"
#include "tests/bench/report.h"

namespace {

constexpr char kUsage[] =
    R"(an asynchronous gRPC load generator for eko-gateway's GetCustomer and
bench-echo-server's Echo (see tests/bench/README.md).
Usage: eko-bench --addr=HOST:PORT (--concurrency=C | --rate=R) [--flag=value ...])";

}  // namespace

ABSL_FLAG(std::string, addr, "", "server to load, HOST:PORT (eko-gateway or bench-echo-server)");
ABSL_FLAG(std::string, target, "gateway",
          "gateway: eko.onboarding.v1.OnboardingService/GetCustomer; "
          "echo: eko.bench.v1.EchoService/Echo");
ABSL_FLAG(std::string, user_code, "", "GetCustomer's user_code (empty: the gateway's default)");
ABSL_FLAG(int64_t, payload_bytes, 100, "Echo payload size");
ABSL_FLAG(int64_t, concurrency, 0, "closed loop: this many calls in flight");
ABSL_FLAG(double, rate, 0, "open loop: this many calls started per second");
ABSL_FLAG(int64_t, max_inflight, 100000,
          "open loop: calls over this many in flight are not sent but counted as \"not sent\"");
ABSL_FLAG(double, ramp_s, 0,
          "closed loop: start the calls evenly over this many seconds instead of all at once, "
          "so that their completions do not arrive in waves (at most --warmup-s)");
ABSL_FLAG(int64_t, channels, 0,
          "gRPC channels, each its own connection (0: closed loop max(1, C/100), open loop "
          "max(1, R/1000))");

namespace eko::bench {
namespace {

constexpr const char* kCodeNames[] = {
    "OK",        "CANCELLED",      "UNKNOWN",           "INVALID_ARGUMENT",   "DEADLINE_EXCEEDED",
    "NOT_FOUND", "ALREADY_EXISTS", "PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION",
    "ABORTED",   "OUT_OF_RANGE",   "UNIMPLEMENTED",     "INTERNAL",           "UNAVAILABLE",
    "DATA_LOSS", "UNAUTHENTICATED"};
constexpr size_t kCodeCount = std::size(kCodeNames);
using CodeCounts = std::array<int64_t, kCodeCount>;

size_t CodeIndex(const grpc::Status& status) {
  const auto code = static_cast<size_t>(status.error_code());
  return code < kCodeCount ? code : static_cast<size_t>(grpc::StatusCode::UNKNOWN);
}

// The serialized request and the full method name of the chosen target.
struct Call {
  std::string method;
  std::vector<grpc::ByteBuffer> requests;  // slot or call i sends requests[i % size]
};

// The call --target names: GetCustomer of --customer-id (one request per
// customer of --distinct-customers, at most `slots`) and --user-code, or Echo
// of --payload-bytes.
absl::StatusOr<Call> MakeCall(const std::string& target, const LoadSettings& load, int64_t slots) {
  const int64_t payload_bytes = absl::GetFlag(FLAGS_payload_bytes);
  if (absl::Status checked = CheckRange<int64_t>("payload-bytes", payload_bytes, 0, 1 << 20);
      !checked.ok()) {
    return checked;
  }
  const auto add = [](Call& call, const std::string& bytes) {
    grpc::Slice slice(bytes);
    call.requests.emplace_back(&slice, 1);
  };
  std::string bytes;
  Call call;
  if (target == "gateway") {
    call.method = "/eko.onboarding.v1.OnboardingService/GetCustomer";
    for (int64_t i = 0; i < std::min(load.distinct_customers, slots); ++i) {
      eko::onboarding::v1::GetCustomerRequest request;
      request.set_customer_id(CustomerId(load, i));
      request.set_user_code(absl::GetFlag(FLAGS_user_code));
      request.SerializeToString(&bytes);
      add(call, bytes);
    }
  } else if (target == "echo") {
    eko::bench::v1::EchoRequest request;
    request.set_payload(std::string(static_cast<size_t>(payload_bytes), 'x'));
    request.SerializeToString(&bytes);
    call.method = "/eko.bench.v1.EchoService/Echo";
    add(call, bytes);
  } else {
    return absl::InvalidArgumentError("--target must be gateway or echo");
  }
  return call;
}

// The flags, checked, with the call built and the channel count resolved.
struct Options {
  LoadSettings load;
  std::string addr;
  std::string target;
  Call call;
  int64_t concurrency = 0;  // closed loop; 0 in an open loop
  double rate = 0;          // open loop; 0 in a closed loop
  int64_t max_inflight = 0;
  double ramp_s = 0;
  int64_t channels = 0;
};

absl::StatusOr<Options> ReadOptions(LoadSettings load) {
  Options o{.load = std::move(load),
            .addr = absl::GetFlag(FLAGS_addr),
            .target = absl::GetFlag(FLAGS_target),
            .concurrency = absl::GetFlag(FLAGS_concurrency),
            .rate = absl::GetFlag(FLAGS_rate),
            .max_inflight = absl::GetFlag(FLAGS_max_inflight),
            .ramp_s = absl::GetFlag(FLAGS_ramp_s),
            .channels = absl::GetFlag(FLAGS_channels)};
  if (o.addr.empty()) return absl::InvalidArgumentError("--addr is required");
  // A closed loop's slot i always sends request i: at most one per slot.
  absl::StatusOr<Call> call =
      MakeCall(o.target, o.load, o.concurrency > 0 ? o.concurrency : o.load.distinct_customers);
  if (!call.ok()) return call.status();
  o.call = *std::move(call);
  if ((o.concurrency != 0) == (o.rate != 0)) {
    return absl::InvalidArgumentError("give exactly one of --concurrency and --rate");
  }
  if (absl::Status checked = FirstError({
          o.rate != 0 ? CheckRange("rate", o.rate, 0.1, 10e6)
                      : CheckRange<int64_t>("concurrency", o.concurrency, 1, 1000000),
          CheckRange<int64_t>("max-inflight", o.max_inflight, 1, 10000000),
          CheckRange("ramp-s", o.ramp_s, 0.0, 3600.0),
          CheckRange<int64_t>("channels", o.channels, 0, 10000),
      });
      !checked.ok()) {
    return checked;
  }
  if (o.ramp_s > o.load.warmup_s) {
    return absl::InvalidArgumentError("--ramp-s must not exceed --warmup-s");
  }
  if (o.channels == 0) {
    o.channels = o.concurrency > 0 ? std::max<int64_t>(1, o.concurrency / 100)
                                   : std::max<int64_t>(1, static_cast<int64_t>(o.rate / 1000));
  }
  return o;
}

// Opens `count` channels that share no connection (local subchannel pool and
// a distinct argument each) and waits until each is connected.
absl::StatusOr<std::vector<std::unique_ptr<grpc::GenericStub>>> Connect(const std::string& addr,
                                                                        int64_t count) {
  std::vector<std::unique_ptr<grpc::GenericStub>> stubs;
  const auto deadline = std::chrono::system_clock::now() + std::chrono::seconds(10);
  for (int64_t i = 0; i < count; ++i) {
    grpc::ChannelArguments args;
    args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
    args.SetInt("eko_bench.channel_index", static_cast<int>(i));
    args.SetMaxReceiveMessageSize(-1);
    std::shared_ptr<grpc::Channel> channel =
        grpc::CreateCustomChannel(addr, grpc::InsecureChannelCredentials(), args);
    if (!channel->WaitForConnected(deadline)) {
      return absl::UnavailableError(
          absl::StrCat("cannot connect to ", addr, " (channel ", i, " of ", count, ")"));
    }
    stubs.push_back(std::make_unique<grpc::GenericStub>(channel));
  }
  return stubs;
}

// The window, fixed before the first call: completions at [start, end) count.
struct Window {
  int64_t start_ns = 0;
  int64_t end_ns = 0;
  bool Contains(int64_t t) const { return t >= start_ns && t < end_ns; }
};

// Counts finished workers (closed-loop slots, open-loop calls) so the main
// thread can wait for every call to end before reading results.
class Outstanding {
 public:
  void Add(int64_t n) { count_.fetch_add(n); }
  void Done() {
    if (count_.fetch_sub(1) == 1) {
      std::lock_guard<std::mutex> lock(mu_);
      cv_.notify_all();
    }
  }
  int64_t count() const { return count_.load(); }
  // True if every call ended before `timeout`.
  bool WaitZero(std::chrono::milliseconds timeout) {
    std::unique_lock<std::mutex> lock(mu_);
    return cv_.wait_for(lock, timeout, [this] { return count_.load() == 0; });
  }

 private:
  std::atomic<int64_t> count_{0};
  std::mutex mu_;
  std::condition_variable cv_;
};

// One closed-loop slot: a chain of calls, one at a time. Only its own
// completion callback touches it, so its tallies need no lock.
class Slot {
 public:
  Slot(grpc::GenericStub* stub, const Call* call, const grpc::ByteBuffer& request,
       const Window* window, int64_t timeout_ms, Outstanding* outstanding)
      : stub_(stub),
        call_(call),
        window_(window),
        timeout_(timeout_ms),
        outstanding_(outstanding),
        request_(request) {}

  void Issue() {
    context_ = std::make_unique<grpc::ClientContext>();
    context_->set_deadline(std::chrono::system_clock::now() + timeout_);
    response_.Clear();
    started_ns_ = NowNs();
    stub_->UnaryCall(context_.get(), call_->method, grpc::StubOptions(), &request_, &response_,
                     [this](grpc::Status status) { OnDone(status); });
  }

  LatencySamples& latency() { return latency_; }
  const CodeCounts& codes() const { return codes_; }

 private:
  void OnDone(const grpc::Status& status) {
    const int64_t now = NowNs();
    if (window_->Contains(now)) {
      latency_.Add(now - started_ns_);
      ++codes_[CodeIndex(status)];
    }
    if (now < window_->end_ns) {
      Issue();
    } else {
      outstanding_->Done();
    }
  }

  grpc::GenericStub* const stub_;
  const Call* const call_;
  const Window* const window_;
  const std::chrono::milliseconds timeout_;
  Outstanding* const outstanding_;
  grpc::ByteBuffer request_;
  grpc::ByteBuffer response_;
  std::unique_ptr<grpc::ClientContext> context_;
  int64_t started_ns_ = 0;
  LatencySamples latency_;
  CodeCounts codes_{};
};

// Open-loop tallies, sharded so completions on different threads rarely
// contend.
class OpenTally {
 public:
  void Record(size_t key, int64_t latency_ns, size_t code) {
    Shard& shard = shards_[key % kShards];
    std::lock_guard<std::mutex> lock(shard.mu);
    shard.latency.Add(latency_ns);
    ++shard.codes[code];
  }
  void MergeInto(LatencySamples* latency, CodeCounts* codes) {
    for (Shard& shard : shards_) {
      std::lock_guard<std::mutex> lock(shard.mu);
      latency->Merge(std::move(shard.latency));
      for (size_t i = 0; i < kCodeCount; ++i) (*codes)[i] += shard.codes[i];
    }
  }

 private:
  static constexpr size_t kShards = 64;
  struct Shard {
    std::mutex mu;
    LatencySamples latency;
    CodeCounts codes{};
  };
  std::array<Shard, kShards> shards_;
};

// One open-loop call; deletes itself when it completes.
class OpenCall {
 public:
  OpenCall(size_t index, int64_t scheduled_ns, const grpc::ByteBuffer& request)
      : index_(index), scheduled_ns_(scheduled_ns), request_(request) {}

  void Start(grpc::GenericStub* stub, const std::string& method, std::chrono::milliseconds timeout,
             const Window* window, OpenTally* tally, Outstanding* outstanding) {
    context_.set_deadline(std::chrono::system_clock::now() + timeout);
    stub->UnaryCall(&context_, method, grpc::StubOptions(), &request_, &response_,
                    [this, window, tally, outstanding](grpc::Status status) {
                      const int64_t now = NowNs();
                      if (window->Contains(now)) {
                        tally->Record(index_, now - scheduled_ns_, CodeIndex(status));
                      }
                      delete this;
                      outstanding->Done();
                    });
  }

 private:
  const size_t index_;
  const int64_t scheduled_ns_;
  grpc::ClientContext context_;
  grpc::ByteBuffer request_;
  grpc::ByteBuffer response_;
};

int64_t SecondsToNs(double s) { return static_cast<int64_t>(s * 1e9); }

int Run(const Options& o) {
  RaiseOpenFileLimitOrWarn("eko-bench");
  const Call& call = o.call;
  absl::StatusOr<std::vector<std::unique_ptr<grpc::GenericStub>>> stubs =
      Connect(o.addr, o.channels);
  if (!stubs.ok()) {
    std::cerr << "eko-bench: " << stubs.status().message() << "\n";
    return 1;
  }

  ProcessWatcher watcher(o.load.watch);
  watcher.Start();

  Window window;
  const int64_t begin = NowNs();
  window.start_ns = begin + SecondsToNs(o.load.warmup_s);
  window.end_ns = window.start_ns + SecondsToNs(o.load.duration_s);
  Outstanding outstanding;
  const std::chrono::milliseconds timeout(o.load.timeout_ms);
  const std::chrono::milliseconds drain_budget(o.load.timeout_ms + 5000);

  LatencySamples latency;
  CodeCounts codes{};
  int64_t not_sent = 0;
  bool drained = true;
  if (o.concurrency > 0) {
    std::vector<std::unique_ptr<Slot>> slots;
    for (int64_t i = 0; i < o.concurrency; ++i) {
      slots.push_back(std::make_unique<Slot>((*stubs)[i % stubs->size()].get(), &call,
                                             call.requests[i % call.requests.size()], &window,
                                             o.load.timeout_ms, &outstanding));
    }
    outstanding.Add(o.concurrency);
    const double ramp_step_ns = o.ramp_s * 1e9 / static_cast<double>(o.concurrency);
    for (size_t i = 0; i < slots.size(); ++i) {
      SleepUntilNs(begin + static_cast<int64_t>(static_cast<double>(i) * ramp_step_ns));
      slots[i]->Issue();
    }
    SleepUntilNs(window.start_ns);
    watcher.MarkWindowStart();
    SleepUntilNs(window.end_ns);
    watcher.MarkWindowEnd();
    drained = outstanding.WaitZero(drain_budget);
    if (drained) {
      for (auto& slot : slots) {
        latency.Merge(std::move(slot->latency()));
        for (size_t i = 0; i < kCodeCount; ++i) codes[i] += slot->codes()[i];
      }
    } else {
      // Slots still in flight own their tallies; they are leaked, not read.
      for (auto& slot : slots) (void)slot.release();
    }
  } else {
    OpenTally tally;
    const double interval_ns = 1e9 / o.rate;
    bool window_started = false;
    for (size_t i = 0;; ++i) {
      const int64_t scheduled = begin + static_cast<int64_t>(static_cast<double>(i) * interval_ns);
      if (scheduled >= window.end_ns) break;
      if (!window_started && scheduled >= window.start_ns) {
        SleepUntilNs(window.start_ns);
        watcher.MarkWindowStart();
        window_started = true;
      }
      SleepUntilNs(scheduled);
      if (outstanding.count() >= o.max_inflight) {
        if (window.Contains(scheduled)) ++not_sent;
        continue;
      }
      outstanding.Add(1);
      (new OpenCall(i, scheduled, call.requests[i % call.requests.size()]))
          ->Start((*stubs)[i % stubs->size()].get(), call.method, timeout, &window, &tally,
                  &outstanding);
    }
    if (!window_started) watcher.MarkWindowStart();
    SleepUntilNs(window.end_ns);
    watcher.MarkWindowEnd();
    drained = outstanding.WaitZero(drain_budget);
    tally.MergeInto(&latency, &codes);
  }
  watcher.Stop();

  Report report;
  report.tool = "eko-bench";
  report.target = o.target;
  report.mode = o.concurrency > 0 ? "closed" : "open";
  report.concurrency = static_cast<int>(o.concurrency);
  report.rate = o.rate;
  report.connections = static_cast<int>(o.channels);
  report.window_s = static_cast<double>(window.end_ns - window.start_ns) / 1e9;
  report.not_sent = not_sent;
  report.ok_outcome = "OK";
  for (size_t i = 0; i < kCodeCount; ++i) {
    if (codes[i] > 0) report.outcomes[kCodeNames[i]] = codes[i];
    report.completed += codes[i];
  }
  report.latency = &latency;
  report.notes.emplace_back("method", call.method);
  if (o.ramp_s > 0) report.notes.emplace_back("ramp_s", absl::StrCat(o.ramp_s));
  if (o.target == "gateway") {
    report.notes.emplace_back("customer_id", o.load.customer_id);
    report.notes.emplace_back("distinct_customers", absl::StrCat(call.requests.size()));
  }
  if (!drained)
    report.notes.emplace_back("warning", "calls still in flight after the drain budget");
  const int exit_status = FinishRun(report, watcher, o.load);
  // Calls that never drained still reference the stubs; do not tear down.
  if (!drained) std::quick_exit(exit_status);
  return exit_status;
}

}  // namespace
}  // namespace eko::bench

int main(int argc, char** argv) {
  eko::bench::TurnOffMutexDeadlockDetection();
  signal(SIGPIPE, SIG_IGN);
  return eko::bench::LoadToolMain<eko::bench::Options>(
      argc, argv,
      {.tool = "eko-bench", .usage = kUsage, .flag_files = {"tests/bench/eko_bench.cc"}},
      &eko::bench::ReadOptions, &eko::bench::Run);
}
