// micro.so Prism imports: GET {base}/v2/prism/{team_id}/imports/{job_id}
// with `x-api-key`. processing → running; complete → succeeded, or partial
// when any row failed; failed → failed. Per-row results arrive once the job
// is complete and may be huge. Jobs are retained 7 days, then 404.
#include <fmt/format.h>

#include "daemon/providers/factories.h"
#include "daemon/providers/json_fields.h"
#include "daemon/providers/url.h"

namespace jobtrack::providers {
namespace {

class Prism final : public Provider {
 public:
  Prism(std::string base_url, std::string team_id)
      : base_url_(std::move(base_url)), team_id_(std::move(team_id)) {}

  HttpRequest request(std::string_view remote_id, std::string_view token) const override {
    HttpRequest out;
    out.url = join_url(base_url_, fmt::format("v2/prism/{}/imports/{}", percent_encode_segment(team_id_),
                                              percent_encode_segment(remote_id)));
    out.headers.push_back("Accept: application/json");
    if (!token.empty()) out.headers.push_back(fmt::format("x-api-key: {}", token));
    return out;
  }

  tl::expected<Observation, std::string> parse_status(std::string_view body) const override {
    auto parsed = parse_json_object(body);
    if (!parsed) return tl::make_unexpected(parsed.error());
    FieldReader job(*parsed);
    Observation out;
    auto status = job.string("status");
    out.total = job.integer("total");
    out.processed = job.integer("processed");
    out.succeeded = job.integer("succeeded");
    out.failed = job.integer("failed");
    out.remote_created_at = job.time("created_at");
    out.updated_at = job.time("updated_at");
    out.expires_at = job.time("expires_at");
    if (const nlohmann::json* error = job.object("error")) {
      FieldReader fields(*error, "error");
      out.error_code = fields.string("code");
      out.error_message = fields.string("message");
      if (!fields.ok()) job.fail(fields.error());
    }
    const nlohmann::json* results = job.array("results");
    if (!job.ok()) return tl::make_unexpected(job.error());
    if (!status) return tl::make_unexpected(std::string("field status is missing"));
    out.remote_status = *status;

    if (out.total && out.processed && *out.total > 0) {
      out.progress = clamp_progress(100.0 * static_cast<double>(*out.processed) /
                                    static_cast<double>(*out.total));
    }
    if (*status == "processing") {
      out.state = State::running;
    } else if (*status == "failed") {
      out.state = State::failed;
    } else if (*status == "complete") {
      out.progress = 100.0;
      if (results) {
        auto rows = read_rows(*results);
        if (!rows) return tl::make_unexpected(rows.error());
        out.rows = std::move(*rows);
        out.has_rows = true;
      }
      bool row_failed = false;
      for (const auto& row : out.rows) row_failed = row_failed || row.error_code || row.error_message;
      out.state = (out.failed.value_or(0) > 0 || row_failed) ? State::partial : State::succeeded;
    }
    // Any other status leaves state unset: recorded as an error, never guessed.
    return out;
  }

 private:
  static tl::expected<std::vector<RowResult>, std::string> read_rows(const nlohmann::json& results) {
    std::vector<RowResult> rows;
    rows.reserve(results.size());
    std::int64_t index = 0;
    for (const auto& item : results) {
      if (!item.is_object()) {
        return tl::make_unexpected(fmt::format("results[{}] is a {}, expected an object", index, item.type_name()));
      }
      FieldReader fields(item, fmt::format("results[{}]", index));
      RowResult row;
      row.row = index;
      row.record_id = fields.string("id");
      row.created = fields.boolean("created");
      row.existing = fields.boolean("existing");
      if (const nlohmann::json* error = fields.object("error")) {
        FieldReader error_fields(*error, fmt::format("results[{}].error", index));
        row.error_code = error_fields.string("code");
        row.error_message = error_fields.string("message");
        if (!error_fields.ok()) fields.fail(error_fields.error());
      }
      if (!fields.ok()) return tl::make_unexpected(fields.error());
      rows.push_back(std::move(row));
      ++index;
    }
    return rows;
  }

  std::string base_url_;
  std::string team_id_;
};

}  // namespace

Made make_prism(const EndpointConfig& endpoint) {
  if (auto known = only_settings(endpoint, {"team_id"}); !known) return tl::make_unexpected(known.error());
  auto team_id = required_setting(endpoint, "team_id");
  if (!team_id) return tl::make_unexpected(team_id.error());
  return std::make_unique<Prism>(endpoint.base_url, *team_id);
}

}  // namespace jobtrack::providers
