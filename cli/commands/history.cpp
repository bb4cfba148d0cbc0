// jobtrackctl history JOB
#include <memory>

#include "cli/commands/common.h"
#include "cli/csv.h"
#include "cli/exit_codes.h"
#include "cli/render.h"

namespace jobtrack::cli {

Command add_history(CLI::App& parent, const GlobalOptions& global) {
  auto job_text = std::make_shared<std::string>();
  auto* app = parent.add_subcommand("history", "Show a job's transitions, oldest first");
  app->footer(R"(Examples:
  jobtrackctl history 42
  jobtrackctl history prism:7f3c9a --json | jq -r '.[].to')");
  add_job_argument(*app, *job_text);

  return {app, [job_text, &global] {
            auto reply = call(global, "History", job_parameters(*job_text));
            if (!reply) return reply.error();
            auto transitions = reply_field(*reply, "transitions", nlohmann::json::value_t::array);
            if (!transitions) return transitions.error();
            if (global.json) {
              nlohmann::json out = nlohmann::json::array();
              for (const auto& transition : *transitions) {
                out.push_back(transition_for_scripts(transition));
              }
              print(json_text(out));
            } else if (global.csv()) {
              print(csv_header(transition_fields()));
              for (const auto& transition : *transitions) {
                print(csv_record(transition, transition_fields()));
              }
            } else {
              print(transitions_table(*transitions));
            }
            return int{kExitOk};
          }};
}

}  // namespace jobtrack::cli
