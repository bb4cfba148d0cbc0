// The remote APIs the emulator serves: names, routes, status classes and
// default lifecycles.
#include "tests/fakeapi/api.h"

#include <algorithm>
#include <initializer_list>

namespace jobtrack::fakeapi {

std::optional<Api> api_from_name(std::string_view name) {
  if (name == "prism") return Api::prism;
  if (name == "ttd" || name == "ttd-standard" || name == "ttd-graphql") return Api::ttd;
  if (name == "ogc") return Api::ogc;
  if (name == "asana") return Api::asana;
  if (name == "generic") return Api::generic;
  return std::nullopt;
}

std::string_view api_name(Api api) {
  switch (api) {
    case Api::prism:
      return "prism";
    case Api::ttd:
      return "ttd";
    case Api::ogc:
      return "ogc";
    case Api::asana:
      return "asana";
    case Api::generic:
      return "generic";
  }
  return "?";
}

Api api_of(Endpoint endpoint) {
  switch (endpoint) {
    case Endpoint::prism_import:
      return Api::prism;
    case Endpoint::ttd_standard:
    case Endpoint::ttd_graphql_query:
    case Endpoint::ttd_graphql_bulk:
      return Api::ttd;
    case Endpoint::ogc_job:
      return Api::ogc;
    case Endpoint::asana_job:
      return Api::asana;
    case Endpoint::generic_export:
      return Api::generic;
  }
  return Api::generic;
}

std::optional<Route> match_route(const std::vector<std::string_view>& s) {
  const auto is = [&](std::initializer_list<std::string_view> fixed) {
    // fixed: the expected segments, "" where an id goes.
    if (s.size() != fixed.size()) return false;
    std::size_t i = 0;
    for (std::string_view want : fixed) {
      if (want.empty() ? s[i].empty() : s[i] != want) return false;
      ++i;
    }
    return true;
  };
  const auto id = [&](std::size_t i) { return percent_decode(s[i], false); };
  if (is({"prism", "v2", "prism", "", "imports", ""}))
    return Route{Endpoint::prism_import, id(5), id(3)};
  if (is({"ttd", "standardjob", "", "status"})) return Route{Endpoint::ttd_standard, id(2), {}};
  if (is({"ttd", "graphqlqueryjob", ""})) return Route{Endpoint::ttd_graphql_query, id(2), {}};
  if (is({"ttd", "graphqlbulkjob", ""})) return Route{Endpoint::ttd_graphql_bulk, id(2), {}};
  if (is({"ogc", "jobs", ""})) return Route{Endpoint::ogc_job, id(2), {}};
  if (is({"asana", "api", "1.0", "jobs", ""})) return Route{Endpoint::asana_job, id(4), {}};
  if (is({"generic", "v1", "exports", ""})) return Route{Endpoint::generic_export, id(3), {}};
  return std::nullopt;
}

namespace {
bool one_of(std::string_view value, std::initializer_list<std::string_view> set) {
  return std::find(set.begin(), set.end(), value) != set.end();
}
}  // namespace

bool is_terminal(Api api, std::string_view status) {
  switch (api) {
    case Api::prism:
      return one_of(status, {"complete", "failed"});
    case Api::ttd:
      return one_of(status,
                    {"Success", "PartialSuccess", "Failure", "ResultsExpired", "Cancelled"});
    case Api::ogc:
      return one_of(status, {"successful", "failed", "dismissed"});
    case Api::asana:
      return one_of(status, {"succeeded", "failed"});
    case Api::generic:
      return one_of(status, {"done", "succeeded", "success", "complete", "completed", "partial",
                             "failed", "failure", "error", "cancelled", "canceled", "expired"});
  }
  return false;
}

bool is_queued(Api api, std::string_view status) {
  switch (api) {
    case Api::prism:
      return false;
    case Api::ttd:
      return status == "Queued";
    case Api::ogc:
      return status == "accepted";
    case Api::asana:
      return status == "not_started";
    case Api::generic:
      return one_of(status, {"queued", "pending", "accepted"});
  }
  return false;
}

bool is_success(Api api, std::string_view status) {
  switch (api) {
    case Api::prism:
      return status == "complete";
    case Api::ttd:
      return one_of(status, {"Success", "PartialSuccess"});
    case Api::ogc:
      return status == "successful";
    case Api::asana:
      return status == "succeeded";
    case Api::generic:
      return one_of(status, {"done", "succeeded", "success", "complete", "completed", "partial"});
  }
  return false;
}

std::string_view running_status(Api api) {
  switch (api) {
    case Api::prism:
      return "processing";
    case Api::ttd:
      return "InProgress";
    case Api::ogc:
      return "running";
    case Api::asana:
      return "in_progress";
    case Api::generic:
      return "running";
  }
  return "running";
}

std::string_view done_status(Api api) {
  switch (api) {
    case Api::prism:
      return "complete";
    case Api::ttd:
      return "Success";
    case Api::ogc:
      return "successful";
    case Api::asana:
      return "succeeded";
    case Api::generic:
      return "done";
  }
  return "done";
}

Json auto_steps(Api api, std::optional<std::int64_t> auto_ms) {
  Json running = {{"status", running_status(api)}, {"progress", 50}};
  if (auto_ms) {
    running["ms"] = *auto_ms;
  } else {
    running["polls"] = 3;
  }
  Json done = {{"status", done_status(api)}};
  if (api == Api::prism) {
    running["total"] = 5;
    done["rows"] = 5;
    done["row_errors"] = 1;
  }
  return Json::array({running, done});
}

}  // namespace jobtrack::fakeapi
