// PollNow: make a job due at once; the endpoint's limits still apply.
#include "daemon/handlers/handlers.h"

namespace jobtrack::handlers {

void poll_now(HandlerContext& context, Params& params, const ResponderPtr& responder) {
  try {
    auto job = resolve_job(context, params);
    if (!job) return responder->error(job.error());
    if (auto unknown = params.no_unknown(); !unknown) return responder->error(unknown.error());
    if (!may_change(context, responder, *job)) return responder->error(not_yours(*job));
    if (is_terminal(job->state)) return responder->reply({{"job", render_job(context, *job)}});
    context.scheduler.poll_now(job->id);
    answer_once_committed(context, responder, [&context, responder, job = *job] {
      try {
        auto fresh = context.store.get(job.id);
        responder->reply({{"job", render_job(context, fresh ? *fresh : job)}});
      } catch (const StoreError& failure) {
        responder->error(storage_failure(failure));
      }
    });
  } catch (const StoreError& error) {
    context.store.rollback_batch();
    responder->error(storage_failure(error));
  }
}

}  // namespace jobtrack::handlers
