#include "tests/bench/bench_common.h"

#include <unistd.h>

#include <chrono>
#include <sstream>
#include <thread>

#include "absl/strings/match.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/bench/report.h"

namespace eko::bench {
namespace {

using ::testing::HasSubstr;

TEST(LatencySamplesTest, NearestRankPercentilesAreExact) {
  LatencySamples samples;
  for (int64_t v = 1000; v >= 1; --v) samples.Add(v);  // 1..1000, unsorted
  EXPECT_EQ(samples.Percentile(50), 500);
  EXPECT_EQ(samples.Percentile(90), 900);
  EXPECT_EQ(samples.Percentile(99), 990);
  EXPECT_EQ(samples.Percentile(99.9), 999);
  EXPECT_EQ(samples.Max(), 1000);
  EXPECT_DOUBLE_EQ(samples.MeanNs(), 500.5);
}

TEST(LatencySamplesTest, SmallAndEmptySets) {
  LatencySamples empty;
  EXPECT_EQ(empty.Percentile(50), 0);
  LatencySamples one;
  one.Add(7);
  EXPECT_EQ(one.Percentile(0.1), 7);
  EXPECT_EQ(one.Percentile(99.9), 7);
}

TEST(LatencySamplesTest, MergeKeepsEverySample) {
  LatencySamples a;
  LatencySamples b;
  a.Add(1);
  b.Add(3);
  b.Add(2);
  a.Merge(std::move(b));
  EXPECT_EQ(a.count(), 3u);
  EXPECT_EQ(a.Max(), 3);
  EXPECT_EQ(b.count(), 0u);
}

TEST(ProcParseTest, StatCpuTicksSkipsAwkwardCommandNames) {
  // Fields 14 and 15 (utime, stime) are 11 and 22; the name holds ") (".
  const std::string stat =
      "123 (a) (b c) S 1 123 123 0 -1 4194560 100 0 0 0 11 22 0 0 20 0 5 0 42 1000 200";
  int64_t ticks = 0;
  ASSERT_TRUE(ParseStatCpuTicks(stat, &ticks));
  EXPECT_EQ(ticks, 33);
  EXPECT_FALSE(ParseStatCpuTicks("123 (x) S 1", &ticks));
}

TEST(ProcParseTest, StatusFields) {
  const std::string status = "Name:\tx\nVmHWM:\t  2048 kB\nVmRSS:\t1024 kB\nThreads:\t7\n";
  int64_t value = 0;
  ASSERT_TRUE(ParseStatusKib(status, "VmRSS", &value));
  EXPECT_EQ(value, 1024);
  ASSERT_TRUE(ParseStatusKib(status, "VmHWM", &value));
  EXPECT_EQ(value, 2048);
  ASSERT_TRUE(ParseStatusKib(status, "Threads", &value));
  EXPECT_EQ(value, 7);
  EXPECT_FALSE(ParseStatusKib(status, "VmSwap", &value));
}

TEST(ProcParseTest, ReadsThisProcess) {
  absl::StatusOr<ProcSnapshot> snap = ReadProc(getpid());
  ASSERT_TRUE(snap.ok()) << snap.status();
  EXPECT_GT(snap->rss_kib, 0);
  EXPECT_GE(snap->hwm_kib, snap->rss_kib);
  EXPECT_GE(snap->threads, 1);
  std::this_thread::sleep_for(std::chrono::milliseconds(1));  // at least one switch
  absl::StatusOr<int64_t> switches = ReadContextSwitches(getpid());
  ASSERT_TRUE(switches.ok()) << switches.status();
  EXPECT_GT(*switches, 0);
}

TEST(ProcParseTest, MachineCpuCountsAllButIdleAndIowait) {
  MachineCpu cpu;
  ASSERT_TRUE(ParseMachineCpu("cpu  10 1 5 100 4 2 3 0 0 0\ncpu0 1 2 3 4 5\n", &cpu));
  EXPECT_EQ(cpu.total, 125);
  EXPECT_EQ(cpu.busy, 21);
  EXPECT_FALSE(ParseMachineCpu("cpu0 1 2 3 4 5\n", &cpu));
  EXPECT_TRUE(ReadMachineCpu().ok());
}

TEST(WatchTargetTest, ParsesNamedAndBarePids) {
  absl::StatusOr<WatchTarget> named = ParseWatchTarget("gateway=42");
  ASSERT_TRUE(named.ok());
  EXPECT_EQ(named->name, "gateway");
  EXPECT_EQ(named->pid, 42);
  absl::StatusOr<WatchTarget> bare = ParseWatchTarget("42");
  ASSERT_TRUE(bare.ok());
  EXPECT_EQ(bare->name, "pid42");
  EXPECT_FALSE(ParseWatchTarget("gateway=").ok());
  EXPECT_FALSE(ParseWatchTarget("-3").ok());
}

TEST(ReportTest, TableJsonAndKeyValuesAgree) {
  LatencySamples latency;
  for (int64_t v = 1; v <= 100; ++v) latency.Add(v * 1000);  // 1..100 us
  Report report;
  report.tool = "eko-bench";
  report.target = "echo";
  report.mode = "closed";
  report.concurrency = 4;
  report.connections = 1;
  report.window_s = 2;
  report.completed = 100;
  report.outcomes = {{"OK", 98}, {"UNAVAILABLE", 2}};
  report.ok_outcome = "OK";
  report.latency = &latency;
  ProcessResult p;
  p.name = "gateway";
  p.pid = 9;
  p.cpu_us = 5000;
  p.window_s = 2;
  p.threads_max = 3;
  p.context_switches = 250;
  report.processes = {p};

  std::ostringstream table;
  PrintTable(report, table);
  EXPECT_THAT(table.str(), HasSubstr("requests/s"));
  EXPECT_THAT(table.str(), HasSubstr("cpu us/call"));
  EXPECT_THAT(table.str(), HasSubstr("ctx sw/call"));
  EXPECT_THAT(table.str(), HasSubstr("UNAVAILABLE"));

  const std::string kv = ToKeyValues(report);
  EXPECT_THAT(kv, HasSubstr("\nrps=50\n"));
  EXPECT_THAT(kv, HasSubstr("\nok=98\nerrors=2\n"));
  EXPECT_THAT(kv, HasSubstr("\nlat_p50_us=50\n"));
  EXPECT_THAT(kv, HasSubstr("\nlat_p99_us=99\n"));
  EXPECT_THAT(kv, HasSubstr("\nproc.gateway.cpu_us_per_call=50\n"));
  EXPECT_THAT(kv, HasSubstr("\nproc.gateway.cpu_percent=0.250\n"));
  EXPECT_THAT(kv, HasSubstr("\nproc.gateway.ctxsw_per_call=2.500\n"));
  EXPECT_THAT(kv, HasSubstr("\noutcome.UNAVAILABLE=2\n"));

  const std::string json = ToJson(report);
  EXPECT_THAT(json, HasSubstr("\"requests_per_s\":50"));
  EXPECT_THAT(json, HasSubstr("\"outcomes\":{\"OK\":98,\"UNAVAILABLE\":2}"));
  EXPECT_THAT(json, HasSubstr("\"cpu_us_per_call\":50"));
}

TEST(ProcessWatcherTest, MeasuresThisProcess) {
  ProcessWatcher watcher({WatchTarget{"self", getpid()}});
  watcher.Start();
  watcher.MarkWindowStart();
  const int64_t until = NowNs() + 30'000'000;  // burn 30 ms of CPU
  volatile int64_t spin = 0;
  while (NowNs() < until) spin = spin + 1;
  watcher.MarkWindowEnd();
  watcher.Stop();
  const std::vector<ProcessResult> results = watcher.Results();
  ASSERT_EQ(results.size(), 1u);
  EXPECT_TRUE(results[0].error.empty()) << results[0].error;
  EXPECT_GE(results[0].threads_max, 2);  // this thread and the sampler
  EXPECT_GT(results[0].rss_max_kib, 0);
  EXPECT_GT(results[0].window_s, 0.02);
}

TEST(ProcessWatcherTest, ReportsAProcessThatIsGone) {
  ProcessWatcher watcher({WatchTarget{"ghost", 0x3fffffff}});
  watcher.Start();
  watcher.MarkWindowStart();
  watcher.MarkWindowEnd();
  watcher.Stop();
  EXPECT_FALSE(watcher.Results()[0].error.empty());
}

}  // namespace
}  // namespace eko::bench
