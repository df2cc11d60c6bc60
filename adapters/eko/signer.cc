#include "adapters/eko/signer.h"

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include <chrono>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"

namespace eko::adapter {

std::string Base64Encode(std::string_view bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3), '\0');
  const int written = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                      reinterpret_cast<const unsigned char*>(bytes.data()),
                                      static_cast<int>(bytes.size()));
  out.resize(written > 0 ? static_cast<size_t>(written) : 0);
  return out;
}

struct Signer::Impl {
  EVP_MAC* mac = nullptr;
  EVP_MAC_CTX* keyed = nullptr;  // initialised with the key; duplicated per Sign
  // The last signature made: at thousands of calls per second most calls
  // share their millisecond timestamp with the one before.
  absl::Mutex last_mu;
  std::string last_timestamp ABSL_GUARDED_BY(last_mu);
  std::string last_signature ABSL_GUARDED_BY(last_mu);

  ~Impl() {
    EVP_MAC_CTX_free(keyed);
    EVP_MAC_free(mac);
  }
};

Signer::Signer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Signer::Signer(Signer&&) noexcept = default;
Signer& Signer::operator=(Signer&&) noexcept = default;
Signer::~Signer() = default;

absl::StatusOr<Signer> Signer::Create(std::string_view access_key) {
  if (access_key.empty()) {
    return absl::InvalidArgumentError("the Eko access key is empty");
  }
  const std::string hmac_key = Base64Encode(access_key);
  auto impl = std::make_unique<Impl>();
  impl->mac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
  if (impl->mac == nullptr) return absl::InternalError("OpenSSL has no HMAC implementation");
  impl->keyed = EVP_MAC_CTX_new(impl->mac);
  if (impl->keyed == nullptr) return absl::InternalError("EVP_MAC_CTX_new failed");
  char digest[] = "SHA256";
  OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
                         OSSL_PARAM_construct_end()};
  if (EVP_MAC_init(impl->keyed, reinterpret_cast<const unsigned char*>(hmac_key.data()),
                   hmac_key.size(), params) != 1) {
    return absl::InternalError("EVP_MAC_init(HMAC-SHA256) failed");
  }
  return Signer(std::move(impl));
}

std::string Signer::Sign(std::string_view timestamp_ms) const {
  {
    absl::MutexLock lock(&impl_->last_mu);
    if (!impl_->last_signature.empty() && impl_->last_timestamp == timestamp_ms) {
      return impl_->last_signature;
    }
  }
  std::string signature = Compute(timestamp_ms);
  if (!signature.empty()) {
    absl::MutexLock lock(&impl_->last_mu);
    impl_->last_timestamp.assign(timestamp_ms.data(), timestamp_ms.size());
    impl_->last_signature = signature;
  }
  return signature;
}

std::string Signer::Compute(std::string_view timestamp_ms) const {
  EVP_MAC_CTX* ctx = EVP_MAC_CTX_dup(impl_->keyed);
  if (ctx == nullptr) return std::string();
  unsigned char out[EVP_MAX_MD_SIZE];
  size_t out_len = 0;
  const bool ok = EVP_MAC_update(ctx, reinterpret_cast<const unsigned char*>(timestamp_ms.data()),
                                 timestamp_ms.size()) == 1 &&
                  EVP_MAC_final(ctx, out, &out_len, sizeof(out)) == 1;
  EVP_MAC_CTX_free(ctx);
  if (!ok) return std::string();
  return Base64Encode(std::string_view(reinterpret_cast<const char*>(out), out_len));
}

std::string NowMillisText() {
  const auto now = std::chrono::system_clock::now().time_since_epoch();
  return std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(now).count());
}

}  // namespace eko::adapter
