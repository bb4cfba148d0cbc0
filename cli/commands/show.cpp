// jobtrackctl show JOB
#include <memory>

#include "cli/commands/common.h"
#include "cli/csv.h"
#include "cli/exit_codes.h"
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
            auto reply = call(global, "Get", job_parameters(*job_text));
            if (!reply) return reply.error();
            auto job = reply_field(*reply, "job", nlohmann::json::value_t::object);
            if (!job) return job.error();
            if (global.json) {
              print(json_text(job_for_scripts(*job)));
            } else if (global.csv()) {
              print(csv_header(job_fields()) + csv_record(*job, job_fields()));
            } else {
              print(job_details(*job, global.look()));
            }
            return int{kExitOk};
          }};
}

}  // namespace jobtrack::cli
