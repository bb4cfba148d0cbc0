#include "daemon/job_json.h"

#include "daemon/protocol/times.h"

namespace jobtrack {
namespace {

template <typename T>
nlohmann::json or_null(const std::optional<T>& value) {
  return value ? nlohmann::json(*value) : nlohmann::json(nullptr);
}

}  // namespace

nlohmann::json time_or_null(const std::optional<Millis>& at) {
  return at ? nlohmann::json(protocol::format_iso8601(*at)) : nlohmann::json(nullptr);
}

nlohmann::json job_to_json(const Job& job, std::string_view provider) {
  nlohmann::json detail = nullptr;
  if (job.detail_json) {
    detail = nlohmann::json::parse(*job.detail_json, nullptr, false);
    if (detail.is_discarded() || !detail.is_object()) detail = nullptr;
  }
  return {
      {"id", job.id},
      {"endpoint", job.endpoint},
      {"provider", provider},
      {"remote_id", job.remote_id},
      {"label", or_null(job.label)},
      {"state", to_string(job.state)},
      {"terminal", is_terminal(job.state)},
      {"remote_status", or_null(job.remote_status)},
      {"progress", or_null(job.progress)},
      {"total", or_null(job.total)},
      {"processed", or_null(job.processed)},
      {"succeeded", or_null(job.succeeded)},
      {"failed", or_null(job.failed)},
      {"result_url", or_null(job.result_url)},
      {"error_code", or_null(job.error_code)},
      {"error_message", or_null(job.error_message)},
      {"detail", detail},
      {"submitter_uid", job.submitter_uid},
      {"submitted_at", protocol::format_iso8601(job.submitted_at)},
      {"remote_created_at", time_or_null(job.remote_created_at)},
      {"updated_at", time_or_null(job.updated_at)},
      {"finished_at", time_or_null(job.finished_at)},
      {"expires_at", time_or_null(job.expires_at)},
      {"deadline_at", time_or_null(job.deadline_at)},
      {"next_poll_at", time_or_null(job.next_poll_at)},
      {"last_polled_at", time_or_null(job.last_polled_at)},
      {"poll_count", job.poll_count},
      {"consecutive_errors", job.consecutive_errors},
      {"last_poll_error", or_null(job.last_poll_error)},
      {"results_stored", job.results_stored},
  };
}

nlohmann::json transition_to_json(const Transition& transition) {
  return {
      {"at", protocol::format_iso8601(transition.at)},
      {"from",
       transition.from ? nlohmann::json(to_string(*transition.from)) : nlohmann::json(nullptr)},
      {"to", to_string(transition.to)},
      {"remote_status", or_null(transition.remote_status)},
      {"progress", or_null(transition.progress)},
      {"detail", or_null(transition.detail)},
  };
}

nlohmann::json row_to_json(const RowResult& row) {
  return {
      {"row", row.row},
      {"record_id", or_null(row.record_id)},
      {"created", or_null(row.created)},
      {"existing", or_null(row.existing)},
      {"error_code", or_null(row.error_code)},
      {"error_message", or_null(row.error_message)},
  };
}

}  // namespace jobtrack
