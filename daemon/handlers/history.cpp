// History: every recorded transition of one job, oldest first.
#include "daemon/handlers/handlers.h"
#include "daemon/job_json.h"

namespace jobtrack::handlers {

void history(HandlerContext& context, Params& params, const ResponderPtr& responder) {
  try {
    auto job = resolve_job(context, params);
    if (!job) return responder->error(job.error());
    if (auto unknown = params.no_unknown(); !unknown) return responder->error(unknown.error());
    nlohmann::json transitions = nlohmann::json::array();
    for (const Transition& transition : context.store.history(job->id)) {
      transitions.push_back(transition_to_json(transition));
    }
    responder->reply({{"transitions", std::move(transitions)}});
  } catch (const StoreError& error) {
    responder->error(storage_failure(error));
  }
}

}  // namespace jobtrack::handlers
