#include "daemon/watchers.h"

#include "daemon/job_json.h"

namespace jobtrack {

void Watchers::add(std::int64_t job_id, ResponderPtr responder) {
  auto& list = waiters_[job_id];
  // Clients that hung up are dropped here too, so a job that never moves
  // does not collect dead waiters.
  std::erase_if(list, [](const ResponderPtr& r) { return r->done() || !r->connected(); });
  list.push_back(std::move(responder));
}

namespace {

bool gone(const ResponderPtr& responder) {
  return responder->done() || !responder->connected();
}

}  // namespace

void Watchers::observe(std::optional<std::string> endpoint, std::optional<std::string> label,
                       ResponderPtr responder) {
  std::erase_if(observers_, [](const Observer& o) { return gone(o.responder); });
  observers_.push_back({std::move(endpoint), std::move(label), std::move(responder)});
}

void Watchers::queue(const Job& job, const Transition& transition) {
  if (!wants(job.id)) return;
  pending_.push_back({job, transition});
}

void Watchers::flush() {
  std::vector<Event> events;
  events.swap(pending_);
  for (const Event& event : events) {
    auto it = waiters_.find(event.job.id);
    if (it == waiters_.end() && observers_.empty()) continue;
    bool terminal = is_terminal(event.job.state);
    nlohmann::json reply = {{"job", render_(event.job)},
                            {"transition", transition_to_json(event.transition)}};
    deliver_to_observers(event, reply);
    if (it == waiters_.end()) continue;
    for (const ResponderPtr& responder : it->second) {
      // Without "more", the caller wants only the final answer.
      if (terminal || responder->more()) responder->reply(reply, !terminal);
    }
    std::erase_if(it->second, [](const ResponderPtr& r) { return r->done() || !r->connected(); });
    if (it->second.empty()) waiters_.erase(it);
  }
}

void Watchers::deliver_to_observers(const Event& event, const nlohmann::json& reply) {
  for (const Observer& observer : observers_) {
    if (gone(observer.responder)) continue;
    if (observer.endpoint && *observer.endpoint != event.job.endpoint) continue;
    if (observer.label && event.job.label != observer.label) continue;
    observer.responder->reply(reply, true);
  }
  std::erase_if(observers_, [](const Observer& o) { return gone(o.responder); });
}

void Watchers::job_deleted(std::int64_t job_id) {
  auto it = waiters_.find(job_id);
  if (it == waiters_.end()) return;
  for (const ResponderPtr& responder : it->second) {
    responder->error({std::string(protocol::errors::kNoSuchJob), {{"id", job_id}}});
  }
  waiters_.erase(it);
}

std::size_t Watchers::waiting() const {
  std::size_t total = 0;
  for (const auto& [id, list] : waiters_) total += list.size();
  return total;
}

}  // namespace jobtrack
