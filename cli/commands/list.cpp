// jobtrackctl list [--state S]... [--endpoint E] [--label L] [--limit N]
#include <chrono>
#include <memory>
#include <vector>

#include "cli/commands/common.h"
#include "cli/exit_codes.h"
#include "cli/render.h"

namespace jobtrack::cli {
namespace {

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

Command add_list(CLI::App& parent, const GlobalOptions& global) {
  struct State {
    std::vector<std::string> states;
    std::string endpoint, label;
    std::int64_t limit = 0;
  };
  auto state = std::make_shared<State>();
  auto* app = parent.add_subcommand("list", "List tracked jobs, newest first");
  // Unknown state names are left for the daemon to refuse (InvalidParameter).
  app->add_option("--state", state->states, "only jobs in these states (repeat or comma-separate)")
      ->delimiter(',');
  auto* endpoint = app->add_option("--endpoint", state->endpoint, "only jobs on this endpoint");
  auto* label = app->add_option("--label", state->label, "only jobs with this label");
  auto* limit =
      app->add_option("--limit", state->limit, "at most N jobs (the daemon's default: 100)")
          ->check(positive());

  return {app, [state, endpoint, label, limit, &global] {
            nlohmann::json parameters = nlohmann::json::object();
            if (!state->states.empty()) parameters["state"] = state->states;
            if (endpoint->count() > 0) parameters["endpoint"] = state->endpoint;
            if (label->count() > 0) parameters["label"] = state->label;
            if (limit->count() > 0) parameters["limit"] = state->limit;
            auto reply = call(global, "List", parameters);
            if (!reply) return reply.error();
            auto jobs = reply_field(*reply, "jobs", nlohmann::json::value_t::array);
            if (!jobs) return jobs.error();
            if (global.json) {
              nlohmann::json out = nlohmann::json::array();
              for (const auto& job : *jobs) out.push_back(job_for_scripts(job));
              print(json_text(out));
            } else {
              print(jobs_table(*jobs, now_ms()));
            }
            return int{kExitOk};
          }};
}

}  // namespace jobtrack::cli
