// Watchers holds the open Wait calls and tells them about transitions.
//
// Transitions are queued as the scheduler records them and delivered by
// flush(), which the daemon calls only after the batch that holds them is
// committed: a client is never told of a change that a crash could undo.
// Loop thread only.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <vector>

#include "daemon/job.h"
#include "daemon/server.h"

namespace jobtrack {

class Watchers {
 public:
  using Render = std::function<nlohmann::json(const Job&)>;
  explicit Watchers(Render render) : render_(std::move(render)) {}

  void add(std::int64_t job_id, ResponderPtr responder);
  void queue(const Job& job, const Transition& transition);
  // Sends what was queued; the last reply (continues=false) once terminal.
  void flush();
  // The job was deleted: its waiters get NoSuchJob.
  void job_deleted(std::int64_t job_id);
  std::size_t waiting() const;

 private:
  struct Event {
    Job job;
    Transition transition;
  };
  Render render_;
  std::map<std::int64_t, std::vector<ResponderPtr>> waiters_;
  std::vector<Event> pending_;
};

}  // namespace jobtrack
