// Jobs, transitions and per-row results as the Varlink interface shows
// them (daemon/protocol/io.jobtrack.Jobs.varlink): ISO 8601 times, null
// for what is unknown, every field always present. Pure; any thread.
#pragma once

#include <string_view>

#include <nlohmann/json.hpp>

#include "daemon/job.h"

namespace jobtrack {

nlohmann::json job_to_json(const Job& job, std::string_view provider);
nlohmann::json transition_to_json(const Transition& transition);
nlohmann::json row_to_json(const RowResult& row);
nlohmann::json time_or_null(const std::optional<Millis>& at);

}  // namespace jobtrack
