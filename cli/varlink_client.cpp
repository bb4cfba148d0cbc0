#include "cli/varlink_client.h"

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <utility>

#include <fmt/format.h>

namespace jobtrack::cli {
namespace {

using nlohmann::json;
using protocol::VarlinkError;

VarlinkError client_error(std::string_view name, std::string reason) {
  return VarlinkError{std::string(name), json{{"reason", std::move(reason)}}};
}

}  // namespace

tl::expected<VarlinkClient, ConnectError> VarlinkClient::connect(const std::string& path) {
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  if (path.empty() || path.size() >= sizeof(address.sun_path)) {
    return tl::unexpected(ConnectError{path, path.empty() ? ENOENT : ENAMETOOLONG});
  }
  std::memcpy(address.sun_path, path.data(), path.size());

  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return tl::unexpected(ConnectError{path, errno});
  VarlinkClient client(fd);
  int result;
  do {
    result = ::connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof(address));
  } while (result < 0 && errno == EINTR);
  if (result < 0) return tl::unexpected(ConnectError{path, errno});
  return client;
}

VarlinkClient::VarlinkClient(int fd) : fd_(fd) {}

VarlinkClient::~VarlinkClient() {
  if (fd_ >= 0) ::close(fd_);
}

VarlinkClient::VarlinkClient(VarlinkClient&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)),
      reader_(std::move(other.reader_)),
      queued_(std::move(other.queued_)) {}

VarlinkClient& VarlinkClient::operator=(VarlinkClient&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = std::exchange(other.fd_, -1);
    reader_ = std::move(other.reader_);
    queued_ = std::move(other.queued_);
  }
  return *this;
}

tl::expected<json, VarlinkError> VarlinkClient::call(std::string_view method,
                                                     const json& parameters, Deadline deadline) {
  auto sent = send_call(method, parameters);
  if (!sent) return tl::unexpected(std::move(sent.error()));
  return receive_reply(deadline);
}

tl::expected<void, VarlinkError> VarlinkClient::send_call(std::string_view method,
                                                          const json& parameters) {
  return send(json{{"method", method}, {"parameters", parameters}});
}

void VarlinkClient::queue_call(std::string_view method, const json& parameters) {
  queued_ += protocol::encode(json{{"method", method}, {"parameters", parameters}});
}

tl::expected<void, VarlinkError> VarlinkClient::flush() {
  if (queued_.empty()) return {};
  auto sent = send_bytes(queued_);
  queued_.clear();
  return sent;
}

tl::expected<json, VarlinkError> VarlinkClient::receive_reply(Deadline deadline) {
  auto reply = receive(deadline);
  if (!reply) return tl::unexpected(std::move(reply.error()));
  return std::move(reply->parameters);
}

tl::expected<void, VarlinkError> VarlinkClient::call_more(std::string_view method,
                                                          const json& parameters,
                                                          const ReplyHandler& on_reply,
                                                          Deadline deadline) {
  auto sent = start(method, parameters);
  if (!sent) return sent;
  for (;;) {
    auto reply = receive(deadline);
    if (!reply) return tl::unexpected(std::move(reply.error()));
    on_reply(reply->parameters);
    if (!reply->continues) return {};
  }
}

tl::expected<void, VarlinkError> VarlinkClient::send(const json& message) {
  if (auto queued = flush(); !queued) return queued;
  return send_bytes(protocol::encode(message));
}

tl::expected<void, VarlinkError> VarlinkClient::send_bytes(const std::string& bytes) {
  std::size_t done = 0;
  while (done < bytes.size()) {
    // MSG_NOSIGNAL: a daemon that went away is an error, not SIGPIPE.
    ssize_t written = ::send(fd_, bytes.data() + done, bytes.size() - done, MSG_NOSIGNAL);
    if (written < 0) {
      if (errno == EINTR) continue;
      return tl::unexpected(
          client_error(client_errors::kConnectionLost,
                       fmt::format("cannot send to the daemon: {}", std::strerror(errno))));
    }
    done += static_cast<std::size_t>(written);
  }
  return {};
}

