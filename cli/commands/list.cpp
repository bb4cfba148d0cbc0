// jobtrackctl list [--state S]... [--endpoint E] [--label L] [--since T]
//                  [--until T] [--terminal|--active] [--order O] [--limit N]
//
// Every filter is the daemon's (List); the CLI only turns relative times
// into ISO 8601 and --terminal / --active into `terminal`.
#include <memory>
#include <vector>

#include <fmt/format.h>

#include "cli/commands/common.h"
#include "cli/csv.h"
#include "cli/exit_codes.h"
#include "cli/failure.h"
#include "cli/render.h"
#include "cli/time_filter.h"

namespace jobtrack::cli {
namespace {

CLI::Validator time_filter() {
  return CLI::Validator(
      [](std::string& text) {
        auto parsed = parse_time_filter(text, 0);
        return parsed ? std::string() : parsed.error();
      },
      "TIME", "TIME");
}

}  // namespace

Command add_list(CLI::App& parent, const GlobalOptions& global) {
  struct State {
    std::vector<std::string> states;
    std::string endpoint, label, since, until, order;
    bool terminal = false, active = false;
    std::int64_t limit = 0;
  };
  auto state = std::make_shared<State>();
  auto* app = parent.add_subcommand("list", "List tracked jobs, newest first");
  app->footer(R"(Examples:
  jobtrackctl list --state running,queued
  jobtrackctl list --endpoint prism --since 2h --order -updated
  jobtrackctl list --terminal --label nightly --output csv > jobs.csv
  jobtrackctl list --active --json | jq -r '.[].id'

TIME is ISO 8601 (2026-11-22T06:30:00Z) or a duration meaning that long ago (2h, 3d).
--since and --until filter on when the job was submitted.)");
  // Unknown state names are left for the daemon to refuse (InvalidParameter).
  app->add_option("--state", state->states, "only jobs in these states (repeat or comma-separate)")
      ->delimiter(',');
  auto* endpoint = app->add_option("--endpoint", state->endpoint, "only jobs on this endpoint");
  auto* label = app->add_option("--label", state->label, "only jobs with this label");
  auto* since = app->add_option("--since", state->since, "only jobs submitted at or after TIME")
                    ->check(time_filter());
  auto* until = app->add_option("--until", state->until, "only jobs submitted before TIME")
                    ->check(time_filter());
  auto* terminal = app->add_flag("--terminal", state->terminal, "only jobs that have ended");
  auto* active = app->add_flag("--active", state->active, "only queued and running jobs");
  terminal->excludes(active);
  auto* order =
      app->add_option("--order", state->order,
                      "id, submitted or updated; '-' first for descending (default -submitted)")
          ->check(CLI::IsMember({"id", "-id", "submitted", "-submitted", "updated", "-updated"}));
  auto* limit =
      app->add_option("--limit", state->limit, "at most N jobs (the daemon's default: 100)")
          ->check(positive());

  return {app, [=, &global] {
            nlohmann::json parameters = nlohmann::json::object();
            std::int64_t now = now_ms();
            if (!state->states.empty()) parameters["state"] = state->states;
            if (endpoint->count() > 0) parameters["endpoint"] = state->endpoint;
            if (label->count() > 0) parameters["label"] = state->label;
            if (since->count() > 0) parameters["since"] = *parse_time_filter(state->since, now);
            if (until->count() > 0) parameters["until"] = *parse_time_filter(state->until, now);
            if (terminal->count() > 0) parameters["terminal"] = true;
            if (active->count() > 0) parameters["terminal"] = false;
            if (order->count() > 0) parameters["order"] = state->order;
            if (limit->count() > 0) parameters["limit"] = state->limit;
            auto reply = call(global, "List", parameters);
            if (!reply) return reply.error();
            auto jobs = reply_field(*reply, "jobs", nlohmann::json::value_t::array);
            if (!jobs) return jobs.error();
            if (global.json) {
              nlohmann::json out = nlohmann::json::array();
              for (const auto& job : *jobs) out.push_back(job_for_scripts(job));
              print(json_text(out));
            } else if (global.csv()) {
              print(csv_header(job_fields()));
              for (const auto& job : *jobs) print(csv_record(job, job_fields()));
            } else {
              print(jobs_table(*jobs, now, global.look()));
            }
            return int{kExitOk};
          }};
}

}  // namespace jobtrack::cli
