// What a provider read in one status response, in normalized form.
//
// Providers fill it from the remote API's body; the tracker compares it with
// the stored job to decide what changed. Absent fields mean "the response
// did not say", never "clear the stored value".
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "daemon/job.h"

namespace jobtrack {

struct Observation {
  // nullopt when the response did not map to a known state; the job keeps
  // its state and the poll is recorded as an error.
  std::optional<State> state;
  std::string remote_status;  // verbatim
  std::optional<double> progress;
  std::optional<std::int64_t> total, processed, succeeded, failed;
  std::optional<std::string> result_url;
  std::optional<std::string> error_code, error_message;
  std::optional<Millis> remote_created_at, updated_at, finished_at, expires_at;
  std::optional<std::string> detail_json;
  // Per-row results; has_rows says the response carried the complete set.
  bool has_rows = false;
  std::vector<RowResult> rows;
  // Set instead of `rows` when the rows went to a RowSink as they were read
  // (a spooled body): how many there were.
  std::optional<std::int64_t> streamed_rows;
};

// Takes per-row results as a provider reads them from a large body, so a
// million rows are never held in memory at once. Rows arrive in order,
// numbered from 0. Whether they are kept is decided after the whole body is
// read: the scheduler discards them unless the poll's decision stores rows.
// May throw (StoreError); the provider lets it through.
class RowSink {
 public:
  virtual ~RowSink() = default;
  virtual void row(RowResult&& row) = 0;
};

}  // namespace jobtrack
