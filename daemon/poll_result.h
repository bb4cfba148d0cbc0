// What one poll amounted to, independent of the remote API: the HTTP
// response classified and, when it was a status, the provider's reading.
//
// classify() is the only place that knows what HTTP codes mean for polling:
// 2xx is a status for the provider to read, 404 (when the provider agrees)
// means no such job, 401/403 an authentication problem for the whole
// endpoint, 408/429/5xx and transport failures are worth retrying,
// anything else is a client error. Pure; any thread.
#pragma once

#include <optional>
#include <string>

#include "daemon/observation.h"
#include "daemon/providers/provider.h"

namespace jobtrack {

enum class PollOutcome {
  status,        // the provider read a status (observation set)
  gone,          // 404: the job does not exist (any more)
  retry,         // transient: transport error, timeout, 408, 429, 5xx
  auth,          // 401/403: the endpoint's credentials are refused
  client_error,  // another 4xx or 3xx: recorded, retried with backoff
  bad_response,  // 2xx whose body could not be read or mapped
};

std::string_view to_string(PollOutcome outcome);

struct PollResult {
  PollOutcome outcome = PollOutcome::retry;
  std::optional<Observation> observation;
  std::string error;                  // empty when the poll went well
  std::optional<Millis> retry_after;  // from a Retry-After header, as a delay
  std::optional<long> http_status;
  Millis latency = 0;
};

// `now_wall` turns a Retry-After HTTP date into a delay. A spooled 2xx body
// is read by Provider::parse_status_spooled, which may stream its rows into
// `rows`; without a sink they are collected into the observation.
PollResult classify(const Provider& provider, const HttpResponse& response, Millis now_wall,
                    RowSink* rows = nullptr);

// Replaces every occurrence of `secret` (the endpoint's token) in the texts
// that came from the remote (error, status, messages, URLs, detail, row
// errors) with "[redacted]": an API that echoes the request's headers in an
// error body must not carry the token into the database or the log.
// No-op for an empty secret.
void redact(PollResult& result, std::string_view secret);
void redact(RowResult& row, std::string_view secret);

// Parses Retry-After: delay-seconds or an HTTP date; nullopt if neither.
std::optional<Millis> parse_retry_after(std::string_view value, Millis now_wall);

}  // namespace jobtrack
