// The log of API requests the emulator received, for tests to inspect
// (GET /_control/requests): method, the raw request target exactly as it was
// on the request line, headers (names lowercased, auth included), the API and
// decoded id it was routed to, and the status answered. Bounded: the oldest
// entries are dropped beyond `capacity`. Entries are kept as plain structs
// (a few hundred bytes each) and rendered as JSON only when asked for.
// Thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tests/fakeapi/util.h"

namespace jobtrack::fakeapi {

struct LoggedRequest {
  SysTime time;
  std::string method;
  std::string target;
  std::optional<std::string> api;
  std::optional<std::string> id;
  std::optional<std::string> team;
  std::vector<std::pair<std::string, std::string>> headers;  // names as received
  std::optional<int> status;                                 // 0: closed without an answer
  std::string outcome;
};

class RequestLog {
 public:
  explicit RequestLog(std::size_t capacity) : capacity_(capacity) {}

  // Adds an entry and returns its sequence number.
  std::uint64_t add(LoggedRequest entry);
  // Records how the request was answered, if the entry is still kept.
  void answered(std::uint64_t seq, int status, std::string_view outcome);
  // Entries matching the filters (empty: any), oldest first, as
  // {seq, time, method, target, api, id, team, headers, status, outcome}.
  Json query(std::string_view api, std::string_view id) const;
  void clear();

 private:
  std::size_t capacity_;
  mutable std::mutex mutex_;
  std::deque<LoggedRequest> entries_;  // guarded by mutex_
  std::uint64_t first_seq_ = 1;        // seq of entries_.front(); guarded by mutex_
  std::uint64_t next_seq_ = 1;         // guarded by mutex_
};

}  // namespace jobtrack::fakeapi
