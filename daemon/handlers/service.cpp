// org.varlink.service: GetInfo and GetInterfaceDescription, so generic
// Varlink tools (varlinkctl) can introspect the daemon.
#include "daemon/handlers/handlers.h"

namespace jobtrack::handlers {
namespace {

constexpr std::string_view kServiceInterface =
    R"(# The Varlink Service Interface is provided by every varlink service. It
# describes the service and the interfaces it implements.
interface org.varlink.service

# Get a list of all the interfaces a service provides and information
# about the implementation.
method GetInfo() -> (
  vendor: string,
  product: string,
  version: string,
  url: string,
  interfaces: []string
)

# Get the description of an interface that is implemented by this service.
method GetInterfaceDescription(interface: string) -> (description: string)

# The requested interface was not found.
error InterfaceNotFound (interface: string)

# The requested method was not found
error MethodNotFound (method: string)

# The interface defines the requested method, but the service does not
# implement it.
error MethodNotImplemented (method: string)

# One of the passed parameters is invalid.
error InvalidParameter (parameter: string)

# Client is denied access
error PermissionDenied ()

# Method is expected to be called with 'more' set to true, but wasn't
error ExpectedMore ()
)";

}  // namespace

void get_info(HandlerContext&, Params& params, const ResponderPtr& responder) {
  if (auto unknown = params.no_unknown(); !unknown) return responder->error(unknown.error());
  responder->reply({{"vendor", "jobtrack"},
                    {"product", "jobtrackd"},
                    {"version", JOBTRACK_VERSION},
                    {"url", "https://github.com/jobtrack/jobtrack"},
                    {"interfaces", {"org.varlink.service", protocol::kInterfaceName}}});
}

void get_interface_description(HandlerContext&, Params& params, const ResponderPtr& responder) {
  auto interface = params.required_string("interface");
  if (!interface) return responder->error(interface.error());
  if (auto unknown = params.no_unknown(); !unknown) return responder->error(unknown.error());
  if (*interface == protocol::kInterfaceName) {
    return responder->reply({{"description", protocol::interface_description()}});
  }
  if (*interface == "org.varlink.service")
    return responder->reply({{"description", kServiceInterface}});
  responder->error(
      {std::string(protocol::errors::kInterfaceNotFound), {{"interface", *interface}}});
}

}  // namespace jobtrack::handlers
