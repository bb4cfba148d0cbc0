// jobtrackctl status
#include "cli/commands/common.h"
#include "cli/csv.h"
#include "cli/exit_codes.h"
#include "cli/render.h"

namespace jobtrack::cli {

Command add_status(CLI::App& parent, const GlobalOptions& global) {
  auto* app = parent.add_subcommand("status", "Show the daemon's counters");
  app->footer("Examples:\n  jobtrackctl status\n  jobtrackctl status --json | jq .jobs_active");
  return {app, [&global] {
            auto reply = call(global, "Status", nlohmann::json::object());
            if (!reply) return reply.error();
            if (global.json) {
              print(json_text(*reply));
            } else if (global.csv()) {
              print(csv_line({"field", "value"}));
              for (const auto& [key, value] : reply->items())
                print(csv_line({key, csv_cell(value)}));
            } else {
              print(status_details(*reply));
            }
            return int{kExitOk};
          }};
}

}  // namespace jobtrack::cli
