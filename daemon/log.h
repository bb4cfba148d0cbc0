// Logging for jobtrackd. When stderr is connected to the journal
// (JOURNAL_STREAM names stderr's device and inode), messages go through
// sd-journal with structured fields (PRIORITY, JOBTRACK_JOB,
// JOBTRACK_ENDPOINT, JOBTRACK_REMOTE_ID, JOBTRACK_STATE) so that
// `journalctl -u jobtrackd JOBTRACK_JOB=42` shows one job's story; otherwise
// plain lines "<level>: message" on stderr (with "<N>" priority prefixes
// when stderr is not a TTY, as systemd understands them).
//
// Callers must never pass a token in a message or field. Loop thread only.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace jobtrack {

enum class LogLevel { debug = 7, info = 6, notice = 5, warning = 4, err = 3 };

struct LogFields {
  std::optional<std::int64_t> job;
  std::string_view endpoint;
  std::string_view remote_id;
  std::string_view state;
};

void set_log_level(LogLevel level);
bool parse_log_level(std::string_view text, LogLevel& out);
bool log_enabled(LogLevel level);
void log_message(LogLevel level, std::string_view message, const LogFields& fields = {});

inline void log_debug(std::string_view m, const LogFields& f = {}) {
  log_message(LogLevel::debug, m, f);
}
inline void log_info(std::string_view m, const LogFields& f = {}) {
  log_message(LogLevel::info, m, f);
}
inline void log_notice(std::string_view m, const LogFields& f = {}) {
  log_message(LogLevel::notice, m, f);
}
inline void log_warning(std::string_view m, const LogFields& f = {}) {
  log_message(LogLevel::warning, m, f);
}
inline void log_error(std::string_view m, const LogFields& f = {}) {
  log_message(LogLevel::err, m, f);
}

}  // namespace jobtrack
