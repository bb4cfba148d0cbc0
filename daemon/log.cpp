// Logging for jobtrackd: level filtering, journal detection and the two
// ways out (sd-journal with structured fields, or lines on stderr).
#include "daemon/log.h"

#include <sys/stat.h>
#include <sys/uio.h>
#include <systemd/sd-journal.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/log_format.h"

namespace jobtrack {
namespace {

LogLevel current_level = LogLevel::info;

bool parse_unsigned(std::string_view text, std::uint64_t& out) {
  if (text.empty()) return false;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, out);
  return ec == std::errc{} && ptr == end;
}

char ascii_lower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

bool equals_lower(std::string_view text, std::string_view lower) {
  if (text.size() != lower.size()) return false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (ascii_lower(text[i]) != lower[i]) return false;
  }
  return true;
}

// Appends text with control characters escaped, so that a message can
// neither span lines nor smuggle a "<N>" prefix into a line of its own.
void append_escaped(std::string& out, std::string_view text) {
  static constexpr char hex[] = "0123456789abcdef";
  for (char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c == '\t') {
      out += "\\t";
    } else if (byte < 0x20 || byte == 0x7f) {
      out += "\\x";
      out += hex[byte >> 4];
      out += hex[byte & 0x0f];
    } else {
      out += c;
    }
  }
}

bool needs_quotes(std::string_view value) {
  for (char c : value) {
    if (c == ' ' || c == '"' || c == '\\' || c == ']' || c == '=') return true;
  }
  return false;
}

void append_field(std::string& out, bool& first, std::string_view name, std::string_view value) {
  out += first ? " [" : " ";
  first = false;
  out += name;
  out += '=';
  if (!needs_quotes(value)) {
    append_escaped(out, value);
    return;
  }
  out += '"';
  std::string escaped;
  append_escaped(escaped, value);
  for (char c : escaped) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  out += '"';
}

void write_all(int fd, std::string_view data) noexcept {
  while (!data.empty()) {
    const ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return;  // nowhere left to report it
    }
    data.remove_prefix(static_cast<std::size_t>(n));
  }
}

bool send_to_journal(LogLevel level, std::string_view message, const LogFields& fields) {
  const std::vector<std::string> items = journal_fields(level, message, fields);
  std::vector<iovec> vec;
  vec.reserve(items.size());
  for (const std::string& item : items) {
    // sd_journal_sendv() only reads through iov_base.
    vec.push_back(iovec{const_cast<char*>(item.data()), item.size()});
  }
  return sd_journal_sendv(vec.data(), static_cast<int>(vec.size())) >= 0;
}

}  // namespace

LogSink detect_log_sink(const char* journal_stream, int fd) noexcept {
  struct stat st {};
  const bool have_stat = ::fstat(fd, &st) == 0;
  if (journal_stream != nullptr && journal_stream[0] != '\0') {
    const std::string_view text(journal_stream);
    const std::size_t colon = text.find(':');
    std::uint64_t dev = 0;
    std::uint64_t ino = 0;
    if (have_stat && colon != std::string_view::npos &&
        parse_unsigned(text.substr(0, colon), dev) && parse_unsigned(text.substr(colon + 1), ino) &&
        dev == static_cast<std::uint64_t>(st.st_dev) &&
        ino == static_cast<std::uint64_t>(st.st_ino)) {
      return LogSink::journal;
    }
    return LogSink::prefixed;
  }
  return ::isatty(fd) == 1 ? LogSink::plain : LogSink::prefixed;
}

std::string_view log_level_name(LogLevel level) noexcept {
  switch (level) {
    case LogLevel::debug:
      return "debug";
    case LogLevel::info:
      return "info";
    case LogLevel::notice:
      return "notice";
    case LogLevel::warning:
      return "warning";
    case LogLevel::err:
      return "error";
  }
  return "error";
}

std::string format_log_line(LogLevel level, std::string_view message, const LogFields& fields,
                            bool priority_prefix) {
  std::string line;
  line.reserve(message.size() + 64);
  if (priority_prefix) {
    line += '<';
    line += std::to_string(static_cast<int>(level));
    line += '>';
  }
  line += log_level_name(level);
  line += ": ";
  append_escaped(line, message);
  bool first = true;
  if (fields.job) append_field(line, first, "job", std::to_string(*fields.job));
  if (!fields.endpoint.empty()) append_field(line, first, "endpoint", fields.endpoint);
  if (!fields.remote_id.empty()) append_field(line, first, "remote_id", fields.remote_id);
  if (!fields.state.empty()) append_field(line, first, "state", fields.state);
  if (!first) line += ']';
  line += '\n';
  return line;
}

std::vector<std::string> journal_fields(LogLevel level, std::string_view message,
                                        const LogFields& fields) {
  std::vector<std::string> items;
  items.reserve(7);
  items.push_back("MESSAGE=" + std::string(message));
  items.push_back("PRIORITY=" + std::to_string(static_cast<int>(level)));
  items.emplace_back("SYSLOG_IDENTIFIER=jobtrackd");
  if (fields.job) items.push_back("JOBTRACK_JOB=" + std::to_string(*fields.job));
  if (!fields.endpoint.empty())
    items.push_back("JOBTRACK_ENDPOINT=" + std::string(fields.endpoint));
  if (!fields.remote_id.empty()) {
    items.push_back("JOBTRACK_REMOTE_ID=" + std::string(fields.remote_id));
  }
  if (!fields.state.empty()) items.push_back("JOBTRACK_STATE=" + std::string(fields.state));
  return items;
}

void set_log_level(LogLevel level) {
  current_level = level;
}

bool parse_log_level(std::string_view text, LogLevel& out) {
  struct Name {
    std::string_view name;
    LogLevel level;
  };
  static constexpr Name names[] = {
      {"debug", LogLevel::debug},     {"info", LogLevel::info},    {"notice", LogLevel::notice},
      {"warning", LogLevel::warning}, {"warn", LogLevel::warning}, {"error", LogLevel::err},
      {"err", LogLevel::err},         {"7", LogLevel::debug},      {"6", LogLevel::info},
      {"5", LogLevel::notice},        {"4", LogLevel::warning},    {"3", LogLevel::err},
  };
  for (const Name& n : names) {
    if (equals_lower(text, n.name)) {
      out = n.level;
      return true;
    }
  }
  return false;
}

bool log_enabled(LogLevel level) {
  return static_cast<int>(level) <= static_cast<int>(current_level);
}

void log_message(LogLevel level, std::string_view message, const LogFields& fields) {
  if (!log_enabled(level)) return;
  try {
    const LogSink sink = detect_log_sink(std::getenv("JOURNAL_STREAM"), STDERR_FILENO);
    if (sink == LogSink::journal && send_to_journal(level, message, fields)) return;
    write_all(STDERR_FILENO, format_log_line(level, message, fields, sink != LogSink::plain));
  } catch (...) {
    // Logging must never take the daemon down; an unloggable message is lost.
  }
}

}  // namespace jobtrack
