#ifndef EKO_ADAPTERS_COMMON_LOG_H_
#define EKO_ADAPTERS_COMMON_LOG_H_

#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

#include "adapters/common/mask.h"

// Structured logging: one JSON object per line on stderr.
//
// Contract: callers pass only values that are safe to log. Secrets (access
// key, signatures), OTPs, Aadhaar numbers and PID data must never be passed;
// mobile numbers go through MaskMobile first.
namespace eko::log {

enum class Level { kDebug = 0, kInfo = 1, kWarn = 2, kError = 3 };

// Parses "debug", "info", "warn" or "error"; false for anything else.
bool ParseLevel(std::string_view text, Level* out);
void SetLevel(Level level);
bool Enabled(Level level);

// How a field's value is written: a JSON string (escaped), or as it is, for
// a value the caller formatted as a JSON number or boolean.
enum class As { kString, kJson };

struct Field {
  std::string_view key;
  std::string_view value;
  As as = As::kString;
};

// `value` as a JSON number: integers exactly, others with up to 3 decimals.
std::string Number(double value);

// Writes {"ts":..., "level":..., "event": event, <fields>} as one line.
void Write(Level level, std::string_view event, std::initializer_list<Field> fields = {});

using ::eko::MaskMobile;  // adapters/common/mask.h

// Escapes `text` for use inside a JSON string literal (no quotes added).
std::string JsonEscape(std::string_view text);

}  // namespace eko::log

#endif  // EKO_ADAPTERS_COMMON_LOG_H_
