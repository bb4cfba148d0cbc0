// jobtrackctl endpoints
#include "cli/commands/common.h"
#include "cli/csv.h"
#include "cli/exit_codes.h"
#include "cli/render.h"

namespace jobtrack::cli {

Command add_endpoints(CLI::App& parent, const GlobalOptions& global) {
  auto* app = parent.add_subcommand("endpoints", "List the configured endpoints and their load");
  app->footer(
      "Examples:\n  jobtrackctl endpoints\n  jobtrackctl endpoints --json | jq -r '.[].name'");
  return {app, [&global] {
            auto reply = call(global, "Endpoints", nlohmann::json::object());
            if (!reply) return reply.error();
            auto endpoints = reply_field(*reply, "endpoints", nlohmann::json::value_t::array);
            if (!endpoints) return endpoints.error();
            if (global.json) {
              print(json_text(*endpoints));
            } else if (global.csv()) {
              print(csv_header(endpoint_fields()));
              for (const auto& endpoint : *endpoints) {
                print(csv_record(endpoint, endpoint_fields()));
              }
            } else {
              print(endpoints_table(*endpoints));
            }
            return int{kExitOk};
          }};
}

}  // namespace jobtrack::cli
