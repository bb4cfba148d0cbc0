// The Trade Desk standard jobs: GET {base}/standardjob/{id}/status with
// `TTD-Auth: <token>`; the id is an int64. InProgress → running,
// Success → succeeded, PartialSuccess → partial, Failure → failed,
// ResultsExpired → expired. completionPercentage → progress, url →
// result_url, errors (one string) → error_message, createdAtUtc /
// completedAtUtc → remote_created_at / finished_at. Results expire 24 h
// after completion. rawResult (up to 20 MB) is never read.
#include <charconv>
#include <cstdint>

#include <fmt/format.h>

#include "daemon/providers/factories.h"
#include "daemon/providers/json_fields.h"
#include "daemon/providers/url.h"

namespace jobtrack::providers {
namespace {

constexpr Millis kResultsLifetime = 24LL * 3600 * 1000;

std::optional<State> state_of(std::string_view status) {
  if (status == "InProgress") return State::running;
  if (status == "Success") return State::succeeded;
  if (status == "PartialSuccess") return State::partial;
  if (status == "Failure") return State::failed;
  if (status == "ResultsExpired") return State::expired;
  return std::nullopt;
}

class TtdStandard final : public Provider {
 public:
  explicit TtdStandard(std::string base_url) : base_url_(std::move(base_url)) {}

  tl::expected<void, std::string> check_remote_id(std::string_view remote_id) const override {
    std::int64_t id = 0;
    const char* end = remote_id.data() + remote_id.size();
    auto [stop, error] = std::from_chars(remote_id.data(), end, id);
    if (remote_id.empty() || error != std::errc() || stop != end) {
      return tl::make_unexpected(fmt::format(
          "a Trade Desk standard job id is a 64-bit integer, not \"{}\"", remote_id.substr(0, 64)));
    }
    return {};
  }

  HttpRequest request(std::string_view remote_id, std::string_view token) const override {
    HttpRequest out;
    out.url = join_url(base_url_,
                       fmt::format("standardjob/{}/status", percent_encode_segment(remote_id)));
    out.headers.push_back("Accept: application/json");
    if (!token.empty()) out.headers.push_back(fmt::format("TTD-Auth: {}", token));
    return out;
  }

  tl::expected<Observation, std::string> parse_status(std::string_view body) const override {
    auto parsed = parse_json_object(body);
    if (!parsed) return tl::make_unexpected(parsed.error());
    FieldReader job(*parsed);
    Observation out;
    auto status = job.string("status");
    out.progress = clamp_progress(job.number("completionPercentage"));
    out.result_url = job.string("url");
    out.error_message = job.string("errors");
    out.remote_created_at = job.time("createdAtUtc");
    out.finished_at = job.time("completedAtUtc");
    if (!job.ok()) return tl::make_unexpected(job.error());
    if (!status) return tl::make_unexpected(std::string("field status is missing"));
    out.remote_status = *status;
    out.state = state_of(*status);
    if (out.finished_at && *out.finished_at <= INT64_MAX - kResultsLifetime) {
      out.expires_at = *out.finished_at + kResultsLifetime;
    }
    if (out.state == State::succeeded && !out.progress) out.progress = 100.0;
    return out;
  }

 private:
  std::string base_url_;
};

}  // namespace

Made make_ttd_standard(const EndpointConfig& endpoint) {
  if (auto known = only_settings(endpoint, {}); !known) return tl::make_unexpected(known.error());
  return std::make_unique<TtdStandard>(endpoint.base_url);
}

}  // namespace jobtrack::providers
