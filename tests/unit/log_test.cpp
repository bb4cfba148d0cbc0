// Tests of the logging module: level parsing and filtering, where messages
// go, the plain stderr line and the journal fields.
#include "daemon/log.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "daemon/log_format.h"

using jobtrack::detect_log_sink;
using jobtrack::format_log_line;
using jobtrack::journal_fields;
using jobtrack::log_enabled;
using jobtrack::log_level_name;
using jobtrack::LogFields;
using jobtrack::LogLevel;
using jobtrack::LogSink;
using jobtrack::parse_log_level;
using jobtrack::set_log_level;

namespace {

// Sends stderr to a temporary file, with JOURNAL_STREAM unset, for the
// lifetime of the object; text() returns what was written.
class CapturedStderr {
 public:
  CapturedStderr() {
    if (const char* js = std::getenv("JOURNAL_STREAM")) saved_env_ = js;
    ::unsetenv("JOURNAL_STREAM");
    file_ = std::tmpfile();
    REQUIRE(file_ != nullptr);
    saved_fd_ = ::dup(STDERR_FILENO);
    REQUIRE(saved_fd_ >= 0);
    REQUIRE(::dup2(::fileno(file_), STDERR_FILENO) == STDERR_FILENO);
  }
  ~CapturedStderr() {
    ::dup2(saved_fd_, STDERR_FILENO);
    ::close(saved_fd_);
    std::fclose(file_);
    if (saved_env_) ::setenv("JOURNAL_STREAM", saved_env_->c_str(), 1);
  }
  CapturedStderr(const CapturedStderr&) = delete;
  CapturedStderr& operator=(const CapturedStderr&) = delete;

  std::string text() const {
    std::string out;
    char buf[512];
    off_t offset = 0;
    for (;;) {
      const ssize_t n = ::pread(::fileno(file_), buf, sizeof buf, offset);
      if (n <= 0) break;
      out.append(buf, static_cast<std::size_t>(n));
      offset += n;
    }
    return out;
  }

 private:
  std::FILE* file_ = nullptr;
  int saved_fd_ = -1;
  std::optional<std::string> saved_env_;
};

// Restores the default level when a test ends.
struct LevelGuard {
  ~LevelGuard() { set_log_level(LogLevel::info); }
};

std::string journal_stream_of(int fd) {
  struct stat st {};
  REQUIRE(::fstat(fd, &st) == 0);
  return std::to_string(st.st_dev) + ":" + std::to_string(st.st_ino);
}

}  // namespace

TEST_CASE("parse_log_level accepts names, aliases and syslog numbers") {
  LogLevel level = LogLevel::info;
  CHECK(parse_log_level("debug", level));
  CHECK(level == LogLevel::debug);
  CHECK(parse_log_level("INFO", level));
  CHECK(level == LogLevel::info);
  CHECK(parse_log_level("notice", level));
  CHECK(level == LogLevel::notice);
  CHECK(parse_log_level("warning", level));
  CHECK(level == LogLevel::warning);
  CHECK(parse_log_level("Warn", level));
  CHECK(level == LogLevel::warning);
  CHECK(parse_log_level("error", level));
  CHECK(level == LogLevel::err);
  CHECK(parse_log_level("err", level));
  CHECK(level == LogLevel::err);
  CHECK(parse_log_level("7", level));
  CHECK(level == LogLevel::debug);
  CHECK(parse_log_level("3", level));
  CHECK(level == LogLevel::err);
}

TEST_CASE("parse_log_level rejects anything else and leaves the output alone") {
  LogLevel level = LogLevel::notice;
  for (const char* bad : {"", "verbose", "crit", "8", "2", "info ", " info", "debug\n", "inf"}) {
    CAPTURE(bad);
    CHECK_FALSE(parse_log_level(bad, level));
    CHECK(level == LogLevel::notice);
  }
}

TEST_CASE("log levels are named as printed") {
  CHECK(log_level_name(LogLevel::debug) == "debug");
  CHECK(log_level_name(LogLevel::info) == "info");
  CHECK(log_level_name(LogLevel::notice) == "notice");
  CHECK(log_level_name(LogLevel::warning) == "warning");
  CHECK(log_level_name(LogLevel::err) == "error");
}

