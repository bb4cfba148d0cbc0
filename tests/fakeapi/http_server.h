// A small HTTP/1.1 server written for the fake remote APIs.
//
// Why not a library: the emulator must misbehave on purpose (drop a
// connection without a byte, declare a Content-Length and stop mid-body) and
// must report the request target exactly as it came on the request line,
// before any decoding. A server of our own makes each of those a plain branch.
//
// Model: one thread accepts; every connection gets its own thread, which
// serves its requests in order (keep-alive, pipelining) until the peer closes,
// the idle timeout passes or the server stops. So a slow answer only ever
// holds its own connection. Request bodies need Content-Length (chunked
// request bodies get 501); "Expect: 100-continue" is honoured. Responses carry
// Content-Length, or are chunked when produced piece by piece.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace jobtrack::fakeapi {

struct HttpRequest {
  std::string method;
  std::string target;   // exactly as on the request line, still percent-encoded
  std::string version;  // "HTTP/1.1"
  std::vector<std::pair<std::string, std::string>> headers;  // names as received
  std::string body;
  std::string peer;  // "127.0.0.1:54321"

  // The first header of that name (case-insensitive), or nullptr.
  const std::string* header(std::string_view name) const;
};

struct HttpResponse {
  enum class Delivery {
    normal,
    close_silently,  // close the connection, send nothing at all
    truncate,        // declare the full length, send half the body, close
  };

  int status = 200;
  std::string content_type = "application/json";  // empty: no Content-Type
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  // When set, the body is sent with chunked transfer coding instead of
  // `body`: each call appends the next piece to `out` and returns false once
  // the body is complete (the piece appended by that last call is still sent).
  std::function<bool(std::string& out)> producer;
  Delivery delivery = Delivery::normal;
};

std::string_view reason_phrase(int status);

class HttpServer {
 public:
  // Called concurrently from connection threads.
  using Handler = std::function<HttpResponse(const HttpRequest&)>;

  struct Options {
    int idle_timeout_ms = 30'000;
    std::size_t max_connections = 2048;
    std::size_t max_header_bytes = 64 * 1024;
    std::size_t max_body_bytes = 64 * 1024 * 1024;
  };

  HttpServer(Handler handler, Options options);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds a numeric address (IPv4 or IPv6) and listens; port 0 picks an
  // ephemeral port. Returns the port. Throws std::runtime_error.
  std::uint16_t listen(const std::string& address, std::uint16_t port);

  // Accepts connections until stop(), then shuts every connection down and
  // waits (up to 10 s) for their threads to end.
  void run();

  // Thread-safe; makes run() return.
  void stop();

 private:
  void serve(int fd, const std::string& peer);
  void forget(int fd);

  Handler handler_;
  Options options_;
  int listen_fd_ = -1;
  int wake_fd_ = -1;
  std::mutex mutex_;
  std::condition_variable idle_;
  std::set<int> connections_;  // guarded by mutex_
  bool stopping_ = false;      // guarded by mutex_
};

}  // namespace jobtrack::fakeapi
