// Provider::parse_status_spooled's default: providers whose bodies are never
// huge read a spooled body as they read any other.
#include "daemon/providers/provider.h"

namespace jobtrack {

tl::expected<Observation, std::string> Provider::parse_status_spooled(const Spool& body,
                                                                      RowSink&) const {
  return parse_status(body.head(static_cast<std::size_t>(body.size())));
}

}  // namespace jobtrack
