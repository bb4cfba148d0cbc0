// Asana jobs (duplications, instantiations, exports): GET {base}/jobs/{gid}
// with `Authorization: Bearer <token>`, base ".../api/1.0". Envelope
// `{"data": {...}}`. not_started → queued, in_progress → running,
// succeeded → succeeded, failed → failed. The object the job creates
// (new_task, new_project, ...) and resource_subtype go to detail_json, as
// {"resource_subtype": ..., "new_task": {"gid": ..., "name": ...}}; an
// export's download_url also becomes result_url. Error bodies
// `{"errors": [{message, help, phrase}]}` are read by the default
// error_message(); 429 Retry-After is honoured by classify().
#include <array>

#include <fmt/format.h>

#include "daemon/providers/factories.h"
#include "daemon/providers/json_fields.h"
#include "daemon/providers/url.h"

namespace jobtrack::providers {
namespace {

constexpr std::array<std::string_view, 5> kCreated = {
    "new_task", "new_project", "new_project_template", "new_graph_export", "new_resource_export"};
// What is kept of a created object: enough to find it, never its whole body.
constexpr std::array<std::string_view, 6> kCreatedFields = {
    "gid", "name", "resource_type", "resource_subtype", "download_url", "created_at"};

std::optional<State> state_of(std::string_view status) {
  if (status == "not_started") return State::queued;
  if (status == "in_progress") return State::running;
  if (status == "succeeded") return State::succeeded;
  if (status == "failed") return State::failed;
  return std::nullopt;
}

class Asana final : public Provider {
 public:
  explicit Asana(std::string base_url) : base_url_(std::move(base_url)) {}

  HttpRequest request(std::string_view remote_id, std::string_view token) const override {
    HttpRequest out;
    out.url = join_url(base_url_, fmt::format("jobs/{}", percent_encode_segment(remote_id)));
    out.headers.push_back("Accept: application/json");
    if (!token.empty()) out.headers.push_back(fmt::format("Authorization: Bearer {}", token));
    return out;
  }

  tl::expected<Observation, std::string> parse_status(std::string_view body) const override {
    auto parsed = parse_json_object(body);
    if (!parsed) return tl::make_unexpected(parsed.error());
    FieldReader envelope(*parsed);
    const nlohmann::json* data = envelope.object("data");
    if (!envelope.ok()) return tl::make_unexpected(envelope.error());
    if (!data) return tl::make_unexpected(std::string("field data is missing"));

    FieldReader job(*data, "data");
    Observation out;
    auto status = job.string("status");
    auto subtype = job.string("resource_subtype");
    nlohmann::json detail = nlohmann::json::object();
    if (subtype) detail["resource_subtype"] = *subtype;
    for (std::string_view key : kCreated) {
      const nlohmann::json* created = job.object(key);
      if (!created) continue;
      FieldReader fields(*created, fmt::format("data.{}", key));
      nlohmann::json kept = nlohmann::json::object();
      for (std::string_view field : kCreatedFields) {
        if (auto value = fields.string(field)) kept[std::string(field)] = std::move(*value);
      }
      if (!fields.ok()) job.fail(fields.error());
      if (kept.contains("download_url")) out.result_url = kept["download_url"].get<std::string>();
      detail[std::string(key)] = std::move(kept);
    }
    if (!job.ok()) return tl::make_unexpected(job.error());
    if (!status) return tl::make_unexpected(std::string("field data.status is missing"));
    out.remote_status = *status;
    out.state = state_of(*status);
    if (!detail.empty())
      out.detail_json = detail.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    if (out.state == State::succeeded) out.progress = 100.0;
    return out;
  }

 private:
  std::string base_url_;
};

}  // namespace

Made make_asana(const EndpointConfig& endpoint) {
  if (auto known = only_settings(endpoint, {}); !known) return tl::make_unexpected(known.error());
  return std::make_unique<Asana>(endpoint.base_url);
}

}  // namespace jobtrack::providers
