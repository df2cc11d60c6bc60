#ifndef EKO_TESTS_SIM_SIGNATURE_H_
#define EKO_TESTS_SIM_SIGNATURE_H_

#include <string>
#include <string_view>

// The simulator's own, deliberately independent implementation of Eko's
// request signature (docs/eko-api.md section 7.2), so that a bug in the
// gateway's signer shows up as a 403 instead of being mirrored here.

namespace eko::sim {

// Standard base64 alphabet with '=' padding.
std::string Base64(std::string_view bytes);

// Eko's secret-key: base64(HMAC-SHA256(key = the ASCII text of
// base64(access_key), message = timestamp_text)).
std::string ComputeSecretKey(std::string_view access_key, std::string_view timestamp_text);

// Same, but with the base64 of the access key already computed.
std::string ComputeSecretKeyFromEncodedKey(std::string_view encoded_access_key,
                                           std::string_view timestamp_text);

// True when a and b are equal. For equal lengths the time taken does not
// depend on where they differ; the length itself is not treated as secret.
bool ConstantTimeEquals(std::string_view a, std::string_view b);

}  // namespace eko::sim

#endif  // EKO_TESTS_SIM_SIGNATURE_H_
