// hook_environment(): which JOBTRACK_ variables a hook sees for a transition,
// and that job data reaches it verbatim (never interpreted).
#include "daemon/hooks.h"

#include <algorithm>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

using jobtrack::hook_environment;
using jobtrack::Job;
using jobtrack::State;
using jobtrack::Transition;

namespace {

bool has(const std::vector<std::string>& env, const std::string& entry) {
  return std::find(env.begin(), env.end(), entry) != env.end();
}

bool names(const std::vector<std::string>& env, const std::string& name) {
  return std::any_of(env.begin(), env.end(),
                     [&](const std::string& entry) { return entry.starts_with(name + "="); });
}

}  // namespace

TEST_CASE("hook environment carries the job's fields and the change") {
  Job job;
  job.id = 42;
  job.endpoint = "prism";
  job.remote_id = "$(touch pwned); x";
  job.result_url = "https://api.example.com/results/7";
  Transition transition;
  transition.from = State::running;
  transition.to = State::succeeded;
  transition.progress = 100;
  auto env = hook_environment(job, transition, "/usr/bin:/bin");
  CHECK(has(env, "PATH=/usr/bin:/bin"));
  CHECK(has(env, "JOBTRACK_JOB_ID=42"));
  CHECK(has(env, "JOBTRACK_ENDPOINT=prism"));
  CHECK(has(env, "JOBTRACK_REMOTE_ID=$(touch pwned); x"));
  CHECK(has(env, "JOBTRACK_FROM=running"));
  CHECK(has(env, "JOBTRACK_TO=succeeded"));
  CHECK(has(env, "JOBTRACK_PROGRESS=100"));
  CHECK(has(env, "JOBTRACK_RESULT_URL=https://api.example.com/results/7"));
  CHECK_FALSE(names(env, "JOBTRACK_ERROR"));
  CHECK_FALSE(names(env, "JOBTRACK_LABEL"));
}

TEST_CASE("hook environment leaves absent values unset") {
  Job job;
  job.id = 1;
  job.endpoint = "e";
  job.remote_id = "r";
  Transition first;
  first.to = State::queued;
  auto env = hook_environment(job, first, "/bin");
  CHECK_FALSE(names(env, "JOBTRACK_FROM"));
  CHECK_FALSE(names(env, "JOBTRACK_PROGRESS"));
  CHECK_FALSE(names(env, "JOBTRACK_RESULT_URL"));
  CHECK(has(env, "JOBTRACK_TO=queued"));
}

TEST_CASE("hook environment reports the error message, else the code, and fractional progress") {
  Job job;
  job.id = 3;
  job.endpoint = "e";
  job.remote_id = "r";
  job.error_code = "E42";
  job.progress = 12.5;
  Transition transition;
  transition.from = State::running;
  transition.to = State::failed;
  auto env = hook_environment(job, transition, "/bin");
  CHECK(has(env, "JOBTRACK_ERROR=E42"));
  CHECK(has(env, "JOBTRACK_PROGRESS=12.5"));
  job.error_message = "quota exceeded\nline two";
  env = hook_environment(job, transition, "/bin");
  CHECK(has(env, "JOBTRACK_ERROR=quota exceeded\nline two"));
}

TEST_CASE("hook environment holds nothing of the daemon's own environment") {
  Job job;
  job.endpoint = "e";
  Transition transition;
  auto env = hook_environment(job, transition, "/bin");
  for (const std::string& entry : env) {
    INFO(entry);
    CHECK((entry.starts_with("JOBTRACK_") || entry.starts_with("PATH=")));
  }
}
