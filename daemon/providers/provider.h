// A Provider knows one remote API: how to ask for a job's status and how to
// read the answer. It is the only place where an API's shape is known; the
// scheduler, store and protocol see Observations only.
//
// Providers are immutable after construction and hold no token: the token
// is passed to request() each time. parse_status() must never throw or
// crash on hostile input; it returns an error string instead.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <tl/expected.hpp>

#include "daemon/config.h"
#include "daemon/observation.h"
#include "daemon/spool.h"

namespace jobtrack {

struct HttpRequest {
  std::string url;
  std::vector<std::string> headers;  // "Name: value"
};

struct HttpResponse {
  long status = 0;                     // 0 when the transfer failed before a status line
  std::string body;                    // empty when spooled
  std::shared_ptr<const Spool> spool;  // a large body, kept out of memory
  std::string content_type;
  std::optional<std::string> retry_after;  // raw Retry-After header
  std::string transport_error;             // empty when the transfer completed
  bool too_large = false;                  // body exceeded max_response_bytes
  bool timed_out = false;
  Millis latency = 0;
};

class Provider {
 public:
  virtual ~Provider() = default;

  // Refuses a remote id this API can never have, with a reason for the user.
  virtual tl::expected<void, std::string> check_remote_id(std::string_view remote_id) const;

  // The status request for `remote_id`. `token` may be empty when the
  // endpoint has none. Ids must be percent-encoded into the path.
  virtual HttpRequest request(std::string_view remote_id, std::string_view token) const = 0;

  // Reads a 2xx body. Unknown status strings yield an Observation without a
  // state (remote_status kept); a body that cannot be read at all yields an
  // error message.
  virtual tl::expected<Observation, std::string> parse_status(std::string_view body) const = 0;

  // Reads a 2xx body that was spooled because it is large. A provider whose
  // bodies carry many rows streams them into `rows` and sets streamed_rows;
  // the default reads the body into memory and calls parse_status().
  virtual tl::expected<Observation, std::string> parse_status_spooled(const Spool& body,
                                                                      RowSink& rows) const;

  // Whether a 404 means "this job does not exist (any more)" rather than a
  // misconfigured URL. Default: every 404 does.
  virtual bool is_no_such_job(const HttpResponse& response) const;

  // A one-line message from an error body (RFC 7807 detail/title, Asana
  // errors[0].message, Prism error.message), or "" when there is none.
  virtual std::string error_message(std::string_view body) const;
};

// Builds the provider named by endpoint.provider from the endpoint's
// settings. Errors name the offending setting key (for line numbers).
struct ProviderError {
  std::string key;  // settings key, or "" for the endpoint as a whole
  std::string message;
};
tl::expected<std::unique_ptr<Provider>, ProviderError> make_provider(
    const EndpointConfig& endpoint);

// The provider ids make_provider() accepts.
const std::vector<std::string_view>& provider_names();

}  // namespace jobtrack
