#include "daemon/server.h"

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <systemd/sd-daemon.h>
#include <systemd/sd-event.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <stdexcept>

#include <errno.h>
#include <fmt/format.h>
#include <grp.h>

#include "daemon/connection.h"
#include "daemon/log.h"

namespace jobtrack {
namespace {

std::runtime_error system_error(std::string_view what, const std::string& path) {
  return std::runtime_error(fmt::format("{} {}: {}", what, path, std::strerror(errno)));
}

sockaddr_un unix_address(const std::string& path) {
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  if (path.size() >= sizeof(address.sun_path)) {
    throw std::runtime_error(
        fmt::format("socket path {} is longer than {} bytes", path, sizeof(address.sun_path) - 1));
  }
  std::memcpy(address.sun_path, path.c_str(), path.size() + 1);
  return address;
}

// True when something answers on `path`: another daemon owns it.
bool socket_in_use(const sockaddr_un& address) {
  int probe = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (probe < 0) return false;
  bool in_use = connect(probe, reinterpret_cast<const sockaddr*>(&address), sizeof(address)) == 0;
  close(probe);
  return in_use;
}

}  // namespace

void Responder::reply(nlohmann::json parameters, bool continues) {
  if (done_) return;
  bool finished = !(continues && more_);
  if (finished) done_ = true;
  if (oneway_) return;
  if (auto connection = connection_.lock()) {
    connection->send(protocol::reply(std::move(parameters), !finished), finished, sequence_);
  }
}

void Responder::reply_text(std::string_view parameters) {
  if (done_) return;
  done_ = true;
  if (oneway_) return;
  if (auto connection = connection_.lock()) {
    std::string message;
    message.reserve(parameters.size() + 16);
    message += "{\"parameters\":";
    message += parameters;
    message += '}';
    message += '\0';
    connection->send_encoded(std::move(message), true, sequence_);
  }
}

void Responder::error(const protocol::VarlinkError& error) {
  if (done_) return;
  done_ = true;
  if (oneway_) return;
  if (auto connection = connection_.lock())
    connection->send(protocol::error_reply(error), true, sequence_);
}

const Peer& Responder::peer() const {
  static const Peer nobody;
  auto connection = connection_.lock();
  return connection ? connection->peer() : nobody;
}

Server::Server(sd_event* loop, ServerLimits limits, Dispatcher dispatcher)
    : loop_(loop), limits_(limits), dispatcher_(std::move(dispatcher)) {}

Server::~Server() {
  connections_.clear();
  sd_event_source_disable_unref(listen_source_);
  if (listen_fd_ >= 0) close(listen_fd_);
  if (!bound_path_.empty()) unlink(bound_path_.c_str());
}

void Server::listen(const std::string& path, const std::string& group) {
  int passed = sd_listen_fds(1);
  if (passed > 1) throw std::runtime_error("systemd passed more than one socket; expected one");
  if (passed == 1) {
    listen_fd_ = SD_LISTEN_FDS_START;
    if (sd_is_socket_unix(listen_fd_, SOCK_STREAM, 1, nullptr, 0) <= 0) {
      throw std::runtime_error(
          "the socket passed by systemd is not a listening Unix stream socket");
    }
    fcntl(listen_fd_, F_SETFL, fcntl(listen_fd_, F_GETFL) | O_NONBLOCK);
    activated_ = true;
  } else {
    sockaddr_un address = unix_address(path);
    std::filesystem::path parent = std::filesystem::path(path).parent_path();
    if (!parent.empty() && !std::filesystem::exists(parent)) {
      std::error_code ignored;
      std::filesystem::create_directories(parent, ignored);
      chmod(parent.c_str(), 0750);
    }
    if (socket_in_use(address)) {
      throw std::runtime_error(
          fmt::format("socket {} is in use: is another jobtrackd running?", path));
    }
    unlink(path.c_str());  // a stale socket from a daemon that died
    listen_fd_ = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (listen_fd_ < 0) throw system_error("cannot create socket", path);
    mode_t old_mask = umask(0117);  // the socket is born 0660: no window where others may connect
    int bound = bind(listen_fd_, reinterpret_cast<const sockaddr*>(&address), sizeof(address));
    umask(old_mask);
    if (bound < 0) throw system_error("cannot bind", path);
    bound_path_ = path;
    if (!group.empty()) {
      struct group* entry = getgrnam(group.c_str());
      if (!entry) throw std::runtime_error(fmt::format("socket_group {} does not exist", group));
      if (chown(path.c_str(), static_cast<uid_t>(-1), entry->gr_gid) < 0)
        throw system_error("cannot chown", path);
    }
    if (::listen(listen_fd_, 128) < 0) throw system_error("cannot listen on", path);
  }
  if (sd_event_add_io(loop_, &listen_source_, listen_fd_, EPOLLIN, &Server::on_accept, this) < 0) {
    throw std::runtime_error("cannot watch the listening socket");
  }
}

int Server::on_accept(sd_event_source*, int, std::uint32_t, void* self) {
  static_cast<Server*>(self)->accept_all();
  return 0;
}

void Server::accept_all() {
  for (int accepted = 0; accepted < 64; ++accepted) {
    int fd = accept4(listen_fd_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno != EAGAIN && errno != EINTR) {
        log_warning(fmt::format("accept failed: {}", std::strerror(errno)));
      }
      return;
    }
    if (connections_.size() >= static_cast<std::size_t>(limits_.max_connections)) {
      log_warning(fmt::format("refusing a connection: {} connections open (max_connections)",
                              connections_.size()));
      close(fd);
      continue;
    }
    ucred credentials{};
    socklen_t length = sizeof(credentials);
    if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &credentials, &length) < 0) {
      close(fd);
      continue;
    }
    auto connection = std::make_shared<Connection>(
        *this, fd, Peer{credentials.uid, credentials.gid, credentials.pid});
    if (!connection->start()) continue;
    connections_.emplace(connection.get(), std::move(connection));
  }
}

void Server::drop(Connection* connection) {
  connections_.erase(connection);
}

}  // namespace jobtrack
