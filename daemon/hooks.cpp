#include "daemon/hooks.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include <fmt/format.h>
#include <spawn.h>

#include "daemon/log.h"
#include "daemon/protocol/durations.h"

namespace jobtrack {

namespace {

constexpr const char* kDefaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

std::string trimmed(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' '))
    text.pop_back();
  return text;
}

}  // namespace

std::vector<std::string> hook_environment(const Job& job, const Transition& transition,
                                          const std::string& path) {
  std::vector<std::string> env;
  auto set = [&env](std::string_view name, std::string_view value) {
    env.push_back(fmt::format("{}={}", name, value));
  };
  set("PATH", path);
  set("JOBTRACK_JOB_ID", std::to_string(job.id));
  set("JOBTRACK_ENDPOINT", job.endpoint);
  set("JOBTRACK_REMOTE_ID", job.remote_id);
  if (job.label) set("JOBTRACK_LABEL", *job.label);
  if (transition.from) set("JOBTRACK_FROM", to_string(*transition.from));
  set("JOBTRACK_TO", to_string(transition.to));
  if (transition.remote_status) set("JOBTRACK_REMOTE_STATUS", *transition.remote_status);
  std::optional<double> progress = transition.progress ? transition.progress : job.progress;
  if (progress) set("JOBTRACK_PROGRESS", fmt::format("{}", *progress));
  if (job.result_url) set("JOBTRACK_RESULT_URL", *job.result_url);
  if (job.error_message) {
    set("JOBTRACK_ERROR", *job.error_message);
  } else if (job.error_code) {
    set("JOBTRACK_ERROR", *job.error_code);
  }
  return env;
}

struct HookRunner::Child {
  HookRunner* runner = nullptr;
  Request request;
  pid_t pid = 0;
  int fd = -1;
  sd_event_source* process = nullptr;
  sd_event_source* output_source = nullptr;
  sd_event_source* timer = nullptr;
  std::string output;
  std::size_t output_total = 0;
  bool terminated = false;  // SIGTERM sent at the timeout
  bool killed = false;      // SIGKILL sent after the grace

  // Reads what the pipe holds now; false at end of file or on an error.
  bool drain() {
    char buffer[4096];
    for (;;) {
      ssize_t n = read(fd, buffer, sizeof buffer);
      if (n > 0) {
        std::size_t count = static_cast<std::size_t>(n);
        std::size_t keep = std::min(count, kOutputBytes - std::min(kOutputBytes, output.size()));
        output.append(buffer, keep);
        output_total += count;
        continue;
      }
      if (n < 0 && errno == EINTR) continue;
      return n < 0 && errno == EAGAIN;
    }
  }

  ~Child() {
    // A child source owned by us SIGKILLs a process still running when freed.
    if (process) sd_event_source_disable_unref(process);
    if (output_source) sd_event_source_disable_unref(output_source);
    if (timer) sd_event_source_disable_unref(timer);
    if (fd >= 0) close(fd);
  }
};

HookRunner::HookRunner(sd_event* loop, std::size_t max_running, std::size_t max_queued)
    : loop_(loop), max_running_(max_running), max_queued_(max_queued) {
  const char* path = std::getenv("PATH");
  path_ = path && *path ? path : kDefaultPath;
}

HookRunner::~HookRunner() = default;

void HookRunner::configure(const Config& config) {
  global_ = config.on_transition;
  timeout_ = config.hook_timeout;
  by_endpoint_.clear();
  for (const EndpointConfig& endpoint : config.endpoints) {
    if (!endpoint.on_transition.empty()) by_endpoint_[endpoint.name] = endpoint.on_transition;
  }
}

const std::vector<std::string>* HookRunner::command(const std::string& endpoint,
                                                    const Transition& transition) const {
  if (transition.from && *transition.from == transition.to) return nullptr;
  auto own = by_endpoint_.find(endpoint);
  const std::vector<std::string>& argv = own != by_endpoint_.end() ? own->second : global_;
  return argv.empty() ? nullptr : &argv;
}

