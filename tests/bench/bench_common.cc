#include "tests/bench/bench_common.h"

#include <dirent.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstring>
#include <fstream>
#include <iostream>
#include <sstream>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/mutex.h"

namespace eko::bench {

void TurnOffMutexDeadlockDetection() {
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
}

namespace {

constexpr std::chrono::milliseconds kSampleInterval{100};

double TicksToUs(int64_t ticks) {
  static const long ticks_per_s = sysconf(_SC_CLK_TCK);
  return static_cast<double>(ticks) * 1e6 / static_cast<double>(ticks_per_s);
}

absl::StatusOr<std::string> ReadWholeFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read ", path));
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

int64_t NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

void SleepUntilNs(int64_t deadline_ns) {
  std::this_thread::sleep_until(
      std::chrono::steady_clock::time_point(std::chrono::nanoseconds(deadline_ns)));
}

absl::StatusOr<uint64_t> RaiseOpenFileLimit() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) {
    return absl::InternalError(absl::StrCat("getrlimit: ", std::strerror(errno)));
  }
  if (limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    if (setrlimit(RLIMIT_NOFILE, &limit) != 0) {
      return absl::InternalError(absl::StrCat("setrlimit: ", std::strerror(errno)));
    }
  }
  return static_cast<uint64_t>(limit.rlim_cur);
}

void RaiseOpenFileLimitOrWarn(absl::string_view tool) {
  if (absl::StatusOr<uint64_t> limit = RaiseOpenFileLimit(); !limit.ok()) {
    std::cerr << tool << ": warning: " << limit.status().message() << "\n";
  }
}

void LatencySamples::Merge(LatencySamples&& other) {
  samples_.insert(samples_.end(), other.samples_.begin(), other.samples_.end());
  other.samples_.clear();
  sorted_ = false;
}

int64_t LatencySamples::Percentile(double q) {
  if (samples_.empty()) return 0;
  if (!sorted_) {
    std::sort(samples_.begin(), samples_.end());
    sorted_ = true;
  }
  // Nearest rank: the smallest sample with at least q% of samples <= it. The
  // small bias keeps 99.9% of 1000 at rank 999 despite rounding (999.0000001).
  const double rank = std::ceil(q / 100.0 * static_cast<double>(samples_.size()) - 1e-6);
  const size_t index = static_cast<size_t>(std::clamp(rank, 1.0, double(samples_.size()))) - 1;
  return samples_[index];
}

int64_t LatencySamples::Max() { return Percentile(100); }

double LatencySamples::MeanNs() const {
  if (samples_.empty()) return 0;
  long double sum = 0;
  for (const int64_t s : samples_) sum += s;
  return static_cast<double>(sum / samples_.size());
}

bool ParseStatCpuTicks(absl::string_view stat_text, int64_t* ticks) {
  // The command name (field 2) may hold spaces and ')', so fields are counted
  // from the last ')': the next one is field 3; utime and stime are 14 and 15.
  const size_t paren = stat_text.rfind(')');
  if (paren == absl::string_view::npos) return false;
  const std::vector<absl::string_view> fields =
      absl::StrSplit(stat_text.substr(paren + 1), ' ', absl::SkipEmpty());
  constexpr size_t kUtime = 14 - 3;
  constexpr size_t kStime = 15 - 3;
  int64_t utime = 0;
  int64_t stime = 0;
  if (fields.size() <= kStime || !absl::SimpleAtoi(fields[kUtime], &utime) ||
      !absl::SimpleAtoi(fields[kStime], &stime)) {
    return false;
  }
  *ticks = utime + stime;
  return true;
}

bool ParseStatusKib(absl::string_view status_text, absl::string_view key, int64_t* value) {
  for (absl::string_view line : absl::StrSplit(status_text, '\n')) {
    if (line.size() <= key.size() || line.substr(0, key.size()) != key || line[key.size()] != ':') {
      continue;
    }
    absl::string_view rest = absl::StripAsciiWhitespace(line.substr(key.size() + 1));
    if (const size_t space = rest.find(' '); space != absl::string_view::npos) {
      rest = rest.substr(0, space);  // drops the " kB" unit
    }
    return absl::SimpleAtoi(rest, value);
  }
  return false;
}

