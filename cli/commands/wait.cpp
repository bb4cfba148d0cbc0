// jobtrackctl wait JOB... [--any | --all] [--timeout DURATION]
//
// One Wait call with "more" per job, each on its own connection, multiplexed
// with ppoll (cli/signals.h): the daemon pushes every transition, the CLI
// never polls. On a terminal, a live line per job (progress bar, state,
// elapsed time) redrawn in place; otherwise one line per transition (JSON
// lines with --json). Exit codes: --all (the default) the worst outcome (1
// or another error's code if any job did not succeed or partially, else 2
// if any ended partial, else 0); --any the code of the first job to end;
// 124 when --timeout passed first; 130 on Ctrl-C. Jobs stay tracked.
#include <chrono>
#include <memory>
#include <optional>
#include <vector>

#include <fmt/format.h>

#include "cli/commands/common.h"
#include "cli/exit_codes.h"
#include "cli/failure.h"
#include "cli/job_ref.h"
#include "cli/render.h"
#include "cli/signals.h"
#include "cli/style.h"
#include "daemon/protocol/durations.h"
#include "daemon/protocol/times.h"

namespace jobtrack::cli {
namespace {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

int exit_code_for_state(const std::string& state) {
  if (state == "succeeded") return kExitOk;
  if (state == "partial") return kExitPartial;
  return kExitFailure;
}

bool is_active(const std::string& state) {
  return state == "queued" || state == "running";
}

std::string state_of(const json& job) {
  auto it = job.is_object() ? job.find("state") : job.end();
  return job.is_object() && it != job.end() && it->is_string() ? it->get<std::string>()
                                                               : std::string();
}

struct Waited {
  std::string ref;  // JOB as typed
  std::optional<VarlinkClient> client;
  json job = json::object();
  bool first = true;
  std::optional<int> code;  // set once the job's wait is over
};

// The worst of the finished jobs' codes, for --all.
int worst_code(const std::vector<Waited>& jobs) {
  bool partial = false;
  for (const Waited& waited : jobs) {
    int code = waited.code.value_or(kExitSoftware);
    if (code != kExitOk && code != kExitPartial) return code;
    partial = partial || code == kExitPartial;
  }
  return partial ? kExitPartial : kExitOk;
}

class Display {
 public:
  Display(const GlobalOptions& global, std::vector<Waited>& jobs)
      : global_(global), jobs_(jobs), live_(global.terminal.is_terminal && !global.json) {
    for (const Waited& waited : jobs_) width_ = std::max(width_, waited.ref.size());
  }
  bool live() const { return live_; }

  void reply(Waited& waited, const json& reply) {
    if (live_) return draw();
    const json& transition = reply.value("transition", json());
    if (global_.json) {
      print_now(json{{"job", job_for_scripts(waited.job)},
                     {"transition",
                      transition.is_null() ? json(nullptr) : transition_for_scripts(transition)}}
                    .dump(-1, ' ', false, json::error_handler_t::replace) +
                "\n");
    } else if (waited.first || transition.is_null()) {
      print_now(job_summary_line(waited.job) + "\n");
    } else if (jobs_.size() > 1) {
      print_now(fmt::format("job {}: {}\n", waited.ref, transition_line(transition)));
    } else {
      print_now(transition_line(transition) + "\n");
    }
  }

  // The live lines, redrawn in place.
  void draw() {
    if (!live_) return;
    std::string out;
    if (drawn_) out += fmt::format("\x1b[{}F", jobs_.size());
    std::int64_t now = now_ms();
    for (const Waited& waited : jobs_) {
      std::string state = state_of(waited.job);
      std::string shown = state.empty() ? "waiting" : state;
      out += fmt::format("\x1b[2K{:<{}}  {}  {}  {}\n", waited.ref, width_,
                         progress_bar(waited.job.value("progress", json())),
                         colored_state(state, fmt::format("{:<9}", shown), global_.color),
                         elapsed(waited.job, now));
    }
    drawn_ = true;
    print_now(out);
  }

 private:
  static std::string elapsed(const json& job, std::int64_t now) {
    auto time = [&](const char* key) -> std::optional<std::int64_t> {
      auto it = job.find(key);
      if (it == job.end() || !it->is_string()) return std::nullopt;
      return protocol::parse_iso8601(it->get<std::string>());
    };
    auto since = time("submitted_at");
    if (!since) return "";
    return elapsed_text(time("finished_at").value_or(now) - *since);
  }

