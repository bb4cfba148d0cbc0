#include "daemon/poller.h"

#include <sys/epoll.h>
#include <systemd/sd-event.h>

#include <stdexcept>

namespace jobtrack {

Poller::Poller(sd_event* loop, std::string spool_directory)
    : transfers_(std::move(spool_directory)) {
  if (sd_event_add_io(loop, &answers_, transfers_.answers_fd(), EPOLLIN, &Poller::on_answers,
                      this) < 0)
    throw std::runtime_error("cannot add the HTTP answers to the event loop");
}

Poller::~Poller() {
  sd_event_source_disable_unref(answers_);
}

void Poller::start(HttpRequest request, const TransferLimits& limits, Done done) {
  waiting_.emplace(transfers_.submit(std::move(request), limits), std::move(done));
}

void Poller::cancel_all() {
  transfers_.cancel_all();
  waiting_.clear();
}

int Poller::on_answers(sd_event_source*, int, std::uint32_t, void* self_ptr) {
  auto* self = static_cast<Poller*>(self_ptr);
  for (TransferAnswer& answer : self->transfers_.take_answers()) {
    auto node = self->waiting_.extract(answer.id);
    if (!node.empty()) node.mapped()(std::move(answer.response));
  }
  return 0;
}

}  // namespace jobtrack
