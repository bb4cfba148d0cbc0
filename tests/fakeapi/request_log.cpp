// The bounded log of API requests received (see request_log.h).
#include "tests/fakeapi/request_log.h"

namespace jobtrack::fakeapi {

namespace {

Json optional_text(const std::optional<std::string>& text) {
  return text ? Json(*text) : Json(nullptr);
}

Json render(std::uint64_t seq, const LoggedRequest& entry) {
  Json headers = Json::object();
  for (const auto& [name, value] : entry.headers) {
    const std::string key = lowercase(name);
    headers[key] = headers.contains(key) ? headers[key].get<std::string>() + ", " + value : value;
  }
  return {{"seq", seq},
          {"time", iso8601(entry.time)},
          {"method", entry.method},
          {"target", entry.target},
          {"api", optional_text(entry.api)},
          {"id", optional_text(entry.id)},
          {"team", optional_text(entry.team)},
          {"headers", headers},
          {"status", entry.status ? Json(*entry.status) : Json(nullptr)},
          {"outcome", entry.outcome.empty() ? Json(nullptr) : Json(entry.outcome)}};
}

}  // namespace

std::uint64_t RequestLog::add(LoggedRequest entry) {
  std::lock_guard lock(mutex_);
  const std::uint64_t seq = next_seq_++;
  entries_.push_back(std::move(entry));
  while (entries_.size() > capacity_) {
    entries_.pop_front();
    ++first_seq_;
  }
  return seq;
}

void RequestLog::answered(std::uint64_t seq, int status, std::string_view outcome) {
  std::lock_guard lock(mutex_);
  if (seq < first_seq_ || seq - first_seq_ >= entries_.size()) return;
  LoggedRequest& entry = entries_[static_cast<std::size_t>(seq - first_seq_)];
  entry.status = status;
  entry.outcome = outcome;
}

Json RequestLog::query(std::string_view api, std::string_view id) const {
  std::lock_guard lock(mutex_);
  Json out = Json::array();
  std::uint64_t seq = first_seq_;
  for (const LoggedRequest& entry : entries_) {
    const bool wanted = (api.empty() || entry.api == api) && (id.empty() || entry.id == id);
    if (wanted) out.push_back(render(seq, entry));
    ++seq;
  }
  return out;
}

void RequestLog::clear() {
  std::lock_guard lock(mutex_);
  first_seq_ = next_seq_;
  entries_.clear();
}

}  // namespace jobtrack::fakeapi
