// CountDeltas: the changes the Store's own writes make to the counts kept in
// job_counts (jobs per state) and row_counts ('transitions'), gathered in
// memory while a transaction is open and written into those tables once,
// just before it commits.
//
// Why: schema 3's triggers keep the counts for any writer, but a trigger (or
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

#include "daemon/job.h"

namespace jobtrack {

struct CountDeltas {
  static constexpr std::size_t kStates = 9;
  std::array<std::int64_t, kStates> jobs{};  // by static_cast<std::size_t>(State)
  std::int64_t transitions = 0;

  void add_job(State state, std::int64_t n = 1) { jobs[static_cast<std::size_t>(state)] += n; }
  void move_job(State from, State to) {
    if (from == to) return;
    add_job(from, -1);
    add_job(to, 1);
  }
  bool empty() const {
    if (transitions != 0) return false;
    for (const auto n : jobs) {
      if (n != 0) return false;
    }
    return true;
  }
  void clear() { *this = CountDeltas{}; }
};

static_assert(static_cast<std::size_t>(State::timed_out) + 1 == CountDeltas::kStates);

}  // namespace jobtrack