absl::StatusOr<ProcSnapshot> ReadProc(pid_t pid) {
  const std::string dir = absl::StrCat("/proc/", pid, "/");
  absl::StatusOr<std::string> stat = ReadWholeFile(dir + "stat");
  if (!stat.ok()) return stat.status();
  absl::StatusOr<std::string> status = ReadWholeFile(dir + "status");
  if (!status.ok()) return status.status();
  ProcSnapshot snap;
  int64_t threads = 0;
  if (!ParseStatCpuTicks(*stat, &snap.cpu_ticks) ||
      !ParseStatusKib(*status, "VmRSS", &snap.rss_kib) ||
      !ParseStatusKib(*status, "VmHWM", &snap.hwm_kib) ||
      !ParseStatusKib(*status, "Threads", &threads)) {
    return absl::DataLossError(absl::StrCat("unexpected /proc/", pid, " contents"));
  }
  snap.threads = static_cast<int>(threads);
  return snap;
}

bool ParseMachineCpu(absl::string_view proc_stat_text, MachineCpu* out) {
  if (proc_stat_text.substr(0, 4) != "cpu ") return false;
  absl::string_view line = proc_stat_text.substr(4);
  line = line.substr(0, line.find('\n'));
  const std::vector<absl::string_view> fields = absl::StrSplit(line, ' ', absl::SkipEmpty());
  if (fields.size() < 5) return false;
  MachineCpu cpu;
  for (size_t i = 0; i < fields.size() && i < 8; ++i) {  // user .. steal; guest is in user
    int64_t ticks = 0;
    if (!absl::SimpleAtoi(fields[i], &ticks)) return false;
    cpu.total += ticks;
    if (i != 3 && i != 4) cpu.busy += ticks;  // 3: idle, 4: iowait
  }
  *out = cpu;
  return true;
}

absl::StatusOr<MachineCpu> ReadMachineCpu() {
  absl::StatusOr<std::string> text = ReadWholeFile("/proc/stat");
  if (!text.ok()) return text.status();
  MachineCpu cpu;
  if (!ParseMachineCpu(*text, &cpu)) return absl::DataLossError("unexpected /proc/stat");
  return cpu;
}

absl::StatusOr<int64_t> ReadContextSwitches(pid_t pid) {
  const std::string task_dir = absl::StrCat("/proc/", pid, "/task");
  DIR* dir = opendir(task_dir.c_str());
  if (dir == nullptr) return absl::NotFoundError(absl::StrCat("cannot read ", task_dir));
  int64_t total = 0;
  while (const dirent* entry = readdir(dir)) {
    if (entry->d_name[0] == '.') continue;
    // A thread may exit between readdir and the read: it is then skipped.
    absl::StatusOr<std::string> status =
        ReadWholeFile(absl::StrCat(task_dir, "/", entry->d_name, "/status"));
    if (!status.ok()) continue;
    int64_t voluntary = 0;
    int64_t involuntary = 0;
    if (ParseStatusKib(*status, "voluntary_ctxt_switches", &voluntary) &&
        ParseStatusKib(*status, "nonvoluntary_ctxt_switches", &involuntary)) {
      total += voluntary + involuntary;
    }
  }
  closedir(dir);
  return total;
}

absl::StatusOr<WatchTarget> ParseWatchTarget(absl::string_view text) {
  WatchTarget target;
  absl::string_view pid_text = text;
  if (const size_t eq = text.find('='); eq != absl::string_view::npos) {
    target.name = std::string(text.substr(0, eq));
    pid_text = text.substr(eq + 1);
  }
  int64_t pid = 0;
  if (!absl::SimpleAtoi(pid_text, &pid) || pid <= 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("--pid wants PID or NAME=PID, got '", text, "'"));
  }
  target.pid = static_cast<pid_t>(pid);
  if (target.name.empty()) target.name = absl::StrCat("pid", pid);
  return target;
}

