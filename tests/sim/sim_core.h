#ifndef EKO_TESTS_SIM_SIM_CORE_H_
#define EKO_TESTS_SIM_SIM_CORE_H_

#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <unordered_map>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "tests/sim/sim_faults.h"
#include "tests/sim/sim_types.h"

namespace eko::sim {

struct SimConfig {
  std::string developer_key = "sim-developer-key";
  std::string access_key = "sim-access-key";
  std::string initiator_id = "9962981729";
  std::string base_path = "/ekoapi/v3";  // Eko paths live under this prefix
  int64_t timestamp_window_ms = 300000;  // |now - secret-key-timestamp| allowed
  std::string fixed_otp;                 // empty: random 6-digit OTPs (leading zeros possible)
  int64_t otp_ttl_ms = 300000;           // OTP expiry
  int64_t latency_ms = 0;                // delay added to every Eko-endpoint reply (not admin)
};

// OK when `config` can be served: base_path starts with '/' and does not end
// with one, keys and initiator are non-empty, fixed_otp is empty or digits,
// and the durations are not negative.
absl::Status ValidateConfig(const SimConfig& config);

// Parameters of one Eko call (query string or JSON body); defined in sim_core.cc.
class RequestParams;

// A DMT-Fino sender's residence address (Onboard Sender's residence_address).
struct SenderAddress {
  std::string line;
  std::string city;
  std::string state;
  std::string pincode;   // Exactly 6 digits.
  std::string district;  // Optional: "" when not sent.
  std::string area;      // Optional: "" when not sent.
};

// Parses the content of Onboard Sender's residence_address string: a JSON
// object whose members line, city, state and pincode are non-blank strings
// (pincode exactly 6 digits) and whose optional members district and area are
// strings (null counts as absent). Other members are ignored. On failure the
// status is InvalidArgument and its message is the short reason the
// simulator puts in invalid_params.residence_address:
//   "Must be a string holding a JSON object"  (not JSON, or not an object)
//   "<key> is required"                       (line/city/state/pincode absent, null or blank)
//   "<key> must be a string"                  (a member of another JSON type)
//   "pincode must be 6 digits"
absl::StatusOr<SenderAddress> ParseSenderAddress(absl::string_view json);

// Path prefix of the simulator-only admin endpoints.
inline constexpr char kAdminPrefix[] = "/__sim";

// The simulator's behaviour without any networking: Eko's customer and
// DMT-Fino sender onboarding endpoints under config.base_path, plus the admin
// endpoints under kAdminPrefix. All state (customers, OTPs, request log,
// injected faults) lives here. Thread-safe: Handle may be called from any
// thread.
//
// Every request outside kAdminPrefix is first matched against the injected
// faults (POST /__sim/faults). A matching fault replaces the whole normal
// reply, before any auth or validation check, except for action "pass"; the
// request is logged either way.
class SimCore {
 public:
  // `config` must pass ValidateConfig. The state starts seeded (see Reset).
  explicit SimCore(SimConfig config);

  SimCore(const SimCore&) = delete;
  SimCore& operator=(const SimCore&) = delete;

  // Answers one request. `now_ms` is the Unix time in milliseconds, used for
  // the signature timestamp window, OTP expiry and the request log.
  SimResponse Handle(const SimRequest& request, int64_t now_ms);

  const SimConfig& config() const { return config_; }

 private:
  enum class Flow { kCustomer, kEkyc };
  enum class SenderState { kNone, kKycPending, kOtpPending, kComplete };

  struct OtpRecord {
    std::string customer_id;
    Flow flow = Flow::kCustomer;
    std::string otp;
    std::string otp_ref_id;
    std::string kyc_request_id;  // eKYC flow only.
    int64_t issued_ms = 0;
    int64_t expires_ms = 0;
    bool consumed = false;
    bool force_expired = false;
  };

