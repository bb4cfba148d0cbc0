// CountDeltas: the changes the Store's own writes make to the counts kept in
// job_counts (jobs per endpoint and state) and row_counts ('transitions'),
// gathered in memory while a transaction is open and written into those
// tables once, just before it commits.
//
// Why: the schema's triggers (schema/006) keep the counts for any writer, but a trigger (or
// an enforced foreign key) makes SQLite run every statement of the poll path
// with a statement journal, copying each page it touches. The Store's
// connection therefore runs with triggers and foreign-key enforcement off
// and does both jobs itself: it counts here and deletes a job's dependent
// rows explicitly. Other connections (sqlite3 and the like) still fire the
// triggers, so the tables stay exact for every writer.
//
// A plain value: copied to take a snapshot before a savepoint, assigned back
// when the savepoint is rolled back. Owned by the Store; loop thread only.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "daemon/job.h"

namespace jobtrack {

struct CountDeltas {
  static constexpr std::size_t kStates = 9;
  using ByState = std::array<std::int64_t, kStates>;  // by static_cast<std::size_t>(State)
  struct Endpoint {
    std::string name;
    ByState jobs{};
  };
  // Few entries (one per endpoint written in this transaction), so a list.
  std::vector<Endpoint> endpoints;
  std::int64_t transitions = 0;

  void add_job(const std::string& endpoint, State state, std::int64_t n = 1) {
    of(endpoint)[static_cast<std::size_t>(state)] += n;
  }
  void move_job(const std::string& endpoint, State from, State to) {
    if (from == to) return;
    ByState& jobs = of(endpoint);
    jobs[static_cast<std::size_t>(from)] -= 1;
    jobs[static_cast<std::size_t>(to)] += 1;
  }
  // The change to one endpoint's jobs in `state`.
  std::int64_t jobs_of(const std::string& endpoint, State state) const {
    for (const auto& entry : endpoints) {
      if (entry.name == endpoint) return entry.jobs[static_cast<std::size_t>(state)];
    }
    return 0;
  }
  // The change to all endpoints' jobs in `state`.
  std::int64_t jobs_in(State state) const {
    std::int64_t total = 0;
    for (const auto& entry : endpoints) total += entry.jobs[static_cast<std::size_t>(state)];
    return total;
  }
  bool empty() const {
    if (transitions != 0) return false;
    for (const auto& entry : endpoints) {
      for (const auto n : entry.jobs) {
        if (n != 0) return false;
      }
    }
    return true;
  }
  void clear() {
    endpoints.clear();
    transitions = 0;
  }

 private:
  ByState& of(const std::string& endpoint) {
    for (auto& entry : endpoints) {
      if (entry.name == endpoint) return entry.jobs;
    }
    return endpoints.emplace_back(Endpoint{endpoint, {}}).jobs;
  }
};

static_assert(static_cast<std::size_t>(State::timed_out) + 1 == CountDeltas::kStates);

}  // namespace jobtrack
