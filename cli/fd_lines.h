// FdLines reads lines from a file descriptor (stdin for `track --stdin`)
// with read(2) into its own buffer, so that it can tell, without blocking,
// whether another line is already waiting: in the buffer, or readable on
// the descriptor. `track --stdin` pipelines its calls while input keeps
// coming and collects the replies as soon as the producer pauses.
//
// Does not own the descriptor. One thread. A last line without a newline is
// still a line; a read error ends the input like end of file.
#pragma once

#include <string>

namespace jobtrack::cli {

class FdLines {
 public:
  explicit FdLines(int fd) : fd_(fd) {}

  // The next line without its '\n'; false at the end of the input.
  bool next(std::string& line);
  // Whether next() would return at once (a line is buffered, the descriptor
  // is readable, or the input has ended).
  bool ready();

 private:
  bool fill();  // one read(); false at the end or on an error

  int fd_;
  std::string buffer_;
  std::size_t start_ = 0;  // of the unread part of buffer_
  bool ended_ = false;
};

}  // namespace jobtrack::cli
