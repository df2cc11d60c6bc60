// The gate is a gRPC socket mutator. gRPC 1.51 calls a server's socket
// mutator (channel argument GRPC_ARG_SOCKET_MUTATOR) for every socket its
// POSIX TCP listener accepts, before the handshake, but the structures a
// mutator is made of live in an internal header
// (src/core/lib/iomgr/socket_mutator.h) that Debian does not install. They are
// declared below exactly as gRPC 1.51 lays them out: an ABI dependency on that
// version. HostileConnectionTest (tests/integration) is its guard: if an
// upgrade changes the layout or stops calling mutate_fd_2 for accepted
// connections, its caps stop being enforced and those tests fail.
//
// Contract of mutate_fd_2 in 1.51's accept loop: returning false stops the
// listener for good, so the gate always returns true; it refuses a connection
// by shutting the socket down (with SO_LINGER 0, so closing it sends a reset),
// after which gRPC's handshake reads end-of-file and closes the fd itself.
#include "server/connection_gate.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>
#include <utility>

#include "absl/time/clock.h"
#include "adapters/common/log.h"
#include "grpc/support/sync.h"
#include "grpcpp/impl/server_builder_option.h"

// gRPC 1.51 src/core/lib/iomgr/socket_mutator.h (global namespace, C++
// linkage).
enum grpc_fd_usage {
  GRPC_FD_CLIENT_CONNECTION_USAGE,
  GRPC_FD_SERVER_LISTENER_USAGE,
  GRPC_FD_SERVER_CONNECTION_USAGE,
};
struct grpc_mutate_socket_info {
  int fd;
  grpc_fd_usage usage;
};
struct grpc_socket_mutator_vtable {
  bool (*mutate_fd)(int fd, grpc_socket_mutator* mutator);
  int (*compare)(grpc_socket_mutator* a, grpc_socket_mutator* b);
  void (*destroy)(grpc_socket_mutator* mutator);
  bool (*mutate_fd_2)(const grpc_mutate_socket_info* info, grpc_socket_mutator* mutator);
};
struct grpc_socket_mutator {
  const grpc_socket_mutator_vtable* vtable;
  gpr_refcount refcount;
};
void grpc_socket_mutator_init(grpc_socket_mutator* mutator,
                              const grpc_socket_mutator_vtable* vtable);

namespace eko::server {
namespace {

// The IP address of the socket's peer ("" for a peer without one, e.g. a
// Unix socket); IPv4-mapped IPv6 addresses are shown as IPv4.
std::string PeerAddress(int fd) {
  sockaddr_storage address{};
  socklen_t length = sizeof(address);
  if (getpeername(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) return "";
  char text[INET6_ADDRSTRLEN] = {};
  if (address.ss_family == AF_INET) {
    const auto* v4 = reinterpret_cast<const sockaddr_in*>(&address);
    inet_ntop(AF_INET, &v4->sin_addr, text, sizeof(text));
  } else if (address.ss_family == AF_INET6) {
    const auto* v6 = reinterpret_cast<const sockaddr_in6*>(&address);
    if (IN6_IS_ADDR_V4MAPPED(&v6->sin6_addr)) {
      inet_ntop(AF_INET, &v6->sin6_addr.s6_addr[12], text, sizeof(text));
    } else {
      inet_ntop(AF_INET6, &v6->sin6_addr, text, sizeof(text));
    }
  }
  return text;
}

void Refuse(int fd) {
  const linger reset{1, 0};
  setsockopt(fd, SOL_SOCKET, SO_LINGER, &reset, sizeof(reset));
  shutdown(fd, SHUT_RDWR);
}

}  // namespace

void LogRefusal(const std::string& peer, ConnectionLimiter::Verdict verdict,
                const ConnectionLimiter::Decision& decision,
                const ConnectionLimiter::Limits& limits) {
  const bool total = verdict == ConnectionLimiter::Verdict::kRefusedTotalCap;
  log::Write(
      log::Level::kWarn, "connection_refused",
      {{"peer", peer.empty() ? "(unknown)" : peer},
       {"reason", total ? "max_connections" : "max_connections_per_peer"},
       {"limit", std::to_string(total ? limits.max_connections : limits.max_connections_per_peer)},
       {"refusals_not_logged", std::to_string(decision.refusals_not_logged)}});
}

namespace {

struct Gate {
  grpc_socket_mutator base;  // first: gRPC hands back a pointer to it
  std::shared_ptr<ConnectionGate> gate;
};

Gate* AsGate(grpc_socket_mutator* mutator) { return reinterpret_cast<Gate*>(mutator); }

bool MutateFd(int /*fd*/, grpc_socket_mutator* /*mutator*/) { return true; }

// Never returns false: that would stop gRPC's listener (see the top).
bool MutateSocket(const grpc_mutate_socket_info* info, grpc_socket_mutator* mutator) {
  ConnectionGate& gate = *AsGate(mutator)->gate;
  if (info->usage == GRPC_FD_SERVER_LISTENER_USAGE) gate.OnListenerSocket(info->fd);
  if (info->usage == GRPC_FD_SERVER_CONNECTION_USAGE) gate.OnAcceptedSocket(info->fd);
  return true;
}

int Compare(grpc_socket_mutator* a, grpc_socket_mutator* b) { return a < b ? -1 : (a > b ? 1 : 0); }

void Destroy(grpc_socket_mutator* mutator) { delete AsGate(mutator); }

constexpr grpc_socket_mutator_vtable kGateVtable = {MutateFd, Compare, Destroy, MutateSocket};

class GateOption final : public grpc::ServerBuilderOption {
 public:
  explicit GateOption(std::shared_ptr<ConnectionGate> gate) : gate_(std::move(gate)) {}

