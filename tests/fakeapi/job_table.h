// The scripted jobs: each is a list of steps (a status to render, or a
// fault) that the job walks through as it is polled or as time passes.
//
// A step lasts "polls": N requests or "ms": T milliseconds (whichever comes
// first when both are given; 1 poll when neither); the last step lasts
// forever. Time-based steps are chained from the moment the previous step
// ended, so a job that is not polled for a while still moves on schedule.
// All methods are thread-safe (one mutex around the table).
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "tests/fakeapi/api.h"
#include "tests/fakeapi/util.h"

namespace jobtrack::fakeapi {

enum class StepKind { status, http, close, truncate, raw, redirect, gone };

struct Step {
  StepKind kind = StepKind::status;
  std::optional<std::int64_t> polls;
  std::optional<std::int64_t> ms;
  std::int64_t sleep_ms = 0;  // delay before answering (any kind)
  Json spec;                  // the step as the test wrote it
  // The status fields this step answers with when it renders a status: its
  // own, or those of the latest earlier step that had any (the "current
  // status"); "status" itself is inherited when the step sets other fields only.
  Json status;
};

struct JobTimes {
  SysTime created;
  std::optional<SysTime> started;    // first served status that is not queued
  std::optional<SysTime> completed;  // first served terminal status
};

// What one poll of a job gets.
struct Served {
  Step step;
  std::size_t index = 0;
  std::int64_t poll = 0;  // 1 for the job's first poll
  JobTimes times;
};

// A job's steps never change once parsed; jobs of one lifecycle (all the
// --auto jobs of an API) share one list.
using Steps = std::shared_ptr<const std::vector<Step>>;

// Parses and checks a step list for `api`; throws std::invalid_argument
// with a message for the test author.
Steps parse_steps(Api api, const Json& steps);

class JobTable {
 public:
  // Creates or replaces a job. An empty team matches any team.
  void put(Api api, const std::string& id, const std::string& team, Steps steps);

  // Advances the job and counts one poll. When the id is unknown and
  // auto_steps is not null, the job is created from it first. nullopt: no such
  // job (or the team does not match).
  std::optional<Served> poll(Api api, const std::string& id, const std::string& team,
                             const Steps& auto_steps);

  // {api, id, team, polls, step, step_polls, steps, status}, or nullopt.
  std::optional<Json> describe(Api api, const std::string& id);
  Json list();
  bool forget(Api api, const std::string& id);
  void clear();

 private:
  struct Job {
    std::string team;
    Steps steps;
    std::size_t step = 0;
    std::int64_t step_polls = 0;
    SteadyTime step_started;
    std::int64_t polls = 0;
    JobTimes times;
  };
  using Key = std::pair<Api, std::string>;

  static void advance(Job& job, SteadyTime now);
  static Json describe_job(const Key& key, const Job& job);

  std::mutex mutex_;
  std::map<Key, Job> jobs_;  // guarded by mutex_
};

}  // namespace jobtrack::fakeapi
