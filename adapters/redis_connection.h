#ifndef EKO_ADAPTERS_REDIS_CONNECTION_H_
#define EKO_ADAPTERS_REDIS_CONNECTION_H_

#include <atomic>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/functional/any_invocable.h"
#include "absl/time/time.h"
#include "adapters/redis_record.h"

struct redisAsyncContext;
struct redisReply;

namespace eko::adapter {

struct RedisConnectionOptions {
  RedisAddress address;
  // A command without a reply for this long, or a connect that has not
  // completed, drops the connection (every command in flight fails).
  absl::Duration command_timeout = absl::Seconds(1);
  // Reconnect delays: doubling from the first to the last.
  absl::Duration min_backoff = absl::Milliseconds(50);
  absl::Duration max_backoff = absl::Seconds(2);
};

// One connection to Redis through hiredis' asynchronous API, driven by a
// thread of its own ("eko-redis") polling the socket: nothing here blocks a
// caller. The connection is made at start and remade with backoff whenever
// it fails or drops; while it is down, commands fail at once.
class RedisConnection {
 public:
  // The reply of a command, or nullptr when it failed (not connected, the
  // connection dropped or timed out, Redis answered with an error).
  using Reply = absl::AnyInvocable<void(const redisReply* reply) &&>;

  explicit RedisConnection(RedisConnectionOptions options);
  // Stops the thread; replies and tasks still pending are dropped unrun.
  ~RedisConnection();

  // Any thread: runs `task` on the connection's thread.
  void Post(absl::AnyInvocable<void() &&> task);

  // The connection's thread only: sends `args`; `reply` runs later on this
  // thread, or at once when not connected.
  void Command(const std::vector<std::string>& args, Reply reply);
  // The connection's thread only: runs `task` on it after `delay`.
  void RunAfter(absl::Duration delay, absl::AnyInvocable<void() &&> task);
  // The connection's thread only: `task` runs each time a connection is
  // made.
  void OnConnect(absl::AnyInvocable<void()> task) { on_connect_ = std::move(task); }

  bool connected() const { return connected_.load(); }
  // Failed commands plus failed or dropped connections.
  int64_t errors() const { return errors_.load(); }

 private:
  struct PendingCommand;
  void Run();
  void Connect();
  // Frees the connection (every command in flight fails) and schedules a
  // new one.
  void Drop();
  // The connection is gone (hiredis frees it): schedules a new one.
  void Dropped();
  void RunDueTimers();
  void CheckTimeouts();
  int PollTimeoutMs() const;
  static void OnReply(redisAsyncContext* context, void* reply, void* privdata);
  static void OnConnected(const redisAsyncContext* context, int status);
  static void OnDisconnected(const redisAsyncContext* context, int status);

  const RedisConnectionOptions options_;
  int wake_fd_ = -1;
  std::mutex mu_;
  std::vector<absl::AnyInvocable<void() &&>> posted_;
  bool stopping_ = false;  // guarded by mu_
  std::atomic<bool> connected_{false};
  std::atomic<int64_t> errors_{0};
  // The connection's thread only:
  redisAsyncContext* context_ = nullptr;
  bool closing_ = false;  // dropping replies unrun on the way out
  bool want_read_ = false;
  bool want_write_ = false;
  absl::Time connect_started_;
  absl::Duration backoff_;
  std::deque<absl::Time> sent_;  // send times of the commands awaiting a reply
  std::multimap<absl::Time, absl::AnyInvocable<void() &&>> timers_;
  absl::AnyInvocable<void()> on_connect_;
  std::thread thread_;  // last: started once the members above exist
};

}  // namespace eko::adapter

#endif  // EKO_ADAPTERS_REDIS_CONNECTION_H_
