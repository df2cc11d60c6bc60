#include "server/validation.h"

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "adapters/common/rich_status.h"
#include "adapters/common/strings.h"
#include "adapters/eko/error_table.h"

namespace eko::server {
namespace {

// Collects field violations; Result() is OK when there are none, else the
// error of row field-invalid of the error table (adapters/eko/error_table.h).
class Violations {
 public:
  void Add(std::string field, std::string description) {
    list_.emplace_back(std::move(field), std::move(description));
  }

  absl::Status Result() const {
    if (list_.empty()) return absl::OkStatus();
    std::vector<std::string> fields;
    for (const auto& [field, description] : list_) fields.push_back(field);
    const std::string names = absl::StrJoin(fields, ", ");
    rich::ErrorBuilder error =
        adapter::RowError(adapter::ErrorId::kFieldInvalid, {{"<fields>", names}});
    error.Metadata("fields", absl::StrJoin(fields, ","));
    for (const auto& [field, description] : list_) error.FieldViolation(field, description);
    return error.Build();
  }

 private:
  std::vector<std::pair<std::string, std::string>> list_;
};

bool AllDigits(std::string_view text) {
  for (const char c : text) {
    if (c < '0' || c > '9') return false;
  }
  return !text.empty();
}

// Number of Unicode code points in valid UTF-8 text.
size_t CodePoints(std::string_view text) {
  size_t n = 0;
  for (const char c : text) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return n;
}

bool HasControlCharacters(std::string_view text) {
  for (const char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7F) return true;
  }
  return false;
}

// Printable ASCII without spaces: what opaque Eko tokens look like.
bool IsToken(std::string_view text) {
  for (const char c : text) {
    if (c <= ' ' || c > '~') return false;
  }
  return true;
}

void CheckCustomerId(std::string_view value, Violations& v) {
  if (value.empty()) {
    v.Add("customer_id", "required: the customer's 10-digit mobile number");
  } else if (value.size() != 10 || !AllDigits(value) || value[0] == '0') {
    v.Add("customer_id", "must be a 10-digit mobile number without prefix, e.g. 9876543210");
  }
}

void CheckUserCode(std::string_view value, const ValidationContext& context, Violations& v) {
  if (value.empty()) {
    if (!context.has_default_user_code) {
      v.Add("user_code", "required: the gateway has no default user code configured");
    }
  } else if (value.size() > kMaxUserCodeChars || !AllDigits(value)) {
    v.Add("user_code", absl::StrCat("must be digits, at most ", kMaxUserCodeChars));
  }
}

void CheckClientRefId(std::string_view value, Violations& v) {
  if (value.empty()) return;
  bool ok = value.size() <= kMaxClientRefIdChars;
  for (const char c : value) {
    ok = ok && ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                c == '-' || c == '_');
  }
  if (!ok) {
    v.Add("client_ref_id",
          absl::StrCat("at most ", kMaxClientRefIdChars, " characters of [A-Za-z0-9_-]"));
  }
}

void CheckName(std::string_view value, Violations& v) {
  if (value.find_first_not_of(' ') == std::string_view::npos) {
    v.Add("name", "required: the name exactly as on the ID document");
  } else if (CodePoints(value) > kMaxNameChars) {
    v.Add("name", absl::StrCat("at most ", kMaxNameChars, " characters"));
  } else if (HasControlCharacters(value)) {
    v.Add("name", "must not contain control characters");
  }
}

bool IsLeapYear(int year) { return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0; }