tl::expected<void, VarlinkError> VarlinkClient::wait_readable(Deadline deadline) {
  for (;;) {
    int timeout_ms = -1;
    if (deadline) {
      auto left = std::chrono::ceil<std::chrono::milliseconds>(*deadline -
                                                               std::chrono::steady_clock::now());
      // A passed deadline still takes what already arrived (poll with 0).
      timeout_ms =
          static_cast<int>(std::clamp<std::chrono::milliseconds::rep>(left.count(), 0, 1 << 30));
    }
    pollfd entry{fd_, POLLIN, 0};
    int ready = ::poll(&entry, 1, timeout_ms);
    if (ready > 0) return {};
    if (ready == 0 && deadline && std::chrono::steady_clock::now() >= *deadline) {
      return tl::unexpected(client_error(client_errors::kTimeout, "the deadline passed"));
    }
    if (ready < 0 && errno != EINTR) {
      return tl::unexpected(client_error(client_errors::kConnectionLost,
                                         fmt::format("poll: {}", std::strerror(errno))));
    }
  }
}

tl::expected<void, VarlinkError> VarlinkClient::start(std::string_view method,
                                                      const json& parameters) {
  return send(json{{"method", method}, {"parameters", parameters}, {"more", true}});
}

tl::expected<void, VarlinkError> VarlinkClient::read_some() {
  char buffer[65536];
  ssize_t got;
  do {
    got = ::recv(fd_, buffer, sizeof(buffer), MSG_DONTWAIT);
  } while (got < 0 && errno == EINTR);
  if (got < 0 && errno == EAGAIN) return {};  // EWOULDBLOCK is the same on Linux
  if (got < 0) {
    return tl::unexpected(
        client_error(client_errors::kConnectionLost,
                     fmt::format("cannot read from the daemon: {}", std::strerror(errno))));
  }
  if (got == 0) {
    return tl::unexpected(
        client_error(client_errors::kConnectionLost, "the daemon closed the connection"));
  }
  reader_.feed(buffer, static_cast<std::size_t>(got));
  return {};
}

tl::expected<std::optional<VarlinkClient::Reply>, VarlinkError> VarlinkClient::next_reply() {
  std::string message;
  auto status = reader_.next(message);
  if (status == protocol::MessageReader::Status::too_large) {
    return tl::unexpected(client_error(client_errors::kBadReply, "the reply is too large"));
  }
  if (status != protocol::MessageReader::Status::message) return std::optional<Reply>();
  auto reply = decode(message);
  if (!reply) return tl::unexpected(std::move(reply.error()));
  return std::optional<Reply>(std::move(*reply));
}

tl::expected<VarlinkClient::Reply, VarlinkError> VarlinkClient::decode(std::string_view message) {
  json parsed = json::parse(message, nullptr, false);
  if (parsed.is_discarded() || !parsed.is_object()) {
    return tl::unexpected(client_error(client_errors::kBadReply, "the reply is not a JSON object"));
  }
  auto parameters = parsed.find("parameters");
  json reply_parameters = json::object();
  if (parameters != parsed.end() && !parameters->is_null()) {
    if (!parameters->is_object()) {
      return tl::unexpected(
          client_error(client_errors::kBadReply, "the reply's parameters are not an object"));
    }
    reply_parameters = std::move(*parameters);
  }
  if (auto error = parsed.find("error"); error != parsed.end()) {
    if (!error->is_string()) {
      return tl::unexpected(
          client_error(client_errors::kBadReply, "the error name is not a string"));
    }
    return tl::unexpected(VarlinkError{error->get<std::string>(), std::move(reply_parameters)});
  }
  auto continues = parsed.find("continues");
  return Reply{std::move(reply_parameters),
               continues != parsed.end() && continues->is_boolean() && continues->get<bool>()};
}

tl::expected<std::string, VarlinkError> VarlinkClient::receive_message(Deadline deadline) {
  std::string message;
  for (;;) {
    auto status = reader_.next(message);
    if (status == protocol::MessageReader::Status::too_large) {
      return tl::unexpected(client_error(client_errors::kBadReply, "the reply is too large"));
    }
    if (status == protocol::MessageReader::Status::message) return message;
    // About to wait: whatever was queued must be out, or the reply may never come.
    if (auto queued = flush(); !queued) return tl::unexpected(std::move(queued.error()));
    auto readable = wait_readable(deadline);
    if (!readable) return tl::unexpected(std::move(readable.error()));
    auto read = read_some();
    if (!read) return tl::unexpected(std::move(read.error()));
  }
}

tl::expected<VarlinkClient::Reply, VarlinkError> VarlinkClient::receive(Deadline deadline) {
  auto message = receive_message(deadline);
  if (!message) return tl::unexpected(std::move(message.error()));
  return decode(*message);
}

}  // namespace jobtrack::cli
