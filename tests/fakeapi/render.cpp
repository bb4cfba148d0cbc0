// Renders status and error bodies in each remote API's shape (see render.h).
#include "tests/fakeapi/render.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <functional>
#include <memory>

namespace jobtrack::fakeapi {

namespace {

constexpr auto one_day = std::chrono::hours(24);

Json time_or_null(const std::optional<SysTime>& time) {
  return time ? Json(iso8601(*time)) : Json(nullptr);
}

std::int64_t int_field(const Json& status, const char* key, std::int64_t fallback) {
  return status.contains(key) && status[key].is_number() ? status[key].get<std::int64_t>()
                                                         : fallback;
}

std::optional<double> progress_of(const Json& status) {
  if (status.contains("progress") && status["progress"].is_number())
    return status["progress"].get<double>();
  return std::nullopt;
}

// {code, message} from "error" (object or string), or nullopt.
std::optional<Json> error_of(const Json& status) {
  if (!status.contains("error") || status["error"].is_null()) return std::nullopt;
  const Json& error = status["error"];
  if (error.is_string()) return Json{{"code", "error"}, {"message", error}};
  return error;
}

// The human text of the failure: "message", else the error's message.
std::optional<std::string> failure_text(const Json& status) {
  if (status.contains("message") && status["message"].is_string())
    return status["message"].get<std::string>();
  if (const auto error = error_of(status);
      error && error->contains("message") && (*error)["message"].is_string()) {
    return (*error)["message"].get<std::string>();
  }
  return std::nullopt;
}

std::string url_or(const Json& status, const std::string& fallback) {
  return status.contains("url") && status["url"].is_string() ? status["url"].get<std::string>()
                                                             : fallback;
}

HttpResponse json_response(int code, const Json& body,
                           std::string content_type = "application/json") {
  HttpResponse response;
  response.status = code;
  response.content_type = std::move(content_type);
  response.body = body.dump();
  return response;
}

struct RowStream {
  std::string head;  // the body without its closing '}'
  std::uint64_t seed = 0;
  std::int64_t rows = 0;
  std::int64_t errors = 0;
  std::int64_t next = 0;
  bool started = false;
};

Json render_prism(const JobView& job, const Json& status, std::shared_ptr<RowStream>& stream) {
  const std::string state = status["status"].get<std::string>();
  const bool terminal = is_terminal(Api::prism, state);
  const std::optional<std::int64_t> rows =
      status.contains("rows") ? std::optional(status["rows"].get<std::int64_t>()) : std::nullopt;
  const std::int64_t row_errors = int_field(status, "row_errors", 0);
  const std::int64_t total = int_field(status, "total", rows.value_or(0));
  const std::int64_t failed = int_field(status, "failed", rows ? row_errors : 0);
  std::int64_t processed_default = 0;
  if (terminal) {
    processed_default = total;
  } else if (const auto progress = progress_of(status)) {
    processed_default = std::llround(static_cast<double>(total) * *progress / 100.0);
  }
  const std::int64_t processed = int_field(status, "processed", processed_default);
  const std::int64_t succeeded =
      int_field(status, "succeeded", std::max<std::int64_t>(processed - failed, 0));
  Json error = nullptr;
  if (const auto given = error_of(status)) {
    error = *given;
  } else if (state == "failed") {
    error = {{"code", "import_failed"},
             {"message", failure_text(status).value_or("The import failed")}};
  }
  const SysTime expiry_base = job.times.completed.value_or(job.times.created);
  Json body = {{"job_id", job.id},
               {"status", state},
               {"total", total},
               {"processed", processed},
               {"succeeded", succeeded},
               {"failed", failed},
               {"created_at", iso8601(job.times.created)},
               {"updated_at", iso8601(job.now)},
               {"expires_at", iso8601(expiry_base + 7 * one_day)},
               {"error", error}};
  if (state == "complete") {
    if (rows.value_or(0) > 0) {
      stream = std::make_shared<RowStream>();
      stream->seed = std::hash<std::string>{}(job.id);
      stream->rows = *rows;
      stream->errors = row_errors;
    } else {
      body["results"] = Json::array();
    }
  }
  return body;
}

Json render_ttd_standard(const JobView& job, const Json& status) {
  const std::string state = status["status"].get<std::string>();
  const bool terminal = is_terminal(Api::ttd, state);
  Json progress = nullptr;
  if (const auto given = progress_of(status)) {
    progress = *given;
  } else if (terminal) {
    progress = 100.0;
  }
  Json url = nullptr;
  if (status.contains("url")) {
    url = status["url"];
  } else if (is_success(Api::ttd, state)) {
    url = job.base + "/ttd/results/" + job.id + ".csv";
  }
  Json errors = nullptr;
  if (const auto text = failure_text(status)) {
    errors = *text;
  } else if (state == "Failure") {
    errors = "The job failed.";
  }
  return {{"id", parse_int64(job.id).value_or(0)},
          {"createdAtUtc", iso8601(job.times.created)},
          {"completedAtUtc", terminal ? time_or_null(job.times.completed) : Json(nullptr)},
          {"completionPercentage", progress},
          {"url", url},
          {"rawResult", status.contains("raw_result") ? status["raw_result"] : Json(nullptr)},
          {"errors", errors},
          {"status", state}};
}

Json render_ttd_graphql(const JobView& job, const Json& status) {
  const std::string state = status["status"].get<std::string>();
  const bool terminal = is_terminal(Api::ttd, state);
  Json url = nullptr;
  if (status.contains("url")) {
    url = status["url"];
  } else if (is_success(Api::ttd, state)) {
    url = job.base + "/ttd/results/" + job.id + ".json";
  }
  Json runtime_errors = Json::array();
  if (const auto text = failure_text(status)) {
    runtime_errors.push_back(*text);
  } else if (state == "Failure") {
    runtime_errors.push_back("The job failed.");
  }
  return {{"job",
           {{"id", job.id},
            {"createdAt", iso8601(job.times.created)},
            {"completedAt", terminal ? time_or_null(job.times.completed) : Json(nullptr)},
            {"completionPercentage", progress_of(status).value_or(terminal ? 100.0 : 0.0)},
            {"status", state},
            {"url", url},
            {"rawResult", status.contains("raw_result") ? status["raw_result"] : Json(nullptr)},
            {"queryGqlErrors", Json::array()},
            {"runtimeErrors", runtime_errors}}},
          {"errors", nullptr}};
}

Json render_ogc(const JobView& job, const Json& status) {
  const std::string state = status["status"].get<std::string>();
  const bool terminal = is_terminal(Api::ogc, state);
  std::string message = "Job " + state;
  if (const auto text = failure_text(status)) message = *text;
  const std::int64_t progress =
      progress_of(status) ? std::llround(*progress_of(status)) : (state == "successful" ? 100 : 0);
  Json links = Json::array();
  if (state == "successful") {
    links.push_back({{"href", url_or(status, job.base + "/ogc/jobs/" + job.id + "/results")},
                     {"rel", "http://www.opengis.net/def/rel/ogc/1.0/results"},
                     {"type", "application/json"},
                     {"title", "Job results"}});
  }
  return {{"jobID", job.id},
          {"type", "process"},
          {"processID", status.value("process_id", std::string("fake-process"))},
          {"status", state},
          {"message", message},
          {"created", iso8601(job.times.created)},
          {"started", time_or_null(job.times.started)},
          {"finished", terminal ? time_or_null(job.times.completed) : Json(nullptr)},
          {"updated", iso8601(job.now)},
          {"progress", progress},
          {"links", links}};
}

// Which new_* member a job of this subtype fills, and its resource type.
std::pair<std::string, std::string> asana_created_key(const std::string& subtype) {
  if (subtype == "duplicate_project" || subtype == "instantiate_project_template" ||
      subtype == "instantiate_template") {
    return {"new_project", "project"};
  }
  if (subtype == "save_project_as_template") return {"new_project_template", "project_template"};
  if (subtype == "export_graph") return {"new_graph_export", "graph_export"};
  if (subtype == "export_resource") return {"new_resource_export", "resource_export"};
  return {"new_task", "task"};
}

Json render_asana(const JobView& job, const Json& status) {
  const std::string state = status["status"].get<std::string>();
  const std::string subtype = status.value("subtype", std::string("duplicate_task"));
  Json data = {{"gid", job.id},
               {"resource_type", "job"},
               {"resource_subtype", subtype},
               {"status", state},
               {"new_project", nullptr},
               {"new_task", nullptr},
               {"new_project_template", nullptr}};
  const auto [key, type] = asana_created_key(subtype);
  if (status.contains("created") && status["created"].is_object()) {
    const Json& created = status["created"];
    bool named = false;
    for (const auto& [name, value] : created.items()) {
      if (name.rfind("new_", 0) == 0) {
        data[name] = value;
        named = true;
      }
    }
    if (!named) data[key] = created;
  } else if (state == "succeeded") {
    Json object = {{"gid", job.id + "1"}, {"resource_type", type}};
    if (type == "graph_export" || type == "resource_export") {
      object["download_url"] = url_or(status, job.base + "/asana/exports/" + job.id + ".json.gz");
      object["completed_at"] = time_or_null(job.times.completed);
    } else {
      object["name"] = "Copy of " + type + " " + job.id;
    }
    data[key] = object;
  }
  return {{"data", data}};
}

Json render_generic(const JobView& job, const Json& status) {
  const std::string state = status["status"].get<std::string>();
  const bool terminal = is_terminal(Api::generic, state);
  Json download = nullptr;
  if (status.contains("url")) {
    download = {{"url", status["url"]}};
  } else if (is_success(Api::generic, state)) {
    download = {{"url", job.base + "/generic/v1/exports/" + job.id + "/download"}};
  }
  Json problem = nullptr;
  if (const auto text = failure_text(status)) {
    problem = {{"text", *text}};
  } else if (terminal && !is_success(Api::generic, state)) {
    problem = {{"text", "export " + state}};
  }
  const double pct = progress_of(status).value_or(terminal ? 100.0 : 0.0);
  return {{"state", state},
          {"pct", std::floor(pct) == pct ? Json(std::llround(pct)) : Json(pct)},
          {"download", download},
          {"expires", is_success(Api::generic, state) && job.times.completed
                          ? Json(iso8601(*job.times.completed + one_day))
                          : Json(nullptr)},
          {"problem", problem}};
}

Json problem(int code, std::string type, std::string_view detail, std::string_view instance) {
  return {{"type", std::move(type)},
          {"title", reason_phrase(code)},
          {"status", code},
          {"detail", detail},
          {"instance", instance}};
}

std::string rfc9110_type(int code) {
  switch (code) {
    case 400:
      return "https://tools.ietf.org/html/rfc9110#section-15.5.1";
    case 401:
      return "https://tools.ietf.org/html/rfc9110#section-15.5.2";
    case 403:
      return "https://tools.ietf.org/html/rfc9110#section-15.5.4";
    case 404:
      return "https://tools.ietf.org/html/rfc9110#section-15.5.5";
    case 405:
      return "https://tools.ietf.org/html/rfc9110#section-15.5.6";
    case 500:
      return "https://tools.ietf.org/html/rfc9110#section-15.6.1";
    default:
      return "about:blank";
  }
}

std::string error_code(int code) {
  switch (code) {
    case 400:
      return "bad_request";
    case 401:
      return "unauthorized";
    case 403:
      return "forbidden";
    case 404:
      return "not_found";
    case 405:
      return "method_not_allowed";
    case 429:
      return "rate_limited";
    default:
      return code >= 500 ? "server_error" : "error";
  }
}

}  // namespace

std::string prism_row(std::uint64_t seed, std::int64_t index, std::int64_t rows,
                      std::int64_t errors) {
  char text[192];
  const bool failed = (index + 1) * errors / rows != index * errors / rows;
  if (failed) {
    std::snprintf(text, sizeof text,
                  "{\"id\":null,\"created\":false,\"existing\":false,"
                  "\"error\":{\"code\":\"invalid_row\",\"message\":\"row %lld rejected\"}}",
                  static_cast<long long>(index));
  } else {
    const auto row = static_cast<unsigned long long>(index);
    std::snprintf(
        text, sizeof text,
        "{\"id\":\"%08llx-%04llx-4%03llx-8%03llx-%012llx\",\"created\":%s,\"existing\":%s,"
        "\"error\":null}",
        static_cast<unsigned long long>(seed >> 32),
        static_cast<unsigned long long>((seed >> 16) & 0xffff),
        static_cast<unsigned long long>((seed >> 4) & 0xfff),
        static_cast<unsigned long long>(seed & 0xfff), row, index % 4 == 3 ? "false" : "true",
        index % 4 == 3 ? "true" : "false");
  }
  return text;
}

HttpResponse render_status(const JobView& job, const Json& status) {
  std::shared_ptr<RowStream> stream;
  Json body;
  switch (job.endpoint) {
    case Endpoint::prism_import:
      body = render_prism(job, status, stream);
      break;
    case Endpoint::ttd_standard:
      body = render_ttd_standard(job, status);
      break;
    case Endpoint::ttd_graphql_query:
    case Endpoint::ttd_graphql_bulk:
      body = render_ttd_graphql(job, status);
      break;
    case Endpoint::ogc_job:
      body = render_ogc(job, status);
      break;
    case Endpoint::asana_job:
      body = render_asana(job, status);
      break;
    case Endpoint::generic_export:
      body = render_generic(job, status);
      break;
  }
  if (status.contains("fields")) body.merge_patch(status["fields"]);
  if (!stream || body.contains("results")) return json_response(200, body);

  stream->head = body.dump();
  stream->head.pop_back();  // the closing '}'
  stream->head += stream->head.size() > 1 ? ",\"results\":[" : "\"results\":[";
  HttpResponse response;
  response.producer = [stream](std::string& out) {
    if (!stream->started) {
      out += stream->head;
      stream->started = true;
    }
    while (stream->next < stream->rows && out.size() < 64 * 1024) {
      if (stream->next > 0) out += ',';
      out += prism_row(stream->seed, stream->next, stream->rows, stream->errors);
      ++stream->next;
    }
    if (stream->next < stream->rows) return true;
    out += "]}";
    return false;
  };
  return response;
}

HttpResponse render_error(Api api, int code, std::string_view detail, std::string_view instance) {
  switch (api) {
    case Api::prism:
      return json_response(code, {{"error", {{"code", error_code(code)}, {"message", detail}}}});
    case Api::ttd:
    case Api::ogc:
      return json_response(code, problem(code, rfc9110_type(code), detail, instance),
                           "application/problem+json");
    case Api::asana:
      return json_response(
          code,
          {{"errors", Json::array({{{"message", detail},
                                    {"help",
                                     "For more information on API status codes and how to handle "
                                     "them, read the docs on errors: "
                                     "https://developers.asana.com/docs/errors"},
                                    {"phrase", "6 sad squid snuggle softly"}}})}});
    case Api::generic:
      return json_response(code, {{"problem", {{"text", detail}}}});
  }
  return json_response(code, {{"error", detail}});
}

HttpResponse render_not_found(Api api, const std::string& id, std::string_view instance) {
  switch (api) {
    case Api::prism:
      return render_error(api, 404, "Import job not found", instance);
    case Api::ttd:
      return render_error(api, 404, "Job " + id + " was not found.", instance);
    case Api::ogc:
      return json_response(
          404,
          problem(404, "http://www.opengis.net/def/exceptions/ogcapi-processes-1/1.0/no-such-job",
                  "No job with id '" + id + "'.", instance),
          "application/problem+json");
    case Api::asana:
      return render_error(api, 404, "job: Not a recognized ID: " + id, instance);
    case Api::generic:
      return render_error(api, 404, "export not found", instance);
  }
  return render_error(api, 404, "not found", instance);
}

}  // namespace jobtrack::fakeapi
