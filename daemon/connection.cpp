#include "daemon/connection.h"

#include <sys/epoll.h>
#include <sys/socket.h>
#include <systemd/sd-event.h>
#include <unistd.h>

#include <chrono>

#include <errno.h>
#include <fmt/format.h>

#include "daemon/log.h"

namespace jobtrack {
namespace {

constexpr std::size_t kReadChunk = 64 * 1024;
constexpr std::size_t kReadPerWakeup = 1024 * 1024;  // then let other connections run
// Likewise for answering calls: a turn ends after this many calls or this
// long, whichever comes first. The calls of a turn share the loop
// iteration's commit, so a longer turn makes pipelined Tracks cheaper; the
// time bound keeps what one client costs the others bounded whatever its
// calls cost. 5 ms is about what a turn of 32 Tracks took when that was the
// cap; 256 is the pipeline of `track --stdin`.
constexpr int kCallsPerTurn = 256;
constexpr std::chrono::microseconds kTurnTime{5000};
// Calls waiting for a commit, at most; more wait in the socket's buffer.
constexpr std::size_t kMaxOpenCalls = 1024;

std::uint64_t now_usec(sd_event* loop) {
  std::uint64_t usec = 0;
  sd_event_now(loop, CLOCK_MONOTONIC, &usec);
  return usec;
}

}  // namespace

Connection::Connection(Server& server, int fd, const Peer& peer)
    : server_(server), fd_(fd), peer_(peer), reader_(server.limits_.max_message_bytes) {}

Connection::~Connection() {
  // Replies already answered (committed Tracks) still go out if the socket
  // takes them now: the daemon may be stopping between a commit and the
  // iteration that would have written them.
  while (!closing_ && output_sent_ < output_.size()) {
    ssize_t sent = ::send(fd_, output_.data() + output_sent_, output_.size() - output_sent_,
                          MSG_NOSIGNAL | MSG_DONTWAIT);
    if (sent <= 0) break;
    output_sent_ += static_cast<std::size_t>(sent);
  }
  sd_event_source_disable_unref(io_);
  sd_event_source_disable_unref(idle_);
  close(fd_);
}

bool Connection::start() {
  if (sd_event_add_io(server_.loop_, &io_, fd_, EPOLLIN, &Connection::on_io, this) < 0 ||
      sd_event_add_time(server_.loop_, &idle_, CLOCK_MONOTONIC, UINT64_MAX, 1'000'000,
                        &Connection::on_idle, this) < 0) {
    return false;
  }
  touch();
  return true;
}

void Connection::touch() {
  std::uint64_t timeout = static_cast<std::uint64_t>(server_.limits_.idle_timeout_ms) * 1000;
  sd_event_source_set_time(idle_, now_usec(server_.loop_) + timeout);
  sd_event_source_set_enabled(idle_, SD_EVENT_ONESHOT);
}

int Connection::on_idle(sd_event_source*, std::uint64_t, void* self_ptr) {
  auto* self = static_cast<Connection*>(self_ptr);
  if (self->open_calls_ > 0) {
    self->touch();  // a Wait may rightly last for hours
    return 0;
  }
  self->close_soon();
  return 0;
}

int Connection::on_io(sd_event_source*, int, std::uint32_t events, void* self_ptr) {
  auto self = static_cast<Connection*>(self_ptr)->shared_from_this();
  // Replies queued since the last wakeup (a commit's answers) go out first,
  // in one write, so the client works on them while this turn is served.
  if (self->output_sent_ < self->output_.size()) self->flush();
  if (!self->closing_ && (events & (EPOLLIN | EPOLLHUP | EPOLLERR))) self->read_some();
  if (!self->closing_) self->process();
  if (!self->closing_ && self->output_sent_ < self->output_.size()) self->flush();
  if (!self->closing_) self->update_events();
  if (self->closing_) self->server_.drop(self.get());
  return 0;
}

void Connection::read_some() {
  char chunk[kReadChunk];
  std::size_t total = 0;
  // Not more than a message's worth ahead of what was answered: a client
  // that pipelines faster than it is served waits in the kernel's buffer.
  while (total < kReadPerWakeup && reader_.buffered() <= server_.limits_.max_message_bytes) {
    ssize_t got = recv(fd_, chunk, sizeof(chunk), 0);
    if (got > 0) {
      reader_.feed(chunk, static_cast<std::size_t>(got));
      total += static_cast<std::size_t>(got);
      continue;
    }
    if (got == 0) {
      peer_closed_ = true;
    } else if (errno != EAGAIN && errno != EINTR) {
      peer_closed_ = true;
    }
    break;
  }
  if (total > 0) touch();
}

void Connection::process() {
  std::string message;
  int handled = 0;
  resume_ = false;
  const auto turn_end = std::chrono::steady_clock::now() + kTurnTime;
  while (!blocked_ && open_calls_ < kMaxOpenCalls && !closing_ &&
         output_.size() - output_sent_ < server_.limits_.max_output_bytes) {
    if (handled == kCallsPerTurn ||
        (handled > 0 && reader_.buffered() > 0 && std::chrono::steady_clock::now() >= turn_end)) {
      resume_ = true;
      touch();  // being served is not idle
      return;
    }
    ++handled;
    auto status = reader_.next(message);
    if (status == protocol::MessageReader::Status::need_more) break;
    if (status == protocol::MessageReader::Status::too_large) {
      send(protocol::error_reply(protocol::invalid_parameter(
               "message",
               fmt::format("message exceeds {} bytes", server_.limits_.max_message_bytes))),
           true, begin_call());
      continue;
    }
    auto call = protocol::parse_call(message);
    if (!call) {
      send(protocol::error_reply(call.error()), true, begin_call());
      continue;
    }
    // A oneway call is never answered: it takes no place in the order.
    const std::uint64_t sequence = call->oneway ? next_sequence_ : begin_call();
    auto responder =
        std::make_shared<Responder>(weak_from_this(), sequence, call->more, call->oneway);
    server_.dispatcher_(*call, responder);
    if (!call->oneway && !responder->done() && !responder->is_awaiting_commit()) {
      blocked_ = true;
      blocking_ = sequence;
    }
  }
  // Nobody is left to read stream updates; but the replies of calls that
  // only wait for this iteration's commit (Track) are still sent, as they
  // would have been had they been answered at once.
  if (peer_closed_ && (blocked_ || open_calls_ == 0)) {
    flush();
    closing_ = true;
  }
}

std::uint64_t Connection::begin_call() {
  ++open_calls_;
  return next_sequence_++;
}

void Connection::send(const nlohmann::json& message, bool finished, std::uint64_t sequence) {
  if (closing_) return;
  send_encoded(protocol::encode(message), finished, sequence);
}

void Connection::send_encoded(std::string&& encoded, bool finished, std::uint64_t sequence) {
  if (closing_) return;
  if (sequence != front_) {
    auto& held = held_[sequence];
    held.first += encoded;
    held.second = finished;
  } else {
    append(std::move(encoded), finished);
  }
  if (finished) {
    --open_calls_;
    if (blocked_ && sequence == blocking_) blocked_ = false;
  }
  // Not written here: replies are written together, at the end of this
  // connection's turn or, when they come from elsewhere (a commit answering
  // a whole turn's Tracks at once), on the next wakeup, which the EPOLLOUT
  // that update_events() asks for brings at once.
  if (output_.size() - output_sent_ > 4 * server_.limits_.max_output_bytes) {
    log_warning(
        fmt::format("dropping a client (pid {}) that does not read its replies", peer_.pid));
    close_soon();
    return;
  }
  // A reply from outside on_io (a Wait that finished, a commit) may unblock
  // calls that are already buffered: no read event would come for them, so resume.
  if (finished && !blocked_ && reader_.buffered() > 0) resume_ = true;
  if (finished && peer_closed_ && open_calls_ == 0 && !resume_) {
    flush();
    if (!closing_) close_soon();  // the last awaited reply of a client that is gone
    return;
  }
  update_events();
}

// Output of the front call; when it finishes, the held replies of the
// calls after it follow, as far as those are finished.
void Connection::append(std::string&& encoded, bool finished) {
  output_ += encoded;
  while (finished) {
    ++front_;
    auto next = held_.find(front_);
    if (next == held_.end()) return;
    output_ += next->second.first;
    finished = next->second.second;
    held_.erase(next);  // an unfinished stream's next replies go straight out
  }
}

void Connection::flush() {
  while (output_sent_ < output_.size()) {
    ssize_t sent =
        ::send(fd_, output_.data() + output_sent_, output_.size() - output_sent_, MSG_NOSIGNAL);
    if (sent > 0) {
      output_sent_ += static_cast<std::size_t>(sent);
      continue;
    }
    if (sent < 0 && (errno == EAGAIN || errno == EINTR)) break;
    close_soon();
    return;
  }
  if (output_sent_ == output_.size()) {
    output_.clear();
    output_sent_ = 0;
  } else if (output_sent_ > 64 * 1024 && output_sent_ > output_.size() / 2) {
    output_.erase(0, output_sent_);
    output_sent_ = 0;
  }
}

void Connection::update_events() {
  if (closing_ || !io_) return;
  std::uint32_t events = 0;
  bool backlog = output_.size() - output_sent_ >= server_.limits_.max_output_bytes;
  bool queued = reader_.buffered() > server_.limits_.max_message_bytes;
  if (!backlog && !queued && !peer_closed_) events |= EPOLLIN;
  if (output_sent_ < output_.size() || resume_) events |= EPOLLOUT;
  sd_event_source_set_io_events(io_, events);
}

void Connection::close_soon() {
  if (closing_) return;
  closing_ = true;
  // Outside on_io (a reply from a timer), drop now; on_io drops on return.
  auto self = shared_from_this();
  sd_event_source_set_enabled(io_, SD_EVENT_OFF);
  server_.drop(this);
}

}  // namespace jobtrack