ProcessWatcher::ProcessWatcher(std::vector<WatchTarget> targets) {
  for (WatchTarget& target : targets) {
    Watched w;
    w.result.name = target.name;
    w.result.pid = target.pid;
    w.target = std::move(target);
    watched_.push_back(std::move(w));
  }
}

ProcessWatcher::~ProcessWatcher() { Stop(); }

void ProcessWatcher::SampleAll() {
  for (Watched& w : watched_) {
    absl::StatusOr<ProcSnapshot> snap = ReadProc(w.target.pid);
    if (!snap.ok()) {
      if (w.result.error.empty()) w.result.error = std::string(snap.status().message());
      continue;
    }
    w.result.threads_max = std::max(w.result.threads_max, snap->threads);
    w.result.rss_max_kib = std::max(w.result.rss_max_kib, snap->rss_kib);
  }
}

void ProcessWatcher::Start() {
  std::lock_guard<std::mutex> lock(mu_);
  for (Watched& w : watched_) {
    if (absl::StatusOr<ProcSnapshot> snap = ReadProc(w.target.pid); snap.ok()) {
      w.result.rss_start_kib = snap->rss_kib;
    }
  }
  SampleAll();
  sampler_ = std::thread([this] {
    std::unique_lock<std::mutex> sampler_lock(mu_);
    while (!stop_cv_.wait_for(sampler_lock, kSampleInterval, [this] { return stopping_; })) {
      SampleAll();
    }
  });
}

void ProcessWatcher::MarkWindowStart() {
  std::lock_guard<std::mutex> lock(mu_);
  const int64_t now = NowNs();
  window_start_ns_ = now;
  if (absl::StatusOr<MachineCpu> machine = ReadMachineCpu(); machine.ok()) {
    machine_start_ = *machine;
  }
  for (Watched& w : watched_) {
    absl::StatusOr<ProcSnapshot> snap = ReadProc(w.target.pid);
    if (snap.ok()) {
      w.window_start = *snap;
      w.window_start_ns = now;
      w.window_start_switches = ReadContextSwitches(w.target.pid).value_or(0);
    } else if (w.result.error.empty()) {
      w.result.error = std::string(snap.status().message());
    }
  }
}

void ProcessWatcher::MarkWindowEnd() {
  std::lock_guard<std::mutex> lock(mu_);
  const int64_t now = NowNs();
  if (absl::StatusOr<MachineCpu> machine = ReadMachineCpu(); machine.ok() && machine_start_) {
    const int64_t window_ns = now - window_start_ns_;
    if (window_ns > 0) {
      machine_cpu_percent_ = TicksToUs(machine->busy - machine_start_->busy) /
                             (static_cast<double>(window_ns) / 1000.0) * 100.0;
    }
  }
  SampleAll();
  for (Watched& w : watched_) {
    absl::StatusOr<ProcSnapshot> snap = ReadProc(w.target.pid);
    if (!snap.ok() || !w.window_start.has_value()) {
      if (w.result.error.empty()) w.result.error = "no reading at the window's start or end";
      continue;
    }
    w.result.cpu_us = TicksToUs(snap->cpu_ticks - w.window_start->cpu_ticks);
    w.result.window_s = static_cast<double>(now - w.window_start_ns) / 1e9;
    w.result.rss_end_kib = snap->rss_kib;
    w.result.hwm_kib = snap->hwm_kib;
    w.result.context_switches =
        ReadContextSwitches(w.target.pid).value_or(0) - w.window_start_switches;
  }
}

void ProcessWatcher::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  stop_cv_.notify_all();
  if (sampler_.joinable()) sampler_.join();
}

double ProcessWatcher::machine_cpu_percent() const {
  std::lock_guard<std::mutex> lock(mu_);
  return machine_cpu_percent_;
}

std::vector<ProcessResult> ProcessWatcher::Results() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<ProcessResult> out;
  for (const Watched& w : watched_) out.push_back(w.result);
  return out;
}

}  // namespace eko::bench
