// jobtrackctl's blocking Varlink client: one connection to the daemon's Unix
// socket, one call at a time, replies read in order.
//
// Connecting is separate from calling so that "the daemon is not there"
// (ConnectError, with the path and errno) can be told apart from a call
// that failed. A call fails with the daemon's error reply as is, or with one
// of the client-side errors below when the connection broke, the reply made
// no sense or the deadline passed. Owns its socket; move-only; one thread.
//
// Several streams at once (wait on many jobs, watch): start() each call on
// its own client, poll() their fd()s, and on readable call read_some() and
// then take every reply next_reply() has; nothing in that path blocks.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>
#include <tl/expected.hpp>

#include "daemon/protocol/varlink.h"

namespace jobtrack::cli {

// Errors raised by the client itself, never sent by the daemon. Each has a
// "reason" parameter in words.
namespace client_errors {
inline constexpr std::string_view kConnectionLost = "io.jobtrack.ctl.ConnectionLost";
inline constexpr std::string_view kBadReply = "io.jobtrack.ctl.BadReply";
inline constexpr std::string_view kTimeout = "io.jobtrack.ctl.Timeout";
}  // namespace client_errors

struct ConnectError {
  std::string path;      // the socket path tried
  int error_number = 0;  // errno of socket() or connect()
};

class VarlinkClient {
 public:
  using Deadline = std::optional<std::chrono::steady_clock::time_point>;
  // Called with each reply's parameters of a streamed call.
  using ReplyHandler = std::function<void(const nlohmann::json& parameters)>;

  // Replies larger than this are refused (a page of results stays far below).
  static constexpr std::size_t kMaxReplyBytes = 64 * 1024 * 1024;

  static tl::expected<VarlinkClient, ConnectError> connect(const std::string& path);
  // Takes ownership of a connected stream socket (tests pass a socketpair end).
  explicit VarlinkClient(int fd);
  ~VarlinkClient();
  VarlinkClient(VarlinkClient&& other) noexcept;
  VarlinkClient& operator=(VarlinkClient&& other) noexcept;
  VarlinkClient(const VarlinkClient&) = delete;
  VarlinkClient& operator=(const VarlinkClient&) = delete;

  // One call, one reply: returns the reply's parameters (an object).
  tl::expected<nlohmann::json, protocol::VarlinkError> call(std::string_view method,
                                                            const nlohmann::json& parameters,
                                                            Deadline deadline = std::nullopt);

  // A call with "more": hands every reply to on_reply, up to and including
  // the one without "continues". An error reply ends the stream.
  tl::expected<void, protocol::VarlinkError> call_more(std::string_view method,
                                                       const nlohmann::json& parameters,
                                                       const ReplyHandler& on_reply,
                                                       Deadline deadline = std::nullopt);

  // Pipelining: send() calls one after another without waiting, then
  // take their replies in the same order with receive_reply().
  tl::expected<void, protocol::VarlinkError> send_call(std::string_view method,
                                                       const nlohmann::json& parameters);
  // The same, but the call is only queued: queued calls go out together,
  // in as few writes as the socket takes, before the client next waits for
  // a reply (or on flush()). A long pipeline then costs a write per batch
  // of calls, not per call.
  void queue_call(std::string_view method, const nlohmann::json& parameters);
  tl::expected<void, protocol::VarlinkError> flush();
  // The next reply's parameters (an error reply is the error). Sends the
  // queued calls before it waits for one.
  tl::expected<nlohmann::json, protocol::VarlinkError> receive_reply(
      Deadline deadline = std::nullopt);
  // Whether the next reply is already read, so receive_reply() will not wait.
  bool reply_ready() const { return reader_.ready(); }
  // receive_reply() in two steps, for a caller that can read some replies
  // more cheaply itself (cli/track_reply.h): the next reply's text, then
  // its decoding (an error reply is the error).
  tl::expected<std::string, protocol::VarlinkError> receive_message(
      Deadline deadline = std::nullopt);

  struct Reply {
    nlohmann::json parameters;
    bool continues = false;
  };
  int fd() const { return fd_; }
  // Sends a call with "more" and returns at once.
  tl::expected<void, protocol::VarlinkError> start(std::string_view method,
                                                   const nlohmann::json& parameters);
  // One recv(): call it when fd() is readable. ConnectionLost at the end.
  tl::expected<void, protocol::VarlinkError> read_some();
  // A reply already read, if any (an error reply is the error).
  tl::expected<std::optional<Reply>, protocol::VarlinkError> next_reply();
  static tl::expected<Reply, protocol::VarlinkError> decode(std::string_view message);

 private:
  tl::expected<void, protocol::VarlinkError> send(const nlohmann::json& message);
  tl::expected<void, protocol::VarlinkError> send_bytes(const std::string& bytes);
  tl::expected<Reply, protocol::VarlinkError> receive(Deadline deadline);
  // Blocks until the socket is readable; false when the deadline passed.
  tl::expected<void, protocol::VarlinkError> wait_readable(Deadline deadline);

  int fd_ = -1;
  protocol::MessageReader reader_{kMaxReplyBytes};
  std::string queued_;  // encoded calls not sent yet (queue_call)
};

}  // namespace jobtrack::cli