  const GlobalOptions& global_;
  std::vector<Waited>& jobs_;
  bool live_;
  bool drawn_ = false;
  std::size_t width_ = 0;
};

std::string still_waiting(const std::vector<Waited>& jobs) {
  std::string names;
  for (const Waited& waited : jobs) {
    if (waited.code) continue;
    std::string state = state_of(waited.job);
    names += fmt::format("{}{}{}", names.empty() ? "" : ", ", waited.ref,
                         state.empty() ? "" : fmt::format(" (still {})", state));
  }
  return names;
}

}  // namespace

Command add_wait(CLI::App& parent, const GlobalOptions& global) {
  struct State {
    std::vector<std::string> jobs;
    std::string timeout;
    bool any = false, all = false;
  };
  auto state = std::make_shared<State>();
  auto* app = parent.add_subcommand(
      "wait", "Wait until jobs end; exit 0 succeeded, 2 partial, 1 other, 124 timeout");
  app->footer(R"(Examples:
  jobtrackctl wait 42 --timeout 2h && echo imported
  jobtrackctl wait 42 43 44            # all of them; exit with the worst outcome
  jobtrackctl wait --any 42 43         # the first to end decides the exit code

Exit codes: 0 succeeded, 2 partial, 1 failed/cancelled/expired/not_found/timed_out,
4 no such job, 124 --timeout passed, 130 interrupted (the jobs stay tracked).)");
  CLI::Validator check(
      [](std::string& text) {
        auto parsed = parse_job_ref(text);
        return parsed ? std::string() : parsed.error();
      },
      "", "JOB");
  app->add_option("JOB", state->jobs, "local job ids, or ENDPOINT:REMOTE_ID")
      ->required()
      ->check(check);
  auto* any = app->add_flag("--any", state->any, "stop when the first job ends");
  auto* all = app->add_flag("--all", state->all, "wait for every job (the default)");
  any->excludes(all);
  auto* timeout =
      add_duration_option(*app, "--timeout", state->timeout, "give up after this long (exit 124)");

  return {
      app, [state, timeout, &global] {
        std::optional<Clock::time_point> deadline;
        if (timeout->count() > 0) {
          deadline = Clock::now() +
                     std::chrono::milliseconds(protocol::parse_duration_ms(state->timeout).value());
        }
        InterruptGuard guard;
        std::vector<Waited> jobs;
        for (const std::string& ref : state->jobs) {
          auto client = connect(global);
          if (!client) return client.error();
          auto started = client->start(method_name("Wait"), job_parameters(ref));
          if (!started) return report(describe(started.error()));
          Waited waited;
          waited.ref = ref;
          waited.client.emplace(std::move(*client));
          jobs.push_back(std::move(waited));
        }
        Display display(global, jobs);
        display.draw();

        auto finish = [&](Waited& waited, int code) {
          waited.code = code;
          waited.client.reset();
        };
        auto handle = [&](Waited& waited) {
          if (auto read = waited.client->read_some(); !read) {
            return finish(waited, report(describe(read.error())));
          }
          for (;;) {
            auto reply = waited.client->next_reply();
            if (!reply) return finish(waited, report(describe(reply.error())));
            if (!*reply) return;
            json job = (*reply)->parameters.value("job", json());
            if (job.is_object()) waited.job = std::move(job);
            display.reply(waited, (*reply)->parameters);
            waited.first = false;
            if ((*reply)->continues) continue;
            std::string ended = state_of(waited.job);
            if (ended.empty() || is_active(ended)) {
              return finish(
                  waited,
                  report(Failure{kExitSoftware, fmt::format("jobtrackd ended the wait for job {} "
                                                            "before it finished",
                                                            waited.ref)}));
            }
            return finish(waited, exit_code_for_state(ended));
          }
        };

        for (;;) {
          std::vector<int> fds;
          std::vector<Waited*> open;
          for (Waited& waited : jobs) {
            if (waited.code) continue;
            fds.push_back(waited.client->fd());
            open.push_back(&waited);
          }
          if (open.empty()) return worst_code(jobs);
          std::optional<std::chrono::milliseconds> wake_in;
          if (display.live()) wake_in = std::chrono::milliseconds(1000);
          if (deadline) {
            auto left = std::chrono::ceil<std::chrono::milliseconds>(*deadline - Clock::now());
            if (left.count() <= 0) {
              return report(Failure{
                  kExitTimeout, fmt::format("timed out waiting for job {}", still_waiting(jobs))});
            }
            wake_in = wake_in ? std::min(*wake_in, left) : left;
          }
          std::vector<bool> readable;
          auto wake = guard.wait_readable(fds, wake_in, readable);
          if (wake == InterruptGuard::Wake::interrupted) {
            return report(
                Failure{kExitInterrupted,
                        fmt::format("interrupted; still tracking job {}", still_waiting(jobs))});
          }
          if (wake == InterruptGuard::Wake::failed) {
            return report(Failure{kExitFailure, "poll failed"});
          }
          if (wake == InterruptGuard::Wake::timeout) {
            display.draw();
            continue;
          }
          for (std::size_t i = 0; i < open.size(); ++i) {
            if (!readable[i]) continue;
            handle(*open[i]);
            if (state->any && open[i]->code) {
              display.draw();
              return *open[i]->code;
            }
          }
        }
      }};
}

}  // namespace jobtrack::cli
