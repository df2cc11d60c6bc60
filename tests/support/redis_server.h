#ifndef EKO_TESTS_SUPPORT_REDIS_SERVER_H_
#define EKO_TESTS_SUPPORT_REDIS_SERVER_H_

#include <memory>
#include <optional>
#include <string>

#include "tests/support/child_process.h"

namespace eko::testing {

// A throw-away redis-server on a free loopback port, without persistence,
// in a directory of its own. Stop and Start again keep the port.
class RedisServer {
 public:
  // The path of redis-server on PATH; empty when it is not installed.
  static std::string Binary();

  // Starts one; nullptr (after logging why) when it does not come up.
  static std::unique_ptr<RedisServer> Start();
  ~RedisServer();

  int port() const { return port_; }
  // redis://127.0.0.1:PORT
  std::string url() const;

  // Kills the server (SIGKILL: no goodbye to clients); its data is gone.
  void Kill();
  // Starts it again on the same port; false when it does not come up.
  bool Restart();

 private:
  RedisServer() = default;
  bool Launch();

  std::string binary_;
  std::string dir_;
  int port_ = 0;
  std::optional<ChildProcess> process_;
};

}  // namespace eko::testing

#endif  // EKO_TESTS_SUPPORT_REDIS_SERVER_H_
