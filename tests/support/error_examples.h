#ifndef EKO_TESTS_SUPPORT_ERROR_EXAMPLES_H_
#define EKO_TESTS_SUPPORT_ERROR_EXAMPLES_H_

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "adapters/eko/endpoints.h"
#include "adapters/eko/error_table.h"

// Test data for the error table (adapters/eko/error_table.h), linked into
// tests only: per row, a concrete behaviour seen from outside the gateway
// that must produce it. The classifier's unit tests replay each example
// (adapters/eko/classifier_test.cc), and tests/integration/error_rows_test.cc
// replays it against the real gateway through the simulator's fault
// injection.
namespace eko::testing {

struct ErrorExample {
  enum class Wire {
    kInvalidRequest,  // the caller sends a request that fails local validation
    kRespond,         // the upstream answers `http_status` with `body`
    kReset,           // the upstream resets the connection after reading the request
    kStall,           // the upstream never answers (caller deadline runs out)
    kTruncate,        // the upstream sends fewer body bytes than it announced
    kRefused,         // nothing listens at the upstream address
  };
  Wire wire;
  adapter::Rpc rpc = adapter::Rpc::kGetCustomer;
  int http_status = 200;
  std::string retry_after;  // Retry-After header value, if any
  std::string body;
};

// The examples, each keyed by its row, in table order; at most one per row.
const std::vector<std::pair<adapter::ErrorId, ErrorExample>>& ErrorExamples();

// The example of row `id`; nullptr for a row of RowsWithoutExample().
const ErrorExample* FindErrorExample(adapter::ErrorId id);

// Why a row has no example.
enum class NoExampleReason {
  // Nothing outside the gateway can provoke it, so unit tests cover it only;
  // docs/errors.md names these rows.
  kNotProvokable,
  // It needs a gateway configured for it (authorisation, a small
  // --max-inflight, an open breaker, ...) or a sequence of calls, not one
  // request or one upstream reply; `tested_in` provokes it.
  kDedicatedTest,
};

struct RowWithoutExample {
  adapter::ErrorId id;
  NoExampleReason reason;
  std::string_view tested_in;  // test source files, relative to the repository
};

// Exactly the rows ErrorExamples() leaves out, in table order, with why.
const std::vector<RowWithoutExample>& RowsWithoutExample();

}  // namespace eko::testing

#endif  // EKO_TESTS_SUPPORT_ERROR_EXAMPLES_H_
