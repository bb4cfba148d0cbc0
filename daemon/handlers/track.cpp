// Track: start tracking (endpoint, remote_id), idempotently. The reply
// waits for the commit of the loop iteration's batch, so an acknowledged
// Track survives a crash, and the Tracks a client pipelines share commits
// (the connection goes on with its later calls meanwhile). A batch that is
// lost answers StorageFailure instead.
#include <fmt/format.h>

#include "daemon/handlers/handlers.h"
#include "daemon/job_text.h"
#include "daemon/log.h"
#include "daemon/protocol/durations.h"

namespace jobtrack::handlers {
namespace {

// {"created": ..., "job": ...} as text: the same bytes reply() would send
// for the objects, written directly (a pipelined client gets thousands).
void reply_with_job(HandlerContext& context, const ResponderPtr& responder, const Job& job,
                    bool created) {
  const EndpointRuntime* endpoint = context.scheduler.endpoint(job.endpoint);
  std::string text;
  text.reserve(1024);  // a new job's text is about 700 bytes: no regrowth
  text += created ? R"({"created":true,"job":)" : R"({"created":false,"job":)";
  append_job_json(text, job,
                  endpoint ? std::string_view(endpoint->config.provider) : std::string_view());
  text += '}';
  responder->reply_text(text);
}

}  // namespace
void track(HandlerContext& context, Params& params, const ResponderPtr& responder) {
  auto endpoint_name = params.required_string("endpoint");
  if (!endpoint_name) return responder->error(endpoint_name.error());
  auto remote_id = params.required_string("remote_id");
  if (!remote_id) return responder->error(remote_id.error());
  auto label = params.optional_string("label");
  if (!label) return responder->error(label.error());
  auto deadline = params.optional_string("deadline");
  if (!deadline) return responder->error(deadline.error());
  if (auto unknown = params.no_unknown(); !unknown) return responder->error(unknown.error());

  const EndpointRuntime* endpoint = context.scheduler.endpoint(*endpoint_name);
  if (!endpoint) {
    return responder->error(
        {std::string(protocol::errors::kNoSuchEndpoint), {{"endpoint", *endpoint_name}}});
  }
  if (auto valid = endpoint->provider->check_remote_id(*remote_id); !valid) {
    return responder->error(protocol::invalid_parameter("remote_id", valid.error()));
  }
  if (*label && (*label)->size() > 1024) {
    return responder->error(
        protocol::invalid_parameter("label", "label is longer than 1024 bytes"));
  }
  std::optional<Millis> deadline_ms = endpoint->config.deadline;
  if (*deadline) {
    auto parsed = protocol::parse_duration_ms(**deadline);
    if (!parsed || *parsed <= 0) {
      return responder->error(protocol::invalid_parameter(
          "deadline", parsed ? std::string("deadline must be positive") : parsed.error()));
    }
    deadline_ms = *parsed;
  }

  try {
    if (auto existing = context.store.find(*endpoint_name, *remote_id)) {
      // It may be a Track of this very batch, not committed yet.
      answer_once_committed(context, responder, [&context, responder, job = *existing] {
        reply_with_job(context, responder, job, false);
      });
      return;
    }
    Millis wall = context.clock.wall();
    Millis now = context.scheduler.now();
    Job job;
    job.endpoint = *endpoint_name;
    job.remote_id = *remote_id;
    job.label = *label;
    job.state = State::queued;
    job.submitter_uid = responder->peer().uid;
    job.submitted_at = wall;
    job.next_poll_at = now;
    if (deadline_ms) job.deadline_at = now + *deadline_ms;
    Transition first;
    first.at = wall;
    first.to = State::queued;
    first.detail = "tracked";
    context.store.begin_batch();
    job.id = context.store.insert_job(job, first);
    context.scheduler.wake_soon();
    answer_once_committed(context, responder, [&context, responder, job, first] {
      context.watchers.queue(job, first);  // delivered to watchers after this iteration
      if (log_enabled(LogLevel::info)) {
        log_info(fmt::format("tracking {} on {} for uid {}", job.remote_id, job.endpoint,
                             job.submitter_uid),
                 {job.id, job.endpoint, job.remote_id, to_string(job.state)});
      }
      reply_with_job(context, responder, job, true);
    });
  } catch (const StoreError& error) {
    context.store.rollback_batch();
    responder->error(storage_failure(error));
  }
}

}  // namespace jobtrack::handlers
