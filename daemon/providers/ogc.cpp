// OGC API - Processes: GET {base}/jobs/{jobID} with `Accept:
// application/json`, unauthenticated unless the endpoint sets auth_header
// (and auth_prefix). StatusInfo: accepted → queued, running → running,
// successful → succeeded, failed → failed, dismissed → cancelled.
// progress → progress; message → error_message when failed, else detail;
// created / updated / finished → remote_created_at / updated_at /
// finished_at (started and processID go to detail); the link with rel
// ".../rel/ogc/1.0/results" (or "results") → result_url. A 404 means "no
// such job" unless its RFC 7807 body names another problem type.
#include <fmt/format.h>

#include "daemon/providers/auth_header.h"
#include "daemon/providers/factories.h"
#include "daemon/providers/json_fields.h"
#include "daemon/providers/url.h"

namespace jobtrack::providers {
namespace {

constexpr std::string_view kResultsRel = "http://www.opengis.net/def/rel/ogc/1.0/results";

std::optional<State> state_of(std::string_view status) {
  if (status == "accepted") return State::queued;
  if (status == "running") return State::running;
  if (status == "successful") return State::succeeded;
  if (status == "failed") return State::failed;
  if (status == "dismissed") return State::cancelled;
  return std::nullopt;
}

// The href of the results link, if any; a malformed link is an error.
tl::expected<std::optional<std::string>, std::string> results_href(const nlohmann::json& links) {
  std::size_t index = 0;
  for (const auto& link : links) {
    if (!link.is_object()) {
      return tl::make_unexpected(
          fmt::format("links[{}] is a {}, expected an object", index, link.type_name()));
    }
    FieldReader fields(link, fmt::format("links[{}]", index));
    auto rel = fields.string("rel");
    auto href = fields.string("href");
    if (!fields.ok()) return tl::make_unexpected(fields.error());
    if (rel && href && (*rel == kResultsRel || *rel == "results")) return href;
    ++index;
  }
  return std::optional<std::string>();
}

class Ogc final : public Provider {
 public:
  Ogc(std::string base_url, AuthHeader auth)
      : base_url_(std::move(base_url)), auth_(std::move(auth)) {}

  HttpRequest request(std::string_view remote_id, std::string_view token) const override {
    HttpRequest out;
    out.url = join_url(base_url_, fmt::format("jobs/{}", percent_encode_segment(remote_id)));
    out.headers.push_back("Accept: application/json");
    if (auto header = auth_.line(token)) out.headers.push_back(std::move(*header));
    return out;
  }

  tl::expected<Observation, std::string> parse_status(std::string_view body) const override {
    auto parsed = parse_json_object(body);
    if (!parsed) return tl::make_unexpected(parsed.error());
    FieldReader info(*parsed);
    Observation out;
    auto status = info.string("status");
    auto message = info.string("message");
    auto process = info.string("processID");
    auto started = info.string("started");
    out.progress = clamp_progress(info.number("progress"));
    out.remote_created_at = info.time("created");
    out.updated_at = info.time("updated");
    out.finished_at = info.time("finished");
    const nlohmann::json* links = info.array("links");
    if (!info.ok()) return tl::make_unexpected(info.error());
    if (!status) return tl::make_unexpected(std::string("field status is missing"));
    if (links) {
      auto href = results_href(*links);
      if (!href) return tl::make_unexpected(href.error());
      out.result_url = std::move(*href);
    }
    out.remote_status = *status;
    out.state = state_of(*status);

    nlohmann::json detail = nlohmann::json::object();
    if (process) detail["processID"] = *process;
    if (started) detail["started"] = *started;
    if (message && out.state == State::failed) {
      out.error_message = message;
    } else if (message) {
      detail["message"] = *message;
    }
    if (!detail.empty())
      out.detail_json = detail.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    if (out.state == State::succeeded && !out.progress) out.progress = 100.0;
    return out;
  }

  bool is_no_such_job(const HttpResponse& response) const override {
    auto parsed = parse_json_object(response.body);
    if (!parsed) return true;
    auto type = parsed->find("type");
    // A problem body of another type (about:blank when application/problem+json
    // names none) says something else went wrong, e.g. a wrong base_url.
    if (type == parsed->end() || !type->is_string()) {
      return !response.content_type.starts_with("application/problem+json");
    }
    std::string_view text = type->get_ref<const std::string&>();
    return text.ends_with("/no-such-job");
  }

 private:
  std::string base_url_;
  AuthHeader auth_;
};

}  // namespace

Made make_ogc(const EndpointConfig& endpoint) {
  if (auto known = only_settings(endpoint, {"auth_header", "auth_prefix"}); !known) {
    return tl::make_unexpected(known.error());
  }
  auto auth = AuthHeader::from(endpoint, "", "");
  if (!auth) return tl::make_unexpected(auth.error());
  return std::make_unique<Ogc>(endpoint.base_url, std::move(*auth));
}

}  // namespace jobtrack::providers
