#ifndef EKO_ADAPTERS_COMMON_UNIQUE_HANDLE_H_
#define EKO_ADAPTERS_COMMON_UNIQUE_HANDLE_H_

#include <memory>

namespace eko {

// Deleter that releases a C library's object with its free function `Free`.
template <auto Free>
struct FreeWith {
  template <typename T>
  void operator()(T* handle) const {
    Free(handle);
  }
};

// Sole owner of a C library's `T*`, released with `Free` (never called with
// null), e.g. UniqueHandle<BIO, BIO_free> or UniqueHandle<CURL, curl_easy_cleanup>.
template <typename T, auto Free>
using UniqueHandle = std::unique_ptr<T, FreeWith<Free>>;

}  // namespace eko

#endif  // EKO_ADAPTERS_COMMON_UNIQUE_HANDLE_H_
