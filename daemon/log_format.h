// The pure parts of the logging module (daemon/log.h), exposed so that
// tests can check them without a journal: where messages go, the plain
// line written to stderr and the fields handed to sd-journal.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "daemon/log.h"

namespace jobtrack {

enum class LogSink {
  journal,   // stderr is the journal stream: structured fields via sd-journal
  prefixed,  // not a terminal: lines carry "<N>" priority prefixes
  plain,     // a terminal: bare lines
};

// Where messages go, given $JOURNAL_STREAM (null when unset) and the file
// descriptor of stderr.
LogSink detect_log_sink(const char* journal_stream, int fd) noexcept;

// "debug", "info", "notice", "warning", "error".
std::string_view log_level_name(LogLevel level) noexcept;

// One line, newline included: "[<N>]<level>: message [job=42 endpoint=x
// remote_id=y state=z]". Only the fields present appear; control characters
// are escaped so one message stays one line; values with spaces are quoted.
std::string format_log_line(LogLevel level, std::string_view message, const LogFields& fields,
                            bool priority_prefix);

// The journal fields of one message, "NAME=value" each: MESSAGE, PRIORITY,
// SYSLOG_IDENTIFIER=jobtrackd and the JOBTRACK_* fields present.
std::vector<std::string> journal_fields(LogLevel level, std::string_view message,
                                        const LogFields& fields);

}  // namespace jobtrack