  void UpdateArguments(grpc::ChannelArguments* args) override {
    auto* gate = new Gate{{}, gate_};
    grpc_socket_mutator_init(&gate->base, &kGateVtable);
    args->SetSocketMutator(&gate->base);  // the arguments own the one reference
  }
  void UpdatePlugins(std::vector<std::unique_ptr<grpc::ServerBuilderPlugin>>*) override {}

 private:
  std::shared_ptr<ConnectionGate> gate_;
};

}  // namespace

std::shared_ptr<ConnectionGate> ConnectionGate::Install(grpc::ServerBuilder& builder,
                                                        std::shared_ptr<ConnectionLimiter> limiter,
                                                        FdLines lines) {
  auto gate = std::make_shared<ConnectionGate>(std::move(limiter), lines);
  builder.SetOption(std::make_unique<GateOption>(gate));
  return gate;
}

void ConnectionGate::OnListenerSocket(int fd) {
  absl::MutexLock lock(&mu_);
  listeners_.push_back(fd);
}

void ConnectionGate::OnAcceptedSocket(int fd) {
  const std::string peer = PeerAddress(fd);
  const std::optional<uint64_t> inode = FdInode(fd);
  ConnectionLimiter::Decision decision;
  if (fd >= lines_.refuse_at || !inode.has_value()) {
    decision = limiter_->CountRefused(1, peer);
  } else {
    decision = limiter_->Admit(fd, *inode, peer);
    if (decision.verdict == ConnectionLimiter::Verdict::kAccepted) return;
  }
  Refuse(fd);
  // At the total cap every queued connection would be refused too.
  if (decision.verdict == ConnectionLimiter::Verdict::kRefusedTotalCap || fd >= lines_.drain_at) {
    const int64_t drained = DrainListeners(fd >= lines_.refuse_at);
    if (drained > 0) {
      const ConnectionLimiter::Decision more = limiter_->CountRefused(drained, "");
      if (more.log && !decision.log) decision = more;
    }
  }
  if (decision.log) LogRefusal(peer, decision.verdict, decision, limiter_->limits());
}

int64_t ConnectionGate::DrainListeners(bool until_quiet) {
  absl::MutexLock lock(&mu_);
  const auto drain_once = [this] {
    int64_t drained = 0;
    for (const int listener : listeners_) {
      // Listeners are non-blocking: accept() fails with EAGAIN once the queue
      // is empty (or with any error: this is best effort).
      for (int fd; (fd = accept4(listener, nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK)) >= 0;) {
        Refuse(fd);
        close(fd);
        ++drained;
      }
    }
    return drained;
  };
  int64_t drained = drain_once();
  if (!until_quiet) return drained;
  // Near the limit: hold gRPC's accept loop here until no connection has
  // arrived for kQuiet (or kMaxHold has passed), so that its next accept()
  // most likely finds nothing and the loop ends.
  constexpr absl::Duration kPoll = absl::Microseconds(200);
  constexpr int kQuietPolls = 5;
  constexpr absl::Duration kMaxHold = absl::Milliseconds(500);
  const absl::Time give_up = absl::Now() + kMaxHold;
  for (int quiet = 0; quiet < kQuietPolls && absl::Now() < give_up;) {
    absl::SleepFor(kPoll);
    const int64_t more = drain_once();
    drained += more;
    quiet = more == 0 ? quiet + 1 : 0;
  }
  return drained;
}

}  // namespace eko::server
