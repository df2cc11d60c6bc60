#ifndef EKO_TESTS_SUPPORT_HTTP_CLIENT_H_
#define EKO_TESTS_SUPPORT_HTTP_CLIENT_H_

#include <string>

namespace eko::testing {

struct HttpResult {
  long status = 0;  // 0 when no response arrived
  std::string body;
};

// Blocking HTTP call for tests (simulator admin endpoints); `method` is GET,
// POST or DELETE; `body` is sent as JSON when non-empty.
HttpResult HttpCall(const std::string& method, const std::string& url,
                    const std::string& body = "");

}  // namespace eko::testing

#endif  // EKO_TESTS_SUPPORT_HTTP_CLIENT_H_
