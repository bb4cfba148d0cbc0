// jobtrackctl wait JOB [--timeout DURATION]
//
// Streams Wait (with "more") and prints a line per transition. The exit
// code says how the job ended: 0 succeeded, 2 partial, 1 any other
// terminal state, 124 when --timeout passed first.
#include <chrono>
#include <memory>

#include <fmt/format.h>

#include "cli/commands/common.h"
#include "cli/exit_codes.h"
#include "cli/failure.h"
#include "cli/render.h"
#include "daemon/protocol/durations.h"

namespace jobtrack::cli {
namespace {

using nlohmann::json;

int exit_code_for_state(const std::string& state) {
  if (state == "succeeded") return kExitOk;
  if (state == "partial") return kExitPartial;
  return kExitFailure;
}

bool is_active(const std::string& state) {
  return state == "queued" || state == "running";
}

}  // namespace

Command add_wait(CLI::App& parent, const GlobalOptions& global) {
  struct State {
    std::string job, timeout;
  };
  auto state = std::make_shared<State>();
  auto* app = parent.add_subcommand(
      "wait", "Wait until a job ends; exit 0 succeeded, 2 partial, 1 other, 124 timeout");
  add_job_argument(*app, state->job);
  auto* timeout =
      add_duration_option(*app, "--timeout", state->timeout, "give up after this long (exit 124)");

  return {
      app, [state, timeout, &global] {
        VarlinkClient::Deadline deadline;
        if (timeout->count() > 0) {
          deadline = std::chrono::steady_clock::now() +
                     std::chrono::milliseconds(protocol::parse_duration_ms(state->timeout).value());
        }
        auto client = connect(global);
        if (!client) return client.error();

        std::string last_state;
        bool first = true;
        auto on_reply = [&](const json& reply) {
          json job = reply.value("job", json::object());
          if (job.is_object() && job.value("state", json()).is_string()) {
            last_state = job["state"].get<std::string>();
          }
          const json& transition = reply.value("transition", json());
          if (global.json) {
            print(json{{"job", job_for_scripts(job)},
                       {"transition",
                        transition.is_null() ? json(nullptr) : transition_for_scripts(transition)}}
                      .dump(-1, ' ', false, json::error_handler_t::replace) +
                  "\n");
          } else if (first || transition.is_null()) {
            print(job_summary_line(job) + "\n");
          } else {
            print(transition_line(transition) + "\n");
          }
          std::fflush(stdout);
          first = false;
        };
        auto done =
            client->call_more(method_name("Wait"), job_parameters(state->job), on_reply, deadline);
        if (!done && done.error().name == client_errors::kTimeout) {
          return report(Failure{
              kExitTimeout,
              fmt::format("timed out waiting for job {}{}", state->job,
                          last_state.empty() ? "" : fmt::format(" (still {})", last_state))});
        }
        if (!done) return report(describe(done.error()));
        if (last_state.empty() || is_active(last_state)) {
          return report(
              Failure{kExitSoftware, fmt::format("jobtrackd ended the wait for job {} before it "
                                                 "finished",
                                                 state->job)});
        }
        return exit_code_for_state(last_state);
      }};
}

}  // namespace jobtrack::cli
