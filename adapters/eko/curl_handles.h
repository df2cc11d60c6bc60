// Sole owners of libcurl handles (CURL*, CURLM*, curl_slist*) and a bounded cache of easy handles.
#ifndef EKO_ADAPTERS_EKO_CURL_HANDLES_H_
#define EKO_ADAPTERS_EKO_CURL_HANDLES_H_

#include <curl/curl.h>

#include <cstddef>
#include <utility>
#include <vector>

#include "adapters/common/unique_handle.h"

namespace eko::adapter {

// An easy handle must be out of every multi handle before it is destroyed; a
// multi handle closes its cached connections when destroyed.
using CurlEasy = UniqueHandle<CURL, curl_easy_cleanup>;
using CurlMulti = UniqueHandle<CURLM, curl_multi_cleanup>;

// A libcurl string list (e.g. CURLOPT_HTTPHEADER), which must outlive every
// transfer that was given it.
class CurlSlist {
 public:
  // Appends a copy of `line`; false (and the list unchanged) when out of memory.
  bool Append(const char* line) {
    curl_slist* grown = curl_slist_append(list_.get(), line);
    if (grown == nullptr) return false;
    // On success curl_slist_append returns the list it was given, or a new
    // one when that was empty.
    if (list_ == nullptr) list_.reset(grown);
    return true;
  }
  void Clear() { list_.reset(); }
  curl_slist* get() const { return list_.get(); }

 private:
  UniqueHandle<curl_slist, curl_slist_free_all> list_;
};

// Easy handles kept for reuse (they keep libcurl's buffers and DNS cache
// warm). A returned handle is reset; beyond `capacity` it is destroyed.
class EasyHandleCache {
 public:
  explicit EasyHandleCache(size_t capacity) : capacity_(capacity) {}

  // A reset handle from the cache, or a new one; null when libcurl cannot make one.
  CurlEasy Take() {
    if (handles_.empty()) return CurlEasy(curl_easy_init());
    CurlEasy easy = std::move(handles_.back());
    handles_.pop_back();
    return easy;
  }
  // `easy` must not be in a multi handle.
  void Return(CurlEasy easy) {
    if (handles_.size() >= capacity_) return;  // `easy` is destroyed
    curl_easy_reset(easy.get());
    handles_.push_back(std::move(easy));
  }

 private:
  const size_t capacity_;
  std::vector<CurlEasy> handles_;
};

}  // namespace eko::adapter

#endif  // EKO_ADAPTERS_EKO_CURL_HANDLES_H_
