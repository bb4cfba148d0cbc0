// A Varlink server in a thread, for the CLI's unit tests: it listens on a
// Unix socket in a fresh temporary directory, serves one connection at a
// time, and answers each call with the messages a test's handler returns
// (replies or errors, already shaped as JSON objects); handlers run on the
// server's thread, so they must not use Catch2's assertions. A handler that
// returns nothing makes the server hang up. Stopped and joined on
// destruction.
#pragma once

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "daemon/protocol/varlink.h"

namespace jobtrack::testing {

class FakeVarlinkServer {
 public:
  using Handler = std::function<std::vector<nlohmann::json>(const protocol::Call&)>;

  explicit FakeVarlinkServer(Handler handler) : handler_(std::move(handler)) {
    char pattern[] = "/tmp/jobtrack-test-XXXXXX";
    directory_ = ::mkdtemp(pattern);
    path_ = directory_ + "/jobtrack.sock";
    listener_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::strncpy(address.sun_path, path_.c_str(), sizeof(address.sun_path) - 1);
    if (::bind(listener_, reinterpret_cast<const sockaddr*>(&address), sizeof(address)) != 0 ||
        ::listen(listener_, 8) != 0) {
      std::abort();
    }
    thread_ = std::thread([this] { serve(); });
  }

  ~FakeVarlinkServer() {
    stopping_ = true;
    ::shutdown(listener_, SHUT_RDWR);  // wakes accept()
    thread_.join();
    ::close(listener_);
    std::filesystem::remove_all(directory_);
  }

  const std::string& path() const { return path_; }
  // Every call received so far, in order.
  std::vector<protocol::Call> calls() const {
    std::lock_guard lock(mutex_);
    return calls_;
  }

 private:
  void serve() {
    while (!stopping_) {
      int fd = ::accept4(listener_, nullptr, nullptr, SOCK_CLOEXEC);
      if (fd < 0) return;
      serve_connection(fd);
      ::close(fd);
    }
  }

  void serve_connection(int fd) {
    protocol::MessageReader reader(1 << 20);
    char buffer[4096];
    for (;;) {
      ssize_t got = ::recv(fd, buffer, sizeof(buffer), 0);
      if (got <= 0) return;
      reader.feed(buffer, static_cast<std::size_t>(got));
      std::string message;
      while (reader.next(message) == protocol::MessageReader::Status::message) {
        auto call = protocol::parse_call(message);
        if (!call) return;
        {
          std::lock_guard lock(mutex_);
          calls_.push_back(*call);
        }
        auto replies = handler_(*call);
        if (replies.empty()) return;
        for (const auto& reply : replies) {
          std::string bytes = protocol::encode(reply);
          if (::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL) < 0) return;
        }
      }
    }
  }

  Handler handler_;
  std::string directory_, path_;
  int listener_ = -1;
  std::atomic<bool> stopping_{false};
  mutable std::mutex mutex_;
  std::vector<protocol::Call> calls_;
  std::thread thread_;
};

}  // namespace jobtrack::testing
