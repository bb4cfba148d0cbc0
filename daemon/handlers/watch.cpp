// Watch: with "more", one reply per recorded transition of every job that
// matches the filters, delivered after the commit, until the client hangs
// up. No reply is sent when the call starts: callers read the current jobs
// with List. Without "more" there is nothing to answer: ExpectedMore.
#include "daemon/handlers/handlers.h"

namespace jobtrack::handlers {

void watch(HandlerContext& context, Params& params, const ResponderPtr& responder) {
  auto endpoint = params.optional_string("endpoint");
  if (!endpoint) return responder->error(endpoint.error());
  auto label = params.optional_string("label");
  if (!label) return responder->error(label.error());
  if (auto unknown = params.no_unknown(); !unknown) return responder->error(unknown.error());
  if (!responder->more()) {
    return responder->error(
        {std::string(protocol::errors::kExpectedMore), nlohmann::json::object()});
  }
  if (*endpoint && !context.scheduler.endpoint(**endpoint)) {
    return responder->error(
        {std::string(protocol::errors::kNoSuchEndpoint), {{"endpoint", **endpoint}}});
  }
  context.watchers.observe(*endpoint, *label, responder);
}

}  // namespace jobtrack::handlers
