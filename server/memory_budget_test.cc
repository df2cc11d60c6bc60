#include "server/memory_budget.h"

#include <malloc.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "adapters/duplicate_suppressor.h"
#include "gtest/gtest.h"

namespace eko::server {
namespace {

constexpr int64_t kMiB = 1 << 20;

// A file under the test's temporary directory holding `text`.
class TempFile {
 public:
  TempFile(const std::string& name, const std::string& text)
      : path_(absl::StrCat(::testing::TempDir(), "/memory_budget_", getpid(), "_", name)) {
    std::ofstream(path_) << text;
  }
  ~TempFile() { std::remove(path_.c_str()); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

TEST(ParseMemoryLimitTest, ReadsByteCountsAndNoLimit) {
  EXPECT_EQ(ParseMemoryLimit("201326592\n"), 192 * kMiB);              // cgroup v2, 192Mi
  EXPECT_EQ(ParseMemoryLimit(" 536870912 "), 512 * kMiB);              // whitespace around
  EXPECT_EQ(ParseMemoryLimit("max\n"), std::nullopt);                  // cgroup v2: no limit
  EXPECT_EQ(ParseMemoryLimit("9223372036854771712\n"), std::nullopt);  // cgroup v1: none
  EXPECT_EQ(ParseMemoryLimit(std::to_string(int64_t{1} << 60)), std::nullopt);
  EXPECT_EQ(ParseMemoryLimit(std::to_string((int64_t{1} << 60) - 1)), (int64_t{1} << 60) - 1);
  EXPECT_EQ(ParseMemoryLimit(""), std::nullopt);
  EXPECT_EQ(ParseMemoryLimit("0"), std::nullopt);
  EXPECT_EQ(ParseMemoryLimit("-1"), std::nullopt);
  EXPECT_EQ(ParseMemoryLimit("512M"), std::nullopt);
}

TEST(ReadMemoryLimitTest, ReadsTheFirstFileThatExists) {
  TempFile v1("limit_in_bytes", "268435456\n");
  const std::string missing = absl::StrCat(::testing::TempDir(), "/memory_budget_missing");
  const MemoryLimit limit = ReadMemoryLimit({missing, v1.path()});
  EXPECT_EQ(limit.bytes, 256 * kMiB);
  EXPECT_EQ(limit.file, v1.path());

  TempFile v2("memory.max", "max\n");
  const MemoryLimit none = ReadMemoryLimit({v2.path(), v1.path()});
  EXPECT_EQ(none.bytes, std::nullopt);
  EXPECT_EQ(none.file, v2.path());

  const MemoryLimit nothing = ReadMemoryLimit({missing});
  EXPECT_EQ(nothing.bytes, std::nullopt);
  EXPECT_EQ(nothing.file, "");
}

TEST(MemoryLimitFilesTest, CgroupV2ThenV1UnlessOverridden) {
  std::map<std::string, std::string> env;
  const EnvLookup lookup = [&env](const char* name) -> const char* {
    auto it = env.find(name);
    return it == env.end() ? nullptr : it->second.c_str();
  };
  const std::vector<std::string> defaults = {"/sys/fs/cgroup/memory.max",
                                             "/sys/fs/cgroup/memory/memory.limit_in_bytes"};
  EXPECT_EQ(MemoryLimitFiles(lookup), defaults);
  env["EKO_CGROUP_MEMORY_MAX_FILE"] = "";
  EXPECT_EQ(MemoryLimitFiles(lookup), defaults);
  env["EKO_CGROUP_MEMORY_MAX_FILE"] = "/tmp/limit";
  EXPECT_EQ(MemoryLimitFiles(lookup), std::vector<std::string>{"/tmp/limit"});
}

TEST(MaxInflightForLimitTest, SubtractsEveryReserveThenDividesByTheCallCost) {
  const MemoryCosts costs{.baseline_bytes = 1000,
                          .per_call_bytes = 100,
                          .per_connection_bytes = 10,
                          .per_dedupe_entry_bytes = 5,
                          .headroom_percent = 10,
                          .min_max_inflight = 3};
  // 10000 - 1000 baseline - 1000 headroom - 20 x 10 - 40 x 5 = 7600: 76 calls.
  EXPECT_EQ(MaxInflightForLimit(10000, {.max_connections = 20, .dedupe_entries = 40}, costs), 76);
  EXPECT_EQ(MemoryNeeded(76, 10000, {.max_connections = 20, .dedupe_entries = 40}, costs), 10000);
  EXPECT_EQ(MaxInflightForLimit(10099, {.max_connections = 20, .dedupe_entries = 40}, costs), 76);
  // Too little memory: the floor; far too much: the ceiling.
  EXPECT_EQ(MaxInflightForLimit(1500, {}, costs), 3);
  EXPECT_EQ(MaxInflightForLimit(500, {}, costs), 3);
  EXPECT_EQ(MaxInflightForLimit(int64_t{1} << 40, {}, costs), kMaxDerivedMaxInflight);
}

TEST(MaxInflightForLimitTest, TheOverlaysLimitsWithTheMeasuredCosts) {
  // UAT: 192Mi, 1,024 connections, dedupe in Redis (no entries in memory):
  // (201326592 - 25165824 - 20132650 - 14680064) / 38912.
  EXPECT_EQ(MaxInflightForLimit(192 * kMiB, {.max_connections = 1024}), 3632);
  // Production: 512Mi, 4,096 connections, 50,000 dedupe entries in memory.
  EXPECT_EQ(MaxInflightForLimit(512 * kMiB, {.max_connections = 4096, .dedupe_entries = 50000}),
            8287);
  // The defaults (2,048 connections, 100,000 entries): 146 MiB of dedupe store
  // leave 860 calls in 256Mi, and nothing but the floor in 192Mi.
  const MemoryDemand defaults{.max_connections = 2048, .dedupe_entries = 100000};
  EXPECT_EQ(MaxInflightForLimit(256 * kMiB, defaults), 860);
  EXPECT_EQ(MaxInflightForLimit(192 * kMiB, defaults), MemoryCosts{}.min_max_inflight);
  // The case: 20,000 calls need ~750 MiB of calls alone.
  EXPECT_GT(MemoryNeeded(20000, 512 * kMiB, {}), 512 * kMiB);
}

TEST(DemandOfTest, CountsDedupeEntriesOnlyWhenKeptInMemory) {
  GatewayConfig config;
  config.max_connections = 100;
  config.dedupe_max_entries = 7;
  EXPECT_EQ(DemandOf(config).max_connections, 100);
  EXPECT_EQ(DemandOf(config).dedupe_entries, 7);
  config.dedupe_window = absl::ZeroDuration();
  EXPECT_EQ(DemandOf(config).dedupe_entries, 0);
  config.dedupe_window = absl::Minutes(1);
  config.idempotency_store = "redis://redis:6379";
  EXPECT_EQ(DemandOf(config).dedupe_entries, 0);
}

TEST(ChooseMaxInflightTest, ExplicitWinsThenTheLimitThenTheDefault) {
  GatewayConfig config;
  const MemoryLimit limit{.bytes = 192 * kMiB, .file = "/sys/fs/cgroup/memory.max"};
  config.max_connections = 1024;
  config.idempotency_store = "redis://redis:6379";
  MaxInflightChoice derived = ChooseMaxInflight(config, limit);
  EXPECT_EQ(derived.max_inflight, 3632);
  EXPECT_EQ(derived.source, "cgroup memory limit 192 MiB (/sys/fs/cgroup/memory.max)");

  MaxInflightChoice none = ChooseMaxInflight(config, {.file = "/sys/fs/cgroup/memory.max"});
  EXPECT_EQ(none.max_inflight, 20000);
  EXPECT_EQ(none.source, "no memory limit (/sys/fs/cgroup/memory.max)");
  EXPECT_EQ(ChooseMaxInflight(config, {}).source, "no memory limit (no cgroup memory file)");

  config.max_inflight = 50000;
  config.max_inflight_explicit = true;
  MaxInflightChoice given = ChooseMaxInflight(config, limit);
  EXPECT_EQ(given.max_inflight, 50000);
  EXPECT_EQ(given.source, "explicit");
}

TEST(ApplyMemoryBudgetTest, SetsTheConfigFromTheFileTheEnvironmentNames) {
  TempFile file("apply", "201326592\n");
  GatewayConfig config;
  config.max_connections = 1024;
  config.dedupe_window = absl::ZeroDuration();
  const MaxInflightChoice choice =
      ApplyMemoryBudget(&config, [&file](const char* name) -> const char* {
        return std::string(name) == "EKO_CGROUP_MEMORY_MAX_FILE" ? file.path().c_str() : nullptr;
      });
  EXPECT_EQ(choice.max_inflight, 3632);
  EXPECT_EQ(config.max_inflight, 3632);
}

// Whether ParseArgs marks --max-inflight as given, for `env` and `flags`.
bool ExplicitAfterParse(const std::map<std::string, std::string>& env,
                        std::vector<std::string> flags) {
  std::vector<const char*> argv = {"eko-gateway", "--eko-base-url=https://eko.example/v3",
                                   "--eko-developer-key=dev", "--eko-access-key=access",
                                   "--eko-initiator-id=9999999999"};
  for (const std::string& flag : flags) argv.push_back(flag.c_str());
  auto parsed = ParseArgs(static_cast<int>(argv.size()), argv.data(),
                          [&env](const char* name) -> const char* {
                            auto it = env.find(name);
                            return it == env.end() ? nullptr : it->second.c_str();
                          });
  EXPECT_TRUE(parsed.ok()) << parsed.status();
  return parsed.ok() && parsed->config.max_inflight_explicit;
}

TEST(ParseArgsMaxInflightTest, TellsAGivenValueFromTheDefault) {
  EXPECT_FALSE(ExplicitAfterParse({}, {}));
  EXPECT_FALSE(ExplicitAfterParse({{"EKO_MAX_INFLIGHT", ""}}, {}));
  EXPECT_TRUE(ExplicitAfterParse({{"EKO_MAX_INFLIGHT", "3000"}}, {}));
  EXPECT_TRUE(ExplicitAfterParse({}, {"--max-inflight=20000"}));
}

// The number after "KEY": in `json` (flat objects of numbers only).
int64_t JsonNumber(const std::string& json, const std::string& key) {
  const size_t at = json.find(absl::StrCat("\"", key, "\""));
  if (at == std::string::npos) {
    ADD_FAILURE() << key << " is missing";
    return -1;
  }
  const size_t colon = json.find(':', at);
  const size_t end = json.find_first_of(",}", colon);
  int64_t value = -1;
  EXPECT_TRUE(absl::SimpleAtoi(json.substr(colon + 1, end - colon - 1), &value)) << key;
  return value;
}

TEST(MemoryBudgetJsonTest, DeployValidationUsesTheSameNumbers) {
  std::ifstream in(EKO_SOURCE_DIR "/deploy/memory-budget.json");
  ASSERT_TRUE(in) << "deploy/memory-budget.json";
  std::stringstream text;
  text << in.rdbuf();
  const std::string json = text.str();
  const MemoryCosts costs;
  const GatewayConfig defaults;
  EXPECT_EQ(JsonNumber(json, "baseline_bytes"), costs.baseline_bytes);
  EXPECT_EQ(JsonNumber(json, "per_call_bytes"), costs.per_call_bytes);
  EXPECT_EQ(JsonNumber(json, "per_connection_bytes"), costs.per_connection_bytes);
  EXPECT_EQ(JsonNumber(json, "per_dedupe_entry_bytes"), costs.per_dedupe_entry_bytes);
  EXPECT_EQ(JsonNumber(json, "headroom_percent"), costs.headroom_percent);
  EXPECT_EQ(JsonNumber(json, "min_max_inflight"), costs.min_max_inflight);
  EXPECT_EQ(JsonNumber(json, "max_derived_max_inflight"), kMaxDerivedMaxInflight);
  EXPECT_EQ(JsonNumber(json, "default_max_inflight"), defaults.max_inflight);
  EXPECT_EQ(JsonNumber(json, "default_max_connections"), defaults.max_connections);
  EXPECT_EQ(JsonNumber(json, "default_dedupe_max_entries"), defaults.dedupe_max_entries);
}

// Heap bytes in use (glibc's main arena; this test allocates on one thread).
int64_t HeapInUse() { return static_cast<int64_t>(mallinfo2().uordblks); }

TEST(MemoryBudgetMeasureTest, DedupeEntryCostCoversAMeasuredEntry) {
#ifdef EKO_SANITIZED
  GTEST_SKIP() << "ASan's allocator does not report through mallinfo2";
#endif
  // Entries as the gateway keeps them: a key of caller, RPC and a UUID-sized
  // client_ref_id, a SHA-256 fingerprint, a definitive outcome with a
  // 512-byte serialized answer and its client_ref_id.
  constexpr int kEntries = 20000;
  const std::string answer(512, 'a');
  const absl::Time now = absl::Now();
  const int64_t before = HeapInUse();
  int64_t per_entry = 0;
  {
    adapter::DuplicateSuppressor store(absl::Minutes(10), kEntries);
    for (int i = 0; i < kEntries; ++i) {
      const std::string ref = absl::StrCat("3f2c1a9e-7b4d-4e8f-9a6b-", 100000000000 + i);
      const std::string key = absl::StrCat("10:mobile-app\x1fOnboardCustomer\x1f", ref);
      store.Begin({.key = key, .fingerprint = adapter::RequestFingerprint(key), .now = now},
                  [](adapter::DuplicateStore::Verdict) {});
      store.Finish(key, {absl::OkStatus(), answer, ref}, now);
    }
    ASSERT_EQ(store.size(), static_cast<size_t>(kEntries));
    per_entry = (HeapInUse() - before) / kEntries;
  }
  std::printf("dedupe entry with a 512-byte answer: %lld bytes of heap\n",
              static_cast<long long>(per_entry));
  EXPECT_GT(per_entry, 512);
  EXPECT_LE(per_entry, MemoryCosts{}.per_dedupe_entry_bytes);
}

}  // namespace
}  // namespace eko::server
