#include "daemon/poll_result.h"

#include <charconv>

#include <fmt/format.h>

#include "daemon/protocol/times.h"

namespace jobtrack {

std::string_view to_string(PollOutcome outcome) {
  switch (outcome) {
    case PollOutcome::status:
      return "ok";
    case PollOutcome::gone:
      return "gone";
    case PollOutcome::retry:
      return "retry";
    case PollOutcome::auth:
      return "auth";
    case PollOutcome::client_error:
      return "client_error";
    case PollOutcome::bad_response:
      return "bad_response";
  }
  return "unknown";
}

std::optional<Millis> parse_retry_after(std::string_view value, Millis now_wall) {
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  while (!value.empty() && (value.back() == ' ' || value.back() == '\t' || value.back() == '\r'))
    value.remove_suffix(1);
  std::int64_t seconds = 0;
  auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), seconds);
  if (!value.empty() && ec == std::errc() && end == value.data() + value.size() && seconds >= 0) {
    return std::min<std::int64_t>(seconds, 7 * 24 * 3600) * 1000;
  }
  if (auto date = protocol::parse_http_date(value)) return std::max<Millis>(0, *date - now_wall);
  return std::nullopt;
}

namespace {

// Collects streamed rows into the observation, for callers without a sink.
class CollectRows final : public RowSink {
 public:
  void row(RowResult&& row) override { rows.push_back(std::move(row)); }
  std::vector<RowResult> rows;
};

std::string describe_http(const Provider& provider, const HttpResponse& response) {
  // A spooled error body: its start is all a message needs.
  std::string message =
      provider.error_message(response.spool ? response.spool->head(64 * 1024) : response.body);
  if (message.empty()) return fmt::format("HTTP {}", response.status);
  const bool cut = message.size() > 500;
  return fmt::format("HTTP {}: {}{}", response.status, std::string_view(message).substr(0, 500),
                     cut ? "..." : "");
}

void redact_text(std::string& text, std::string_view secret) {
  static constexpr std::string_view kMark = "[redacted]";
  for (std::size_t at = text.find(secret); at != std::string::npos;
       at = text.find(secret, at + kMark.size())) {
    text.replace(at, secret.size(), kMark);
  }
}

void redact_text(std::optional<std::string>& text, std::string_view secret) {
  if (text) redact_text(*text, secret);
}

}  // namespace

void redact(PollResult& result, std::string_view secret) {
  if (secret.empty()) return;
  redact_text(result.error, secret);
  if (!result.observation) return;
  Observation& observation = *result.observation;
  redact_text(observation.remote_status, secret);
  redact_text(observation.result_url, secret);
  redact_text(observation.error_code, secret);
  redact_text(observation.error_message, secret);
  redact_text(observation.detail_json, secret);
  for (RowResult& row : observation.rows) redact(row, secret);
}

void redact(RowResult& row, std::string_view secret) {
  if (secret.empty()) return;
  redact_text(row.record_id, secret);
  redact_text(row.error_code, secret);
  redact_text(row.error_message, secret);
}

PollResult classify(const Provider& provider, const HttpResponse& response, Millis now_wall,
                    RowSink* rows) {
  PollResult result;
  result.latency = response.latency;
  if (response.status > 0) result.http_status = response.status;
  if (response.too_large) {
    result.outcome = PollOutcome::bad_response;
    result.error = "response larger than max_response_size";
    return result;
  }
  if (!response.transport_error.empty()) {
    result.outcome = PollOutcome::retry;
    result.error = response.transport_error;
    return result;
  }
  long status = response.status;
  if (response.retry_after) result.retry_after = parse_retry_after(*response.retry_after, now_wall);
  if (status >= 200 && status < 300) {
    CollectRows collected;
    auto observation =
        response.spool ? provider.parse_status_spooled(*response.spool, rows ? *rows : collected)
                       : provider.parse_status(response.body);
    if (observation && observation->streamed_rows && !rows) {
      observation->rows = std::move(collected.rows);
      observation->streamed_rows.reset();
    }
    if (!observation) {
      result.outcome = PollOutcome::bad_response;
      result.error = observation.error();
    } else if (!observation->state) {
      result.outcome = PollOutcome::bad_response;
      result.error = fmt::format("unknown remote status \"{}\"", observation->remote_status);
      result.observation = std::move(*observation);
    } else {
      result.outcome = PollOutcome::status;
      result.observation = std::move(*observation);
    }
    return result;
  }
  result.error = describe_http(provider, response);
  if (status == 404 && provider.is_no_such_job(response)) {
    result.outcome = PollOutcome::gone;
  } else if (status == 401 || status == 403) {
    result.outcome = PollOutcome::auth;
  } else if (status == 408 || status == 429 || status >= 500) {
    result.outcome = PollOutcome::retry;
  } else {
    result.outcome = PollOutcome::client_error;
    if (status >= 300 && status < 400)
      result.error = fmt::format("HTTP {}: redirect not followed", status);
  }
  return result;
}

}  // namespace jobtrack
