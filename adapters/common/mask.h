#ifndef EKO_ADAPTERS_COMMON_MASK_H_
#define EKO_ADAPTERS_COMMON_MASK_H_

#include <string>
#include <string_view>

namespace eko {

// How a mobile number appears wherever the project shows one (logs, eko-cli
// prompts): "9876543210" -> "98******10". Anything that is not a plausible
// mobile number (fewer than 6 characters, or not all digits) is masked
// whole, keeping only its length. Header-only so eko-cli can use it without
// linking the adapter.
inline std::string MaskMobile(std::string_view mobile) {
  bool digits = mobile.size() >= 6;
  for (const char c : mobile) digits = digits && c >= '0' && c <= '9';
  if (!digits) return std::string(mobile.size(), '*');
  std::string out(mobile);
  for (size_t i = 2; i + 2 < out.size(); ++i) out[i] = '*';
  return out;
}

}  // namespace eko

#endif  // EKO_ADAPTERS_COMMON_MASK_H_
