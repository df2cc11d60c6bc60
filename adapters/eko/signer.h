#ifndef EKO_ADAPTERS_EKO_SIGNER_H_
#define EKO_ADAPTERS_EKO_SIGNER_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace eko::adapter {

// Header names Eko authenticates with (exact spelling matters: an underscore
// in developer_key, hyphens in the other two).
inline constexpr char kDeveloperKeyHeader[] = "developer_key";
inline constexpr char kSecretKeyHeader[] = "secret-key";
inline constexpr char kSecretKeyTimestampHeader[] = "secret-key-timestamp";

// Standard, padded base64.
std::string Base64Encode(std::string_view bytes);

// Computes Eko's per-request `secret-key`:
//   base64(HMAC-SHA256(key = base64(access_key) as text, message = timestamp))
// The HMAC key is prepared once at construction, and the last signature is
// reused for a call in the same millisecond; Sign is thread-safe.
class Signer {
 public:
  // Fails for an empty access key.
  static absl::StatusOr<Signer> Create(std::string_view access_key);

  Signer(Signer&&) noexcept;
  Signer& operator=(Signer&&) noexcept;
  ~Signer();

  // `timestamp_ms` is the decimal Unix time in milliseconds that is also sent
  // as secret-key-timestamp.
  std::string Sign(std::string_view timestamp_ms) const;

 private:
  struct Impl;
  explicit Signer(std::unique_ptr<Impl> impl);
  std::string Compute(std::string_view timestamp_ms) const;
  std::unique_ptr<Impl> impl_;
};

// Current Unix time in milliseconds as decimal text (13 digits today).
std::string NowMillisText();

}  // namespace eko::adapter

#endif  // EKO_ADAPTERS_EKO_SIGNER_H_
