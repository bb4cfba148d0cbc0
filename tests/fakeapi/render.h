// Renders answers in each remote API's own shape: the status body of a job
// from a step's status fields (with sensible defaults), and error bodies
// (problem details for TTD and OGC, {errors:[...]} for Asana, ...).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "tests/fakeapi/api.h"
#include "tests/fakeapi/http_server.h"
#include "tests/fakeapi/job_table.h"
#include "tests/fakeapi/util.h"

namespace jobtrack::fakeapi {

struct JobView {
  Endpoint endpoint;
  std::string id;
  std::string team;
  std::string base;  // "http://HOST:PORT", for URLs in bodies
  JobTimes times;
  SysTime now;
};

// The status body. Prism results rows are streamed (chunked) so a million
// rows never sit in memory.
HttpResponse render_status(const JobView& job, const Json& status);

// An error answer in the API's error shape. `instance` is the request path.
HttpResponse render_error(Api api, int status, std::string_view detail, std::string_view instance);

// The API's "no such job" answer (404).
HttpResponse render_not_found(Api api, const std::string& id, std::string_view instance);

// The i-th generated prism result row (no trailing comma). Rows whose index
// i has (i+1)*errors/rows > i*errors/rows carry an error, so exactly
// `errors` rows fail, spread evenly (with one error in five rows: the last).
std::string prism_row(std::uint64_t seed, std::int64_t index, std::int64_t rows,
                      std::int64_t errors);

}  // namespace jobtrack::fakeapi
