// hook_environment(): which JOBTRACK_ variables a hook sees for a transition,
// and that job data reaches it verbatim (never interpreted); HookRunner:
// which command runs for which change, and its limits.
#include "daemon/hooks.h"

#include <signal.h>
#include <sys/stat.h>

#include <algorithm>
#include <fstream>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <pthread.h>

#include "tests/unit/scratch_dir.h"

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

// HookRunner on a real loop with real children: what runs, when, and what is
// dropped. SIGCHLD must be blocked for sd-event's child sources.
namespace {

class BlockedChildSignal {
 public:
  BlockedChildSignal() {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGCHLD);
    pthread_sigmask(SIG_BLOCK, &set, &saved_);
  }
  ~BlockedChildSignal() { pthread_sigmask(SIG_SETMASK, &saved_, nullptr); }
  BlockedChildSignal(const BlockedChildSignal&) = delete;
  BlockedChildSignal& operator=(const BlockedChildSignal&) = delete;

 private:
  sigset_t saved_;
};

struct RunnerFixture {
  BlockedChildSignal blocked;
  jobtrack::test::ScratchDir dir;
  sd_event* loop = nullptr;
  std::string log = dir.file("runs.log");
  std::string script = dir.file("record.sh");

  RunnerFixture() {
    REQUIRE(sd_event_new(&loop) >= 0);
    std::ofstream out(script);
    out << "#!/bin/sh\necho \"$JOBTRACK_JOB_ID $JOBTRACK_FROM>$JOBTRACK_TO $1\" >>" << log << "\n";
    out.close();
    REQUIRE(chmod(script.c_str(), 0755) == 0);
  }
  ~RunnerFixture() { sd_event_unref(loop); }
  RunnerFixture(const RunnerFixture&) = delete;
  RunnerFixture& operator=(const RunnerFixture&) = delete;

  // Runs the loop until the runner has nothing running or queued.
  void settle(jobtrack::HookRunner& runner) {
    for (int i = 0; i < 5000 && (runner.running() > 0 || runner.queued() > 0); ++i) {
      REQUIRE(sd_event_run(loop, 10'000) >= 0);
    }
    REQUIRE(runner.running() == 0);
  }

  std::vector<std::string> runs() const {
    std::vector<std::string> lines;
    std::ifstream in(log);
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    std::sort(lines.begin(), lines.end());
    return lines;
  }
};

Job sample_job(std::int64_t id, const std::string& endpoint) {
  Job job;
  job.id = id;
  job.endpoint = endpoint;
  job.remote_id = "r" + std::to_string(id);
  return job;
}

Transition change(State from, State to) {
  Transition transition;
  transition.from = from;
  transition.to = to;
  return transition;
}

}  // namespace

TEST_CASE("hook runner starts a committed change of state and skips same-state updates") {
  RunnerFixture fixture;
  jobtrack::HookRunner runner(fixture.loop);
  jobtrack::Config config;
  config.on_transition = {fixture.script, "global"};
  runner.configure(config);

  runner.transition(sample_job(1, "prism"), change(State::queued, State::running));
  runner.transition(sample_job(2, "prism"), change(State::running, State::running));
  CHECK(runner.running() == 0);  // nothing before the commit
  runner.start_pending();
  fixture.settle(runner);
  CHECK(fixture.runs() == std::vector<std::string>{"1 queued>running global"});
}

TEST_CASE("hook runner prefers the endpoint's own command to the global one") {
  RunnerFixture fixture;
  jobtrack::HookRunner runner(fixture.loop);
  jobtrack::Config config;
  config.on_transition = {fixture.script, "global"};
  jobtrack::EndpointConfig own;
  own.name = "asana";
  own.on_transition = {fixture.script, "own"};
  config.endpoints.push_back(own);
  runner.configure(config);

  runner.transition(sample_job(1, "prism"), change(State::queued, State::running));
  runner.transition(sample_job(2, "asana"), change(State::queued, State::running));
  runner.start_pending();
  fixture.settle(runner);
  CHECK(fixture.runs() ==
        std::vector<std::string>{"1 queued>running global", "2 queued>running own"});
}

TEST_CASE("hook runner runs at most max_running at once and drops beyond max_queued") {
  RunnerFixture fixture;
  jobtrack::HookRunner runner(fixture.loop, 1, 2);
  jobtrack::Config config;
  config.on_transition = {fixture.script, "global"};
  runner.configure(config);

  for (int id = 1; id <= 4; ++id) {
    runner.transition(sample_job(id, "prism"), change(State::queued, State::running));
  }
  runner.start_pending();
  // The first starts, two wait, the fourth finds the queue full.
  CHECK(runner.running() == 1);
  CHECK(runner.queued() == 2);
  fixture.settle(runner);
  CHECK(fixture.runs() == std::vector<std::string>{"1 queued>running global",
                                                   "2 queued>running global",
                                                   "3 queued>running global"});
}

TEST_CASE("hook runner survives a command that cannot be executed") {
  RunnerFixture fixture;
  jobtrack::HookRunner runner(fixture.loop);
  jobtrack::Config config;
  config.on_transition = {fixture.dir.file("missing-hook")};
  runner.configure(config);
  runner.transition(sample_job(1, "prism"), change(State::queued, State::running));
  runner.start_pending();
  fixture.settle(runner);
  CHECK(runner.queued() == 0);
}
