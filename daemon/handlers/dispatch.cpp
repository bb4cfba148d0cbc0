#include <array>

#include <fmt/format.h>

#include "daemon/handlers/handlers.h"
#include "daemon/log.h"

namespace jobtrack {
namespace handlers {
// Declared here rather than in handlers.h, which belongs to the daemon's core.
void watch(HandlerContext& context, Params& params, const ResponderPtr& responder);
}  // namespace handlers

namespace {

using Handler = void (*)(HandlerContext&, protocol::Params&, const ResponderPtr&);

struct Route {
  std::string_view method;
  Handler handler;
};

constexpr std::array<Route, 13> kRoutes = {{
    {"org.varlink.service.GetInfo", handlers::get_info},
    {"org.varlink.service.GetInterfaceDescription", handlers::get_interface_description},
    {"io.jobtrack.Jobs.Track", handlers::track},
    {"io.jobtrack.Jobs.Get", handlers::get},
    {"io.jobtrack.Jobs.List", handlers::list},
    {"io.jobtrack.Jobs.History", handlers::history},
    {"io.jobtrack.Jobs.Results", handlers::results},
    {"io.jobtrack.Jobs.Forget", handlers::forget},
    {"io.jobtrack.Jobs.PollNow", handlers::poll_now},
    {"io.jobtrack.Jobs.Wait", handlers::wait},
    {"io.jobtrack.Jobs.Watch", handlers::watch},
    {"io.jobtrack.Jobs.Status", handlers::status},
    {"io.jobtrack.Jobs.Endpoints", handlers::endpoints},
}};

}  // namespace

void dispatch(HandlerContext& context, const protocol::Call& call, const ResponderPtr& responder) {
  for (const Route& route : kRoutes) {
    if (route.method != call.method) continue;
    protocol::Params params(call.parameters);
    try {
      route.handler(context, params, responder);
    } catch (const std::exception& error) {
      // Handlers are written not to throw; this keeps one bug from ending the daemon.
      log_error(fmt::format("{} failed: {}", call.method, error.what()));
      responder->error(handlers::storage_failure(error));
    }
    return;
  }
  auto dot = call.method.rfind('.');
  std::string interface = dot == std::string::npos ? std::string() : call.method.substr(0, dot);
  if (interface == "org.varlink.service" || interface == protocol::kInterfaceName) {
    responder->error({std::string(protocol::errors::kMethodNotFound), {{"method", call.method}}});
  } else {
    responder->error(
        {std::string(protocol::errors::kInterfaceNotFound), {{"interface", interface}}});
  }
}

}  // namespace jobtrack