template <typename Request>
void CheckDobOf(const Request& request, const ValidationContext& context, Violations& v) {
  if (!request.has_dob()) {
    v.Add("dob", "required: date of birth");
    return;
  }
  const google::type::Date& dob = request.dob();
  static constexpr int kDaysInMonth[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool valid_month = dob.month() >= 1 && dob.month() <= 12;
  const int days_in_month =
      valid_month ? kDaysInMonth[dob.month() - 1] + (dob.month() == 2 && IsLeapYear(dob.year()))
                  : 0;
  if (dob.year() < 1900 || !valid_month || dob.day() < 1 || dob.day() > days_in_month) {
    v.Add("dob", "must be a real calendar date (year >= 1900)");
    return;
  }
  const absl::CivilDay today = absl::ToCivilDay(context.now, absl::UTCTimeZone());
  const absl::CivilDay born(dob.year(), dob.month(), dob.day());
  if (born >= today) v.Add("dob", "must be in the past");
}

void CheckAddress(const google::protobuf::RepeatedPtrField<std::string>& lines, Violations& v) {
  bool any = false;
  for (const std::string& line : lines) {
    if (line.find_first_not_of(' ') != std::string::npos) any = true;
  }
  if (!any) {
    v.Add("residence_address", "required: at least one non-empty address line");
  } else if (static_cast<size_t>(lines.size()) > kMaxAddressLines) {
    v.Add("residence_address", absl::StrCat("at most ", kMaxAddressLines, " lines"));
  } else {
    for (const std::string& line : lines) {
      if (CodePoints(line) > kMaxAddressLineChars || HasControlCharacters(line)) {
        v.Add("residence_address", absl::StrCat("each line at most ", kMaxAddressLineChars,
                                                " characters, without control characters"));
        break;
      }
    }
  }
}

void CheckOtp(std::string_view value, Violations& v) {
  if (value.empty()) {
    v.Add("otp", "required: the OTP the customer received");
  } else if (value.size() < 4 || value.size() > 10 || !AllDigits(value)) {
    v.Add("otp", "must be 4 to 10 digits");
  }
}

// An OTP the caller may leave out (Eko's docs make it optional).
void CheckOptionalOtp(std::string_view value, Violations& v) {
  if (!value.empty()) CheckOtp(value, v);
}

// One field of the structured address: `required` ones must not be blank.
void CheckAddressField(std::string_view name, std::string_view value, bool required,
                       Violations& v) {
  const std::string field = absl::StrCat("address.", ToAbsl(name));
  if (value.find_first_not_of(' ') == std::string_view::npos) {
    if (required) v.Add(field, "required");
    return;
  }
  if (CodePoints(value) > kMaxAddressLineChars || HasControlCharacters(value)) {
    v.Add(field, absl::StrCat("at most ", kMaxAddressLineChars,
                              " characters, without control characters"));
  }
}

// OnboardSender's address: Eko's sender endpoint takes a structured address;
// the deprecated address lines cannot express it and are refused.
void CheckSenderAddress(const v1::OnboardSenderRequest& request, Violations& v) {
  // Reading the deprecated field is how it is refused.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
  const bool has_lines = !request.residence_address().empty();
#pragma GCC diagnostic pop
  if (has_lines) {
    v.Add("address",
          "residence_address (address lines) is deprecated on OnboardSender: send address "
          "{line, city, state, pincode, district, area} instead");
    return;
  }
  if (!request.has_address()) {
    v.Add("address", "required: the sender's residence address (line, city, state, pincode)");
    return;
  }
  const v1::Address& address = request.address();
  CheckAddressField("line", address.line(), true, v);
  CheckAddressField("city", address.city(), true, v);
  CheckAddressField("state", address.state(), true, v);
  if (address.pincode().empty()) {
    v.Add("address.pincode", "required: the 6-digit PIN code");
  } else if (address.pincode().size() != 6 || !AllDigits(address.pincode()) ||
             address.pincode()[0] == '0') {
    v.Add("address.pincode", "must be a 6-digit PIN code, e.g. 452001");
  }
  CheckAddressField("district", address.district(), false, v);
  CheckAddressField("area", address.area(), false, v);
}

void CheckToken(std::string_view field, std::string_view value, size_t max_bytes, Violations& v) {
  if (value.empty()) {
    v.Add(std::string(field), "required: pass the value returned by the previous step");
  } else if (value.size() > max_bytes || !IsToken(value)) {
    v.Add(std::string(field),
          absl::StrCat("at most ", max_bytes, " printable characters without spaces"));
  }
}

// OnboardCustomer and OnboardSender take the same fields but the address.
template <typename Request, typename CheckAddressOf>
absl::Status ValidateOnboarding(const Request& request, const ValidationContext& context,
                                CheckAddressOf check_address) {
  Violations v;
  CheckCustomerId(request.customer_id(), v);
  CheckName(request.name(), v);
  CheckDobOf(request, context, v);
  check_address(request, v);
  CheckUserCode(request.user_code(), context, v);
  CheckClientRefId(request.client_ref_id(), v);
  return v.Result();
}

// The lookups (GetCustomer, GetSender) carry only whom to look up and for
// which user_code.
template <typename LookupRequest>
absl::Status ValidateLookup(const LookupRequest& request, const ValidationContext& context) {
  Violations v;
  CheckCustomerId(request.customer_id(), v);
  CheckUserCode(request.user_code(), context, v);
  return v.Result();
}

}  // namespace

absl::Status Validate(const v1::GetCustomerRequest& request, const ValidationContext& context) {
  return ValidateLookup(request, context);
}

absl::Status Validate(const v1::OnboardCustomerRequest& request, const ValidationContext& context) {
  return ValidateOnboarding(request, context,
                            [](const v1::OnboardCustomerRequest& r, Violations& v) {
                              CheckAddress(r.residence_address(), v);
                            });
}

absl::Status Validate(const v1::VerifyCustomerOtpRequest& request,
                      const ValidationContext& context) {
  Violations v;
  CheckCustomerId(request.customer_id(), v);
  CheckOptionalOtp(request.otp(), v);
  CheckToken("otp_ref_id", request.otp_ref_id(), kMaxOtpRefIdBytes, v);
  CheckUserCode(request.user_code(), context, v);
  CheckClientRefId(request.client_ref_id(), v);
  return v.Result();
}

absl::Status Validate(const v1::GetSenderRequest& request, const ValidationContext& context) {
  return ValidateLookup(request, context);
}

absl::Status Validate(const v1::OnboardSenderRequest& request, const ValidationContext& context) {
  return ValidateOnboarding(request, context, &CheckSenderAddress);
}

absl::Status Validate(const v1::StartSenderEkycRequest& request, const ValidationContext& context) {
  Violations v;
  CheckCustomerId(request.customer_id(), v);
  if (request.aadhaar().size() != 12 || !AllDigits(request.aadhaar())) {
    v.Add("aadhaar", "must be the 12-digit Aadhaar number");
  }
  if (request.pid_data().empty()) {
    v.Add("pid_data", "required: the PID block captured by the RD-service device");
  } else if (request.pid_data().size() > kMaxPidDataBytes) {
    v.Add("pid_data", absl::StrCat("at most ", kMaxPidDataBytes, " bytes"));
  }
  CheckUserCode(request.user_code(), context, v);
  CheckClientRefId(request.client_ref_id(), v);
  return v.Result();
}

absl::Status Validate(const v1::ValidateEkycOtpRequest& request, const ValidationContext& context) {
  Violations v;
  CheckCustomerId(request.customer_id(), v);
  CheckOtp(request.otp(), v);
  CheckToken("otp_ref_id", request.otp_ref_id(), kMaxOtpRefIdBytes, v);
  CheckToken("kyc_request_id", request.kyc_request_id(), kMaxKycRequestIdBytes, v);
  CheckUserCode(request.user_code(), context, v);
  CheckClientRefId(request.client_ref_id(), v);
  return v.Result();
}

}  // namespace eko::server
