// jobtrackctl poll JOB
#include <memory>

#include "cli/commands/common.h"
#include "cli/render.h"

namespace jobtrack::cli {

Command add_poll(CLI::App& parent, const GlobalOptions& global) {
  auto job_text = std::make_shared<std::string>();
  auto* app = parent.add_subcommand(
      "poll", "Poll a job's status now (as soon as its endpoint's limits allow)");
  app->footer("Examples:\n  jobtrackctl poll 42\n  jobtrackctl poll prism:7f3c9a --json");
  add_job_argument(*app, *job_text);

  return {app, [job_text, &global] {
            return print_job_reply(
                global, "PollNow", job_parameters(*job_text),
                [](const nlohmann::json& job) { return job_summary_line(job) + "\n"; });
          }};
}

}  // namespace jobtrack::cli
