// PollNow: make a job due at once; the endpoint's limits still apply.
#include "daemon/handlers/handlers.h"

namespace jobtrack::handlers {

void poll_now(HandlerContext& context, Params& params, const ResponderPtr& responder) {
  try {
    auto job = resolve_job(context, params);
    if (!job) return responder->error(job.error());
    if (auto unknown = params.no_unknown(); !unknown) return responder->error(unknown.error());
    if (!may_change(context, responder, *job)) return responder->error(not_yours(*job));
    if (!is_terminal(job->state)) {
      context.scheduler.poll_now(job->id);
      context.store.commit_batch();
      if (auto fresh = context.store.get(job->id)) job = *fresh;
    }
    responder->reply({{"job", render_job(context, *job)}});
  } catch (const StoreError& error) {
    context.store.rollback_batch();
    responder->error(storage_failure(error));
  }
}

}  // namespace jobtrack::handlers
