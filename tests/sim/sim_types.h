#ifndef EKO_TESTS_SIM_SIM_TYPES_H_
#define EKO_TESTS_SIM_SIM_TYPES_H_

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace eko::sim {

// One HTTP request as the simulator core sees it, independent of the HTTP
// library that received it.
struct SimRequest {
  std::string method;     // Upper case: "GET", "POST", "PUT", ...
  std::string path;       // URL path as received (not percent-decoded), no query.
  std::string raw_query;  // Text after '?', "" if none.
  std::map<std::string, std::string> query;  // Decoded; a repeated name keeps the last value.
  // Lower-case header names. Repeated headers are joined with ", ".
  std::map<std::string, std::string> headers;
  std::string body;
};

// What the HTTP layer must do with a response. Only kRespond is produced by
// the Eko behaviour; the others exist so that fault injection can close or
// stall connections without touching the HTTP layer.
enum class ReplyAction {
  kRespond,          // Send status, headers and body (after delay_ms).
  kCloseConnection,  // Close the connection without replying (after delay_ms).
  kStall,            // Never reply; the connection stays open until the client
                     // or the server's idle timeout closes it.
};

struct SimResponse {
  int http_status = 200;
  std::vector<std::pair<std::string, std::string>> headers;  // Sent as given.
  std::string body;
  int64_t delay_ms = 0;  // Wait this long before acting (never blocks the loop).
  ReplyAction action = ReplyAction::kRespond;
};

}  // namespace eko::sim

#endif  // EKO_TESTS_SIM_SIM_TYPES_H_
