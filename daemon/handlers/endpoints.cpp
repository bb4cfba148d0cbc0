// Endpoints: each configured endpoint with its load and health.
#include "daemon/handlers/handlers.h"
#include "daemon/job_json.h"

namespace jobtrack::handlers {

void endpoints(HandlerContext& context, Params& params, const ResponderPtr& responder) {
  if (auto unknown = params.no_unknown(); !unknown) return responder->error(unknown.error());
  try {
    nlohmann::json out = nlohmann::json::array();
    Millis now = context.scheduler.now();
    Millis wall = context.clock.wall();
    for (const auto& endpoint : context.scheduler.endpoints()) {
      const std::string& name = endpoint->config.name;
      std::optional<Millis> paused;
      if (endpoint->paused_until > now) paused = wall + (endpoint->paused_until - now);
      out.push_back({
          {"name", name},
          {"provider", endpoint->config.provider},
          {"base_url", endpoint->config.base_url},
          {"jobs_active", context.store.count_jobs(name, true)},
          {"jobs_total", context.store.count_jobs(name, false)},
          {"in_flight", endpoint->in_flight.size()},
          {"max_in_flight", endpoint->config.max_in_flight},
          {"polls_total", endpoint->polls_total},
          {"polls_failed", endpoint->polls_failed},
          {"paused_until", time_or_null(paused)},
          {"last_error", endpoint->last_error.empty() ? nlohmann::json(nullptr)
                                                      : nlohmann::json(endpoint->last_error)},
      });
    }
    responder->reply({{"endpoints", std::move(out)}});
  } catch (const StoreError& error) {
    responder->error(storage_failure(error));
  }
}

}  // namespace jobtrack::handlers
