#ifndef EKO_CLIENT_SIM_OTP_H_
#define EKO_CLIENT_SIM_OTP_H_

#include <chrono>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

// Development aid: reads the OTP the Eko simulator (tests/sim) last "sent"
// to a customer from its admin endpoint, so a journey against
// `eko-gateway --dev` runs without a phone. Never used against real Eko.
namespace eko::cli {

// The simulator's latest OTP record of one customer
// (`GET <admin>/otp?customer_id=X`, see tests/sim/README.md).
struct SimOtp {
  std::string otp;
  std::string otp_ref_id;
  std::string kyc_request_id;  // Empty for the customer flow.
  std::string flow;            // "customer" or "ekyc".
  bool consumed = false;
  bool expired = false;
};

// True when `url` is an http:// or https:// URL (the only schemes fetched).
bool IsHttpUrl(std::string_view url);

// Fetches `<admin_url>/otp?customer_id=<customer_id>` (one trailing '/' of
// `admin_url` is ignored; `customer_id` is URL-encoded) directly, never via
// a proxy, without following redirects, within `timeout`. Errors:
// UNAVAILABLE when the request fails, NOT_FOUND on HTTP 404 (no OTP issued
// to that customer), INTERNAL on any other non-200 status or a body that is
// not a JSON object with a non-empty string `otp`. Messages never contain the
// OTP.
absl::StatusOr<SimOtp> FetchSimOtp(std::string_view admin_url, std::string_view customer_id,
                                   std::chrono::microseconds timeout);

}  // namespace eko::cli

#endif  // EKO_CLIENT_SIM_OTP_H_
