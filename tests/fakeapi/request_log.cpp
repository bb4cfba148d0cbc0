// The bounded log of API requests received (see request_log.h).
#include "tests/fakeapi/request_log.h"

namespace jobtrack::fakeapi {

std::uint64_t RequestLog::add(Json entry) {
  std::lock_guard lock(mutex_);
  const std::uint64_t seq = next_seq_++;
  Json stored = {{"seq", seq}};
  for (auto &[key, value] : entry.items()) stored[key] = std::move(value);
  entries_.push_back(std::move(stored));
  while (entries_.size() > capacity_) {
    entries_.pop_front();
    ++first_seq_;
  }
  return seq;
}

void RequestLog::answered(std::uint64_t seq, int status, std::string_view outcome) {
  std::lock_guard lock(mutex_);
  if (seq < first_seq_ || seq - first_seq_ >= entries_.size()) return;
  Json &entry = entries_[static_cast<std::size_t>(seq - first_seq_)];
  entry["status"] = status;
  entry["outcome"] = outcome;
}

Json RequestLog::query(std::string_view api, std::string_view id) const {
  std::lock_guard lock(mutex_);
  Json out = Json::array();
  for (const Json &entry : entries_) {
    if (!api.empty() && !(entry["api"].is_string() && entry["api"].get<std::string>() == api)) continue;
    if (!id.empty() && !(entry["id"].is_string() && entry["id"].get<std::string>() == id)) continue;
    out.push_back(entry);
  }
  return out;
}

void RequestLog::clear() {
  std::lock_guard lock(mutex_);
  first_seq_ = next_seq_;
  entries_.clear();
}

}  // namespace jobtrack::fakeapi
