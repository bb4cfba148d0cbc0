// Watchers holds the open Wait calls (waiters of one job) and the open Watch
// calls (observers of every job, optionally narrowed to an endpoint and a
// label) and tells them about transitions.
//
// Transitions are queued as the scheduler records them and delivered by
// flush(), which the daemon calls only after the batch that holds them is
// committed: a client is never told of a change that a crash could undo.
// Observers never get a final reply: their call lasts until the client
// hangs up, and the responders of clients that left are dropped at the next
// flush or add. Loop thread only.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "daemon/job.h"
#include "daemon/server.h"

namespace jobtrack {

class Watchers {
 public:
  using Render = std::function<nlohmann::json(const Job&)>;
  explicit Watchers(Render render) : render_(std::move(render)) {}

  void add(std::int64_t job_id, ResponderPtr responder);
  // A Watch call (with "more"): every later transition of a job that
  // matches the filters (none set: every job), one reply each, forever.
  void observe(std::optional<std::string> endpoint, std::optional<std::string> label,
               ResponderPtr responder);
  // Whether anyone would hear of a transition of the job now.
  bool wants(std::int64_t job_id) const {
    return waiters_.count(job_id) > 0 || !observers_.empty();
  }
  void queue(const Job& job, const Transition& transition);
  // Sends what was queued; the last reply (continues=false) once terminal.
  void flush();
  // The job was deleted: its waiters get NoSuchJob.
  void job_deleted(std::int64_t job_id);
  std::size_t waiting() const;
  std::size_t observing() const { return observers_.size(); }

 private:
  struct Event {
    Job job;
    Transition transition;
  };
  struct Observer {
    std::optional<std::string> endpoint, label;
    ResponderPtr responder;
  };
  void deliver_to_observers(const Event& event, const nlohmann::json& reply);

  Render render_;
  std::map<std::int64_t, std::vector<ResponderPtr>> waiters_;
  std::vector<Observer> observers_;
  std::vector<Event> pending_;
};

}  // namespace jobtrack
