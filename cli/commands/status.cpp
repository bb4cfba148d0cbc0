// jobtrackctl status
#include "cli/commands/common.h"
#include "cli/exit_codes.h"
#include "cli/render.h"

namespace jobtrack::cli {

Command add_status(CLI::App& parent, const GlobalOptions& global) {
  auto* app = parent.add_subcommand("status", "Show the daemon's counters");
  return {app, [&global] {
            auto reply = call(global, "Status", nlohmann::json::object());
            if (!reply) return reply.error();
            print(global.json ? json_text(*reply) : status_details(*reply));
            return int{kExitOk};
          }};
}

}  // namespace jobtrack::cli
