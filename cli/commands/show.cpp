// jobtrackctl show JOB
#include <memory>

#include "cli/commands/common.h"
#include "cli/render.h"

namespace jobtrack::cli {

Command add_show(CLI::App& parent, const GlobalOptions& global) {
  auto job_text = std::make_shared<std::string>();
  auto* app = parent.add_subcommand("show", "Show everything known about one job");
  app->footer(R"(Examples:
  jobtrackctl show 42
  jobtrackctl show prism:7f3c9a
  jobtrackctl show 42 --json | jq -r .state)");
  add_job_argument(*app, *job_text);

  return {app, [job_text, &global] {
            return print_job_reply(
                global, "Get", job_parameters(*job_text),
                [&global](const nlohmann::json& job) { return job_details(job, global.look()); });
          }};
}

}  // namespace jobtrack::cli
