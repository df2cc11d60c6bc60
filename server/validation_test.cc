#include "server/validation.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/support/status_matchers.h"

namespace eko::server {
namespace {

using ::eko::testing::HasReason;
using ::eko::testing::IsOk;
using ::eko::testing::MetadataValue;
using ::eko::testing::ViolatedFields;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
namespace reason = ::eko::rich::reason;

ValidationContext Context() {
  ValidationContext context;
  context.has_default_user_code = true;
  context.now = absl::FromCivil(absl::CivilDay(2026, 11, 22), absl::UTCTimeZone());
  return context;
}

v1::OnboardCustomerRequest ValidOnboard() {
  v1::OnboardCustomerRequest r;
  r.set_customer_id("9876543210");
  r.set_name("Asha Rao");
  r.mutable_dob()->set_year(1990);
  r.mutable_dob()->set_month(5);
  r.mutable_dob()->set_day(15);
  r.add_residence_address("12 MG Road");
  return r;
}

TEST(ValidationTest, ValidOnboardPasses) {
  EXPECT_THAT(Validate(ValidOnboard(), Context()), IsOk());
}

TEST(ValidationTest, ReportsEveryBadFieldAtOnce) {
  v1::OnboardCustomerRequest r;
  absl::Status status = Validate(r, Context());
  EXPECT_THAT(status, HasReason(absl::StatusCode::kInvalidArgument, reason::kFieldInvalid));
  EXPECT_THAT(ViolatedFields(status),
              ElementsAre("customer_id", "name", "dob", "residence_address"));
  EXPECT_EQ(MetadataValue(status, "fields"), "customer_id,name,dob,residence_address");
}

TEST(ValidationTest, CustomerIdMustBeTenDigits) {
  for (const char* bad : {"987654321", "98765432100", "98765x3210", "0876543210", " 987654321"}) {
    auto r = ValidOnboard();
    r.set_customer_id(bad);
    EXPECT_THAT(ViolatedFields(Validate(r, Context())), ElementsAre("customer_id")) << bad;
  }
}

TEST(ValidationTest, DobMustBeARealPastDate) {
  struct Case {
    int y, m, d;
    bool ok;
  };
  for (const Case& c : {Case{2000, 2, 29, true}, Case{1900, 2, 29, false}, Case{2023, 2, 29, false},
                        Case{1990, 13, 1, false}, Case{1990, 4, 31, false}, Case{1899, 1, 1, false},
                        Case{2026, 11, 22, false}, Case{2026, 11, 21, true},
                        Case{2030, 1, 1, false}, Case{0, 0, 0, false}}) {
    auto r = ValidOnboard();
    r.mutable_dob()->set_year(c.y);
    r.mutable_dob()->set_month(c.m);
    r.mutable_dob()->set_day(c.d);
    EXPECT_EQ(Validate(r, Context()).ok(), c.ok) << c.y << "-" << c.m << "-" << c.d;
  }
}

TEST(ValidationTest, NameLimits) {
  auto r = ValidOnboard();
  r.set_name(std::string(100, 'a'));
  EXPECT_THAT(Validate(r, Context()), IsOk());
  r.set_name(std::string(101, 'a'));
  EXPECT_THAT(ViolatedFields(Validate(r, Context())), ElementsAre("name"));
  // 100 Devanagari letters (3 bytes each) are 100 characters.
  std::string hindi;
  for (int i = 0; i < 100; ++i) hindi += "\xE0\xA4\x85";
  r.set_name(hindi);
  EXPECT_THAT(Validate(r, Context()), IsOk());
  r.set_name("O'Brien \"Jr\" \\ x");
  EXPECT_THAT(Validate(r, Context()), IsOk());
  r.set_name("tab\there");
  EXPECT_THAT(ViolatedFields(Validate(r, Context())), ElementsAre("name"));
  r.set_name("   ");
  EXPECT_THAT(ViolatedFields(Validate(r, Context())), ElementsAre("name"));
}

TEST(ValidationTest, AddressLimits) {
  auto r = ValidOnboard();
  r.clear_residence_address();
  r.add_residence_address("");
  EXPECT_THAT(ViolatedFields(Validate(r, Context())), ElementsAre("residence_address"));
  r.clear_residence_address();
  for (int i = 0; i < 11; ++i) r.add_residence_address("x");
  EXPECT_THAT(ViolatedFields(Validate(r, Context())), ElementsAre("residence_address"));
  r.clear_residence_address();
  r.add_residence_address(std::string(201, 'x'));
  EXPECT_THAT(ViolatedFields(Validate(r, Context())), ElementsAre("residence_address"));
}

TEST(ValidationTest, OtpRules) {
  v1::VerifyCustomerOtpRequest r;
  r.set_customer_id("9876543210");
  r.set_otp_ref_id("IXrygqm0vTNb==");
  for (const char* good : {"0123", "012345", "1234567890"}) {
    r.set_otp(good);
    EXPECT_THAT(Validate(r, Context()), IsOk()) << good;
  }
  for (const char* bad : {"123", "12345678901", "12a456", "12 345"}) {
    r.set_otp(bad);
    EXPECT_THAT(ViolatedFields(Validate(r, Context())), ElementsAre("otp")) << bad;
  }
  // Optional on VerifyCustomerOtp, as in Eko's docs; required on ValidateEkycOtp.
  r.set_otp("");
  EXPECT_THAT(Validate(r, Context()), IsOk());
  v1::ValidateEkycOtpRequest ekyc;
  ekyc.set_customer_id("9876543210");
  ekyc.set_otp_ref_id("771");
  ekyc.set_kyc_request_id("88");
  EXPECT_THAT(ViolatedFields(Validate(ekyc, Context())), ElementsAre("otp"));
  r.set_otp("123456");
  r.set_otp_ref_id("has space");
  EXPECT_THAT(ViolatedFields(Validate(r, Context())), ElementsAre("otp_ref_id"));
  r.set_otp_ref_id("");
  EXPECT_THAT(ViolatedFields(Validate(r, Context())), ElementsAre("otp_ref_id"));
}

v1::OnboardSenderRequest ValidSender() {
  v1::OnboardSenderRequest r;
  r.set_customer_id("9876543210");
  r.set_name("Ravi Kumar");
  r.mutable_dob()->set_year(1985);
  r.mutable_dob()->set_month(1);
  r.mutable_dob()->set_day(2);
  v1::Address* a = r.mutable_address();
  a->set_line("India");
  a->set_city("Indore");
  a->set_state("Madhya Pradesh");
  a->set_pincode("226024");
  return r;
}

TEST(ValidationTest, SenderAddressIsStructured) {
  v1::OnboardSenderRequest r = ValidSender();
  EXPECT_THAT(Validate(r, Context()), IsOk());
  r.mutable_address()->set_district("Indore");
  r.mutable_address()->set_area("gita bhavan");
  EXPECT_THAT(Validate(r, Context()), IsOk());

  for (const char* bad : {"", "22602", "2260245", "22602a", "026024"}) {
    r.mutable_address()->set_pincode(bad);
    EXPECT_THAT(ViolatedFields(Validate(r, Context())), ElementsAre("address.pincode")) << bad;
  }
  r = ValidSender();
  r.mutable_address()->clear_line();
  r.mutable_address()->set_city("  ");
  r.mutable_address()->clear_state();
  EXPECT_THAT(ViolatedFields(Validate(r, Context())),
              ElementsAre("address.line", "address.city", "address.state"));
  r = ValidSender();
  r.mutable_address()->set_area(std::string(kMaxAddressLineChars + 1, 'a'));
  r.mutable_address()->set_district("a\nb");
  EXPECT_THAT(ViolatedFields(Validate(r, Context())),
              ElementsAre("address.district", "address.area"));
  r.clear_address();
  EXPECT_THAT(ViolatedFields(Validate(r, Context())), ElementsAre("address"));
}

TEST(ValidationTest, DeprecatedSenderAddressLinesAreRefusedNamingAddress) {
  v1::OnboardSenderRequest r = ValidSender();
  // Setting the deprecated field is the point of this test.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
  r.add_residence_address("12 MG Road");
#pragma GCC diagnostic pop
  absl::Status status = Validate(r, Context());
  EXPECT_THAT(ViolatedFields(status), ElementsAre("address"));
  EXPECT_THAT(status, HasReason(absl::StatusCode::kInvalidArgument, reason::kFieldInvalid));
  r.clear_address();
  EXPECT_THAT(ViolatedFields(Validate(r, Context())), ElementsAre("address"));
}

TEST(ValidationTest, EkycRules) {
  v1::StartSenderEkycRequest r;
  r.set_customer_id("9876543210");
  r.set_aadhaar("123456789012");
  r.set_pid_data("<PidData/>");
  EXPECT_THAT(Validate(r, Context()), IsOk());
  r.set_aadhaar("12345678901");
  r.set_pid_data(std::string(64 * 1024 + 1, 'x'));
  EXPECT_THAT(ViolatedFields(Validate(r, Context())), ElementsAre("aadhaar", "pid_data"));

  v1::ValidateEkycOtpRequest v;
  v.set_customer_id("9876543210");
  v.set_otp("123456");
  v.set_otp_ref_id("1");
  EXPECT_THAT(ViolatedFields(Validate(v, Context())), ElementsAre("kyc_request_id"));
}

TEST(ValidationTest, UserCodeAndClientRefId) {
  auto r = ValidOnboard();
  r.set_user_code("2081x200");
  r.set_client_ref_id("way-too-long-reference-id");
  EXPECT_THAT(ViolatedFields(Validate(r, Context())), ElementsAre("user_code", "client_ref_id"));
  r.set_user_code("");
  r.set_client_ref_id("ok_ref-1");
  ValidationContext no_default = Context();
  no_default.has_default_user_code = false;
  EXPECT_THAT(ViolatedFields(Validate(r, no_default)), ElementsAre("user_code"));
  r.set_user_code("20810200");
  EXPECT_THAT(Validate(r, no_default), IsOk());
}

TEST(ValidationTest, ValidationErrorsNeverEchoSecrets) {
  v1::StartSenderEkycRequest r;
  r.set_customer_id("9876543210");
  r.set_aadhaar("99998888777");  // 11 digits: invalid
  r.set_pid_data("<PidData>SECRETPID</PidData>");
  absl::Status status = Validate(r, Context());
  ASSERT_FALSE(status.ok());
  google::rpc::Status rpc = rich::ToRpcStatus(status);
  const std::string wire = rpc.SerializeAsString();
  EXPECT_EQ(wire.find("99998888777"), std::string::npos);
  EXPECT_EQ(wire.find("SECRETPID"), std::string::npos);
}

}  // namespace
}  // namespace eko::server
