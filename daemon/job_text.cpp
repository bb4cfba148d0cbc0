#include "daemon/job_text.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "daemon/protocol/times.h"

namespace jobtrack {
namespace {

// What nlohmann writes for a value: the rare shapes (strings that need
// escaping or replacing, doubles) are left to it so the text stays its own.
void append_dump(std::string& out, const nlohmann::json& value) {
  out += value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

void append_string(std::string& out, std::string_view text) {
  for (char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte > 0x7e || c == '"' || c == '\\') {
      append_dump(out, nlohmann::json(std::string(text)));
      return;
    }
  }
  out += '"';
  out += text;
  out += '"';
}

void append_int(std::string& out, std::int64_t value) {
  fmt::format_int text(value);
  out.append(text.data(), text.size());
}

void append_time(std::string& out, Millis at) {
  out += '"';
  out += protocol::format_iso8601(at);
  out += '"';
}

void append(std::string& out, const std::optional<std::string>& value) {
  if (value) {
    append_string(out, *value);
  } else {
    out += "null";
  }
}

void append(std::string& out, const std::optional<std::int64_t>& value) {
  if (value) {
    append_int(out, *value);
  } else {
    out += "null";
  }
}

void append(std::string& out, const std::optional<double>& value) {
  if (value) {
    append_dump(out, nlohmann::json(*value));
  } else {
    out += "null";
  }
}

void append_time(std::string& out, const std::optional<Millis>& at) {
  if (at) {
    append_time(out, *at);
  } else {
    out += "null";
  }
}

// `"key":`, the separator before it included unless it is the first.
void key(std::string& out, std::string_view name) {
  if (out.back() != '{') out += ',';
  out += '"';
  out += name;
  out += "\":";
}

}  // namespace

// Members in nlohmann's order (std::map: bytewise by key), as job_to_json's dump.
void append_job_json(std::string& out, const Job& job, std::string_view provider) {
  out += '{';
  key(out, "consecutive_errors");
  append_int(out, job.consecutive_errors);
  key(out, "deadline_at");
  append_time(out, job.deadline_at);
  key(out, "detail");
  if (job.detail_json) {
    auto detail = nlohmann::json::parse(*job.detail_json, nullptr, false);
    if (detail.is_discarded() || !detail.is_object()) {
      out += "null";
    } else {
      append_dump(out, detail);
    }
  } else {
    out += "null";
  }
  key(out, "endpoint");
  append_string(out, job.endpoint);
  key(out, "error_code");
  append(out, job.error_code);
  key(out, "error_message");
  append(out, job.error_message);
  key(out, "expires_at");
  append_time(out, job.expires_at);
  key(out, "failed");
  append(out, job.failed);
  key(out, "finished_at");
  append_time(out, job.finished_at);
  key(out, "id");
  append_int(out, job.id);
  key(out, "label");
  append(out, job.label);
  key(out, "last_poll_error");
  append(out, job.last_poll_error);
  key(out, "last_polled_at");
  append_time(out, job.last_polled_at);
  key(out, "next_poll_at");
  append_time(out, job.next_poll_at);
  key(out, "poll_count");
  append_int(out, job.poll_count);
  key(out, "processed");
  append(out, job.processed);
  key(out, "progress");
  append(out, job.progress);
  key(out, "provider");
  append_string(out, provider);
  key(out, "remote_created_at");
  append_time(out, job.remote_created_at);
  key(out, "remote_id");
  append_string(out, job.remote_id);
  key(out, "remote_status");
  append(out, job.remote_status);
  key(out, "result_url");
  append(out, job.result_url);
  key(out, "results_stored");
  append_int(out, job.results_stored);
  key(out, "state");
  append_string(out, to_string(job.state));
  key(out, "submitted_at");
  append_time(out, job.submitted_at);
  key(out, "submitter_uid");
  append_int(out, job.submitter_uid);
  key(out, "succeeded");
  append(out, job.succeeded);
  key(out, "terminal");
  out += is_terminal(job.state) ? "true" : "false";
  key(out, "total");
  append(out, job.total);
  key(out, "updated_at");
  append_time(out, job.updated_at);
  out += '}';
}

}  // namespace jobtrack
