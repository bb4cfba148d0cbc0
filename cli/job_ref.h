// JOB on jobtrackctl's command line: a local id ("42", digits only) or
// ENDPOINT:REMOTE_ID ("prism:7f3c"), split on the first ':' because remote
// ids may themselves hold colons (URNs) while endpoint names may not.
//
// The result is the Varlink parameters that name the job, {id} or
// {endpoint, remote_id}, ready to be extended with a method's own
// parameters. Anything else is a usage error with a message for the user.
#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>
#include <tl/expected.hpp>

namespace jobtrack::cli {

tl::expected<nlohmann::json, std::string> parse_job_ref(std::string_view text);

}  // namespace jobtrack::cli
