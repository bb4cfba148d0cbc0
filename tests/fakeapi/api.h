// The remote APIs the emulator serves: their names, URL routes under the
// server's prefixes, which status strings are terminal, and the default
// ("auto") lifecycle of each.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tests/fakeapi/util.h"

namespace jobtrack::fakeapi {

// A job lives in the table of one Api; TTD's three endpoints share one table.
enum class Api { prism, ttd, ogc, asana, generic };

enum class Endpoint {
  prism_import,       // GET /prism/v2/prism/{team}/imports/{job_id}
  ttd_standard,       // GET /ttd/standardjob/{id}/status (id int64)
  ttd_graphql_query,  // GET /ttd/graphqlqueryjob/{id}
  ttd_graphql_bulk,   // GET /ttd/graphqlbulkjob/{id}
  ogc_job,            // GET /ogc/jobs/{jobID}
  asana_job,          // GET /asana/api/1.0/jobs/{job_gid}
  generic_export,     // GET /generic/v1/exports/{id}
};

inline constexpr Api all_apis[] = {Api::prism, Api::ttd, Api::ogc, Api::asana, Api::generic};

// "prism", "ttd" (also "ttd-standard", "ttd-graphql"), "ogc", "asana", "generic".
std::optional<Api> api_from_name(std::string_view name);
std::string_view api_name(Api api);
Api api_of(Endpoint endpoint);

struct Route {
  Endpoint endpoint;
  std::string id;    // percent-decoded
  std::string team;  // prism only, percent-decoded
};

// Matches the raw (still encoded) path segments after the leading '/';
// segments[0] is the API prefix. Each segment is decoded on its own, so
// "a%2Fb" is one id "a/b" while "a/b" is two segments (and no route).
std::optional<Route> match_route(const std::vector<std::string_view>& segments);

bool is_terminal(Api api, std::string_view status);
// A status in which the remote has not started work yet (no "started" time).
bool is_queued(Api api, std::string_view status);
bool is_success(Api api, std::string_view status);
std::string_view running_status(Api api);
std::string_view done_status(Api api);

// The lifecycle of an unknown id under --auto: running for 3 polls (or for
// auto_ms milliseconds when given), then done. Prism's done has 5 rows, one
// of them failed.
Json auto_steps(Api api, std::optional<std::int64_t> auto_ms);

}  // namespace jobtrack::fakeapi
