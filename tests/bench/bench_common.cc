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

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
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

double NsToUs(int64_t ns) { return static_cast<double>(ns) / 1000.0; }

double KibToMib(int64_t kib) { return static_cast<double>(kib) / 1024.0; }

absl::StatusOr<std::string> ReadWholeFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read ", path));
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// Escapes a string for a JSON string literal.
std::string JsonString(absl::string_view text) {
  std::string out = "\"";
  for (const char c : text) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      out += absl::StrFormat("\\u%04x", static_cast<int>(c));
    } else {
      out += c;
    }
  }
  return out + "\"";
}

// A number for JSON and key=value output: integers stay integers, others get
// at most 3 decimals.
std::string Num(double value) {
  if (!std::isfinite(value)) return "0";
  if (value == std::floor(value) && std::fabs(value) < 1e15) {
    return absl::StrCat(static_cast<int64_t>(value));
  }
  return absl::StrFormat("%.3f", value);
}

// Key-safe version of a status name (no spaces or '=').
std::string KeyPart(absl::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '-') c = '_';
  }
  return out;
}

struct Summary {
  double rps = 0;
  int64_t ok = 0;
  int64_t errors = 0;
  double mean_us = 0, p50_us = 0, p90_us = 0, p99_us = 0, p999_us = 0, max_us = 0;
};

Summary Summarize(Report& report) {
  Summary s;
  s.rps = report.window_s > 0 ? static_cast<double>(report.completed) / report.window_s : 0;
  for (const auto& [name, count] : report.outcomes) {
    (name == report.ok_outcome ? s.ok : s.errors) += count;
  }
  if (report.latency != nullptr && report.latency->count() > 0) {
    LatencySamples& l = *report.latency;
    s.mean_us = l.MeanNs() / 1000.0;
    s.p50_us = NsToUs(l.Percentile(50));
    s.p90_us = NsToUs(l.Percentile(90));
    s.p99_us = NsToUs(l.Percentile(99));
    s.p999_us = NsToUs(l.Percentile(99.9));
    s.max_us = NsToUs(l.Max());
  }
  return s;
}

double CpuPerCall(const ProcessResult& p, int64_t completed) {
  return completed > 0 ? p.cpu_us / static_cast<double>(completed) : 0;
}

double SwitchesPerCall(const ProcessResult& p, int64_t completed) {
  return completed > 0 ? static_cast<double>(p.context_switches) / static_cast<double>(completed)
                       : 0;
}

double CpuPercent(const ProcessResult& p) {
  return p.window_s > 0 ? p.cpu_us / (p.window_s * 1e6) * 100.0 : 0;
}

