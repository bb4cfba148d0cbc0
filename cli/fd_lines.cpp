#include "cli/fd_lines.h"

#include <poll.h>
#include <unistd.h>

#include <cerrno>

namespace jobtrack::cli {

bool FdLines::fill() {
  if (ended_) return false;
  if (start_ > 0) {
    buffer_.erase(0, start_);
    start_ = 0;
  }
  char chunk[65536];
  for (;;) {
    const ssize_t got = ::read(fd_, chunk, sizeof(chunk));
    if (got > 0) {
      buffer_.append(chunk, static_cast<std::size_t>(got));
      return true;
    }
    if (got < 0 && errno == EINTR) continue;
    ended_ = true;
    return false;
  }
}

bool FdLines::next(std::string& line) {
  for (;;) {
    const auto end = buffer_.find('\n', start_);
    if (end != std::string::npos) {
      line.assign(buffer_, start_, end - start_);
      start_ = end + 1;
      return true;
    }
    if (!fill()) {
      if (start_ >= buffer_.size()) return false;
      line.assign(buffer_, start_, std::string::npos);
      start_ = buffer_.size();
      return true;
    }
  }
}

bool FdLines::ready() {
  if (ended_ || buffer_.find('\n', start_) != std::string::npos) return true;
  pollfd entry{fd_, POLLIN, 0};
  return ::poll(&entry, 1, 0) > 0;
}

}  // namespace jobtrack::cli