TEST_CASE("set_log_level filters less important messages") {
  LevelGuard guard;
  CHECK(log_enabled(LogLevel::info));  // the default
  CHECK_FALSE(log_enabled(LogLevel::debug));

  set_log_level(LogLevel::warning);
  CHECK(log_enabled(LogLevel::err));
  CHECK(log_enabled(LogLevel::warning));
  CHECK_FALSE(log_enabled(LogLevel::notice));
  CHECK_FALSE(log_enabled(LogLevel::info));

  set_log_level(LogLevel::debug);
  CHECK(log_enabled(LogLevel::debug));

  CapturedStderr captured;
  set_log_level(LogLevel::notice);
  jobtrack::log_debug("hidden debug");
  jobtrack::log_info("hidden info");
  jobtrack::log_notice("shown notice");
  jobtrack::log_error("shown error");
  CHECK(captured.text() == "<5>notice: shown notice\n<3>error: shown error\n");
}

TEST_CASE("messages on a non-terminal stderr carry priority prefixes") {
  LevelGuard guard;
  set_log_level(LogLevel::debug);
  CapturedStderr captured;
  jobtrack::log_debug("polling");
  jobtrack::log_warning("slow endpoint", {std::nullopt, "ttd", "", ""});
  jobtrack::log_info("state changed", {42, "prism", "imp-7", "running"});
  CHECK(captured.text() ==
        "<7>debug: polling\n"
        "<4>warning: slow endpoint [endpoint=ttd]\n"
        "<6>info: state changed [job=42 endpoint=prism remote_id=imp-7 state=running]\n");
}

TEST_CASE("a JOURNAL_STREAM that names another file means prefixed lines") {
  CapturedStderr captured;
  ::setenv("JOURNAL_STREAM", "1:2", 1);
  jobtrack::log_error("boom", {7, "", "", ""});
  ::unsetenv("JOURNAL_STREAM");
  CHECK(captured.text() == "<3>error: boom [job=7]\n");
}

