// micro.so Prism imports: GET {base}/v2/prism/{team_id}/imports/{job_id}
// with `x-api-key`. processing → running; complete → succeeded, or partial
// when any row failed; failed → failed. Per-row results arrive once the job
// is complete and may be huge: a spooled body is read with a SAX parser that
// streams the rows (parse_status_spooled). Jobs are retained 7 days, then 404.
#include <istream>
#include <vector>

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
    out.url =
        join_url(base_url_, fmt::format("v2/prism/{}/imports/{}", percent_encode_segment(team_id_),
                                        percent_encode_segment(remote_id)));
    out.headers.push_back("Accept: application/json");
    if (!token.empty()) out.headers.push_back(fmt::format("x-api-key: {}", token));
    return out;
  }

  tl::expected<Observation, std::string> parse_status(std::string_view body) const override {
    auto parsed = parse_json_object(body);
    if (!parsed) return tl::make_unexpected(parsed.error());
    const nlohmann::json* results = nullptr;
    auto out = read_job(*parsed, &results);
    if (!out) return out;
    bool row_failed = false;
    if (out->remote_status == "complete" && results) {
      out->rows.reserve(results->size());
      std::int64_t index = 0;
      for (const auto& item : *results) {
        auto row = read_row(item, index++);
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
  // each row goes to `sink` as soon as it is read (see RowStream).
  tl::expected<Observation, std::string> parse_status_spooled(const Spool& body,
                                                              RowSink& sink) const override {
    SpoolStreambuf buffer(body);
    std::istream stream(&buffer);
    RowStream reader(sink);
    nlohmann::json::sax_parse(stream, &reader);
    if (!reader.error().empty()) return tl::make_unexpected(reader.error());
    auto out = read_job(reader.head(), nullptr);
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
  // Everything but the rows. `results` (when not null) receives the
  // results array, if the body has one.
  static tl::expected<Observation, std::string> read_job(const nlohmann::json& body,
                                                         const nlohmann::json** results) {
    FieldReader job(body);
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
    const nlohmann::json* array = job.array("results");
    if (results) *results = array;
    if (!job.ok()) return tl::make_unexpected(job.error());
    if (!status) return tl::make_unexpected(std::string("field status is missing"));
    out.remote_status = *status;
    if (out.total && out.processed && *out.total > 0) {
      out.progress = clamp_progress(100.0 * static_cast<double>(*out.processed) /
                                    static_cast<double>(*out.total));
    }
    return out;
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

  static tl::expected<RowResult, std::string> read_row(const nlohmann::json& item,
                                                       std::int64_t index) {
    if (!item.is_object()) {
      return tl::make_unexpected(
          fmt::format("results[{}] is a {}, expected an object", index, item.type_name()));
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
    return row;
  }

  // SAX reader of a Prism body: every top-level field but `results` is
  // built into head() as a small DOM; each element of `results` is built
  // alone, read as a row and handed to the sink, then dropped. Memory is
  // one row, however many rows there are. The first unreadable row is kept
  // in row_error() and later rows are skipped: whether that matters is only
  // known once `status` is read, which may come after the results.
  class RowStream final : public nlohmann::json_sax<nlohmann::json> {
   public:
    explicit RowStream(RowSink& sink) : sink_(sink) {}

    const nlohmann::json& head() const { return head_; }
    const std::string& error() const { return error_; }
    const std::string& row_error() const { return row_error_; }
    bool saw_results() const { return saw_results_; }
    bool row_failed() const { return row_failed_; }
    std::int64_t rows() const { return rows_; }

    bool null() override { return value(nullptr); }
    bool boolean(bool flag) override { return value(flag); }
    bool number_integer(number_integer_t number) override { return value(number); }
    bool number_unsigned(number_unsigned_t number) override { return value(number); }
    bool number_float(number_float_t number, const string_t&) override { return value(number); }
    bool string(string_t& text) override { return value(std::move(text)); }
    bool binary(binary_t&) override { return fail("body is not valid JSON"); }

    bool start_object(std::size_t) override { return open(nlohmann::json::object()); }
    bool start_array(std::size_t) override {
      if (stack_.empty() && depth_ == 1 && key_ == "results") {
        depth_ = 2;  // rows follow, each built on its own
        saw_results_ = true;
        return true;
      }
      return open(nlohmann::json::array());
    }
    bool key(string_t& name) override {
      if (stack_.empty()) {
        key_ = std::move(name);
      } else {
        keys_.back() = std::move(name);
      }
      return true;
    }
    bool end_object() override {
      if (stack_.empty()) {  // the body itself
        depth_ = 0;
        return true;
      }
      return close();
    }
    bool end_array() override {
      if (stack_.empty()) {  // the results array
        depth_ = 1;
        return true;
      }
      return close();
    }
    bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) override {
      return fail(body_started_ ? "body is not valid JSON" : "empty body");
    }

   private:
    bool open(nlohmann::json container) {
      body_started_ = true;
      if (depth_ == 0 && stack_.empty()) {
        if (!container.is_object()) return fail("body is a JSON array, expected an object");
        depth_ = 1;
        return true;
      }
      stack_.push_back(std::move(container));
      keys_.emplace_back();
      return true;
    }

    bool close() {
      nlohmann::json done = std::move(stack_.back());
      stack_.pop_back();
      keys_.pop_back();
      return value(std::move(done));
    }

    bool value(nlohmann::json item) {
      body_started_ = true;
      if (!stack_.empty()) {
        nlohmann::json& parent = stack_.back();
        if (parent.is_object()) {
          parent[keys_.back()] = std::move(item);
        } else {
          parent.push_back(std::move(item));
        }
        return true;
      }
      if (depth_ == 0)
        return fail(fmt::format("body is a JSON {}, expected an object", item.type_name()));
      if (depth_ == 2) return take_row(item);
      head_[key_] = std::move(item);
      return true;
    }

    bool take_row(const nlohmann::json& item) {
      const std::int64_t index = rows_;
      ++rows_;
      if (!row_error_.empty()) return true;
      auto row = read_row(item, index);
      if (!row) {
        row_error_ = row.error();
        return true;
      }
      row_failed_ = row_failed_ || row->error_code || row->error_message;
      sink_.row(std::move(*row));
      return true;
    }

    bool fail(std::string message) {
      if (error_.empty()) error_ = std::move(message);
      return false;
    }

    RowSink& sink_;
    nlohmann::json head_ = nlohmann::json::object();
    std::vector<nlohmann::json> stack_;  // containers being built, innermost last
    std::vector<std::string> keys_;      // the pending key of each container on stack_
    std::string key_;                    // the pending top-level key
    int depth_ = 0;                      // 0 before the body, 1 in it, 2 in its results array
    bool body_started_ = false;
    bool saw_results_ = false;
    bool row_failed_ = false;
    std::int64_t rows_ = 0;
    std::string error_, row_error_;
  };

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