  struct Customer {
    // Generic (rail-agnostic) customer.
    bool enrolled = false;  // Has a customer record (Onboard Customer ran).
    bool verified = false;  // Mobile OTP verified.
    std::string name;
    std::string dob;
    std::vector<std::string> residence_address;
    // DMT-Fino sender.
    SenderState sender = SenderState::kNone;
    std::string sender_name;
    std::string sender_dob;
    SenderAddress sender_address;
    // The refs of the last eKYC OTP issued while SenderState::kOtpPending.
    std::string pending_ekyc_ref;  // otp_ref_id.
    std::string pending_kyc_request_id;
  };

  struct LoggedRequest {
    std::string method;
    std::string path;
    std::map<std::string, std::string> query;
    std::string body;
    std::string content_type;
    std::vector<std::string> header_names;
    bool auth_ok = false;
    bool developer_key_present = false;
    std::string timestamp;  // secret-key-timestamp as sent ("" if absent).
    int64_t received_ms = 0;
    int64_t fault_id = 0;  // The fault that matched, 0 for none.
  };

  SimResponse HandleAdmin(const SimRequest& request, int64_t now_ms);
  // GET (list), POST (add) and DELETE (clear) /__sim/faults.
  SimResponse HandleFaultsAdmin(const SimRequest& request);
  // Eko's behaviour for a request whose authentication result is `auth_ok`.
  SimResponse HandleEko(const SimRequest& request, bool auth_ok, int64_t now_ms);
  bool CheckAuth(const SimRequest& request, int64_t now_ms);
  void LogRequest(const SimRequest& request, bool auth_ok, int64_t now_ms, int64_t fault_id);

  SimResponse GetCustomer(const std::string& customer_id, int64_t now_ms);
  SimResponse OnboardCustomer(const std::string& customer_id, const RequestParams& params,
                              int64_t now_ms);
  SimResponse VerifyCustomerOtp(const std::string& customer_id, const RequestParams& params,
                                int64_t now_ms);
  SimResponse GetSender(const std::string& customer_id, const std::string& user_code);
  SimResponse OnboardSender(const std::string& customer_id, const RequestParams& params);
  SimResponse StartEkyc(const std::string& customer_id, const std::string& user_code,
                        const RequestParams& params, int64_t now_ms);
  SimResponse VerifyEkycOtp(const std::string& customer_id, const std::string& user_code,
                            const RequestParams& params, int64_t now_ms);

  // Issues a fresh OTP for `customer_id` in `flow` and returns its record.
  const OtpRecord& IssueOtp(const std::string& customer_id, Flow flow, int64_t now_ms);
  // Forgets OTPs a full lifetime after they expired, and the oldest ones
  // beyond the table's size limit.
  void PruneOtps(int64_t now_ms);
  std::string NewOtpValue();
  std::string NewCustomerOtpRef();
  std::string NewNumericId(int digits);

  // Restores the seeded state (customers, OTPs and request log) and drops
  // every injected fault.
  void ResetLocked();

  const SimConfig config_;
  const std::string encoded_access_key_;  // base64(access_key), computed once.
  // The signature expected for last_auth_timestamp_ (guarded by mu_).
  std::string last_auth_timestamp_;
  std::string last_auth_signature_;

  std::mutex mu_;
  std::map<std::string, Customer> customers_;
  std::unordered_map<std::string, OtpRecord> otps_;  // By otp_ref_id.
  std::map<std::string, std::string> latest_otp_;    // customer_id -> otp_ref_id.
  // (time to forget, otp_ref_id) for every record in otps_, oldest first.
  std::deque<std::pair<int64_t, std::string>> otp_issue_order_;
  std::deque<LoggedRequest> request_log_;  // Oldest first, at most 1000.
  FaultTable faults_;
  std::mt19937_64 rng_;
  uint64_t next_kyc_request_id_ = 0;
  uint64_t next_application_id_ = 0;
};

}  // namespace eko::sim

#endif  // EKO_TESTS_SIM_SIM_CORE_H_
