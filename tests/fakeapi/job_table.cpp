// The scripted jobs and how they move through their steps (see job_table.h).
#include "tests/fakeapi/job_table.h"

#include <array>
#include <stdexcept>
#include <string_view>

namespace jobtrack::fakeapi {

namespace {

constexpr std::array<std::string_view, 16> status_keys = {
    "status", "progress",   "total",      "processed", "succeeded", "failed",
    "rows",   "row_errors", "error",      "url",       "message",   "created",
    "fields", "subtype",    "raw_result", "process_id"};

std::int64_t integer(const Json& spec, std::string_view key, std::int64_t low, std::int64_t high,
                     std::size_t index) {
  const Json& value = spec.at(std::string(key));
  if (!value.is_number_integer() || value.get<std::int64_t>() < low ||
      value.get<std::int64_t>() > high) {
    throw std::invalid_argument("step " + std::to_string(index) + ": \"" + std::string(key) +
                                "\" must be an integer from " + std::to_string(low) + " to " +
                                std::to_string(high));
  }
  return value.get<std::int64_t>();
}

void require(bool condition, std::size_t index, const std::string& message) {
  if (!condition) throw std::invalid_argument("step " + std::to_string(index) + ": " + message);
}

bool flag(const Json& spec, const char* key) {
  return spec.contains(key) && spec[key].is_boolean() && spec[key].get<bool>();
}

}  // namespace

Steps parse_steps(Api api, const Json& steps) {
  if (!steps.is_array() || steps.empty())
    throw std::invalid_argument("\"steps\" must be a non-empty array");
  constexpr std::int64_t big = 1'000'000'000'000;
  std::vector<Step> parsed;
  Json current = {{"status", running_status(api)}};
  for (std::size_t i = 0; i < steps.size(); ++i) {
    const Json& spec = steps[i];
    require(spec.is_object(), i, "must be an object");
    Step step;
    step.spec = spec;
    if (spec.contains("polls")) step.polls = integer(spec, "polls", 0, big, i);
    if (spec.contains("ms")) step.ms = integer(spec, "ms", 0, big, i);
    if (spec.contains("sleep_ms")) step.sleep_ms = integer(spec, "sleep_ms", 0, 3'600'000, i);
    if (spec.contains("http")) integer(spec, "http", 100, 599, i);

    if (flag(spec, "close")) {
      step.kind = StepKind::close;
    } else if (flag(spec, "truncate")) {
      step.kind = StepKind::truncate;
    } else if (flag(spec, "gone")) {
      step.kind = StepKind::gone;
    } else if (spec.contains("redirect")) {
      require(spec["redirect"].is_string(), i, "\"redirect\" must be a URL string");
      step.kind = StepKind::redirect;
    } else if (spec.contains("raw")) {
      require(spec["raw"].is_string(), i, "\"raw\" must be a string");
      step.kind = StepKind::raw;
    } else if (spec.contains("http")) {
      step.kind = StepKind::http;
    }
    if (spec.contains("headers")) {
      require(spec["headers"].is_object(), i, "\"headers\" must be an object");
      for (const auto& [name, value] : spec["headers"].items()) {
        require(value.is_string() || value.is_number(), i,
                "header \"" + name + "\" must be a string");
      }
    }
    if (spec.contains("content_type"))
      require(spec["content_type"].is_string(), i, "\"content_type\" must be a string");

    Json own = Json::object();
    for (std::string_view key : status_keys) {
      if (spec.contains(std::string(key))) own[std::string(key)] = spec[std::string(key)];
    }
    if (!own.empty()) {
      if (!own.contains("status")) {
        own["status"] = current["status"];
        // Keep "status" first in what describe() shows.
        Json ordered = {{"status", current["status"]}};
        for (const auto& [key, value] : own.items()) ordered[key] = value;
        own = std::move(ordered);
      }
      require(own["status"].is_string(), i, "\"status\" must be a string");
      if (own.contains("progress"))
        require(own["progress"].is_number(), i, "\"progress\" must be a number");
      for (const char* key : {"total", "processed", "succeeded", "failed"}) {
        if (own.contains(key)) integer(own, key, 0, big, i);
      }
      const std::int64_t rows = own.contains("rows") ? integer(own, "rows", 0, 100'000'000, i) : 0;
      if (own.contains("row_errors")) integer(own, "row_errors", 0, rows, i);
      if (own.contains("fields"))
        require(own["fields"].is_object(), i, "\"fields\" must be an object");
      if (own.contains("error")) {
        require(own["error"].is_object() || own["error"].is_string() || own["error"].is_null(), i,
                "\"error\" must be an object {code, message}, a string or null");
      }
      current = own;
    }
    step.status = current;
    parsed.push_back(std::move(step));
  }
  return std::make_shared<const std::vector<Step>>(std::move(parsed));
}

void JobTable::put(Api api, const std::string& id, const std::string& team, Steps steps) {
  Job job;
  job.team = team;
  job.steps = std::move(steps);
  job.step_started = std::chrono::steady_clock::now();
  job.times.created = std::chrono::system_clock::now();
  std::lock_guard lock(mutex_);
  jobs_[Key{api, id}] = std::move(job);
}

void JobTable::advance(Job& job, SteadyTime now) {
  while (job.step + 1 < job.steps->size()) {
    const Step& step = (*job.steps)[job.step];
    if (step.ms && now - job.step_started >= std::chrono::milliseconds(*step.ms)) {
      job.step_started += std::chrono::milliseconds(*step.ms);
    } else if ((step.polls || !step.ms) && job.step_polls >= step.polls.value_or(1)) {
      job.step_started = now;
    } else {
      break;
    }
    ++job.step;
    job.step_polls = 0;
  }
}

std::optional<Served> JobTable::poll(Api api, const std::string& id, const std::string& team,
                                     const Steps& auto_steps) {
  const auto now = std::chrono::steady_clock::now();
  std::lock_guard lock(mutex_);
  auto found = jobs_.find(Key{api, id});
  if (found == jobs_.end()) {
    if (!auto_steps) return std::nullopt;
    Job job;
    job.team = team;
    job.steps = auto_steps;
    job.step_started = now;
    job.times.created = std::chrono::system_clock::now();
    found = jobs_.emplace(Key{api, id}, std::move(job)).first;
  }
  Job& job = found->second;
  if (!job.team.empty() && !team.empty() && job.team != team) return std::nullopt;

  advance(job, now);
  const Step& step = (*job.steps)[job.step];
  Served served{step, job.step, ++job.polls, {}};
  ++job.step_polls;
  if (step.kind == StepKind::status || step.kind == StepKind::truncate) {
    const std::string status = step.status["status"].get<std::string>();
    const SysTime wall = std::chrono::system_clock::now();
    if (!is_queued(api, status) && !job.times.started) job.times.started = wall;
    if (is_terminal(api, status) && !job.times.completed) job.times.completed = wall;
  }
  served.times = job.times;
  advance(job, now);
  return served;
}

Json JobTable::describe_job(const Key& key, const Job& job) {
  const Step& step = (*job.steps)[job.step];
  Json out = {{"api", api_name(key.first)},
              {"id", key.second},
              {"team", job.team.empty() ? Json(nullptr) : Json(job.team)},
              {"polls", job.polls},
              {"step", job.step},
              {"step_polls", job.step_polls},
              {"steps", job.steps->size()},
              {"status", step.status["status"]},
              {"created_at", iso8601(job.times.created)}};
  return out;
}

std::optional<Json> JobTable::describe(Api api, const std::string& id) {
  std::lock_guard lock(mutex_);
  const auto found = jobs_.find(Key{api, id});
  if (found == jobs_.end()) return std::nullopt;
  advance(found->second, std::chrono::steady_clock::now());
  return describe_job(found->first, found->second);
}

Json JobTable::list() {
  std::lock_guard lock(mutex_);
  Json out = Json::array();
  const auto now = std::chrono::steady_clock::now();
  for (auto& [key, job] : jobs_) {
    advance(job, now);
    out.push_back(describe_job(key, job));
  }
  return out;
}

bool JobTable::forget(Api api, const std::string& id) {
  std::lock_guard lock(mutex_);
  return jobs_.erase(Key{api, id}) > 0;
}

void JobTable::clear() {
  std::lock_guard lock(mutex_);
  jobs_.clear();
}

}  // namespace jobtrack::fakeapi
