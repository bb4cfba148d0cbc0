// Forget: stop tracking a job and delete all that is stored about it.
#include <fmt/format.h>

#include "daemon/handlers/handlers.h"
#include "daemon/log.h"

namespace jobtrack::handlers {

void forget(HandlerContext& context, Params& params, const ResponderPtr& responder) {
  try {
    auto job = resolve_job(context, params);
    if (!job) return responder->error(job.error());
    if (auto unknown = params.no_unknown(); !unknown) return responder->error(unknown.error());
    if (!may_change(context, responder, *job)) return responder->error(not_yours(*job));
    context.store.delete_job(job->id);
    context.scheduler.forget(job->id);
    answer_once_committed(context, responder, [&context, responder, job = *job] {
      context.facts.jobs_deleted += 1;
      if (context.facts.job_forgotten) context.facts.job_forgotten();
      context.watchers.job_deleted(job.id);
      log_info(fmt::format("forgot job (asked by uid {})", responder->peer().uid),
               {job.id, job.endpoint, job.remote_id, to_string(job.state)});
      responder->reply(nlohmann::json::object());
    });
  } catch (const StoreError& error) {
    context.store.rollback_batch();
    responder->error(storage_failure(error));
  }
}

}  // namespace jobtrack::handlers
