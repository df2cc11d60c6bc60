// One test per row of the error table (adapters/eko/error_table.cc) that has
// an example (tests/support/error_examples.h): the example is replayed by the
// simulator's fault injection against the real gateway, and the caller must
// see exactly the row's code, reason and detail types, with one ErrorInfo, a
// RequestInfo, and no secret or OTP anywhere.
#include <map>
#include <string>

#include "absl/strings/str_replace.h"
#include "adapters/eko/error_table.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/integration/requests.h"
#include "tests/integration/test_stack.h"
#include "tests/support/error_examples.h"

namespace eko::testing {
namespace {

using adapter::ErrorRow;
using adapter::Rpc;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kOtp[] = "482913";
constexpr char kPidMarker[] = "PIDSECRETBLOCK";

// The simulator fault that replays `example` (not kRefused, not
// kInvalidRequest) for every call of `customer_id`.
Fault ReplayFault(const std::string& customer_id, const ErrorExample& example) {
  Fault fault = {.customer_id = customer_id, .times = -1};
  switch (example.wire) {
    case ErrorExample::Wire::kReset:
      fault.action = "reset";
      break;
    case ErrorExample::Wire::kStall:
      fault.action = "stall";
      break;
    case ErrorExample::Wire::kTruncate:
      fault.action = "truncate";
      break;
    default:
      fault.action = "respond";
      if (!example.retry_after.empty()) fault.headers["Retry-After"] = example.retry_after;
  }
  fault.http_status = example.http_status;
  fault.body = example.body;
  return fault;
}

// Calls `rpc` for `customer_id` with a deadline `timeout` from now. The
// requests carry an OTP, an Aadhaar number and PID data that must never come
// back in an error.
grpc::Status CallRpc(TestStack& stack, Rpc rpc, const std::string& customer_id,
                     std::chrono::milliseconds timeout) {
  switch (rpc) {
    case Rpc::kGetCustomer:
      return Call(stack, CustomerLookup(customer_id), timeout);
    case Rpc::kOnboardCustomer:
      return Call(stack, NewCustomer(customer_id), timeout);
    case Rpc::kVerifyCustomerOtp:
      return Call(stack, CustomerOtp(customer_id, kOtp, "ref-1"), timeout);
    case Rpc::kGetSender:
      return Call(stack, SenderLookup(customer_id), timeout);
    case Rpc::kOnboardSender:
      return Call(stack, NewSender(customer_id), timeout);
    case Rpc::kStartSenderEkyc:
      return Call(stack,
                  SenderEkyc(customer_id, std::string("<PidData>") + kPidMarker + "</PidData>"),
                  timeout);
    case Rpc::kValidateEkycOtp:
      return Call(stack, EkycOtp(customer_id, kOtp, "ref-1", "kyc-1"), timeout);
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
    // Plain HTTP on purpose: TestStack's default is HTTPS, and these rows
    // keep the gateway's http:// path (Eko behind a TLS-terminating egress
    // proxy) covered end to end, with the wire faults (reset, truncate,
    // stall) acting on bare TCP.
    stack_ = TestStack::Start(
                 {.extra_gateway_flags = {"--eko-deadline-margin-ms", "400"}, .https = false})
                 .release();
    // Nothing listens on port 9.
    refused_stack_ =
        TestStack::Start({.base_url_override = "http://127.0.0.1:9/ekoapi/v3"}).release();
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
  const bool invalid = example.wire == ErrorExample::Wire::kInvalidRequest;
  if (example.wire != ErrorExample::Wire::kRefused && !invalid) {
    ASSERT_TRUE(stack->InjectFault(ReplayFault(customer, example)));
  }
  const bool stall = example.wire == ErrorExample::Wire::kStall;
  // Too short to be a customer id: every RPC refuses it before calling Eko.
  const std::string invalid_customer = "12345";
  grpc::Status status =
      CallRpc(*stack, example.rpc, invalid ? invalid_customer : customer,
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
  for (const char* secret : {kSimAccessKey, kOtp, kTestAadhaar, kPidMarker}) {
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
                           // A test name may not hold '-'.
                           return absl::StrReplaceAll(param_info.param.id, {{"-", "_"}});
                         });

}  // namespace
}  // namespace eko::testing
