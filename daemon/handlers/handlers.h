// The Varlink methods, one file each in this folder, and the dispatch that
// routes a call to its handler. Handlers validate parameters (wrong types
// and unknown names are InvalidParameter), work through the store and the
// scheduler, and answer through the Responder; they never throw: store
// failures become StorageFailure errors.
//
// Loop thread only.
#pragma once

#include <sys/types.h>

#include <functional>
#include <string>

#include "daemon/clock.h"
#include "daemon/commit_gate.h"
#include "daemon/config.h"
#include "daemon/ingest.h"
#include "daemon/protocol/varlink.h"
#include "daemon/scheduler.h"
#include "daemon/server.h"
#include "daemon/store.h"
#include "daemon/watchers.h"

namespace jobtrack {

// Daemon-wide facts that Status reports.
struct DaemonFacts {
  Millis started_at = 0;  // wall
  Millis started_monotonic = 0;
  std::string storage_error;      // the last store failure, "" when healthy
  std::int64_t jobs_deleted = 0;  // by Forget and by expiry
  std::function<std::size_t()> connections;
  std::function<void()> job_forgotten;  // after Forget deleted a job; may be empty
};

struct HandlerContext {
  Store& store;
  CommitGate& commits;       // holds the batch open while a large result set streams in
  const Ingestor* ingestor;  // may be null
  Scheduler& scheduler;
  Watchers& watchers;
  const Clock& clock;
  DaemonFacts& facts;
  uid_t daemon_uid;
};

void dispatch(HandlerContext& context, const protocol::Call& call, const ResponderPtr& responder);

namespace handlers {

using Params = protocol::Params;

void get_info(HandlerContext& context, Params& params, const ResponderPtr& responder);
void get_interface_description(HandlerContext& context, Params& params,
                               const ResponderPtr& responder);
void track(HandlerContext& context, Params& params, const ResponderPtr& responder);
void get(HandlerContext& context, Params& params, const ResponderPtr& responder);
void list(HandlerContext& context, Params& params, const ResponderPtr& responder);
void history(HandlerContext& context, Params& params, const ResponderPtr& responder);
void results(HandlerContext& context, Params& params, const ResponderPtr& responder);
void forget(HandlerContext& context, Params& params, const ResponderPtr& responder);
void poll_now(HandlerContext& context, Params& params, const ResponderPtr& responder);
void wait(HandlerContext& context, Params& params, const ResponderPtr& responder);
void status(HandlerContext& context, Params& params, const ResponderPtr& responder);
void endpoints(HandlerContext& context, Params& params, const ResponderPtr& responder);

// Shared by the handlers that name one job (common.cpp).
tl::expected<Job, protocol::VarlinkError> resolve_job(HandlerContext& context, Params& params);
nlohmann::json render_job(HandlerContext& context, const Job& job);
// Whether the caller may change the job: its submitter, root, or the daemon's user.
bool may_change(HandlerContext& context, const ResponderPtr& responder, const Job& job);
// The PermissionDenied error for a caller that may not change `job`.
protocol::VarlinkError not_yours(const Job& job);
protocol::VarlinkError storage_failure(const std::exception& error);
// For a call whose answer promises that its writes are durable (Track,
// Forget, PollNow): runs `answer` once the batch holding those writes is
// committed (at the end of this loop iteration, or later while a large
// result set holds the batch open), or answers StorageFailure when that
// batch is lost. The connection goes on reading later calls meanwhile and
// keeps the replies in call order.
void answer_once_committed(HandlerContext& context, const ResponderPtr& responder,
                           std::function<void()> answer);

}  // namespace handlers
}  // namespace jobtrack
