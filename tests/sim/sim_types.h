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
// the Eko behaviour; the others exist so that fault injection can break
// connections without touching the HTTP layer. Every action waits delay_ms
// first (kStall has nothing to wait for).
enum class ReplyAction {
  kRespond,          // Send status, headers and body.
  kCloseConnection,  // Close the connection without replying (FIN).
  kStall,            // Never reply; the connection stays open until the client
                     // or the server's idle timeout closes it.
  kReset,            // Abort the connection without replying: the peer gets a
                     // TCP RST, never a FIN.
  kTruncate,         // Send the status line, `headers` and Content-Length:
                     // body.size(), then only the first body.size() / 2 bytes
                     // of `body`, then close (FIN). `body` must not be empty.
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
