// A small HTTP/1.1 server for the fake remote APIs (see http_server.h).
#include "tests/fakeapi/http_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <exception>
#include <optional>
#include <stdexcept>
#include <thread>

#include <netdb.h>

#include "tests/fakeapi/util.h"

namespace jobtrack::fakeapi {

const std::string* HttpRequest::header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (iequals(key, name)) return &value;
  }
  return nullptr;
}

std::string_view reason_phrase(int status) {
  switch (status) {
    case 100:
      return "Continue";
    case 200:
      return "OK";
    case 201:
      return "Created";
    case 202:
      return "Accepted";
    case 204:
      return "No Content";
    case 301:
      return "Moved Permanently";
    case 302:
      return "Found";
    case 303:
      return "See Other";
    case 307:
      return "Temporary Redirect";
    case 308:
      return "Permanent Redirect";
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 408:
      return "Request Timeout";
    case 409:
      return "Conflict";
    case 410:
      return "Gone";
    case 413:
      return "Content Too Large";
    case 429:
      return "Too Many Requests";
    case 431:
      return "Request Header Fields Too Large";
    case 500:
      return "Internal Server Error";
    case 501:
      return "Not Implemented";
    case 502:
      return "Bad Gateway";
    case 503:
      return "Service Unavailable";
    case 504:
      return "Gateway Timeout";
    default:
      return "Status";
  }
}

namespace {

bool send_all(int fd, std::string_view data) {
  while (!data.empty()) {
    const ssize_t sent = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (sent < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    data.remove_prefix(static_cast<std::size_t>(sent));
  }
  return true;
}

// Appends what the peer sent next; false on end of stream, error or timeout.
bool read_more(int fd, std::string& buffer, int timeout_ms) {
  pollfd watch{fd, POLLIN, 0};
  for (;;) {
    const int ready = ::poll(&watch, 1, timeout_ms);
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) return false;
    break;
  }
  char chunk[16 * 1024];
  for (;;) {
    const ssize_t got = ::recv(fd, chunk, sizeof chunk, 0);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) return false;
    buffer.append(chunk, static_cast<std::size_t>(got));
    return true;
  }
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

bool has_token(const std::string* value, std::string_view token) {
  if (value == nullptr) return false;
  for (std::string_view part : split(*value, ',')) {
    if (iequals(trim(part), token)) return true;
  }
  return false;
}

// Parses the request line and the header lines (the head without its final
// blank line). False when malformed.
bool parse_head(std::string_view head, HttpRequest& request) {
  std::size_t line_end = head.find("\r\n");
  const std::string_view line = head.substr(0, line_end);
  const std::size_t first_space = line.find(' ');
  const std::size_t last_space = line.rfind(' ');
  if (first_space == std::string_view::npos || last_space == first_space) return false;
  request.method = std::string(line.substr(0, first_space));
  request.target = std::string(line.substr(first_space + 1, last_space - first_space - 1));
  request.version = std::string(line.substr(last_space + 1));
  if (request.method.empty() || request.target.empty() ||
      request.version.rfind("HTTP/1.", 0) != 0) {
    return false;
  }
  while (line_end != std::string_view::npos) {
    const std::size_t start = line_end + 2;
    line_end = head.find("\r\n", start);
    const std::string_view header_line = head.substr(
        start, line_end == std::string_view::npos ? std::string_view::npos : line_end - start);
    if (header_line.empty()) continue;
    const std::size_t colon = header_line.find(':');
    if (colon == std::string_view::npos || colon == 0) return false;
    const std::string_view name = header_line.substr(0, colon);
    if (name.find_first_of(" \t") != std::string_view::npos) return false;
    request.headers.emplace_back(std::string(name),
                                 std::string(trim(header_line.substr(colon + 1))));
  }
  return true;
}

std::string status_line(int status) {
  std::string line = "HTTP/1.1 " + std::to_string(status) + " ";
  line += reason_phrase(status);
  line += "\r\n";
  return line;
}

// A bare error answer from the server itself (malformed request, limits).
void send_plain_error(int fd, int status) {
  std::string text = status_line(status);
  const std::string body = std::string(reason_phrase(status)) + "\n";
  text += "Content-Type: text/plain\r\nContent-Length: " + std::to_string(body.size()) +
          "\r\nConnection: close\r\n\r\n" + body;
  send_all(fd, text);
}

std::string response_head(const HttpResponse& response, bool keep_alive,
                          std::optional<std::size_t> content_length) {
  std::string head = status_line(response.status);
  head += "Server: jobtrack-fakeapi\r\n";
  if (!response.content_type.empty()) head += "Content-Type: " + response.content_type + "\r\n";
  for (const auto& [name, value] : response.headers) head += name + ": " + value + "\r\n";
  if (content_length) {
    head += "Content-Length: " + std::to_string(*content_length) + "\r\n";
  } else {
    head += "Transfer-Encoding: chunked\r\n";
  }
  head += keep_alive ? "Connection: keep-alive\r\n" : "Connection: close\r\n";
  head += "\r\n";
  return head;
}

// Writes the response; false when the connection must end afterwards
// because writing failed or the response asked for it.
bool write_response(int fd, bool head_only, HttpResponse& response, bool keep_alive) {
  using Delivery = HttpResponse::Delivery;
  if (response.delivery == Delivery::close_silently) return false;

  if (response.delivery == Delivery::truncate) {
    // Gather the body (at most ~1 MiB of a produced one), declare more than
    // is sent, send half of it and stop.
    std::string body = std::move(response.body);
    bool complete = true;
    if (response.producer) {
      body.clear();
      complete = false;
      while (body.size() < 1024 * 1024) {
        if (!response.producer(body)) {
          complete = true;
          break;
        }
      }
    }
    if (body.size() < 2) body = "{\"truncated\": true}";
    const std::size_t declared = complete ? body.size() : body.size() * 2;
    std::string text = response_head(response, false, declared);
    text.append(body, 0, body.size() / 2);
    send_all(fd, text);
    return false;
  }

  if (!response.producer) {
    std::string text = response_head(response, keep_alive, response.body.size());
    if (!head_only) text += response.body;
    return send_all(fd, text) && keep_alive;
  }

  if (!send_all(fd, response_head(response, keep_alive, std::nullopt))) return false;
  if (head_only) return keep_alive;
  std::string piece;
  std::string framed;
  bool more = true;
  while (more) {
    piece.clear();
    more = response.producer(piece);
    if (piece.empty()) continue;
    char size_line[32];
    std::snprintf(size_line, sizeof size_line, "%zx\r\n", piece.size());
    framed.assign(size_line);
    framed += piece;
    framed += "\r\n";
    if (!send_all(fd, framed)) return false;
  }
  return send_all(fd, "0\r\n\r\n") && keep_alive;
}

std::string peer_text(const sockaddr_storage& address) {
  char host[INET6_ADDRSTRLEN] = "?";
  unsigned port = 0;
  if (address.ss_family == AF_INET) {
    sockaddr_in v4{};
    std::memcpy(&v4, &address, sizeof v4);
    inet_ntop(AF_INET, &v4.sin_addr, host, sizeof host);
    port = ntohs(v4.sin_port);
    return std::string(host) + ":" + std::to_string(port);
  }
  if (address.ss_family == AF_INET6) {
    sockaddr_in6 v6{};
    std::memcpy(&v6, &address, sizeof v6);
    inet_ntop(AF_INET6, &v6.sin6_addr, host, sizeof host);
    port = ntohs(v6.sin6_port);
  }
  return "[" + std::string(host) + "]:" + std::to_string(port);
}

}  // namespace

