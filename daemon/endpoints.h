// Turns the configuration's endpoints into what the scheduler runs: a
// provider for each (validating its provider-specific settings) and, when
// asked, its token. Used at start, on SIGHUP and by --check-config, so a
// configuration is either taken whole or refused with the old one kept.
#pragma once

#include <memory>
#include <vector>

#include <tl/expected.hpp>

#include "daemon/config.h"
#include "daemon/scheduler.h"

namespace jobtrack {

enum class ResolveTokens { yes, no };

// Errors are ready for the operator: "FILE:LINE: endpoints.NAME.KEY: ...".
tl::expected<std::vector<std::unique_ptr<EndpointRuntime>>, ConfigError> build_endpoints(
    const Config& config, ResolveTokens tokens);

}  // namespace jobtrack
