#include "adapters/redis_connection.h"

#include <hiredis/async.h>
#include <hiredis/hiredis.h>
#include <poll.h>
#include <pthread.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <memory>
#include <utility>

#include "absl/strings/str_cat.h"
#include "adapters/common/log.h"

namespace eko::adapter {

struct RedisConnection::PendingCommand {
  RedisConnection* connection;
  Reply reply;
};

RedisConnection::RedisConnection(RedisConnectionOptions options)
    : options_(std::move(options)), backoff_(options_.min_backoff) {
  wake_fd_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  thread_ = std::thread([this] { Run(); });
}

RedisConnection::~RedisConnection() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  const uint64_t one = 1;
  if (write(wake_fd_, &one, sizeof(one)) < 0) {
    // The thread also wakes within its poll timeout.
  }
  thread_.join();
  close(wake_fd_);
}

void RedisConnection::Post(absl::AnyInvocable<void() &&> task) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_) return;
    posted_.push_back(std::move(task));
  }
  const uint64_t one = 1;
  if (write(wake_fd_, &one, sizeof(one)) < 0) {
    // Already signalled (the counter is full): the thread is awake anyway.
  }
}

void RedisConnection::Command(const std::vector<std::string>& args, Reply reply) {
  if (context_ == nullptr || !connected_.load()) {
    std::move(reply)(nullptr);
    return;
  }
  std::vector<const char*> argv;
  std::vector<size_t> lengths;
  for (const std::string& arg : args) {
    argv.push_back(arg.data());
    lengths.push_back(arg.size());
  }
  auto pending = std::make_unique<PendingCommand>(PendingCommand{this, std::move(reply)});
  if (redisAsyncCommandArgv(context_, &RedisConnection::OnReply, pending.get(),
                            static_cast<int>(argv.size()), argv.data(),
                            lengths.data()) != REDIS_OK) {
    errors_.fetch_add(1);
    std::move(pending->reply)(nullptr);
    return;
  }
  sent_.push_back(absl::Now());
  pending.release();  // owned by hiredis until OnReply
}

void RedisConnection::RunAfter(absl::Duration delay, absl::AnyInvocable<void() &&> task) {
  timers_.emplace(absl::Now() + delay, std::move(task));
}

void RedisConnection::OnReply(redisAsyncContext* /*context*/, void* reply, void* privdata) {
  std::unique_ptr<PendingCommand> pending(static_cast<PendingCommand*>(privdata));
  RedisConnection* self = pending->connection;
  if (!self->sent_.empty()) self->sent_.pop_front();
  if (self->closing_) return;
  const auto* answer = static_cast<const redisReply*>(reply);
  if (answer == nullptr || answer->type == REDIS_REPLY_ERROR) {
    self->errors_.fetch_add(1);
    answer = nullptr;
  }
  std::move(pending->reply)(answer);
}

void RedisConnection::OnConnected(const redisAsyncContext* context, int status) {
  auto* self = static_cast<RedisConnection*>(context->data);
  if (status != REDIS_OK) {
    self->Dropped();  // hiredis frees the context after this returns
    return;
  }
  self->connected_.store(true);
  self->backoff_ = self->options_.min_backoff;
  log::Write(log::Level::kInfo, "idempotency_store_connected",
             {{"host", self->options_.address.host}});
  if (self->options_.address.db != 0) {
    self->Command({"SELECT", absl::StrCat(self->options_.address.db)}, [](const redisReply*) {});
  }
  if (self->on_connect_) self->on_connect_();
}

void RedisConnection::OnDisconnected(const redisAsyncContext* context, int /*status*/) {
  static_cast<RedisConnection*>(context->data)->Dropped();
}

