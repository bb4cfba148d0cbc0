// jobtrackctl results JOB [--errors-only] [--limit N]
//
// Pages through Results with next_row. JSON and CSV go out page by page,
// flushed as each page arrives, so a million-row import streams in constant
// memory; the table for people needs every row for its column widths.
#include <algorithm>
#include <memory>

#include "cli/commands/common.h"
#include "cli/csv.h"
#include "cli/exit_codes.h"
#include "cli/failure.h"
#include "cli/render.h"

namespace jobtrack::cli {
namespace {

using nlohmann::json;

constexpr std::int64_t kPageSize = 1000;

}  // namespace

Command add_results(CLI::App& parent, const GlobalOptions& global) {
  struct State {
    std::string job;
    bool errors_only = false;
    std::int64_t limit = 0;
  };
  auto state = std::make_shared<State>();
  auto* app = parent.add_subcommand("results", "Show an import's per-row outcomes");
  app->footer(R"(Examples:
  jobtrackctl results 42 --errors-only
  jobtrackctl results prism:7f3c9a --output csv > rows.csv
  jobtrackctl results 42 --json | jq '[.[] | select(.error_code)] | length'

CSV and JSON stream page by page: any number of rows in constant memory.)");
  add_job_argument(*app, state->job);
  app->add_flag("--errors-only", state->errors_only, "only rows that failed");
  auto* limit = app->add_option("--limit", state->limit, "at most N rows")->check(positive());

  return {app, [state, limit, &global] {
            auto client = connect(global);
            if (!client) return client.error();
            bool limited = limit->count() > 0;
            std::int64_t shown = 0;
            json after_row = nullptr;
            json rows = json::array();  // for people only
            std::string page_text;
            if (global.json) print("[");
            if (global.csv()) print(csv_header(result_fields()));
            for (;;) {
              std::int64_t page = limited ? std::min(kPageSize, state->limit - shown) : kPageSize;
              if (page <= 0) break;
              json parameters = job_parameters(state->job);
              parameters["limit"] = page;
              parameters["after_row"] = after_row;
              if (state->errors_only) parameters["errors_only"] = true;
              auto reply = client->call(method_name("Results"), parameters);
              if (!reply) return report(describe(reply.error()));
              auto results = reply_field(*reply, "results", json::value_t::array);
              if (!results) return results.error();
              page_text.clear();
              for (const json& result : *results) {
                if (global.json) {
                  page_text += shown == 0 ? "\n  " : ",\n  ";
                  page_text += result_for_scripts(result).dump(-1, ' ', false,
                                                               json::error_handler_t::replace);
                } else if (global.csv()) {
                  page_text += csv_record(result, result_fields());
                } else {
                  rows.push_back(result);
                }
                ++shown;
              }
              if (!page_text.empty()) print_now(page_text);
              json next = reply->value("next_row", json(nullptr));
              // Stop at the end, and on a daemon that does not move forward.
              if (!next.is_number_integer() || results->empty() || next == after_row) break;
              after_row = std::move(next);
            }
            if (global.json) {
              print(shown == 0 ? "]\n" : "\n]\n");
            } else if (!global.csv()) {
              print(results_table(rows));
            }
            return int{kExitOk};
          }};
}

}  // namespace jobtrack::cli
