#include <unistd.h>

#include <string>

#include <catch2/catch.hpp>

#include "cli/fd_lines.h"

using jobtrack::cli::FdLines;

namespace {

struct Pipe {
  int read_end = -1, write_end = -1;
  Pipe() {
    int fds[2];
    REQUIRE(::pipe(fds) == 0);
    read_end = fds[0];
    write_end = fds[1];
  }
  ~Pipe() {
    ::close(read_end);
    if (write_end >= 0) ::close(write_end);
  }
  void write(const std::string& text) const {
    REQUIRE(::write(write_end, text.data(), text.size()) == static_cast<ssize_t>(text.size()));
  }
  void close_writer() {
    ::close(write_end);
    write_end = -1;
  }
};

}  // namespace

TEST_CASE("FdLines splits lines, keeps empty ones and a last line without a newline") {
  Pipe pipe;
  pipe.write("one\n\nthree\nfour");
  pipe.close_writer();
  FdLines lines(pipe.read_end);
  std::string line;
  REQUIRE(lines.next(line));
  CHECK(line == "one");
  REQUIRE(lines.next(line));
  CHECK(line.empty());
  REQUIRE(lines.next(line));
  CHECK(line == "three");
  REQUIRE(lines.next(line));
  CHECK(line == "four");
  CHECK_FALSE(lines.next(line));
  CHECK(lines.ready());  // the end is there at once
}

TEST_CASE("FdLines tells whether a line is waiting without blocking") {
  Pipe pipe;
  FdLines lines(pipe.read_end);
  CHECK_FALSE(lines.ready());  // nothing written yet
  pipe.write("a\nb\n");
  CHECK(lines.ready());
  std::string line;
  REQUIRE(lines.next(line));
  CHECK(line == "a");
  CHECK(lines.ready());  // "b" is buffered
  REQUIRE(lines.next(line));
  CHECK(line == "b");
  CHECK_FALSE(lines.ready());  // the producer paused
  pipe.write("c\n");
  CHECK(lines.ready());
  REQUIRE(lines.next(line));
  CHECK(line == "c");
}
