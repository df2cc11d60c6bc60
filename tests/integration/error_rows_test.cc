// One test per row of the error table (adapters/eko/error_table.cc) that has
// an example (tests/support/error_examples.h): the example is replayed by the
// simulator's fault injection against the real gateway, and the caller must
// see exactly the row's code, reason and detail types, with one ErrorInfo, a
// RequestInfo, and no secret or OTP anywhere.
#include <map>
#include <string>
#include <type_traits>

#include "adapters/eko/error_table.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "rapidjson/stringbuffer.h"
#include "rapidjson/writer.h"
#include "tests/integration/test_stack.h"
#include "tests/support/error_examples.h"

namespace eko::testing {
namespace {

using adapter::ErrorRow;
using adapter::Rpc;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kOtp[] = "482913";
constexpr char kAadhaar[] = "234567890123";
constexpr char kPidMarker[] = "PIDSECRETBLOCK";

std::string FaultJson(const std::string& customer_id, const ErrorExample& example) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
  w.StartObject();
  w.Key("customer_id");
  w.String(customer_id.c_str());
  w.Key("times");
  w.Int(-1);
  w.Key("action");
  switch (example.wire) {
    case ErrorExample::Wire::kReset:
      w.String("reset");
      break;
    case ErrorExample::Wire::kStall:
      w.String("stall");
      break;
    case ErrorExample::Wire::kTruncate:
      w.String("truncate");
      w.Key("http_status");
      w.Int(example.http_status);
      w.Key("body");
      w.String(example.body.c_str());
      break;
    default:
      w.String("respond");
      w.Key("http_status");
      w.Int(example.http_status);
      w.Key("body");
      w.String(example.body.c_str());
      if (!example.retry_after.empty()) {
        w.Key("headers");
        w.StartObject();
        w.Key("Retry-After");
        w.String(example.retry_after.c_str());
        w.EndObject();
      }
  }
  w.EndObject();
  return buffer.GetString();
}

// Calls `rpc` with a request that passes local validation (or, for
// kInvalidRequest, one that fails it).
grpc::Status Call(v1::OnboardingService::Stub& stub, Rpc rpc, const std::string& customer_id,
                  bool invalid, std::chrono::milliseconds timeout) {
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + timeout);
  const auto person = [&](auto* r) {
    r->set_customer_id(invalid ? "12345" : customer_id);
    r->set_name("Asha Rao");
    r->mutable_dob()->set_year(invalid ? 2999 : 1990);
    r->mutable_dob()->set_month(1);
    r->mutable_dob()->set_day(1);
    if constexpr (std::is_same_v<std::decay_t<decltype(*r)>, v1::OnboardSenderRequest>) {
      *r->mutable_address() = TestAddress();
    } else {
      r->add_residence_address("Pune");
    }
  };
  switch (rpc) {
    case Rpc::kGetCustomer: {
      v1::GetCustomerRequest r;
      r.set_customer_id(customer_id);
      v1::GetCustomerResponse out;
      return stub.GetCustomer(&context, r, &out);
    }
    case Rpc::kOnboardCustomer: {
      v1::OnboardCustomerRequest r;
      person(&r);
      v1::OnboardCustomerResponse out;
      return stub.OnboardCustomer(&context, r, &out);
    }
    case Rpc::kVerifyCustomerOtp: {
      v1::VerifyCustomerOtpRequest r;
      r.set_customer_id(customer_id);
      r.set_otp(kOtp);
      r.set_otp_ref_id("ref-1");
      v1::VerifyCustomerOtpResponse out;
      return stub.VerifyCustomerOtp(&context, r, &out);
    }
    case Rpc::kGetSender: {
      v1::GetSenderRequest r;
      r.set_customer_id(customer_id);
      v1::GetSenderResponse out;
      return stub.GetSender(&context, r, &out);
    }
    case Rpc::kOnboardSender: {
      v1::OnboardSenderRequest r;
      person(&r);
      v1::OnboardSenderResponse out;
      return stub.OnboardSender(&context, r, &out);
    }
    case Rpc::kStartSenderEkyc: {
      v1::StartSenderEkycRequest r;
      r.set_customer_id(customer_id);
      r.set_aadhaar(kAadhaar);
      r.set_pid_data(std::string("<PidData>") + kPidMarker + "</PidData>");
      v1::StartSenderEkycResponse out;
      return stub.StartSenderEkyc(&context, r, &out);
    }
    case Rpc::kValidateEkycOtp: {
      v1::ValidateEkycOtpRequest r;
      r.set_customer_id(customer_id);
      r.set_otp(kOtp);
      r.set_otp_ref_id("ref-1");
      r.set_kyc_request_id("kyc-1");
      v1::ValidateEkycOtpResponse out;
      return stub.ValidateEkycOtp(&context, r, &out);
    }
  }
  return grpc::Status(grpc::StatusCode::INTERNAL, "unknown rpc");
}