// Machine CPU the reported processes do not account for; 0 when unknown.
double OtherCpuPercent(const Report& report) {
  if (report.machine_cpu_percent < 0) return 0;
  double other = report.machine_cpu_percent;
  for (const ProcessResult& p : report.processes) other -= CpuPercent(p);
  return other;
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

void PrintTable(Report& report, std::ostream& out) {
  const Summary s = Summarize(report);
  out << absl::StrFormat("%s  target=%s  mode=%s", report.tool, report.target, report.mode);
  if (report.mode == "open") {
    out << absl::StrFormat("  rate=%.0f/s", report.rate);
  } else {
    out << absl::StrFormat("  concurrency=%d", report.concurrency);
  }
  out << absl::StrFormat("  connections=%d  warmup=%.1fs  window=%.2fs\n", report.connections,
                         report.warmup_s, report.window_s);
  for (const auto& [key, value] : report.notes) out << "  " << key << "=" << value << "\n";
  if (report.machine_cpu_percent >= 0) {
    out << absl::StrFormat(
        "  machine cpu=%.1f%% (100 = one CPU), outside the processes below=%.1f%%\n",
        report.machine_cpu_percent, OtherCpuPercent(report));
  }
  out << absl::StrFormat("%-10s %12s %10s %10s %10s %10s %10s %10s %10s\n", "calls", "requests/s",
                         "mean us", "p50 us", "p90 us", "p99 us", "p99.9 us", "max us", "not sent");
  out << absl::StrFormat("%-10d %12.1f %10.1f %10.1f %10.1f %10.1f %10.1f %10.1f %10d\n",
                         report.completed, s.rps, s.mean_us, s.p50_us, s.p90_us, s.p99_us,
                         s.p999_us, s.max_us, report.not_sent);
  out << absl::StrFormat("%-24s %10s\n", "status", "calls");
  for (const auto& [name, count] : report.outcomes) {
    out << absl::StrFormat("%-24s %10d\n", name, count);
  }
  out << absl::StrFormat("%-10s %8s %12s %8s %12s %11s %13s %11s %11s %12s\n", "process", "pid",
                         "cpu us/call", "cpu %", "ctx sw/call", "threads max", "rss start MiB",
                         "rss max MiB", "rss end MiB", "VmHWM MiB");
  for (const ProcessResult& p : report.processes) {
    out << absl::StrFormat(
        "%-10s %8d %12.1f %8.1f %12.2f %11d %13.1f %11.1f %11.1f %12.1f%s\n", p.name, p.pid,
        CpuPerCall(p, report.completed), CpuPercent(p), SwitchesPerCall(p, report.completed),
        p.threads_max, KibToMib(p.rss_start_kib), KibToMib(p.rss_max_kib), KibToMib(p.rss_end_kib),
        KibToMib(p.hwm_kib), p.error.empty() ? "" : "  (" + p.error + ")");
  }
}

std::string ToJson(Report& report) {
  const Summary s = Summarize(report);
  std::string out = "{";
  absl::StrAppend(&out, "\"tool\":", JsonString(report.tool),
                  ",\"target\":", JsonString(report.target), ",\"mode\":", JsonString(report.mode),
                  ",\"concurrency\":", report.concurrency, ",\"rate\":", Num(report.rate),
                  ",\"connections\":", report.connections, ",\"warmup_s\":", Num(report.warmup_s),
                  ",\"window_s\":", Num(report.window_s), ",\"completed\":", report.completed,
                  ",\"not_sent\":", report.not_sent, ",\"requests_per_s\":", Num(s.rps),
                  ",\"ok\":", s.ok, ",\"errors\":", s.errors,
                  ",\"machine_cpu_percent\":", Num(report.machine_cpu_percent),
                  ",\"other_cpu_percent\":", Num(OtherCpuPercent(report)));
  absl::StrAppend(&out, ",\"latency_us\":{\"mean\":", Num(s.mean_us), ",\"p50\":", Num(s.p50_us),
                  ",\"p90\":", Num(s.p90_us), ",\"p99\":", Num(s.p99_us),
                  ",\"p99_9\":", Num(s.p999_us), ",\"max\":", Num(s.max_us), "}");
  out += ",\"outcomes\":{";
  bool first = true;
  for (const auto& [name, count] : report.outcomes) {
    absl::StrAppend(&out, first ? "" : ",", JsonString(name), ":", count);
    first = false;
  }
  out += "},\"processes\":[";
  first = true;
  for (const ProcessResult& p : report.processes) {
    absl::StrAppend(&out, first ? "" : ",", "{\"name\":", JsonString(p.name), ",\"pid\":", p.pid,
                    ",\"cpu_us\":", Num(p.cpu_us),
                    ",\"cpu_us_per_call\":", Num(CpuPerCall(p, report.completed)),
                    ",\"cpu_percent\":", Num(CpuPercent(p)),
                    ",\"context_switches_per_call\":", Num(SwitchesPerCall(p, report.completed)),
                    ",\"threads_max\":", p.threads_max, ",\"rss_start_kib\":", p.rss_start_kib,
                    ",\"rss_max_kib\":", p.rss_max_kib, ",\"rss_end_kib\":", p.rss_end_kib,
                    ",\"vmhwm_kib\":", p.hwm_kib, ",\"error\":", JsonString(p.error), "}");
    first = false;
  }
  out += "],\"notes\":{";
  first = true;
  for (const auto& [key, value] : report.notes) {
    absl::StrAppend(&out, first ? "" : ",", JsonString(key), ":", JsonString(value));
    first = false;
  }
  out += "}}";
  return out;
}

std::string ToKeyValues(Report& report) {
  const Summary s = Summarize(report);
  std::string out;
  const auto put = [&out](absl::string_view key, absl::string_view value) {
    absl::StrAppend(&out, key, "=", value, "\n");
  };
  put("tool", report.tool);
  put("target", report.target);
  put("mode", report.mode);
  put("concurrency", absl::StrCat(report.concurrency));
  put("rate", Num(report.rate));
  put("connections", absl::StrCat(report.connections));
  put("warmup_s", Num(report.warmup_s));
  put("window_s", Num(report.window_s));
  put("completed", absl::StrCat(report.completed));
  put("not_sent", absl::StrCat(report.not_sent));
  put("rps", Num(s.rps));
  put("ok", absl::StrCat(s.ok));
  put("errors", absl::StrCat(s.errors));
  put("machine_cpu_percent", Num(report.machine_cpu_percent));
  put("other_cpu_percent", Num(OtherCpuPercent(report)));
  put("lat_mean_us", Num(s.mean_us));
  put("lat_p50_us", Num(s.p50_us));
  put("lat_p90_us", Num(s.p90_us));
  put("lat_p99_us", Num(s.p99_us));
  put("lat_p999_us", Num(s.p999_us));
  put("lat_max_us", Num(s.max_us));
  for (const auto& [name, count] : report.outcomes) {
    put(absl::StrCat("outcome.", KeyPart(name)), absl::StrCat(count));
  }
  for (const ProcessResult& p : report.processes) {
    const std::string prefix = absl::StrCat("proc.", KeyPart(p.name), ".");
    put(prefix + "pid", absl::StrCat(p.pid));
    put(prefix + "cpu_us", Num(p.cpu_us));
    put(prefix + "cpu_us_per_call", Num(CpuPerCall(p, report.completed)));
    put(prefix + "cpu_percent", Num(CpuPercent(p)));
    put(prefix + "ctxsw_per_call", Num(SwitchesPerCall(p, report.completed)));
    put(prefix + "threads_max", absl::StrCat(p.threads_max));
    put(prefix + "rss_start_kib", absl::StrCat(p.rss_start_kib));
    put(prefix + "rss_max_kib", absl::StrCat(p.rss_max_kib));
    put(prefix + "rss_end_kib", absl::StrCat(p.rss_end_kib));
    put(prefix + "vmhwm_kib", absl::StrCat(p.hwm_kib));
    put(prefix + "error", KeyPart(p.error));
  }
  return out;
}

absl::Status EmitReport(Report& report, bool json, const std::string& kv_path) {
  if (json) {
    std::cout << ToJson(report) << std::endl;
  } else {
    PrintTable(report, std::cout);
    std::cout.flush();
  }
  if (kv_path.empty()) return absl::OkStatus();
  std::ofstream kv(kv_path, std::ios::trunc);
  kv << ToKeyValues(report);
  kv.close();
  if (!kv) return absl::InternalError(absl::StrCat("cannot write ", kv_path));
  return absl::OkStatus();
}

FlagParser::FlagParser(int argc, char** argv) : args_(argv + 1, argv + argc) {}

std::optional<std::string> FlagParser::Next() {
  inline_value_.reset();
  if (next_ >= args_.size()) return std::nullopt;
  const std::string& arg = args_[next_++];
  if (arg.size() < 3 || arg.compare(0, 2, "--") != 0) {
    error_ = absl::StrCat("unexpected argument '", arg, "'");
    return std::nullopt;
  }
  const size_t eq = arg.find('=');
  name_ = arg.substr(2, eq == std::string::npos ? std::string::npos : eq - 2);
  if (eq != std::string::npos) inline_value_ = arg.substr(eq + 1);
  return name_;
}

absl::StatusOr<std::string> FlagParser::Value() {
  if (inline_value_.has_value()) return *inline_value_;
  if (next_ < args_.size()) return args_[next_++];
  return absl::InvalidArgumentError(absl::StrCat("--", name_, " needs a value"));
}

absl::StatusOr<int64_t> FlagParser::IntValue(int64_t min, int64_t max) {
  absl::StatusOr<std::string> text = Value();
  if (!text.ok()) return text.status();
  int64_t value = 0;
  if (!absl::SimpleAtoi(*text, &value) || value < min || value > max) {
    return absl::InvalidArgumentError(absl::StrCat("--", name_, " must be an integer in [", min,
                                                   ", ", max, "], got '", *text, "'"));
  }
  return value;
}

absl::StatusOr<double> FlagParser::DoubleValue(double min, double max) {
  absl::StatusOr<std::string> text = Value();
  if (!text.ok()) return text.status();
  double value = 0;
  if (!absl::SimpleAtod(*text, &value) || !(value >= min && value <= max)) {
    return absl::InvalidArgumentError(absl::StrCat("--", name_, " must be a number in [", min, ", ",
                                                   max, "], got '", *text, "'"));
  }
  return value;
}

}  // namespace eko::bench
