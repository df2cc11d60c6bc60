// Shared pieces of the benchmark tools (eko-bench, bench-curl-floor,
// bench-echo-server): exact latency percentiles and /proc sampling of the
// processes under test. The report they print is in report.h.
#ifndef EKO_TESTS_BENCH_BENCH_COMMON_H_
#define EKO_TESTS_BENCH_BENCH_COMMON_H_

#include <sys/types.h>

#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace eko::bench {

// Turns off absl::Mutex deadlock detection, which Debian's Abseil leaves on
// and which gRPC pays for on every lock; eko-gateway turns it off too, so the
// floors and the load generator run gRPC the way the gateway does.
void TurnOffMutexDeadlockDetection();

// Monotonic clock in nanoseconds (steady_clock).
int64_t NowNs();

// Sleeps until NowNs() >= `deadline_ns`.
void SleepUntilNs(int64_t deadline_ns);

// Raises the soft RLIMIT_NOFILE to the hard limit. Returns the soft limit in
// force afterwards.
absl::StatusOr<uint64_t> RaiseOpenFileLimit();
// RaiseOpenFileLimit(); a failure is only a warning on stderr, from `tool`.
void RaiseOpenFileLimitOrWarn(absl::string_view tool);

// Every latency sample of a run, kept whole: percentiles are exact (nearest
// rank over all samples), never estimated from buckets. Not thread-safe.
class LatencySamples {
 public:
  void Add(int64_t ns) {
    samples_.push_back(ns);
    sorted_ = false;
  }
  // Moves `other`'s samples into this one.
  void Merge(LatencySamples&& other);
  size_t count() const { return samples_.size(); }
  // Nearest-rank percentile, 0 < q <= 100, in ns; 0 when there are no samples.
  int64_t Percentile(double q);
  int64_t Max();
  double MeanNs() const;

 private:
  std::vector<int64_t> samples_;
  bool sorted_ = true;
};

// One reading of a process from /proc/PID/{stat,status}.
struct ProcSnapshot {
  int64_t cpu_ticks = 0;  // utime + stime, in clock ticks (all threads, live and exited)
  int64_t rss_kib = 0;    // VmRSS
  int64_t hwm_kib = 0;    // VmHWM: peak RSS over the process lifetime
  int threads = 0;        // Threads
};

// Parsers for the /proc text, exposed for tests. They return false when the
// text does not have the expected shape.
bool ParseStatCpuTicks(absl::string_view stat_text, int64_t* ticks);
bool ParseStatusKib(absl::string_view status_text, absl::string_view key, int64_t* value);
absl::StatusOr<ProcSnapshot> ReadProc(pid_t pid);
// Voluntary + involuntary context switches of every live thread of `pid`
// (/proc/PID/task/*/status); threads that already exited are not counted.
absl::StatusOr<int64_t> ReadContextSwitches(pid_t pid);

// CPU time of the whole machine from the "cpu" line of /proc/stat, in ticks.
struct MachineCpu {
  int64_t busy = 0;   // everything but idle and iowait, all CPUs
  int64_t total = 0;  // everything, all CPUs
};
bool ParseMachineCpu(absl::string_view proc_stat_text, MachineCpu* out);
absl::StatusOr<MachineCpu> ReadMachineCpu();

// A process to watch, named for the report ("gateway", "sim", ...).
struct WatchTarget {
  std::string name;
  pid_t pid = 0;
};

// Parses a --pid value: "PID" (named "pidPID") or "NAME=PID".
absl::StatusOr<WatchTarget> ParseWatchTarget(absl::string_view text);

// What a run measured for one process.
struct ProcessResult {
  std::string name;
  pid_t pid = 0;
  std::string error;             // empty when every reading succeeded
  double cpu_us = 0;             // CPU time used inside the measured window
  int64_t context_switches = 0;  // context switches inside the window (live threads)
  double window_s = 0;           // length of that window
  int threads_max = 0;           // max Threads seen (sampled every 100 ms)
  int64_t rss_start_kib = 0;     // RSS when the run started (before warm-up)
  int64_t rss_max_kib = 0;       // max VmRSS sampled during the run
  int64_t rss_end_kib = 0;       // RSS at the end of the window
  int64_t hwm_kib = 0;           // VmHWM at the end of the window
};

// Watches processes for one run: RSS and thread count every 100 ms on its own
// thread from Start() to Stop(), CPU time at the window's start and end.
// Readings of a process that has gone are recorded as its error.
class ProcessWatcher {
 public:
  explicit ProcessWatcher(std::vector<WatchTarget> targets);
  ~ProcessWatcher();
  ProcessWatcher(const ProcessWatcher&) = delete;
  ProcessWatcher& operator=(const ProcessWatcher&) = delete;

  void Start();
  void MarkWindowStart();
  void MarkWindowEnd();
  void Stop();
  // Valid after Stop().
  std::vector<ProcessResult> Results() const;
  // Busy CPU of the whole machine over the window, 100 = one CPU; -1 if
  // /proc/stat could not be read.
  double machine_cpu_percent() const;

 private:
  struct Watched {
    WatchTarget target;
    ProcessResult result;
    std::optional<ProcSnapshot> window_start;
    int64_t window_start_switches = 0;
    int64_t window_start_ns = 0;
  };
  void SampleAll();  // requires mu_

  std::vector<Watched> watched_;
  std::optional<MachineCpu> machine_start_;
  int64_t window_start_ns_ = 0;
  double machine_cpu_percent_ = -1;
  mutable std::mutex mu_;
  std::condition_variable stop_cv_;
  bool stopping_ = false;  // guarded by mu_
  std::thread sampler_;
};

}  // namespace eko::bench

#endif  // EKO_TESTS_BENCH_BENCH_COMMON_H_
