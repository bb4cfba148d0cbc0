// One client connection of the Server: the socket, its sd-event sources,
// the incoming message reader and the outgoing buffer. Owned by the Server
// (shared_ptr, so Responders can hold weak references). Loop thread only.
//
// Fairness: one wakeup answers at most a turn's worth of calls (a count and
// a time, see connection.cpp); a client that pipelines thousands of calls
// gets the rest answered in later loop iterations, after the other
// connections had their turn (see resume_).
//
// Writes: replies are queued in output_ and written together, at the end
// of the connection's turn or, for replies that come from outside it (a
// commit answering a turn's Tracks), on the next wakeup (EPOLLOUT).
//
// Order: every call gets a sequence number; replies go out in that order.
// A reply of a later call that comes while an earlier call still waits for
// its commit is held back (held_) until the earlier one is answered.
#pragma once

#include <cstdint>
#include <map>
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

  // Queues an encoded message of call `sequence`; `finished` ends that call.
  void send(const nlohmann::json& message, bool finished, std::uint64_t sequence);
  // The same with the message already encoded (with its NUL).
  void send_encoded(std::string&& encoded, bool finished, std::uint64_t sequence);

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
  std::uint64_t begin_call();
  void append(std::string&& encoded, bool finished);

  Server& server_;
  int fd_;
  Peer peer_;
  protocol::MessageReader reader_;
  std::string output_;
  std::size_t output_sent_ = 0;
  sd_event_source* io_ = nullptr;
  sd_event_source* idle_ = nullptr;

  std::uint64_t next_sequence_ = 0;  // of the next call read
  std::uint64_t front_ = 0;          // the oldest unanswered call; its replies go out at once
  std::size_t open_calls_ = 0;       // calls without their final reply
  // A call that later calls must wait for (a stream, a Wait) is open.
  bool blocked_ = false;
  std::uint64_t blocking_ = 0;  // its sequence number
  // Replies of calls after front_, held back to keep the order: per call,
  // encoded messages and whether the last one finished it.
  std::map<std::uint64_t, std::pair<std::string, bool>> held_;
  bool peer_closed_ = false;  // EOF read; close once replies are out
  bool closing_ = false;
  // Buffered calls wait for another turn: the socket is watched for
  // EPOLLOUT, which epoll reports (level-triggered) in the same round as
  // other clients' events, so each connection takes its turn. (An sd-event
  // defer source would not do: while one is pending, epoll is not polled.)
  bool resume_ = false;
};

}  // namespace jobtrack