std::string DetailNames(const ErrorDetails& details) {
  static const std::map<std::string, unsigned> kBits = {
      {"type.googleapis.com/google.rpc.BadRequest", adapter::kBadRequest},
      {"type.googleapis.com/google.rpc.PreconditionFailure", adapter::kPreconditionFailure},
      {"type.googleapis.com/google.rpc.QuotaFailure", adapter::kQuotaFailure},
      {"type.googleapis.com/google.rpc.ResourceInfo", adapter::kResourceInfo},
      {"type.googleapis.com/google.rpc.RetryInfo", adapter::kRetryInfo}};
  unsigned bits = 0;
  for (const std::string& url : details.type_urls) {
    auto it = kBits.find(url);
    if (it != kBits.end()) bits |= it->second;
  }
  return adapter::DetailTypeNames(bits);
}

class ErrorRowsTest : public ::testing::TestWithParam<ErrorRow> {
 protected:
  static void SetUpTestSuite() {
    StackOptions options;
    options.extra_gateway_flags = {"--eko-deadline-margin-ms", "400"};
    stack_ = TestStack::Start(options).release();
    StackOptions refused;
    refused.base_url_override = "http://127.0.0.1:9/ekoapi/v3";  // nothing listens on port 9
    refused_stack_ = TestStack::Start(refused).release();
  }
  static void TearDownTestSuite() {
    delete stack_;
    delete refused_stack_;
    stack_ = refused_stack_ = nullptr;
  }
  static inline TestStack* stack_ = nullptr;
  static inline TestStack* refused_stack_ = nullptr;
};

TEST_P(ErrorRowsTest, GatewayAnswersWithTheRow) {
  const ErrorRow& row = GetParam();
  ASSERT_NE(stack_, nullptr);
  ASSERT_NE(refused_stack_, nullptr);
  static int counter = 0;
  const std::string customer = "91234" + std::to_string(70000 + ++counter);
  const ErrorExample* found = FindErrorExample(row.error_id);
  ASSERT_NE(found, nullptr) << row.id;
  const ErrorExample& example = *found;
  TestStack* stack = example.wire == ErrorExample::Wire::kRefused ? refused_stack_ : stack_;
  if (example.wire != ErrorExample::Wire::kRefused &&
      example.wire != ErrorExample::Wire::kInvalidRequest) {
    ASSERT_TRUE(stack->InjectFault(FaultJson(customer, example)));
  }
  const bool stall = example.wire == ErrorExample::Wire::kStall;
  grpc::Status status = Call(
      stack->stub(), example.rpc, customer, example.wire == ErrorExample::Wire::kInvalidRequest,
      stall ? std::chrono::milliseconds(1500) : std::chrono::milliseconds(10000));

  const absl::StatusCode expected = stall ? row.code_if_caller_deadline : row.code;
  EXPECT_EQ(static_cast<int>(status.error_code()), static_cast<int>(expected))
      << status.error_message();
  ErrorDetails details = DecodeDetails(status);
  EXPECT_EQ(details.reason, row.reason);
  EXPECT_EQ(details.domain, "eko-onboarding-gateway");
  EXPECT_EQ(details.error_info_count, 1);
  EXPECT_EQ(DetailNames(details), adapter::DetailTypeNames(row.details));
  EXPECT_FALSE(details.request_id.empty());
  EXPECT_EQ(details.metadata["upstreamOutcome"], row.upstream_outcome);

  // Nothing secret or personal in the message or the details.
  for (const char* secret : {kSimAccessKey, kOtp, kAadhaar, kPidMarker}) {
    EXPECT_THAT(status.error_message(), Not(HasSubstr(secret)));
    EXPECT_THAT(status.error_details(), Not(HasSubstr(secret)));
  }
}

std::vector<ErrorRow> ReproducibleRows() {
  std::vector<ErrorRow> rows;
  for (const ErrorRow& row : adapter::ErrorRows()) {
    if (FindErrorExample(row.error_id) != nullptr) rows.push_back(row);
  }
  return rows;
}

INSTANTIATE_TEST_SUITE_P(AllRows, ErrorRowsTest, ::testing::ValuesIn(ReproducibleRows()),
                         [](const ::testing::TestParamInfo<ErrorRow>& param_info) {
                           std::string name = param_info.param.id;
                           for (char& c : name) {
                             if (c == '-') c = '_';
                           }
                           return name;
                         });

}  // namespace
}  // namespace eko::testing
