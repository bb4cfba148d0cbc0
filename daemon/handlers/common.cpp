#include <fmt/format.h>

#include "daemon/handlers/handlers.h"
#include "daemon/job_json.h"

namespace jobtrack::handlers {

tl::expected<Job, protocol::VarlinkError> resolve_job(HandlerContext& context, Params& params) {
  auto id = params.optional_int("id");
  if (!id) return tl::make_unexpected(id.error());
  auto endpoint = params.optional_string("endpoint");
  if (!endpoint) return tl::make_unexpected(endpoint.error());
  auto remote_id = params.optional_string("remote_id");
  if (!remote_id) return tl::make_unexpected(remote_id.error());
  std::optional<Job> job;
  nlohmann::json named;
  if (*id) {
    job = context.store.get(**id);
    named = {{"id", **id}};
  } else if (*endpoint && *remote_id) {
    job = context.store.find(**endpoint, **remote_id);
    named = {{"endpoint", **endpoint}, {"remote_id", **remote_id}};
  } else {
    return tl::make_unexpected(
        protocol::invalid_parameter("id", "give id, or endpoint and remote_id"));
  }
  if (!job)
    return tl::make_unexpected(
        protocol::VarlinkError{std::string(protocol::errors::kNoSuchJob), named});
  return *job;
}

nlohmann::json render_job(HandlerContext& context, const Job& job) {
  const EndpointRuntime* endpoint = context.scheduler.endpoint(job.endpoint);
  return job_to_json(job,
                     endpoint ? std::string_view(endpoint->config.provider) : std::string_view());
}

bool may_change(HandlerContext& context, const ResponderPtr& responder, const Job& job) {
  uid_t uid = responder->peer().uid;
  return uid == 0 || uid == context.daemon_uid || uid == job.submitter_uid;
}

protocol::VarlinkError not_yours(const Job& job) {
  return {std::string(protocol::errors::kPermissionDenied),
          {{"reason", fmt::format("job {} was tracked by uid {}", job.id, job.submitter_uid)}}};
}

protocol::VarlinkError storage_failure(const std::exception& error) {
  return {std::string(protocol::errors::kStorageFailure), {{"reason", error.what()}}};
}

void answer_once_committed(HandlerContext& context, const ResponderPtr& responder,
                           std::function<void()> answer) {
  responder->awaiting_commit();
  context.store.after_commit([responder, answer = std::move(answer)](const std::string* error) {
    if (error) return responder->error(storage_failure(StoreError(*error)));
    answer();
  });
}

}  // namespace jobtrack::handlers
