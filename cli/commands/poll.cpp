// jobtrackctl poll JOB
#include <memory>

#include "cli/commands/common.h"
#include "cli/csv.h"
#include "cli/exit_codes.h"
#include "cli/render.h"

namespace jobtrack::cli {

Command add_poll(CLI::App& parent, const GlobalOptions& global) {
  auto job_text = std::make_shared<std::string>();
  auto* app = parent.add_subcommand(
      "poll", "Poll a job's status now (as soon as its endpoint's limits allow)");
  app->footer("Examples:\n  jobtrackctl poll 42\n  jobtrackctl poll prism:7f3c9a --json");
  add_job_argument(*app, *job_text);

  return {app, [job_text, &global] {
            auto reply = call(global, "PollNow", job_parameters(*job_text));
            if (!reply) return reply.error();
            auto job = reply_field(*reply, "job", nlohmann::json::value_t::object);
            if (!job) return job.error();
            if (global.json) {
              print(json_text(job_for_scripts(*job)));
            } else if (global.csv()) {
              print(csv_header(job_fields()) + csv_record(*job, job_fields()));
            } else {
              print(job_summary_line(*job) + "\n");
            }
            return int{kExitOk};
          }};
}

}  // namespace jobtrack::cli
