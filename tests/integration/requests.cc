#include "tests/integration/requests.h"

#include <optional>

#include "gtest/gtest.h"

namespace eko::testing {
namespace {

// A request for `customer_id` with nothing else set.
template <typename Request>
Request ForCustomer(const std::string& customer_id) {
  Request request;
  request.set_customer_id(customer_id);
  return request;
}

// A request for `customer_id`, the person `name` born on year-month-day.
template <typename Request>
Request ForPerson(const std::string& customer_id, const std::string& name, int year, int month,
                  int day) {
  Request request = ForCustomer<Request>(customer_id);
  request.set_name(name);
  request.mutable_dob()->set_year(year);
  request.mutable_dob()->set_month(month);
  request.mutable_dob()->set_day(day);
  return request;
}

}  // namespace

v1::GetCustomerRequest CustomerLookup(const std::string& customer_id) {
  return ForCustomer<v1::GetCustomerRequest>(customer_id);
}

v1::OnboardCustomerRequest NewCustomer(const std::string& customer_id) {
  auto request = ForPerson<v1::OnboardCustomerRequest>(customer_id, "Asha Rao", 1990, 5, 15);
  request.add_residence_address("12 MG Road");
  request.add_residence_address("Bengaluru");
  return request;
}

v1::VerifyCustomerOtpRequest CustomerOtp(const std::string& customer_id, const std::string& otp,
                                         const std::string& otp_ref_id) {
  auto request = ForCustomer<v1::VerifyCustomerOtpRequest>(customer_id);
  request.set_otp(otp);
  request.set_otp_ref_id(otp_ref_id);
  return request;
}

v1::GetSenderRequest SenderLookup(const std::string& customer_id) {
  return ForCustomer<v1::GetSenderRequest>(customer_id);
}

v1::OnboardSenderRequest NewSender(const std::string& customer_id) {
  auto request = ForPerson<v1::OnboardSenderRequest>(customer_id, "Ravi Kumar", 1985, 1, 2);
  *request.mutable_address() = TestAddress();
  return request;
}

v1::StartSenderEkycRequest SenderEkyc(const std::string& customer_id, const std::string& pid_data) {
  auto request = ForCustomer<v1::StartSenderEkycRequest>(customer_id);
  request.set_aadhaar(kTestAadhaar);
  request.set_pid_data(pid_data);
  return request;
}

v1::ValidateEkycOtpRequest EkycOtp(const std::string& customer_id, const std::string& otp,
                                   const std::string& otp_ref_id,
                                   const std::string& kyc_request_id) {
  auto request = ForCustomer<v1::ValidateEkycOtpRequest>(customer_id);
  request.set_otp(otp);
  request.set_otp_ref_id(otp_ref_id);
  request.set_kyc_request_id(kyc_request_id);
  return request;
}

SimOtp OnboardAndGetOtp(TestStack& stack, const std::string& customer_id) {
  v1::OnboardCustomerResponse response;
  grpc::Status status = Call(stack, NewCustomer(customer_id), &response);
  EXPECT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(response.next_step(), v1::NEXT_STEP_VERIFY_CUSTOMER_OTP);
  std::optional<SimOtp> otp = stack.LatestOtp(customer_id);
  EXPECT_TRUE(otp.has_value());
  EXPECT_EQ(otp.value_or(SimOtp{}).otp_ref_id, response.otp_ref_id());
  return otp.value_or(SimOtp{});
}

v1::StartSenderEkycResponse OnboardAndStartEkyc(TestStack& stack, const std::string& customer_id,
                                                const std::string& pid_data) {
  grpc::Status status = Call(stack, NewSender(customer_id));
  EXPECT_TRUE(status.ok()) << status.error_message();
  v1::StartSenderEkycResponse started;
  status = Call(stack, SenderEkyc(customer_id, pid_data), &started);
  EXPECT_TRUE(status.ok()) << status.error_message();
  return started;
}

grpc::Status ValidateWithSimOtp(TestStack& stack, const std::string& customer_id,
                                const std::string& otp_ref_id, const std::string& kyc_request_id,
                                v1::ValidateEkycOtpResponse* response) {
  const std::optional<SimOtp> otp = stack.LatestOtp(customer_id);
  if (!otp.has_value()) return grpc::Status(grpc::StatusCode::INTERNAL, "no OTP in the simulator");
  return Call(stack, EkycOtp(customer_id, otp->otp, otp_ref_id, kyc_request_id), response);
}

std::vector<std::future<grpc::Status>> StartLookups(TestStack& stack,
                                                    const std::string& customer_id, int count,
                                                    std::chrono::milliseconds timeout,
                                                    bool distinct) {
  std::vector<std::future<grpc::Status>> calls;
  for (int i = 0; i < count; ++i) {
    v1::GetCustomerRequest request = CustomerLookup(customer_id);
    if (distinct) request.set_user_code(std::to_string(20810200 + i));
    calls.push_back(std::async(
        std::launch::async, [&stack, request, timeout] { return Call(stack, request, timeout); }));
  }
  return calls;
}

}  // namespace eko::testing
