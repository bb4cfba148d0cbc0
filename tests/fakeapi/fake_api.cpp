// The emulator: API requests and the /_control API (see fake_api.h and
// README.md for the control API).
#include "tests/fakeapi/fake_api.h"

#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "tests/fakeapi/render.h"
#include "tests/fakeapi/util.h"

namespace jobtrack::fakeapi {

namespace {

HttpResponse control_json(int status, const Json& body) {
  HttpResponse response;
  response.status = status;
  response.body = body.dump(2) + "\n";
  return response;
}

HttpResponse control_error(int status, std::string_view message) {
  return control_json(status, {{"error", message}});
}

// Value of a query parameter (decoded), or "".
std::string query_param(std::string_view query, std::string_view name) {
  if (query.empty()) return {};
  for (std::string_view pair : split(query, '&')) {
    const std::size_t equals = pair.find('=');
    const std::string key = percent_decode(pair.substr(0, equals), true);
    if (key == name)
      return equals == std::string_view::npos ? "" : percent_decode(pair.substr(equals + 1), true);
  }
  return {};
}

const char* outcome_of(StepKind kind) {
  switch (kind) {
    case StepKind::status:
      return "status";
    case StepKind::http:
      return "http";
    case StepKind::close:
      return "close";
    case StepKind::truncate:
      return "truncate";
    case StepKind::raw:
      return "raw";
    case StepKind::redirect:
      return "redirect";
    case StepKind::gone:
      return "gone";
  }
  return "?";
}

std::string json_text(const Json& value) {
  return value.is_string() ? value.get<std::string>() : value.dump();
}

}  // namespace

FakeApi::FakeApi(Config config) : config_(std::move(config)), log_(config_.max_log) {
  for (const Api api : config_.auto_apis)
    auto_steps_[api] = parse_steps(api, auto_steps(api, config_.auto_ms));
  if (!config_.access_log_path.empty()) {
    access_ = std::fopen(config_.access_log_path.c_str(), "ae");
    if (access_ == nullptr) {
      throw std::runtime_error("cannot open log " + config_.access_log_path + ": " +
                               std::strerror(errno));
    }
  }
}

FakeApi::~FakeApi() {
  if (access_ != nullptr) std::fclose(access_);
}

void FakeApi::stop() {
  std::lock_guard lock(stop_mutex_);
  stopped_ = true;
  stop_cv_.notify_all();
}

bool FakeApi::pause(std::int64_t ms) {
  std::unique_lock lock(stop_mutex_);
  return !stop_cv_.wait_for(lock, std::chrono::milliseconds(ms), [this] { return stopped_; });
}

void FakeApi::access_log(const HttpRequest& request, int status, std::string_view outcome,
                         std::chrono::steady_clock::duration took) {
  if (access_ == nullptr) return;
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(took).count();
  std::lock_guard lock(access_mutex_);
  std::fprintf(access_, "%s %s %s %s %d %s %lldms\n",
               iso8601(std::chrono::system_clock::now()).c_str(), request.peer.c_str(),
               request.method.c_str(), request.target.c_str(), status, std::string(outcome).c_str(),
               static_cast<long long>(ms));
  std::fflush(access_);
}

HttpResponse FakeApi::handle(const HttpRequest& request) {
  const auto started = std::chrono::steady_clock::now();
  const std::size_t question = request.target.find('?');
  const std::string_view path = std::string_view(request.target).substr(0, question);
  const std::string_view query = question == std::string::npos
                                     ? std::string_view()
                                     : std::string_view(request.target).substr(question + 1);
  if (path.empty() || path.front() != '/')
    return control_error(400, "request target must be an absolute path");
  const std::vector<std::string_view> segments = split(path.substr(1), '/');

  HttpResponse response;
  std::string outcome;
  if (segments[0] == "_control") {
    response = handle_control(request, path, query, segments);
    outcome = "control";
  } else {
    response = handle_api(request, path, segments, outcome);
  }
  access_log(request,
             response.delivery == HttpResponse::Delivery::close_silently ? 0 : response.status,
             outcome, std::chrono::steady_clock::now() - started);
  return response;
}

bool FakeApi::authorized(Api api, const HttpRequest& request) const {
  const auto token = config_.tokens.find(api);
  if (token == config_.tokens.end()) return true;
  const std::string& want = token->second;
  const auto header = [&](std::string_view name) {
    const std::string* value = request.header(name);
    return value == nullptr ? std::optional<std::string>() : std::optional(*value);
  };
  switch (api) {
    case Api::prism:
      return header("x-api-key") == want;
    case Api::ttd:
      return header("TTD-Auth") == want;
    case Api::asana:
      return header("Authorization") == "Bearer " + want;
    case Api::ogc: {
      const auto value = header(config_.ogc_auth_header);
      return value == want || value == "Bearer " + want;
    }
    case Api::generic: {
      const std::string scheme = config_.generic_auth_scheme;
      return header(config_.generic_auth_header) == (scheme.empty() ? want : scheme + " " + want);
    }
  }
  return false;
}

HttpResponse FakeApi::handle_api(const HttpRequest& request, std::string_view path,
                                 const std::vector<std::string_view>& segments,
                                 std::string& outcome) {
  const std::optional<Api> api = api_from_name(segments[0]);
  const std::optional<Route> route = match_route(segments);

  LoggedRequest entry{std::chrono::system_clock::now(),
                      request.method,
                      request.target,
                      api ? std::optional<std::string>(api_name(*api)) : std::nullopt,
                      route ? std::optional(route->id) : std::nullopt,
                      route && !route->team.empty() ? std::optional(route->team) : std::nullopt,
                      request.headers,
                      std::nullopt,
                      {}};
  const std::uint64_t seq = log_.add(std::move(entry));

  HttpResponse response;
  if (!api || (segments[0] != api_name(*api))) {
    outcome = "no-route";
    response = control_error(404, "no such API prefix; use /prism, /ttd, /ogc, /asana or /generic");
  } else if (!route) {
    outcome = "no-route";
    response = render_error(*api, 404, "No route matches this path.", path);
  } else if (request.method != "GET" && request.method != "HEAD") {
    outcome = "method";
    response = render_error(*api, 405, "Only GET is supported here.", path);
    response.headers.emplace_back("Allow", "GET, HEAD");
  } else if (!authorized(*api, request)) {
    outcome = "unauthorized";
    response = render_error(
        *api, 401, *api == Api::asana ? "Not Authorized" : "Missing or invalid credentials.", path);
    if (*api == Api::asana) response.headers.emplace_back("WWW-Authenticate", "Bearer");
  } else if (route->endpoint == Endpoint::ttd_standard && !parse_int64(route->id)) {
    outcome = "bad-id";
    response = render_error(*api, 400, "The value '" + route->id + "' is not valid.", path);
  } else {
    const auto found = auto_steps_.find(*api);
    const std::optional<Served> served = jobs_.poll(
        *api, route->id, route->team, found == auto_steps_.end() ? Steps() : found->second);
    if (!served) {
      outcome = "unknown-job";
      response = render_not_found(*api, route->id, path);
    } else {
      response = answer(*api, *route, *served, request, path, outcome);
    }
  }
  log_.answered(seq,
                response.delivery == HttpResponse::Delivery::close_silently ? 0 : response.status,
                outcome);
  return response;
}

HttpResponse FakeApi::answer(Api api, const Route& route, const Served& served,
                             const HttpRequest& request, std::string_view path,
                             std::string& outcome) {
  const Step& step = served.step;
  const Json& spec = step.spec;
  outcome = outcome_of(step.kind);
  if (step.sleep_ms > 0 && !pause(step.sleep_ms)) {
    HttpResponse dropped;
    dropped.delivery = HttpResponse::Delivery::close_silently;
    outcome = "stopped";
    return dropped;
  }

  HttpResponse response;
  switch (step.kind) {
    case StepKind::status:
    case StepKind::truncate: {
      const std::string* host = request.header("Host");
      const JobView view{
          route.endpoint, route.id,
          route.team,     "http://" + (host != nullptr ? *host : std::string("127.0.0.1")),
          served.times,   std::chrono::system_clock::now()};
      response = render_status(view, step.status);
      if (step.kind == StepKind::truncate) response.delivery = HttpResponse::Delivery::truncate;
      break;
    }
    case StepKind::close:
      response.delivery = HttpResponse::Delivery::close_silently;
      break;
    case StepKind::gone:
      response = render_not_found(api, route.id, path);
      break;
    case StepKind::redirect:
      response.status = spec.value("http", 302);
      response.content_type.clear();
      response.headers.emplace_back("Location", spec["redirect"].get<std::string>());
      break;
    case StepKind::raw:
      response.status = spec.value("http", 200);
      response.content_type = spec.value("content_type", std::string("application/json"));
      response.body = spec["raw"].get<std::string>();
      break;
    case StepKind::http: {
      const int status = spec["http"].get<int>();
      if (spec.contains("body")) {
        response.status = status;
        response.content_type = spec.value("content_type", std::string("application/json"));
        response.body = json_text(spec["body"]);
      } else {
        response = render_error(api, status, reason_phrase(status), path);
        if (spec.contains("content_type"))
          response.content_type = spec["content_type"].get<std::string>();
      }
      break;
    }
  }
  if (spec.contains("headers")) {
    for (const auto& [name, value] : spec["headers"].items())
      response.headers.emplace_back(name, json_text(value));
  }
  return response;
}

HttpResponse FakeApi::handle_control(const HttpRequest& request, std::string_view path,
                                     std::string_view query,
                                     const std::vector<std::string_view>& segments) {
  const std::string& method = request.method;
  const std::string_view what = segments.size() > 1 ? segments[1] : std::string_view();

  if (what == "health" && method == "GET") return control_json(200, {{"ok", true}});

  if (what == "reset" && method == "POST" && segments.size() == 2) {
    jobs_.clear();
    log_.clear();
    return control_json(200, {{"reset", true}});
  }

  if (what == "requests" && segments.size() == 2) {
    if (method == "DELETE") {
      log_.clear();
      return control_json(200, {{"cleared", true}});
    }
    if (method == "GET") {
      std::string api = query_param(query, "api");
      if (!api.empty()) {
        const auto known = api_from_name(api);
        if (!known) return control_error(400, "unknown api '" + api + "'");
        api = std::string(api_name(*known));
      }
      return control_json(200, log_.query(api, query_param(query, "id")));
    }
  }

  if (what == "jobs") {
    if (segments.size() == 2 && method == "GET") return control_json(200, jobs_.list());
    if (segments.size() == 2 && method == "POST") {
      Json body;
      try {
        body = Json::parse(request.body);
      } catch (const Json::parse_error& error) {
        return control_error(400, std::string("body is not JSON: ") + error.what());
      }
      if (!body.is_object()) return control_error(400, "body must be a JSON object");
      const std::optional<Api> api = body.contains("api") && body["api"].is_string()
                                         ? api_from_name(body["api"].get<std::string>())
                                         : std::nullopt;
      if (!api) return control_error(400, "\"api\" must be one of prism, ttd, ogc, asana, generic");
      if (!body.contains("id") || !(body["id"].is_string() || body["id"].is_number_integer())) {
        return control_error(400, "\"id\" must be a string (or an integer)");
      }
      const std::string id = json_text(body["id"]);
      if (id.empty()) return control_error(400, "\"id\" must not be empty");
      std::string team;
      if (body.contains("team")) {
        if (!body["team"].is_string()) return control_error(400, "\"team\" must be a string");
        team = body["team"].get<std::string>();
      }
      const Json steps = body.contains("steps") ? body["steps"] : auto_steps(*api, config_.auto_ms);
      try {
        jobs_.put(*api, id, team, parse_steps(*api, steps));
      } catch (const std::exception& error) {
        return control_error(400, error.what());
      }
      return control_json(201, {{"api", api_name(*api)}, {"id", id}, {"steps", steps.size()}});
    }
    if (segments.size() >= 4) {
      const std::optional<Api> api = api_from_name(segments[2]);
      if (!api) return control_error(404, "unknown api '" + std::string(segments[2]) + "'");
      // The id is everything after the api segment, so "a/b" and "a%2Fb" both work.
      const std::size_t id_start = path.find('/', std::string_view("/_control/jobs/").size()) + 1;
      const std::string id = percent_decode(path.substr(id_start), false);
      if (method == "GET") {
        const auto described = jobs_.describe(*api, id);
        return described ? control_json(200, *described) : control_error(404, "no such job");
      }
      if (method == "DELETE") {
        return jobs_.forget(*api, id) ? control_json(200, {{"forgotten", true}})
                                      : control_error(404, "no such job");
      }
    }
  }
  return control_error(
      404, "unknown control request " + method + " " + std::string(path) + " (see README.md)");
}

}  // namespace jobtrack::fakeapi
