// Wait: answer when the job is terminal; with "more", also once at once and
// once per transition on the way.
#include "daemon/handlers/handlers.h"

namespace jobtrack::handlers {

void wait(HandlerContext& context, Params& params, const ResponderPtr& responder) {
  try {
    auto job = resolve_job(context, params);
    if (!job) return responder->error(job.error());
    if (auto unknown = params.no_unknown(); !unknown) return responder->error(unknown.error());
    if (is_terminal(job->state))
      return responder->reply({{"job", render_job(context, *job)}, {"transition", nullptr}});
    if (responder->more())
      responder->reply({{"job", render_job(context, *job)}, {"transition", nullptr}}, true);
    context.watchers.add(job->id, responder);
  } catch (const StoreError& error) {
    responder->error(storage_failure(error));
  }
}

}  // namespace jobtrack::handlers
