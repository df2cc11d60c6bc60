#include "tests/bench/report.h"

#include <cmath>
#include <fstream>
#include <iostream>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/string_view.h"

namespace eko::bench {
namespace {

double NsToUs(int64_t ns) { return static_cast<double>(ns) / 1000.0; }

double KibToMib(int64_t kib) { return static_cast<double>(kib) / 1024.0; }

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

}  // namespace eko::bench
