// jobtrackctl forget JOB
#include <memory>

#include "cli/commands/common.h"
#include "cli/exit_codes.h"
#include "cli/render.h"

namespace jobtrack::cli {

Command add_forget(CLI::App& parent, const GlobalOptions& global) {
  auto job_text = std::make_shared<std::string>();
  auto* app =
      parent.add_subcommand("forget", "Stop tracking a job and delete everything stored about it");
  app->footer("Examples:\n  jobtrackctl forget 42\n  jobtrackctl forget prism:7f3c9a");
  add_job_argument(*app, *job_text);

  return {app, [job_text, &global] {
            auto reply = call(global, "Forget", job_parameters(*job_text));
            if (!reply) return reply.error();
            // Silent on success for people, as rm is; scripts get the (empty) reply.
            if (global.json) print(json_text(*reply));
            return int{kExitOk};
          }};
}

}  // namespace jobtrack::cli
