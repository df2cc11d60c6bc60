#include "adapters/common/log.h"

#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <mutex>
#include <optional>

#include "adapters/common/strings.h"

namespace eko::log {
namespace {

std::atomic<int> g_level{static_cast<int>(Level::kInfo)};
std::mutex g_write_mutex;

constexpr NamedValue<Level> kLevelNames[] = {{Level::kDebug, "debug"},
                                             {Level::kInfo, "info"},
                                             {Level::kWarn, "warn"},
                                             {Level::kError, "error"}};

// Appends the current UTC time as 2026-01-02T03:04:05.678Z. The text up to
// the seconds is formatted once per second per thread.
void AppendTimestamp(std::string& out) {
  thread_local std::time_t cached_second = -1;
  thread_local char cached_prefix[80];  // room for any int, so GCC sees no truncation
  const auto now = std::chrono::system_clock::now();
  const std::time_t secs = std::chrono::system_clock::to_time_t(now);
  const auto millis =
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  if (secs != cached_second) {
    std::tm utc{};
    gmtime_r(&secs, &utc);
    std::snprintf(cached_prefix, sizeof(cached_prefix), "%04d-%02d-%02dT%02d:%02d:%02d.",
                  utc.tm_year + 1900, utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min,
                  utc.tm_sec);
    cached_second = secs;
  }
  out += cached_prefix;
  const int ms = static_cast<int>(millis);
  out += static_cast<char>('0' + ms / 100);
  out += static_cast<char>('0' + ms / 10 % 10);
  out += static_cast<char>('0' + ms % 10);
  out += 'Z';
}

// Appends `text` as the inside of a JSON string.
void AppendJsonEscaped(std::string& out, std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  for (const char c : text) {
    const auto u = static_cast<unsigned char>(c);
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (u < 0x20) {
          out += "\\u00";
          out += kHex[u >> 4];
          out += kHex[u & 0xf];
        } else {
          out += c;
        }
    }
  }
}

}  // namespace

bool ParseLevel(std::string_view text, Level* out) {
  const std::optional<Level> level = ValueNamed(kLevelNames, text);
  if (level) *out = *level;
  return level.has_value();
}

void SetLevel(Level level) { g_level.store(static_cast<int>(level)); }

bool Enabled(Level level) { return static_cast<int>(level) >= g_level.load(); }

std::string JsonEscape(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 8);
  AppendJsonEscaped(out, text);
  return out;
}

std::string Number(double value) {
  if (!std::isfinite(value)) return "null";
  char buffer[64];
  if (value == std::floor(value) && std::fabs(value) < 1e15) {
    std::snprintf(buffer, sizeof(buffer), "%.0f", value);
  } else {
    std::snprintf(buffer, sizeof(buffer), "%.3f", value);
  }
  return buffer;
}

void Write(Level level, std::string_view event, std::initializer_list<Field> fields) {
  if (!Enabled(level)) return;
  std::string line;
  line.reserve(512);
  line += "{\"ts\":\"";
  AppendTimestamp(line);
  line += "\",\"level\":\"";
  line += NameOf(kLevelNames, level, "info");
  line += "\",\"event\":\"";
  AppendJsonEscaped(line, event);
  line += '"';
  for (const Field& field : fields) {
    line += ",\"";
    AppendJsonEscaped(line, field.key);
    line += "\":";
    if (field.as == As::kJson) {
      line += field.value;
    } else {
      line += '"';
      AppendJsonEscaped(line, field.value);
      line += '"';
    }
  }
  line += "}\n";
  // One write per line, so lines from different threads never interleave and
  // a line is out before the call that logged it returns.
  std::lock_guard<std::mutex> lock(g_write_mutex);
  std::fwrite(line.data(), 1, line.size(), stderr);
  std::fflush(stderr);
}

}  // namespace eko::log
