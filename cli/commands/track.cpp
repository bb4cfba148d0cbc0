// jobtrackctl track ENDPOINT REMOTE_ID [--label TEXT] [--deadline DURATION]
#include <memory>

#include <fmt/format.h>

#include "cli/commands/common.h"
#include "cli/exit_codes.h"
#include "cli/render.h"

namespace jobtrack::cli {

Command add_track(CLI::App& parent, const GlobalOptions& global) {
  struct State {
    std::string endpoint, remote_id, label, deadline;
  };
  auto state = std::make_shared<State>();
  auto* app = parent.add_subcommand("track", "Start tracking a job; prints its local id");
  app->add_option("ENDPOINT", state->endpoint, "the configured endpoint the job runs on")
      ->required();
  app->add_option("REMOTE_ID", state->remote_id, "the id the remote API gave the job")->required();
  auto* label = app->add_option("--label", state->label, "a note to find the job by");
  auto* deadline = add_duration_option(*app, "--deadline", state->deadline,
                                       "give up (timed_out) after this long, e.g. 6h");

  return {app, [state, label, deadline, &global] {
            nlohmann::json parameters = {{"endpoint", state->endpoint},
                                         {"remote_id", state->remote_id}};
            if (label->count() > 0) parameters["label"] = state->label;
            if (deadline->count() > 0) parameters["deadline"] = state->deadline;
            auto reply = call(global, "Track", parameters);
            if (!reply) return reply.error();
            auto job = reply_field(*reply, "job", nlohmann::json::value_t::object);
            if (!job) return job.error();
            print(global.json ? json_text(job_for_scripts(*job))
                              : fmt::format("{}\n", value_text((*job)["id"])));
            return int{kExitOk};
          }};
}

}  // namespace jobtrack::cli
