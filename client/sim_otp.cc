#include "client/sim_otp.h"

#include <curl/curl.h>

#include <algorithm>
#include <memory>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"

namespace eko::cli {
namespace {

// The admin replies are small JSON objects; anything larger is not one.
constexpr size_t kMaxBodyBytes = 64 * 1024;

struct CurlDeleter {
  void operator()(CURL* curl) const { curl_easy_cleanup(curl); }
};

// CURLOPT_WRITEFUNCTION: appends to the std::string at `user`; refuses (and
// so aborts the transfer) beyond kMaxBodyBytes.
size_t AppendBody(char* data, size_t size, size_t count, void* user) {
  auto* body = static_cast<std::string*>(user);
  const size_t bytes = size * count;
  if (body->size() + bytes > kMaxBodyBytes) return 0;
  body->append(data, bytes);
  return bytes;
}

// Initializes libcurl once per process.
void EnsureCurlInitialized() {
  static const bool kInitialized = [] {
    curl_global_init(CURL_GLOBAL_DEFAULT);
    return true;
  }();
  (void)kInitialized;
}

// The string field `key` of `object`, or "" when absent or not a string.
std::string StringField(const google::protobuf::Struct& object, const std::string& key) {
  auto it = object.fields().find(key);
  if (it == object.fields().end() || !it->second.has_string_value()) return "";
  return it->second.string_value();
}

bool BoolField(const google::protobuf::Struct& object, const std::string& key) {
  auto it = object.fields().find(key);
  return it != object.fields().end() && it->second.has_bool_value() && it->second.bool_value();
}

}  // namespace

bool IsHttpUrl(std::string_view url) {
  const std::string lower = absl::AsciiStrToLower(std::string(url.substr(0, 8)));
  return (lower.rfind("http://", 0) == 0 && url.size() > 7) ||
         (lower == "https://" && url.size() > 8);
}

absl::StatusOr<SimOtp> FetchSimOtp(std::string_view admin_url, std::string_view customer_id,
                                   std::chrono::microseconds timeout) {
  EnsureCurlInitialized();
  std::unique_ptr<CURL, CurlDeleter> curl(curl_easy_init());
  if (curl == nullptr) return absl::InternalError("cannot initialize libcurl");

  std::string base(admin_url);
  if (!base.empty() && base.back() == '/') base.pop_back();
  char* escaped =
      curl_easy_escape(curl.get(), customer_id.data(), static_cast<int>(customer_id.size()));
  if (escaped == nullptr) return absl::InternalError("cannot URL-encode the customer id");
  const std::string url = absl::StrCat(base, "/otp?customer_id=", escaped);
  curl_free(escaped);

  const long timeout_ms = std::max<long>(
      1, static_cast<long>(std::chrono::duration_cast<std::chrono::milliseconds>(timeout).count()));
  std::string body;
  char error_buffer[CURL_ERROR_SIZE] = {};
  curl_easy_setopt(curl.get(), CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl.get(), CURLOPT_HTTPGET, 1L);
  curl_easy_setopt(curl.get(), CURLOPT_NOPROXY, "*");
  curl_easy_setopt(curl.get(), CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(curl.get(), CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl.get(), CURLOPT_TIMEOUT_MS, timeout_ms);
  curl_easy_setopt(curl.get(), CURLOPT_WRITEFUNCTION, &AppendBody);
  curl_easy_setopt(curl.get(), CURLOPT_WRITEDATA, &body);
  curl_easy_setopt(curl.get(), CURLOPT_ERRORBUFFER, error_buffer);
  curl_easy_setopt(curl.get(), CURLOPT_USERAGENT, "eko-cli");

  const CURLcode result = curl_easy_perform(curl.get());
  if (result != CURLE_OK) {
    return absl::UnavailableError(
        absl::StrCat("cannot fetch ", url, ": ",
                     error_buffer[0] != '\0' ? error_buffer : curl_easy_strerror(result)));
  }
  long http_status = 0;
  curl_easy_getinfo(curl.get(), CURLINFO_RESPONSE_CODE, &http_status);
  if (http_status == 404) {
    return absl::NotFoundError(absl::StrCat("the simulator has issued no OTP to ",
                                            std::string(customer_id), " (", url, ": HTTP 404)"));
  }
  if (http_status != 200) {
    return absl::InternalError(absl::StrCat(url, " answered HTTP ", http_status));
  }
  google::protobuf::Struct object;
  if (!google::protobuf::util::JsonStringToMessage(body, &object).ok()) {
    return absl::InternalError(absl::StrCat(url, " did not answer a JSON object"));
  }
  SimOtp otp;
  otp.otp = StringField(object, "otp");
  if (otp.otp.empty()) {
    return absl::InternalError(absl::StrCat(url, " answered no \"otp\" string"));
  }
  otp.otp_ref_id = StringField(object, "otp_ref_id");
  otp.kyc_request_id = StringField(object, "kyc_request_id");
  otp.flow = StringField(object, "flow");
  otp.consumed = BoolField(object, "consumed");
  otp.expired = BoolField(object, "expired");
  return otp;
}

}  // namespace eko::cli