void HookRunner::transition(const Job& job, const Transition& transition) {
  const std::vector<std::string>* argv = command(job.endpoint, transition);
  if (!argv) return;
  Request request;
  request.argv = *argv;
  request.env = hook_environment(job, transition, path_);
  request.timeout = timeout_;
  request.job_id = job.id;
  request.endpoint = job.endpoint;
  request.remote_id = job.remote_id;
  request.change = fmt::format("{} → {}", transition.from ? to_string(*transition.from) : "new",
                               to_string(transition.to));
  pending_.push_back(std::move(request));
}

void HookRunner::start_pending() {
  if (pending_.empty()) return;
  std::vector<Request> pending;
  pending.swap(pending_);
  // Starting as we go: max_queued counts only hooks that wait for a slot.
  for (Request& request : pending) {
    enqueue(std::move(request));
    start_queued();
  }
}

void HookRunner::enqueue(Request request) {
  if (queue_.size() >= max_queued_) {
    log_warning(fmt::format("hook for job {} ({}) dropped: {} hooks running and {} waiting",
                            request.job_id, request.change, running_.size(), queue_.size()),
                LogFields{request.job_id, request.endpoint, request.remote_id, {}});
    return;
  }
  queue_.push_back(std::move(request));
}

void HookRunner::start_queued() {
  while (running_.size() < max_running_ && !queue_.empty()) {
    Request request = std::move(queue_.front());
    queue_.pop_front();
    spawn(std::move(request));
  }
}

void HookRunner::spawn(Request request) {
  LogFields fields{request.job_id, request.endpoint, request.remote_id, {}};
  int pipe_fds[2];
  if (pipe2(pipe_fds, O_CLOEXEC | O_NONBLOCK) < 0) {
    log_error(fmt::format("cannot run hook {}: pipe: {}", request.argv[0], std::strerror(errno)),
              fields);
    return;
  }
  // The child's end blocks: a hook writing more than the pipe holds waits
  // for us rather than failing with EAGAIN.
  fcntl(pipe_fds[1], F_SETFL, fcntl(pipe_fds[1], F_GETFL) & ~O_NONBLOCK);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], 1);
  posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], 2);
  // Everything above stderr (database, sockets, spool files) stays ours,
  // even a descriptor someone opened without O_CLOEXEC.
  posix_spawn_file_actions_addclosefrom_np(&actions, 3);

  posix_spawnattr_t attributes;
  posix_spawnattr_init(&attributes);
  sigset_t none;
  sigemptyset(&none);
  posix_spawnattr_setsigmask(&attributes, &none);  // the daemon blocks SIGCHLD, SIGTERM, ...
  sigset_t defaults;
  sigemptyset(&defaults);
  for (int signal : {SIGPIPE, SIGTERM, SIGINT, SIGHUP, SIGCHLD}) sigaddset(&defaults, signal);
  posix_spawnattr_setsigdefault(&attributes, &defaults);
  // Its own process group, so that the timeout reaches what it started too.
  posix_spawnattr_setpgroup(&attributes, 0);
  posix_spawnattr_setflags(&attributes,
                           POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP);

  std::vector<char*> argv;
  for (std::string& arg : request.argv) argv.push_back(arg.data());
  argv.push_back(nullptr);
  std::vector<char*> envp;
  for (std::string& entry : request.env) envp.push_back(entry.data());
  envp.push_back(nullptr);

  pid_t pid = 0;
  int error = posix_spawn(&pid, argv[0], &actions, &attributes, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attributes);
  close(pipe_fds[1]);
  if (error != 0) {
    close(pipe_fds[0]);
    log_error(fmt::format("cannot run hook {} for job {} ({}): {}", request.argv[0], request.job_id,
                          request.change, std::strerror(error)),
              fields);
    start_queued();
    return;
  }

  auto child = std::make_unique<Child>();
  child->runner = this;
  child->pid = pid;
  child->fd = pipe_fds[0];
  child->request = std::move(request);
  Child* raw = child.get();
  int r = sd_event_add_child(loop_, &raw->process, pid, WEXITED, &HookRunner::on_exit, raw);
  if (r < 0) {
    // Without a child source nobody reaps it: stop it and wait here, once.
    kill(-pid, SIGKILL);
    waitpid(pid, nullptr, 0);
    log_error(fmt::format("cannot watch hook {}: {}", raw->request.argv[0], std::strerror(-r)),
              fields);
    return;
  }
  sd_event_source_set_child_process_own(raw->process, 1);
  if (sd_event_add_io(loop_, &raw->output_source, raw->fd, EPOLLIN, &HookRunner::on_output, raw) <
      0) {
    raw->output_source = nullptr;  // the output is read once the hook exits
  }
  sd_event_add_time_relative(loop_, &raw->timer, CLOCK_MONOTONIC,
                             static_cast<std::uint64_t>(raw->request.timeout) * 1000, 0,
                             &HookRunner::on_timeout, raw);
  log_debug(fmt::format("hook {} started for job {} ({}), pid {}", raw->request.argv[0],
                        raw->request.job_id, raw->request.change, pid),
            fields);
  running_.emplace(pid, std::move(child));
}

