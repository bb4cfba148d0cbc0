// Status: the daemon's counters at a glance.
#include "daemon/handlers/handlers.h"
#include "daemon/protocol/times.h"

namespace jobtrack::handlers {

void status(HandlerContext& context, Params& params, const ResponderPtr& responder) {
  if (auto unknown = params.no_unknown(); !unknown) return responder->error(unknown.error());
  try {
    StoreCounters counters = context.store.counters();
    nlohmann::json by_state = nlohmann::json::object();
    for (const auto& [state, count] : counters.by_state)
      by_state[std::string(to_string(state))] = count;
    const SchedulerCounters& polls = context.scheduler.counters();
    nlohmann::json paused = nlohmann::json::array();
    Millis now = context.scheduler.now();
    for (const auto& endpoint : context.scheduler.endpoints()) {
      if (endpoint->paused_until > now) paused.push_back(endpoint->config.name);
    }
    responder->reply({
        {"version", JOBTRACK_VERSION},
        {"started_at", protocol::format_iso8601(context.facts.started_at)},
        {"uptime_seconds", (context.clock.monotonic() - context.facts.started_monotonic) / 1000},
        {"database", context.store.path()},
        {"database_bytes", context.store.file_bytes()},
        {"jobs_total", counters.jobs_total},
        {"jobs_active", counters.jobs_active},
        {"jobs_by_state", std::move(by_state)},
        {"in_flight", context.scheduler.in_flight()},
        {"polls_total", polls.polls_total},
        {"polls_failed", polls.polls_failed},
        {"polls_last_minute", context.scheduler.polls_last_minute()},
        {"transitions_total", counters.transitions_total},
        {"jobs_deleted", context.facts.jobs_deleted},
        {"connections", context.facts.connections ? context.facts.connections() : 0},
        {"storage_error", context.facts.storage_error.empty()
                              ? nlohmann::json(nullptr)
                              : nlohmann::json(context.facts.storage_error)},
        {"paused_endpoints", std::move(paused)},
    });
  } catch (const StoreError& error) {
    responder->error(storage_failure(error));
  }
}

}  // namespace jobtrack::handlers