void RedisConnection::Connect() {
  const RedisAddress& address = options_.address;
  context_ = redisAsyncConnect(address.host.c_str(), address.port);
  if (context_ == nullptr || context_->err != 0) {
    if (context_ != nullptr) redisAsyncFree(context_);
    context_ = nullptr;
    errors_.fetch_add(1);
    RunAfter(backoff_, [this] { Connect(); });
    backoff_ = std::min(backoff_ * 2, options_.max_backoff);
    return;
  }
  context_->data = this;
  context_->ev.data = this;
  context_->ev.addRead = [](void* self) { static_cast<RedisConnection*>(self)->want_read_ = true; };
  context_->ev.delRead = [](void* self) {
    static_cast<RedisConnection*>(self)->want_read_ = false;
  };
  context_->ev.addWrite = [](void* self) {
    static_cast<RedisConnection*>(self)->want_write_ = true;
  };
  context_->ev.delWrite = [](void* self) {
    static_cast<RedisConnection*>(self)->want_write_ = false;
  };
  context_->ev.cleanup = [](void* data) {
    auto* self = static_cast<RedisConnection*>(data);
    self->want_read_ = self->want_write_ = false;
  };
  redisAsyncSetConnectCallback(context_, &RedisConnection::OnConnected);
  redisAsyncSetDisconnectCallback(context_, &RedisConnection::OnDisconnected);
  connect_started_ = absl::Now();
  want_write_ = true;  // the connect completes when the socket is writable
}

void RedisConnection::Drop() {
  if (context_ == nullptr) return;
  redisAsyncFree(context_);  // fails every command; OnDisconnected when it was connected
  Dropped();
}

void RedisConnection::Dropped() {
  if (context_ == nullptr) return;
  context_ = nullptr;
  want_read_ = want_write_ = false;
  sent_.clear();
  errors_.fetch_add(1);
  if (connected_.exchange(false)) {
    log::Write(log::Level::kWarn, "idempotency_store_disconnected",
               {{"host", options_.address.host}});
  }
  if (closing_) return;
  RunAfter(backoff_, [this] { Connect(); });
  backoff_ = std::min(backoff_ * 2, options_.max_backoff);
}

void RedisConnection::RunDueTimers() {
  const absl::Time now = absl::Now();
  while (!timers_.empty() && timers_.begin()->first <= now) {
    absl::AnyInvocable<void()&&> task = std::move(timers_.begin()->second);
    timers_.erase(timers_.begin());
    std::move(task)();
  }
}

void RedisConnection::CheckTimeouts() {
  if (context_ == nullptr) return;
  const absl::Time now = absl::Now();
  const bool connect_stuck =
      !connected_.load() && now - connect_started_ > options_.command_timeout;
  const bool reply_late = !sent_.empty() && now - sent_.front() > options_.command_timeout;
  if (connect_stuck || reply_late) Drop();
}

int RedisConnection::PollTimeoutMs() const {
  // Often enough to notice a stuck connect or a late reply.
  absl::Duration wait = absl::Milliseconds(50);
  if (!timers_.empty()) {
    wait = std::min(wait, std::max(absl::ZeroDuration(), timers_.begin()->first - absl::Now()));
  }
  return static_cast<int>(absl::ToInt64Milliseconds(absl::Ceil(wait, absl::Milliseconds(1))));
}

void RedisConnection::Run() {
  pthread_setname_np(pthread_self(), "eko-redis");
  Connect();
  while (true) {
    std::vector<absl::AnyInvocable<void() &&>> tasks;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (stopping_) break;
      tasks.swap(posted_);
    }
    for (auto& task : tasks) std::move(task)();
    RunDueTimers();
    CheckTimeouts();
    pollfd fds[2] = {{wake_fd_, POLLIN, 0}, {-1, 0, 0}};
    if (context_ != nullptr && (want_read_ || want_write_)) {
      fds[1].fd = context_->c.fd;
      fds[1].events = static_cast<short>((want_read_ ? POLLIN : 0) | (want_write_ ? POLLOUT : 0));
    }
    if (poll(fds, 2, PollTimeoutMs()) <= 0) continue;
    if (fds[0].revents != 0) {
      uint64_t count = 0;
      if (read(wake_fd_, &count, sizeof(count)) < 0) count = 0;
    }
    if (fds[1].fd < 0 || context_ == nullptr) continue;
    if ((fds[1].revents & (POLLIN | POLLERR | POLLHUP)) != 0) redisAsyncHandleRead(context_);
    if (context_ != nullptr && (fds[1].revents & POLLOUT) != 0) redisAsyncHandleWrite(context_);
  }
  closing_ = true;
  Drop();
  timers_.clear();
  std::lock_guard<std::mutex> lock(mu_);
  posted_.clear();
}

}  // namespace eko::adapter
