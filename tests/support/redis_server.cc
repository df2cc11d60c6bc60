#include "tests/support/redis_server.h"

#include <netinet/in.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <iostream>
#include <sstream>
#include <thread>

namespace eko::testing {
namespace {

// A loopback port nothing listens on now (the kernel's pick for a socket
// bound to port 0); 0 on failure.
int FreeLoopbackPort() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return 0;
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof(address);
  int port = 0;
  if (bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0 &&
      getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0) {
    port = ntohs(address.sin_port);
  }
  close(fd);
  return port;
}

bool Accepts(int port) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return false;
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = htons(static_cast<uint16_t>(port));
  const bool ok = connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0;
  close(fd);
  return ok;
}

}  // namespace

std::string RedisServer::Binary() {
  const char* path = getenv("PATH");
  std::stringstream dirs(path != nullptr ? path : "/usr/bin:/bin");
  std::string dir;
  while (std::getline(dirs, dir, ':')) {
    const std::string candidate = dir + "/redis-server";
    if (!dir.empty() && access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return "";
}

std::unique_ptr<RedisServer> RedisServer::Start() {
  std::unique_ptr<RedisServer> server(new RedisServer());
  server->binary_ = Binary();
  char dir[] = "/tmp/eko-redis-XXXXXX";
  if (server->binary_.empty() || mkdtemp(dir) == nullptr) return nullptr;
  server->dir_ = dir;
  // A port taken between the pick and the start: pick again.
  for (int attempt = 0; attempt < 5; ++attempt) {
    server->port_ = FreeLoopbackPort();
    if (server->port_ != 0 && server->Launch()) return server;
  }
  std::cerr << "redis-server did not start\n";
  return nullptr;
}

RedisServer::~RedisServer() {
  Kill();
  if (!dir_.empty()) {
    unlink((dir_ + "/redis.log").c_str());
    rmdir(dir_.c_str());
  }
}

std::string RedisServer::url() const { return "redis://127.0.0.1:" + std::to_string(port_); }

void RedisServer::Kill() {
  if (process_.has_value()) process_->Stop(SIGKILL, std::chrono::seconds(5));
  process_.reset();
}

bool RedisServer::Restart() {
  Kill();
  return Launch();
}

bool RedisServer::Launch() {
  std::optional<ChildProcess> started = ChildProcess::Start(
      {binary_, "--port", std::to_string(port_), "--bind", "127.0.0.1", "--save", "",
       "--appendonly", "no", "--dir", dir_, "--logfile", dir_ + "/redis.log"});
  process_.reset();
  if (started.has_value()) process_.emplace(std::move(*started));
  if (!process_.has_value()) return false;
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (std::chrono::steady_clock::now() < give_up) {
    if (Accepts(port_)) return true;
    if (kill(process_->pid(), 0) != 0) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  Kill();
  return false;
}

}  // namespace eko::testing
