// Results: per-row import outcomes, one page per call (after_row cursor),
// so a million rows never sit in one reply.
#include "daemon/handlers/handlers.h"
#include "daemon/job_json.h"

namespace jobtrack::handlers {

void results(HandlerContext& context, Params& params, const ResponderPtr& responder) {
  try {
    auto job = resolve_job(context, params);
    if (!job) return responder->error(job.error());
    auto after_row = params.optional_int("after_row");
    if (!after_row) return responder->error(after_row.error());
    auto limit = params.optional_int("limit");
    if (!limit) return responder->error(limit.error());
    if (*limit && (**limit < 1 || **limit > 10'000)) {
      return responder->error(
          protocol::invalid_parameter("limit", "limit must be between 1 and 10000"));
    }
    auto errors_only = params.optional_bool("errors_only");
    if (!errors_only) return responder->error(errors_only.error());
    if (auto unknown = params.no_unknown(); !unknown) return responder->error(unknown.error());

    ResponderPtr reply_to = responder;
    if (context.ingestor && context.ingestor->ingesting(job->id)) {
      // Its rows are on their way into an uncommitted batch: answer what
      // is committed, as an outside reader would see it (an active job has none).
      return reply_to->reply(
          {{"results", nlohmann::json::array()}, {"next_row", nullptr}, {"total", 0}});
    }
    ResultsPage page = context.store.results(
        job->id, *after_row, static_cast<int>(limit->value_or(1000)), errors_only->value_or(false));
    nlohmann::json rows = nlohmann::json::array();
    for (const RowResult& row : page.rows) rows.push_back(row_to_json(row));
    reply_to->reply(
        {{"results", std::move(rows)},
         {"next_row", page.next_row ? nlohmann::json(*page.next_row) : nlohmann::json(nullptr)},
         {"total", page.total}});
  } catch (const StoreError& error) {
    responder->error(storage_failure(error));
  }
}

}  // namespace jobtrack::handlers
