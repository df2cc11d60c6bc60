#ifndef EKO_CLIENT_VALUES_H_
#define EKO_CLIENT_VALUES_H_

#include <chrono>
#include <string>
#include <string_view>

#include "google/protobuf/duration.pb.h"
#include "google/type/date.pb.h"
#include "google/type/money.pb.h"

// Text <-> value conversions of eko-cli: strict parsers for flag values and
// exact (integer-only) formatters for amounts.
namespace eko::cli {

// Parses exactly `YYYY-MM-DD` (four, two and two ASCII digits) into `out`.
// Only the shape is checked: the numbers are copied as given (2024-02-30 and
// 2024-13-01 parse) because the server decides what a valid birth date is.
// Returns false, leaving `out` untouched, on any other text.
bool ParseDate(std::string_view text, google::type::Date* out);

// Largest accepted --timeout.
inline constexpr std::chrono::seconds kMaxTimeout{86400};

// Parses a positive decimal number of seconds (`30`, `0.25`; at most six
// fractional digits, no sign or exponent) no larger than kMaxTimeout.
bool ParseSeconds(std::string_view text, std::chrono::microseconds* out);

// Formats money exactly as `<currency_code> <amount>`, e.g. `INR 25000.50`,
// `INR -0.01`, `INR 0.00`: at least two fractional digits, more only when
// `nanos` needs them (`INR 1.005`). Without a currency code only the amount
// is printed. Money that breaks google.type.Money's rules (nanos outside
// +-999,999,999 or with a sign different from units) is printed with its raw
// fields, e.g. `INR <invalid: units=1 nanos=-5>`.
std::string FormatMoney(const google::type::Money& money);

// Formats a duration in seconds with no trailing zeros: `1.5s`, `2s`,
// `0.000000001s`, `-3s`. Invalid durations are printed with their raw fields.
std::string FormatDuration(const google::protobuf::Duration& duration);

}  // namespace eko::cli

#endif  // EKO_CLIENT_VALUES_H_
