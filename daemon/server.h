// The Server accepts Varlink connections on the daemon's Unix socket and
// hands each call to a dispatcher. It owns the listening socket (taken from
// systemd's socket activation or bound by itself) and every connection.
//
// Per connection: calls are answered in order; while a streaming call
// ("more", e.g. Wait) is open, later calls wait their turn. A call whose
// reply only waits for the commit of the loop iteration (Track) does not
// hold later calls up: a client may pipeline them, and they are committed
// together. Limits keep a
// hostile or slow client from costing more than bounded memory: incoming
// messages over max_message_bytes are refused with InvalidParameter, a
// client whose unread replies pass the output cap stops being read, then is
// dropped; idle connections close after idle_timeout; connections beyond
// max_connections are closed at once. Loop thread only.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "daemon/protocol/varlink.h"

typedef struct sd_event sd_event;
typedef struct sd_event_source sd_event_source;

namespace jobtrack {

struct ServerLimits {
  int max_connections = 256;
  std::size_t max_message_bytes = 1024 * 1024;
  std::size_t max_output_bytes = 16 * 1024 * 1024;
  std::int64_t idle_timeout_ms = 300'000;
};

struct Peer {
  uid_t uid = static_cast<uid_t>(-1);
  gid_t gid = static_cast<gid_t>(-1);
  pid_t pid = 0;
};

class Connection;

// The answer to one call. Handlers may keep it to answer later (Wait);
// sending on a closed connection is a no-op.
class Responder {
 public:
  Responder(std::weak_ptr<Connection> connection, std::uint64_t sequence, bool more, bool oneway)
      : connection_(std::move(connection)), sequence_(sequence), more_(more), oneway_(oneway) {}

  // Sends a reply; `continues` keeps the call open (only with "more").
  void reply(nlohmann::json parameters, bool continues = false);
  // A final reply whose parameters are given as JSON text (an object, as
  // protocol::encode would write it): for replies sent by the thousand
  // (Track), whose text is written directly (daemon/job_text.h).
  void reply_text(std::string_view parameters);
  void error(const protocol::VarlinkError& error);
  bool more() const { return more_; }
  bool done() const { return done_; }
  // The reply waits only for the open batch's commit (Track): the
  // connection goes on with later calls meanwhile, and holds their replies
  // back until this one is sent, so replies still come in call order.
  void awaiting_commit() { awaiting_commit_ = true; }
  bool is_awaiting_commit() const { return awaiting_commit_; }
  bool connected() const { return !connection_.expired(); }
  const Peer& peer() const;

 private:
  std::weak_ptr<Connection> connection_;
  std::uint64_t sequence_;  // the call's place on its connection
  bool more_;
  bool oneway_;
  bool done_ = false;
  bool awaiting_commit_ = false;
};

using ResponderPtr = std::shared_ptr<Responder>;
using Dispatcher = std::function<void(const protocol::Call& call, ResponderPtr responder)>;

class Server {
 public:
  Server(sd_event* loop, ServerLimits limits, Dispatcher dispatcher);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Uses the socket passed by systemd (sd_listen_fds) if there is one,
  // otherwise binds `path` (mode 0660, group `group` if set). Throws
  // std::runtime_error with a message for the operator.
  void listen(const std::string& path, const std::string& group);
  bool socket_activated() const { return activated_; }
  std::size_t connections() const { return connections_.size(); }
  void set_limits(const ServerLimits& limits) { limits_ = limits; }

 private:
  friend class Connection;
  static int on_accept(sd_event_source* source, int fd, std::uint32_t events, void* self);
  void accept_all();
  void drop(Connection* connection);

  sd_event* loop_;
  ServerLimits limits_;
  Dispatcher dispatcher_;
  int listen_fd_ = -1;
  bool activated_ = false;
  std::string bound_path_;
  sd_event_source* listen_source_ = nullptr;
  std::map<Connection*, std::shared_ptr<Connection>> connections_;
};

}  // namespace jobtrack