HttpServer::HttpServer(Handler handler, Options options)
    : handler_(std::move(handler)), options_(options) {
  wake_fd_ = ::eventfd(0, EFD_CLOEXEC);
  if (wake_fd_ < 0) throw std::runtime_error(std::string("eventfd: ") + std::strerror(errno));
}

HttpServer::~HttpServer() {
  if (listen_fd_ >= 0) ::close(listen_fd_);
  if (wake_fd_ >= 0) ::close(wake_fd_);
}

std::uint16_t HttpServer::listen(const std::string& address, std::uint16_t port) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICHOST | AI_NUMERICSERV;
  addrinfo* found = nullptr;
  const std::string service = std::to_string(port);
  if (const int error = ::getaddrinfo(address.c_str(), service.c_str(), &hints, &found);
      error != 0) {
    throw std::runtime_error("cannot use listen address " + address + ": " + gai_strerror(error));
  }
  const int fd = ::socket(found->ai_family, found->ai_socktype | SOCK_CLOEXEC, found->ai_protocol);
  if (fd < 0) {
    ::freeaddrinfo(found);
    throw std::runtime_error(std::string("socket: ") + std::strerror(errno));
  }
  const int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (::bind(fd, found->ai_addr, found->ai_addrlen) != 0 || ::listen(fd, 1024) != 0) {
    const std::string reason = std::strerror(errno);
    ::freeaddrinfo(found);
    ::close(fd);
    throw std::runtime_error("cannot listen on " + address + ":" + service + ": " + reason);
  }
  ::freeaddrinfo(found);
  sockaddr_storage bound{};
  socklen_t length = sizeof bound;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&bound), &length);
  listen_fd_ = fd;
  if (bound.ss_family == AF_INET6) {
    sockaddr_in6 v6{};
    std::memcpy(&v6, &bound, sizeof v6);
    return ntohs(v6.sin6_port);
  }
  sockaddr_in v4{};
  std::memcpy(&v4, &bound, sizeof v4);
  return ntohs(v4.sin_port);
}

