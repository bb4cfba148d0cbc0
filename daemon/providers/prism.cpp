// micro.so Prism imports: GET {base}/v2/prism/{team_id}/imports/{job_id}
// with `x-api-key`. processing → running; complete → succeeded, or partial
// when any row failed; failed → failed. Per-row results arrive once the job
// is complete and may be huge: a spooled body is read with a SAX parser that
// streams the rows (parse_status_spooled). A body without rows to read (the
// routine poll) is read from a FlatJson, one with rows from nlohmann's DOM.
// Jobs are retained 7 days, then 404.
#include <istream>
#include <optional>
#include <vector>

#include <fmt/format.h>

#include "daemon/providers/factories.h"
#include "daemon/providers/flat_json.h"
#include "daemon/providers/json_fields.h"
#include "daemon/providers/prism_rows.h"
#include "daemon/providers/url.h"

namespace jobtrack::providers {
namespace {

class Prism final : public Provider {
 public:
  Prism(std::string base_url, std::string team_id)
      : base_url_(std::move(base_url)), team_id_(std::move(team_id)) {}

  HttpRequest request(std::string_view remote_id, std::string_view token) const override {
    HttpRequest out;
    out.url =
        join_url(base_url_, fmt::format("v2/prism/{}/imports/{}", percent_encode_segment(team_id_),
                                        percent_encode_segment(remote_id)));
    out.headers.push_back("Accept: application/json");
    if (!token.empty()) out.headers.push_back(fmt::format("x-api-key: {}", token));
    return out;
  }

  tl::expected<Observation, std::string> parse_status(std::string_view body) const override {
    // A routine body (no rows to read) needs no DOM: see flat_json.h.
    if (auto flat = parse_flat_object(body)) {
      FlatFieldReader job(*flat);
      auto out = read_job(job);
      if (!out || !(out->remote_status == "complete" && job.array("results"))) {
        if (out) settle(*out, false);
        return out;
      }
    }
    auto parsed = parse_json_object(body);
    if (!parsed) return tl::make_unexpected(parsed.error());
    FieldReader job(*parsed);
    auto out = read_job(job);
    if (!out) return out;
    const nlohmann::json* results = job.array("results");
    bool row_failed = false;
    if (out->remote_status == "complete" && results) {
      out->rows.reserve(results->size());
      std::int64_t index = 0;
      for (const auto& item : *results) {
        auto row = read_prism_row(item, index++);
        if (!row) return tl::make_unexpected(row.error());
        row_failed = row_failed || row->error_code || row->error_message;
        out->rows.push_back(std::move(*row));
      }
      out->has_rows = true;
    }
    settle(*out, row_failed);
    return out;
  }

  // The same reading as parse_status, but the results array is never held:
  // each row goes to `sink` as soon as it is read (see PrismRowStream).
  tl::expected<Observation, std::string> parse_status_spooled(const Spool& body,
                                                              RowSink& sink) const override {
    SpoolStreambuf buffer(body);
    std::istream stream(&buffer);
    PrismRowStream reader(sink);
    nlohmann::json::sax_parse(stream, &reader);
    if (!reader.error().empty()) return tl::make_unexpected(reader.error());
    FieldReader job(reader.head());
    auto out = read_job(job);
    if (!out) return out;
    if (out->remote_status == "complete" && reader.saw_results()) {
      if (!reader.row_error().empty()) return tl::make_unexpected(reader.row_error());
      out->has_rows = true;
      out->streamed_rows = reader.rows();
    }
    settle(*out, reader.row_failed());
    return out;
  }

 private:
  // Everything but the rows, through FieldReader or FlatFieldReader (the
  // same calls, the same messages). The results field is only checked for
  // its type here.
  template <class Reader>
  static tl::expected<Observation, std::string> read_job(Reader& job) {
    Observation out;
    auto status = job.string("status");
    out.total = job.integer("total");
    out.processed = job.integer("processed");
    out.succeeded = job.integer("succeeded");
    out.failed = job.integer("failed");
    out.remote_created_at = job.time("created_at");
    out.updated_at = job.time("updated_at");
    out.expires_at = job.time("expires_at");
    if (auto error = nested(job, "error")) {
      out.error_code = error->string("code");
      out.error_message = error->string("message");
      if (!error->ok()) job.fail(error->error());
    }
    job.array("results");
    if (!job.ok()) return tl::make_unexpected(job.error());
    if (!status) return tl::make_unexpected(std::string("field status is missing"));
    out.remote_status = *status;
    if (out.total && out.processed && *out.total > 0) {
      out.progress = clamp_progress(100.0 * static_cast<double>(*out.processed) /
                                    static_cast<double>(*out.total));
    }
    return out;
  }

  static std::optional<FieldReader> nested(FieldReader& job, std::string_view key) {
    const nlohmann::json* object = job.object(key);
    if (!object) return std::nullopt;
    return FieldReader(*object, std::string(key));
  }
  static std::optional<FlatFieldReader> nested(FlatFieldReader& job, std::string_view key) {
    return job.object(key);
  }

  // The state, from the status and (once complete) whether any row failed.
  // Any other status leaves state unset: recorded as an error, never guessed.
  static void settle(Observation& out, bool row_failed) {
    if (out.remote_status == "processing") {
      out.state = State::running;
    } else if (out.remote_status == "failed") {
      out.state = State::failed;
    } else if (out.remote_status == "complete") {
      out.progress = 100.0;
      out.state = (out.failed.value_or(0) > 0 || row_failed) ? State::partial : State::succeeded;
    }
  }

  std::string base_url_;
  std::string team_id_;
};

}  // namespace

Made make_prism(const EndpointConfig& endpoint) {
  if (auto known = only_settings(endpoint, {"team_id"}); !known)
    return tl::make_unexpected(known.error());
  auto team_id = required_setting(endpoint, "team_id");
  if (!team_id) return tl::make_unexpected(team_id.error());
  return std::make_unique<Prism>(endpoint.base_url, *team_id);
}

}  // namespace jobtrack::providers
