#include "daemon/spool.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

namespace jobtrack {

tl::expected<std::unique_ptr<Spool>, std::string> Spool::create(const std::string& directory) {
  std::string why;
  if (!directory.empty()) {
    const int fd = open(directory.c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
    if (fd >= 0) return std::unique_ptr<Spool>(new Spool(fd));
    why = fmt::format("O_TMPFILE in {}: {}; ", directory, std::strerror(errno));
  }
  const int fd = memfd_create("jobtrack-body", MFD_CLOEXEC);
  if (fd >= 0) return std::unique_ptr<Spool>(new Spool(fd));
  return tl::make_unexpected(
      fmt::format("cannot spool a response body: {}memfd: {}", why, std::strerror(errno)));
}

Spool::~Spool() {
  close(fd_);
}

bool Spool::append(const char* data, std::size_t size) {
  while (size > 0) {
    const ssize_t written = pwrite(fd_, data, size, size_);
    if (written < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    data += written;
    size -= static_cast<std::size_t>(written);
    size_ += written;
  }
  return true;
}

std::string Spool::head(std::size_t max_bytes) const {
  std::string text(
      static_cast<std::size_t>(std::min<std::int64_t>(size_, static_cast<std::int64_t>(max_bytes))),
      '\0');
  std::size_t got = 0;
  while (got < text.size()) {
    const ssize_t n = pread(fd_, text.data() + got, text.size() - got, static_cast<off_t>(got));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    got += static_cast<std::size_t>(n);
  }
  text.resize(got);
  return text;
}

SpoolStreambuf::int_type SpoolStreambuf::underflow() {
  if (gptr() < egptr()) return traits_type::to_int_type(*gptr());
  ssize_t n = 0;
  do {
    n = pread(spool_.fd(), buffer_.data(), buffer_.size(), static_cast<off_t>(offset_));
  } while (n < 0 && errno == EINTR);
  if (n <= 0) return traits_type::eof();
  offset_ += n;
  setg(buffer_.data(), buffer_.data(), buffer_.data() + n);
  return traits_type::to_int_type(*gptr());
}

}  // namespace jobtrack
