#include "tests/sim/signature.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <string>
#include <string_view>

namespace eko::sim {

std::string Base64(std::string_view bytes) {
  // EVP_EncodeBlock writes 4 output characters per 3 input bytes plus a NUL.
  std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  const int written = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                      reinterpret_cast<const unsigned char*>(bytes.data()),
                                      static_cast<int>(bytes.size()));
  out.resize(written < 0 ? 0 : static_cast<size_t>(written));
  return out;
}

std::string ComputeSecretKeyFromEncodedKey(std::string_view encoded_access_key,
                                           std::string_view timestamp_text) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int mac_len = 0;
  const unsigned char* ok =
      HMAC(EVP_sha256(), encoded_access_key.data(), static_cast<int>(encoded_access_key.size()),
           reinterpret_cast<const unsigned char*>(timestamp_text.data()), timestamp_text.size(),
           mac, &mac_len);
  if (ok == nullptr) return "";
  return Base64(std::string_view(reinterpret_cast<const char*>(mac), mac_len));
}

std::string ComputeSecretKey(std::string_view access_key, std::string_view timestamp_text) {
  return ComputeSecretKeyFromEncodedKey(Base64(access_key), timestamp_text);
}

bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  if (a.empty()) return true;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace eko::sim
