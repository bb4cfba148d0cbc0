// jobtrackctl endpoints
#include "cli/commands/common.h"
#include "cli/exit_codes.h"
#include "cli/render.h"

namespace jobtrack::cli {

Command add_endpoints(CLI::App& parent, const GlobalOptions& global) {
  auto* app = parent.add_subcommand("endpoints", "List the configured endpoints and their load");
  return {app, [&global] {
            auto reply = call(global, "Endpoints", nlohmann::json::object());
            if (!reply) return reply.error();
            auto endpoints = reply_field(*reply, "endpoints", nlohmann::json::value_t::array);
            if (!endpoints) return endpoints.error();
            print(global.json ? json_text(*endpoints) : endpoints_table(*endpoints));
            return int{kExitOk};
          }};
}

}  // namespace jobtrack::cli
