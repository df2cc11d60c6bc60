#include "server/memory_budget.h"

#include <algorithm>
#include <fstream>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace eko::server {
namespace {

constexpr int64_t kNoLimitAtOrAbove = int64_t{1} << 60;

// Bytes the demand and the headroom take of `limit_bytes`, calls aside.
int64_t ReservedBytes(int64_t limit_bytes, const MemoryDemand& demand, const MemoryCosts& costs) {
  return costs.baseline_bytes + limit_bytes / 100 * costs.headroom_percent +
         demand.max_connections * costs.per_connection_bytes +
         demand.dedupe_entries * costs.per_dedupe_entry_bytes;
}

}  // namespace

MemoryDemand DemandOf(const GatewayConfig& config) {
  const bool dedupe_in_memory =
      config.dedupe_window > absl::ZeroDuration() && config.idempotency_store == "memory";
  return {.max_connections = config.max_connections,
          .dedupe_entries = dedupe_in_memory ? config.dedupe_max_entries : 0};
}

int64_t MaxInflightForLimit(int64_t limit_bytes, const MemoryDemand& demand,
                            const MemoryCosts& costs) {
  const int64_t available = limit_bytes - ReservedBytes(limit_bytes, demand, costs);
  const int64_t fits = available > 0 ? available / costs.per_call_bytes : 0;
  return std::clamp(fits, costs.min_max_inflight, kMaxDerivedMaxInflight);
}

int64_t MemoryNeeded(int64_t max_inflight, int64_t limit_bytes, const MemoryDemand& demand,
                     const MemoryCosts& costs) {
  return ReservedBytes(limit_bytes, demand, costs) + max_inflight * costs.per_call_bytes;
}

std::optional<int64_t> ParseMemoryLimit(const std::string& text) {
  const absl::string_view value = absl::StripAsciiWhitespace(text);
  int64_t bytes = 0;
  if (value == "max" || !absl::SimpleAtoi(value, &bytes) || bytes <= 0 ||
      bytes >= kNoLimitAtOrAbove) {
    return std::nullopt;
  }
  return bytes;
}

MemoryLimit ReadMemoryLimit(const std::vector<std::string>& files) {
  for (const std::string& file : files) {
    std::ifstream in(file);
    if (!in) continue;
    std::stringstream text;
    text << in.rdbuf();
    return {ParseMemoryLimit(text.str()), file};
  }
  return {};
}

std::vector<std::string> MemoryLimitFiles(const EnvLookup& env) {
  const char* override_file = env ? env("EKO_CGROUP_MEMORY_MAX_FILE") : nullptr;
  if (override_file != nullptr && *override_file != '\0') return {override_file};
  return {"/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"};
}

MaxInflightChoice ChooseMaxInflight(const GatewayConfig& config, const MemoryLimit& limit) {
  if (config.max_inflight_explicit) return {config.max_inflight, "explicit"};
  if (!limit.bytes.has_value()) {
    return {config.max_inflight, limit.file.empty()
                                     ? "no memory limit (no cgroup memory file)"
                                     : absl::StrCat("no memory limit (", limit.file, ")")};
  }
  return {MaxInflightForLimit(*limit.bytes, DemandOf(config)),
          absl::StrCat("cgroup memory limit ", *limit.bytes >> 20, " MiB (", limit.file, ")")};
}

MaxInflightChoice ApplyMemoryBudget(GatewayConfig* config, const EnvLookup& env) {
  MaxInflightChoice choice = ChooseMaxInflight(*config, ReadMemoryLimit(MemoryLimitFiles(env)));
  config->max_inflight = choice.max_inflight;
  return choice;
}

}  // namespace eko::server