void HttpServer::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  const std::uint64_t one = 1;
  [[maybe_unused]] const ssize_t written = ::write(wake_fd_, &one, sizeof one);
}

void HttpServer::run() {
  for (;;) {
    pollfd watch[2] = {{listen_fd_, POLLIN, 0}, {wake_fd_, POLLIN, 0}};
    if (::poll(watch, 2, -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    if (watch[1].revents != 0) break;
    if ((watch[0].revents & POLLIN) == 0) continue;
    sockaddr_storage address{};
    socklen_t length = sizeof address;
    const int fd =
        ::accept4(listen_fd_, reinterpret_cast<sockaddr*>(&address), &length, SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EMFILE || errno == ENFILE)
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
      continue;
    }
    const int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    {
      std::lock_guard lock(mutex_);
      if (stopping_ || connections_.size() >= options_.max_connections) {
        ::close(fd);
        continue;
      }
      connections_.insert(fd);
    }
    try {
      std::thread(&HttpServer::serve, this, fd, peer_text(address)).detach();
    } catch (const std::exception&) {
      forget(fd);
    }
  }

  std::unique_lock lock(mutex_);
  stopping_ = true;
  ::close(listen_fd_);
  listen_fd_ = -1;
  for (const int fd : connections_) ::shutdown(fd, SHUT_RDWR);
  idle_.wait_for(lock, std::chrono::seconds(10), [this] { return connections_.empty(); });
}

void HttpServer::forget(int fd) {
  std::lock_guard lock(mutex_);
  connections_.erase(fd);
  ::close(fd);
  idle_.notify_all();
}

void HttpServer::serve(int fd, const std::string& peer) {
  std::string buffer;
  for (;;) {
    // Leading blank lines before a request line are ignored (RFC 9112 2.2).
    while (buffer.rfind("\r\n", 0) == 0) buffer.erase(0, 2);
    std::size_t head_end;
    bool open = true;
    while ((head_end = buffer.find("\r\n\r\n")) == std::string::npos) {
      if (buffer.size() > options_.max_header_bytes) {
        send_plain_error(fd, 431);
        open = false;
        break;
      }
      if (!read_more(fd, buffer, options_.idle_timeout_ms)) {
        open = false;
        break;
      }
      while (buffer.rfind("\r\n", 0) == 0) buffer.erase(0, 2);
    }
    if (!open) break;

    HttpRequest request;
    request.peer = peer;
    if (!parse_head(std::string_view(buffer).substr(0, head_end), request)) {
      send_plain_error(fd, 400);
      break;
    }
    if (const std::string* coding = request.header("Transfer-Encoding");
        coding != nullptr && !iequals(*coding, "identity")) {
      send_plain_error(fd, 501);
      break;
    }
    std::size_t length = 0;
    if (const std::string* declared = request.header("Content-Length"); declared != nullptr) {
      const auto value = parse_int64(*declared);
      if (!value || *value < 0) {
        send_plain_error(fd, 400);
        break;
      }
      length = static_cast<std::size_t>(*value);
      if (length > options_.max_body_bytes) {
        send_plain_error(fd, 413);
        break;
      }
    }
    const std::size_t body_start = head_end + 4;
    if (buffer.size() < body_start + length &&
        has_token(request.header("Expect"), "100-continue")) {
      if (!send_all(fd, "HTTP/1.1 100 Continue\r\n\r\n")) break;
    }
    while (open && buffer.size() < body_start + length) {
      open = read_more(fd, buffer, options_.idle_timeout_ms);
    }
    if (!open) break;
    request.body = buffer.substr(body_start, length);
    buffer.erase(0, body_start + length);

    bool keep_alive = request.version == "HTTP/1.1"
                          ? !has_token(request.header("Connection"), "close")
                          : has_token(request.header("Connection"), "keep-alive");
    HttpResponse response;
    try {
      response = handler_(request);
    } catch (const std::exception& error) {
      response = HttpResponse{};
      response.status = 500;
      response.content_type = "text/plain";
      response.body = std::string("fakeapi: ") + error.what() + "\n";
    }
    {
      std::lock_guard lock(mutex_);
      if (stopping_) keep_alive = false;
    }
    if (!write_response(fd, request.method == "HEAD", response, keep_alive)) break;
  }
  forget(fd);
}

}  // namespace jobtrack::fakeapi
