// One client connection of the Server: the socket, its sd-event sources,
// the incoming message reader and the outgoing buffer. Owned by the Server
// (shared_ptr, so Responders can hold weak references). Loop thread only.
//
// Fairness: one wakeup answers at most a turn's worth of calls; a client
// that pipelines thousands of calls gets the rest answered in later loop
// iterations, after the other connections had their turn (see resume_).
#pragma once

#include <deque>
#include <memory>
#include <string>

#include "daemon/server.h"

namespace jobtrack {

class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(Server& server, int fd, const Peer& peer);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  bool start();  // adds the event sources; false on failure
  const Peer& peer() const { return peer_; }

  // Queues an encoded message; `finished` ends the current call.
  void send(const nlohmann::json& message, bool finished);

 private:
  static int on_io(sd_event_source* source, int fd, std::uint32_t events, void* self);
  static int on_idle(sd_event_source* source, std::uint64_t usec, void* self);
  void read_some();
  // Answers buffered calls, at most a turn's worth; when calls are left it
  // sets resume_ so update_events() asks for the next turn.
  void process();
  void flush();
  void update_events();
  void touch();
  void close_soon();

  Server& server_;
  int fd_;
  Peer peer_;
  protocol::MessageReader reader_;
  std::string output_;
  std::size_t output_sent_ = 0;
  sd_event_source* io_ = nullptr;
  sd_event_source* idle_ = nullptr;

  bool call_open_ = false;    // a call is waiting for its final reply
  bool peer_closed_ = false;  // EOF read; close once replies are out
  bool closing_ = false;
  // Buffered calls wait for another turn: the socket is watched for
  // EPOLLOUT, which epoll reports (level-triggered) in the same round as
  // other clients' events, so each connection takes its turn. (An sd-event
  // defer source would not do: while one is pending, epoll is not polled.)
  bool resume_ = false;
};

}  // namespace jobtrack
