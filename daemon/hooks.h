// Transition hooks: the `on_transition` command of a job's endpoint (or the
// global one) run by the daemon after a change of the job's state is
// committed.
//
// A hook is executed directly with posix_spawn, never through a shell: its
// argv comes from the configuration only, and the job's fields reach it only
// as environment variables (hook_environment()), so no remote value is ever
// parsed as a command. Its environment holds PATH and the JOBTRACK_
// variables and nothing of the daemon's (tokens may live there). Standard
// input is /dev/null; standard output and error share one non-blocking pipe
// whose first kOutputBytes are kept and logged with the exit status through
// log.h. Every descriptor above 2 is closed in the child.
//
// Ownership: the HookRunner owns its children (process, pipe, timers); at
// destruction the children still running are killed (SIGKILL) and reaped by
// sd-event. Edges: at most max_running hooks run at once; the rest wait in
// order, up to max_queued, beyond which a hook is dropped with a warning. A
// hook still running at its timeout gets SIGTERM (its whole process group),
// then SIGKILL kKillGrace later. Reaping needs SIGCHLD blocked in every
// thread (the Daemon blocks it before any thread starts).
//
// Thread: the loop thread only.
#pragma once

#include <systemd/sd-event.h>

#include <cstddef>
#include <deque>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "daemon/config.h"
#include "daemon/job.h"

namespace jobtrack {

// "NAME=value" entries for a hook about `job` after `transition`: the
// JOBTRACK_ variables of every field the job has (an absent field leaves its
// variable unset) and `path` as PATH. Pure, for tests.
std::vector<std::string> hook_environment(const Job& job, const Transition& transition,
                                          const std::string& path);

class HookRunner {
 public:
  static constexpr std::size_t kOutputBytes = 4096;
  static constexpr Millis kKillGrace = 5000;

  HookRunner(sd_event* loop, std::size_t max_running = 8, std::size_t max_queued = 256);
  ~HookRunner();
  HookRunner(const HookRunner&) = delete;
  HookRunner& operator=(const HookRunner&) = delete;

  // Takes the commands and timeout (at start and on reload); hooks already
  // queued or running keep the command they were given.
  void configure(const Config& config);

  // Notes a committed transition of `job` (the Daemon calls it from a
  // Store::after_commit hook); nothing runs until start_pending(), which the
  // loop calls after the commit. Transitions that keep
  // the state (a new remote status or progress only) run no hook.
  void transition(const Job& job, const Transition& transition);
  // Whether transition() would run a hook for it.
  bool wants(const Job& job, const Transition& transition) const {
    return command(job.endpoint, transition) != nullptr;
  }
  // Moves the noted transitions to the queue and starts what may start.
  void start_pending();

  std::size_t running() const { return running_.size(); }
  std::size_t queued() const { return queue_.size(); }

 private:
  struct Request {
    std::vector<std::string> argv;
    std::vector<std::string> env;
    Millis timeout = 0;
    std::int64_t job_id = 0;
    std::string endpoint;
    std::string remote_id;
    std::string change;  // "running → succeeded", for messages
  };
  struct Child;

  // The argv to run for a transition of a job on `endpoint`; null for none.
  const std::vector<std::string>* command(const std::string& endpoint,
                                          const Transition& transition) const;
  void enqueue(Request request);
  void start_queued();
  void spawn(Request request);
  void finish(Child& child, int code, int status);
  static int on_output(sd_event_source* source, int fd, std::uint32_t events, void* self);
  static int on_exit(sd_event_source* source, const siginfo_t* info, void* self);
  static int on_timeout(sd_event_source* source, std::uint64_t usec, void* self);

  sd_event* loop_;
  std::size_t max_running_;
  std::size_t max_queued_;
  std::vector<std::string> global_;
  std::map<std::string, std::vector<std::string>> by_endpoint_;
  Millis timeout_ = 30'000;
  std::string path_;
  std::vector<Request> pending_;
  std::deque<Request> queue_;
  std::map<pid_t, std::unique_ptr<Child>> running_;
};

}  // namespace jobtrack
