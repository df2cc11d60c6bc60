#include "client/values.h"

#include <cstdint>
#include <string>

#include "absl/strings/str_cat.h"

namespace eko::cli {
namespace {

constexpr int32_t kNanosPerUnit = 1000000000;

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Reads the ASCII digits text[begin, end) as a non-negative number; the
// caller guarantees they are digits and few enough not to overflow.
int32_t Digits(std::string_view text, size_t begin, size_t end) {
  int32_t value = 0;
  for (size_t i = begin; i < end; ++i) value = value * 10 + (text[i] - '0');
  return value;
}

// Magnitude of a signed 64-bit value without overflow for INT64_MIN.
uint64_t Magnitude(int64_t value) {
  return value < 0 ? uint64_t{0} - static_cast<uint64_t>(value) : static_cast<uint64_t>(value);
}

// `whole` and `nanos` (0..999,999,999) as a decimal with at least
// `min_fraction_digits` fractional digits and no further trailing zeros.
std::string Decimal(bool negative, uint64_t whole, int32_t nanos, int min_fraction_digits) {
  std::string fraction = std::to_string(nanos);
  fraction.insert(0, 9 - fraction.size(), '0');
  size_t keep = fraction.size();
  while (keep > static_cast<size_t>(min_fraction_digits) && fraction[keep - 1] == '0') --keep;
  fraction.resize(keep);
  std::string out = negative ? "-" : "";
  absl::StrAppend(&out, whole);
  if (!fraction.empty()) absl::StrAppend(&out, ".", fraction);
  return out;
}

// google.type.Money and google.protobuf.Duration share these rules: nanos
// within +-999,999,999 and never of the opposite sign to the whole part.
bool ValidParts(int64_t whole, int32_t nanos) {
  if (nanos <= -kNanosPerUnit || nanos >= kNanosPerUnit) return false;
  return !((whole > 0 && nanos < 0) || (whole < 0 && nanos > 0));
}

}  // namespace

bool ParseDate(std::string_view text, google::type::Date* out) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return false;
  for (size_t i : {0, 1, 2, 3, 5, 6, 8, 9}) {
    if (!IsDigit(text[i])) return false;
  }
  out->set_year(Digits(text, 0, 4));
  out->set_month(Digits(text, 5, 7));
  out->set_day(Digits(text, 8, 10));
  return true;
}

bool ParseSeconds(std::string_view text, std::chrono::microseconds* out) {
  const size_t dot = text.find('.');
  const std::string_view whole = text.substr(0, dot);
  const std::string_view fraction =
      dot == std::string_view::npos ? std::string_view() : text.substr(dot + 1);
  if (whole.empty() || whole.size() > 9) return false;
  if (dot != std::string_view::npos && (fraction.empty() || fraction.size() > 6)) return false;
  for (char c : whole) {
    if (!IsDigit(c)) return false;
  }
  for (char c : fraction) {
    if (!IsDigit(c)) return false;
  }
  int64_t micros = int64_t{Digits(whole, 0, whole.size())} * 1000000;
  if (!fraction.empty()) {
    int64_t scale = 100000;
    for (char c : fraction) {
      micros += (c - '0') * scale;
      scale /= 10;
    }
  }
  const std::chrono::microseconds value(micros);
  if (value <= std::chrono::microseconds::zero() || value > kMaxTimeout) return false;
  *out = value;
  return true;
}

std::string FormatMoney(const google::type::Money& money) {
  const std::string prefix =
      money.currency_code().empty() ? std::string() : absl::StrCat(money.currency_code(), " ");
  if (!ValidParts(money.units(), money.nanos())) {
    return absl::StrCat(prefix, "<invalid: units=", money.units(), " nanos=", money.nanos(), ">");
  }
  const bool negative = money.units() < 0 || money.nanos() < 0;
  const int32_t nanos = money.nanos() < 0 ? -money.nanos() : money.nanos();
  return absl::StrCat(prefix, Decimal(negative, Magnitude(money.units()), nanos, 2));
}

std::string FormatDuration(const google::protobuf::Duration& duration) {
  if (!ValidParts(duration.seconds(), duration.nanos())) {
    return absl::StrCat("<invalid duration: seconds=", duration.seconds(),
                        " nanos=", duration.nanos(), ">");
  }
  const bool negative = duration.seconds() < 0 || duration.nanos() < 0;
  const int32_t nanos = duration.nanos() < 0 ? -duration.nanos() : duration.nanos();
  return absl::StrCat(Decimal(negative, Magnitude(duration.seconds()), nanos, 0), "s");
}

}  // namespace eko::cli