TEST_CASE("format_log_line renders level, message and the fields present") {
  const LogFields none;
  CHECK(format_log_line(LogLevel::info, "started", none, false) == "info: started\n");
  CHECK(format_log_line(LogLevel::info, "started", none, true) == "<6>info: started\n");
  CHECK(format_log_line(LogLevel::err, "", none, false) == "error: \n");

  CHECK(format_log_line(LogLevel::notice, "m", {0, "", "", ""}, false) == "notice: m [job=0]\n");
  CHECK(format_log_line(LogLevel::notice, "m", {-5, "", "", ""}, false) == "notice: m [job=-5]\n");
  CHECK(format_log_line(LogLevel::notice, "m", {std::nullopt, "", "r1", "queued"}, false) ==
        "notice: m [remote_id=r1 state=queued]\n");
  CHECK(format_log_line(LogLevel::warning, "m", {9'000'000'000, "e", "r", "s"}, true) ==
        "<4>warning: m [job=9000000000 endpoint=e remote_id=r state=s]\n");
}

TEST_CASE("format_log_line keeps one message on one line") {
  const LogFields none;
  CHECK(format_log_line(LogLevel::info, "a\nb\r\tc", none, false) == "info: a\\nb\\r\\tc\n");
  CHECK(format_log_line(LogLevel::info, std::string("x\x01y\x7f", 4), none, false) ==
        "info: x\\x01y\\x7f\n");
  CHECK(format_log_line(LogLevel::info, "m\n<3>forged", none, true) == "<6>info: m\\n<3>forged\n");
  CHECK(format_log_line(LogLevel::info, "ünïcode", none, false) == "info: ünïcode\n");
}

TEST_CASE("format_log_line quotes field values that would be ambiguous") {
  CHECK(format_log_line(LogLevel::info, "m", {std::nullopt, "my api", "", ""}, false) ==
        "info: m [endpoint=\"my api\"]\n");
  CHECK(format_log_line(LogLevel::info, "m", {std::nullopt, "", "a\"b]", ""}, false) ==
        "info: m [remote_id=\"a\\\"b]\"]\n");
  CHECK(format_log_line(LogLevel::info, "m", {std::nullopt, "", "k=v", ""}, false) ==
        "info: m [remote_id=\"k=v\"]\n");
  CHECK(format_log_line(LogLevel::info, "m", {std::nullopt, "", "a\nb", ""}, false) ==
        "info: m [remote_id=a\\nb]\n");
}

TEST_CASE("journal_fields carries the message, priority, identifier and fields") {
  CHECK(journal_fields(LogLevel::info, "started", {}) ==
        std::vector<std::string>{"MESSAGE=started", "PRIORITY=6", "SYSLOG_IDENTIFIER=jobtrackd"});
  CHECK(journal_fields(LogLevel::err, "poll failed\nHTTP 500", {42, "prism", "imp-7", "running"}) ==
        std::vector<std::string>{"MESSAGE=poll failed\nHTTP 500", "PRIORITY=3",
                                 "SYSLOG_IDENTIFIER=jobtrackd", "JOBTRACK_JOB=42",
                                 "JOBTRACK_ENDPOINT=prism", "JOBTRACK_REMOTE_ID=imp-7",
                                 "JOBTRACK_STATE=running"});
  CHECK(journal_fields(LogLevel::debug, "m", {std::nullopt, "", "", "failed"}) ==
        std::vector<std::string>{"MESSAGE=m", "PRIORITY=7", "SYSLOG_IDENTIFIER=jobtrackd",
                                 "JOBTRACK_STATE=failed"});
}

TEST_CASE("detect_log_sink recognises the journal stream by device and inode") {
  std::FILE* file = std::tmpfile();
  REQUIRE(file != nullptr);
  const int fd = ::fileno(file);
  const std::string mine = journal_stream_of(fd);

  CHECK(detect_log_sink(mine.c_str(), fd) == LogSink::journal);
  CHECK(detect_log_sink(nullptr, fd) == LogSink::prefixed);
  CHECK(detect_log_sink("", fd) == LogSink::prefixed);
  CHECK(detect_log_sink("1:2", fd) == LogSink::prefixed);
  CHECK(detect_log_sink("garbage", fd) == LogSink::prefixed);
  CHECK(detect_log_sink((mine + "0").c_str(), fd) == LogSink::prefixed);
  CHECK(detect_log_sink((mine + ":").c_str(), fd) == LogSink::prefixed);
  CHECK(detect_log_sink((" " + mine).c_str(), fd) == LogSink::prefixed);
  CHECK(detect_log_sink(mine.c_str(), -1) == LogSink::prefixed);
  std::fclose(file);
}

TEST_CASE("detect_log_sink writes plain lines to a terminal") {
  const int master = ::posix_openpt(O_RDWR | O_NOCTTY);
  if (master < 0 || ::grantpt(master) != 0 || ::unlockpt(master) != 0) {
    if (master >= 0) ::close(master);
    WARN("no pseudo-terminal available; terminal detection not checked");
    return;
  }
  const char* name = ::ptsname(master);
  REQUIRE(name != nullptr);
  const int terminal = ::open(name, O_RDWR | O_NOCTTY);
  REQUIRE(terminal >= 0);
  CHECK(detect_log_sink(nullptr, terminal) == LogSink::plain);
  // A JOURNAL_STREAM left over from a parent that doesn't name the terminal.
  CHECK(detect_log_sink("1:2", terminal) == LogSink::prefixed);
  ::close(terminal);
  ::close(master);
}

TEST_CASE("logging never throws, whatever it is given") {
  LevelGuard guard;
  set_log_level(LogLevel::debug);
  CapturedStderr captured;
  const std::string big(1 << 20, 'x');
  CHECK_NOTHROW(jobtrack::log_info(big, {1, big, big, big}));
  CHECK_NOTHROW(jobtrack::log_info(std::string_view{}));
  CHECK(captured.text().size() > 4 * big.size());
}
