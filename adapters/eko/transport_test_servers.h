// Loopback HTTP servers for the transport tests: one-shot raw replies, and batched keep-alive.
#ifndef EKO_ADAPTERS_EKO_TRANSPORT_TEST_SERVERS_H_
#define EKO_ADAPTERS_EKO_TRANSPORT_TEST_SERVERS_H_

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <string>
#include <thread>
#include <vector>

#include "gtest/gtest.h"

namespace eko::adapter::test_servers {

// A loopback TCP listener on a free port. `Serve` answers each accepted
// connection with `reply` after reading the request head (and body, if a
// Content-Length is present), then closes it; the raw request is kept.
class RawServer {
 public:
  RawServer() {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    EXPECT_EQ(bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
    EXPECT_EQ(listen(fd_, 16), 0);
    socklen_t len = sizeof(addr);
    getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
  }
  ~RawServer() {
    if (thread_.joinable()) thread_.join();
    close(fd_);
  }

  std::string url(const std::string& path = "/x") const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }

  void Serve(std::string reply) {
    thread_ = std::thread([this, reply] {
      const int conn = accept(fd_, nullptr, nullptr);
      if (conn < 0) return;
      std::string request;
      char buf[4096];
      while (true) {
        const ssize_t n = read(conn, buf, sizeof(buf));
        if (n <= 0) break;
        request.append(buf, static_cast<size_t>(n));
        const size_t head_end = request.find("\r\n\r\n");
        if (head_end == std::string::npos) continue;
        size_t body_len = 0;
        const size_t cl = request.find("Content-Length: ");
        if (cl != std::string::npos && cl < head_end)
          body_len = std::stoul(request.substr(cl + 16));
        if (request.size() >= head_end + 4 + body_len) break;
      }
      received_ = request;
      if (!reply.empty()) {
        [[maybe_unused]] ssize_t w = write(conn, reply.data(), reply.size());
      }
      close(conn);
    });
  }

  std::string received() {
    if (thread_.joinable()) thread_.join();
    return received_;
  }

 private:
  int fd_ = -1;
  int port_ = 0;
  std::thread thread_;
  std::string received_;
};

// A loopback HTTP/1.1 keep-alive server on its own thread. It holds every
// request (GET, no body) until `batch` are waiting, then answers them all, so
// a test can prove that many transfers were in flight at once. It counts the
// connections it accepted and the ones the client closed.
class BatchServer {
 public:
  explicit BatchServer(size_t batch) : batch_(batch) {
    listen_fd_ = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
    EXPECT_EQ(listen(listen_fd_, 128), 0);
    socklen_t len = sizeof(addr);
    getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { Run(); });
  }
  ~BatchServer() {
    stop_ = true;
    thread_.join();
    for (const Conn& c : conns_) close(c.fd);
    close(listen_fd_);
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/x"; }
  // Requests held before answering, from the next poll round on.
  void set_batch(size_t batch) { batch_ = batch; }
  int accepted() const { return accepted_.load(); }
  int closed_by_client() const { return closed_.load(); }

 private:
  struct Conn {
    int fd;
    std::string buffer;
    int waiting = 0;  // complete requests not answered yet
  };

  void Run() {
    while (!stop_) {
      std::vector<pollfd> fds{{listen_fd_, POLLIN, 0}};
      for (const Conn& c : conns_) fds.push_back({c.fd, POLLIN, 0});
      if (poll(fds.data(), fds.size(), 20) <= 0) continue;
      if (fds[0].revents & POLLIN) {
        while (true) {
          const int fd = accept4(listen_fd_, nullptr, nullptr, SOCK_NONBLOCK);
          if (fd < 0) break;
          ++accepted_;
          conns_.push_back({fd});
        }
      }
      std::vector<Conn> open;
      for (size_t i = 1; i < fds.size(); ++i) {
        Conn& c = conns_[i - 1];
        if (fds[i].revents & (POLLIN | POLLHUP | POLLERR)) {
          char buf[4096];
          const ssize_t n = read(c.fd, buf, sizeof(buf));
          if (n == 0 || (n < 0 && errno != EAGAIN)) {
            ++closed_;
            close(c.fd);
            continue;
          }
          if (n > 0) c.buffer.append(buf, static_cast<size_t>(n));
          for (size_t end; (end = c.buffer.find("\r\n\r\n")) != std::string::npos;) {
            c.buffer.erase(0, end + 4);
            ++c.waiting;
            ++pending_;
          }
        }
        open.push_back(std::move(c));
      }
      // Connections opened in this round were not polled yet.
      for (size_t i = fds.size() - 1; i < conns_.size(); ++i) open.push_back(conns_[i]);
      conns_ = std::move(open);
      if (pending_ >= batch_) {
        static constexpr char kReply[] =
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}";
        for (Conn& c : conns_) {
          for (; c.waiting > 0; --c.waiting) {
            [[maybe_unused]] ssize_t w = write(c.fd, kReply, sizeof(kReply) - 1);
          }
        }
        pending_ = 0;
      }
    }
  }

  std::atomic<size_t> batch_;
  int listen_fd_ = -1;
  int port_ = 0;
  std::thread thread_;
  std::atomic<bool> stop_{false};
  std::atomic<int> accepted_{0};
  std::atomic<int> closed_{0};
  std::vector<Conn> conns_;  // server thread only
  size_t pending_ = 0;       // server thread only
};

}  // namespace eko::adapter::test_servers

#endif  // EKO_ADAPTERS_EKO_TRANSPORT_TEST_SERVERS_H_
