// Get: one job as the daemon last saw it.
#include "daemon/handlers/handlers.h"

namespace jobtrack::handlers {

void get(HandlerContext& context, Params& params, const ResponderPtr& responder) {
  try {
    auto job = resolve_job(context, params);
    if (!job) return responder->error(job.error());
    if (auto unknown = params.no_unknown(); !unknown) return responder->error(unknown.error());
    responder->reply({{"job", render_job(context, *job)}});
  } catch (const StoreError& error) {
    responder->error(storage_failure(error));
  }
}

}  // namespace jobtrack::handlers