int HookRunner::on_output(sd_event_source* source, int, std::uint32_t, void* self) {
  auto* child = static_cast<Child*>(self);
  if (!child->drain()) {
    // End of file: the exit (not the pipe) ends the hook.
    sd_event_source_set_enabled(source, SD_EVENT_OFF);
  }
  return 0;
}

int HookRunner::on_timeout(sd_event_source* source, std::uint64_t, void* self) {
  auto* child = static_cast<Child*>(self);
  if (!child->terminated) {
    child->terminated = true;
    log_warning(
        fmt::format("hook {} for job {} ({}) still running after {}: terminating it",
                    child->request.argv[0], child->request.job_id, child->request.change,
                    protocol::format_duration_ms(child->request.timeout)),
        LogFields{child->request.job_id, child->request.endpoint, child->request.remote_id, {}});
    kill(-child->pid, SIGTERM);
    sd_event_source_set_time_relative(source, static_cast<std::uint64_t>(kKillGrace) * 1000);
    sd_event_source_set_enabled(source, SD_EVENT_ONESHOT);
  } else {
    child->killed = true;
    kill(-child->pid, SIGKILL);
  }
  return 0;
}

int HookRunner::on_exit(sd_event_source*, const siginfo_t* info, void* self) {
  auto* child = static_cast<Child*>(self);
  child->runner->finish(*child, info->si_code, info->si_status);
  return 0;
}

void HookRunner::finish(Child& child, int code, int status) {
  child.drain();
  const Request& request = child.request;
  std::string output = trimmed(child.output);
  if (child.output_total > child.output.size()) {
    output += fmt::format(" [{} more bytes]", child.output_total - child.output.size());
  }
  std::string how;
  bool ok = false;
  if (code == CLD_EXITED) {
    ok = status == 0;
    how = fmt::format("exited with status {}", status);
  } else {
    const char* name = sigabbrev_np(status);
    how = fmt::format("killed by SIG{}{}", name ? name : std::to_string(status),
                      child.terminated ? " after its timeout" : "");
  }
  std::string message = fmt::format("hook {} for job {} ({}) {}", request.argv[0], request.job_id,
                                    request.change, how);
  if (!output.empty()) message += fmt::format("; output: {}", output);
  LogFields fields{request.job_id, request.endpoint, request.remote_id, {}};
  if (ok) {
    log_info(message, fields);
  } else {
    log_warning(message, fields);
  }
  // Freeing the child source inside its own callback is fine: sd-event holds
  // a reference until the dispatch ends and then reaps the process.
  running_.erase(child.pid);
  start_queued();
}

}  // namespace jobtrack
