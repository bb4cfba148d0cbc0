// The Trade Desk GraphQL jobs: GET {base}/graphqlqueryjob/{id} (job_kind =
// "query", the default) or {base}/graphqlbulkjob/{id} (job_kind = "bulk")
// with `TTD-Auth: <token>`. Body `{"job": {...}, "errors": string|null}`.
// Queued → queued, InProgress → running, Success → succeeded,
// PartialSuccess → partial, Failure → failed, Cancelled → cancelled.
// job.completionPercentage → progress, url → result_url, createdAt /
// completedAt → remote_created_at / finished_at; the top-level errors,
// queryGqlErrors and runtimeErrors are joined into error_message.
#include <fmt/format.h>

#include "daemon/providers/factories.h"
#include "daemon/providers/json_fields.h"
#include "daemon/providers/url.h"

namespace jobtrack::providers {
namespace {

std::optional<State> state_of(std::string_view status) {
  if (status == "Queued") return State::queued;
  if (status == "InProgress") return State::running;
  if (status == "Success") return State::succeeded;
  if (status == "PartialSuccess") return State::partial;
  if (status == "Failure") return State::failed;
  if (status == "Cancelled") return State::cancelled;
  return std::nullopt;
}

// Appends the strings of the array `key` (if any) to `messages`.
void read_messages(FieldReader& reader, std::string_view key, std::string_view where,
                   std::vector<std::string>& messages) {
  const nlohmann::json* list = reader.array(key);
  if (!list) return;
  std::size_t index = 0;
  for (const auto& item : *list) {
    if (item.is_string()) {
      messages.push_back(item.get<std::string>());
    } else if (!item.is_null()) {
      reader.fail(fmt::format("field {}.{}[{}] has type {}, expected string", where, key, index,
                              item.type_name()));
      return;
    }
    ++index;
  }
}

class TtdGraphql final : public Provider {
 public:
  TtdGraphql(std::string base_url, std::string_view collection)
      : base_url_(std::move(base_url)), collection_(collection) {}

  HttpRequest request(std::string_view remote_id, std::string_view token) const override {
    HttpRequest out;
    out.url =
        join_url(base_url_, fmt::format("{}/{}", collection_, percent_encode_segment(remote_id)));
    out.headers.push_back("Accept: application/json");
    if (!token.empty()) out.headers.push_back(fmt::format("TTD-Auth: {}", token));
    return out;
  }

  tl::expected<Observation, std::string> parse_status(std::string_view body) const override {
    auto parsed = parse_json_object(body);
    if (!parsed) return tl::make_unexpected(parsed.error());
    FieldReader top(*parsed);
    std::vector<std::string> messages;
    auto errors = top.string("errors");
    if (errors && !errors->empty()) messages.push_back(*errors);
    const nlohmann::json* job_object = top.object("job");
    if (!top.ok()) return tl::make_unexpected(top.error());
    if (!job_object) {
      if (!messages.empty())
        return tl::make_unexpected(fmt::format("no job in the response: {}", messages[0]));
      return tl::make_unexpected(std::string("field job is missing"));
    }

    FieldReader job(*job_object, "job");
    Observation out;
    auto status = job.string("status");
    out.progress = clamp_progress(job.number("completionPercentage"));
    out.result_url = job.string("url");
    out.remote_created_at = job.time("createdAt");
    out.finished_at = job.time("completedAt");
    read_messages(job, "queryGqlErrors", "job", messages);
    read_messages(job, "runtimeErrors", "job", messages);
    if (!job.ok()) return tl::make_unexpected(job.error());
    if (!status) return tl::make_unexpected(std::string("field job.status is missing"));
    out.remote_status = *status;
    out.state = state_of(*status);
    if (!messages.empty()) out.error_message = fmt::format("{}", fmt::join(messages, "; "));
    if (out.state == State::succeeded && !out.progress) out.progress = 100.0;
    return out;
  }

 private:
  std::string base_url_;
  std::string collection_;
};

}  // namespace

Made make_ttd_graphql(const EndpointConfig& endpoint) {
  if (auto known = only_settings(endpoint, {"job_kind"}); !known)
    return tl::make_unexpected(known.error());
  auto kind = optional_setting(endpoint, "job_kind");
  if (!kind) return tl::make_unexpected(kind.error());
  std::string_view collection;
  if (!*kind || **kind == "query") {
    collection = "graphqlqueryjob";
  } else if (**kind == "bulk") {
    collection = "graphqlbulkjob";
  } else {
    return tl::make_unexpected(ProviderError{
        "job_kind", fmt::format("job_kind must be \"query\" or \"bulk\", not \"{}\"", **kind)});
  }
  return std::make_unique<TtdGraphql>(endpoint.base_url, collection);
}

}  // namespace jobtrack::providers
