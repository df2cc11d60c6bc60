#ifndef EKO_TESTS_INTEGRATION_REQUESTS_H_
#define EKO_TESTS_INTEGRATION_REQUESTS_H_

#include <chrono>
#include <future>
#include <string>
#include <vector>

#include "adapters/rpc_registry.h"
#include "eko/onboarding/v1/onboarding_service.grpc.pb.h"
#include "grpcpp/grpcpp.h"
#include "tests/integration/test_stack.h"

// The requests the integration tests send, a typed call for each, and the
// steps of the journeys that several tests walk through.
namespace eko::testing {

// The Aadhaar number of every eKYC the tests start (a registered secret).
inline constexpr char kTestAadhaar[] = "234567890123";

// Requests that pass the gateway's validation.
v1::GetCustomerRequest CustomerLookup(const std::string& customer_id);
// Asha Rao, born 1990-05-15, residence "12 MG Road", "Bengaluru".
v1::OnboardCustomerRequest NewCustomer(const std::string& customer_id);
v1::VerifyCustomerOtpRequest CustomerOtp(const std::string& customer_id, const std::string& otp,
                                         const std::string& otp_ref_id);
v1::GetSenderRequest SenderLookup(const std::string& customer_id);
// Ravi Kumar, born 1985-01-02, at TestAddress().
v1::OnboardSenderRequest NewSender(const std::string& customer_id);
// eKYC of kTestAadhaar with `pid_data`.
v1::StartSenderEkycRequest SenderEkyc(const std::string& customer_id,
                                      const std::string& pid_data = "<PidData/>");
v1::ValidateEkycOtpRequest EkycOtp(const std::string& customer_id, const std::string& otp,
                                   const std::string& otp_ref_id,
                                   const std::string& kyc_request_id);

// The response type and stub method of each request type.
template <typename Request>
struct RpcOf;
#define EKO_TESTING_RPC_OF(NAME, ...)                                   \
  template <>                                                           \
  struct RpcOf<v1::NAME##Request> {                                     \
    using Response = v1::NAME##Response;                                \
    static constexpr auto kMethod = &v1::OnboardingService::Stub::NAME; \
  };
EKO_ONBOARDING_RPCS(EKO_TESTING_RPC_OF)
#undef EKO_TESTING_RPC_OF

// A simulator fault that answers `customer_id` normally after `delay_ms`,
// `times` times (-1: always).
inline Fault Delay(const std::string& customer_id, int times, int delay_ms) {
  return {.customer_id = customer_id, .times = times, .action = "pass", .delay_ms = delay_ms};
}

inline constexpr std::chrono::milliseconds kCallTimeout = std::chrono::seconds(10);

// Sends `request` to the stack's gateway with a deadline `timeout` from now;
// the answer goes to `*response`.
template <typename Request>
grpc::Status Call(TestStack& stack, const Request& request,
                  typename RpcOf<Request>::Response* response,
                  std::chrono::milliseconds timeout = kCallTimeout) {
  return (stack.stub().*RpcOf<Request>::kMethod)(Context(timeout).get(), request, response);
}

// The same, for a caller that needs the status only.
template <typename Request>
grpc::Status Call(TestStack& stack, const Request& request,
                  std::chrono::milliseconds timeout = kCallTimeout) {
  typename RpcOf<Request>::Response response;
  return Call(stack, request, &response, timeout);
}

// Onboards NewCustomer(customer_id), expecting the OTP step, and returns the
// OTP the simulator sent (expected to carry the answer's otp_ref_id).
SimOtp OnboardAndGetOtp(TestStack& stack, const std::string& customer_id);

// Onboards NewSender(customer_id) and starts its eKYC with `pid_data`,
// expecting both to succeed; returns StartSenderEkyc's answer.
v1::StartSenderEkycResponse OnboardAndStartEkyc(TestStack& stack, const std::string& customer_id,
                                                const std::string& pid_data = "<PidData/>");

// ValidateEkycOtp with the simulator's current OTP for `customer_id` and the
// two references given; INTERNAL if the simulator has no OTP for it.
grpc::Status ValidateWithSimOtp(TestStack& stack, const std::string& customer_id,
                                const std::string& otp_ref_id, const std::string& kyc_request_id,
                                v1::ValidateEkycOtpResponse* response);

// Starts `count` GetCustomer calls for `customer_id`, each on a thread of its
// own with a deadline `timeout` from now; their statuses once they end.
// Identical lookups in flight share one upstream call (coalescing); with
// `distinct`, each call names another user_code so that each makes its own.
std::vector<std::future<grpc::Status>> StartLookups(
    TestStack& stack, const std::string& customer_id, int count,
    std::chrono::milliseconds timeout = kCallTimeout, bool distinct = false);

}  // namespace eko::testing

#endif  // EKO_TESTS_INTEGRATION_REQUESTS_H_
