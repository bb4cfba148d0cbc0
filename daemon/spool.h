// A Spool holds a response body too large to keep in memory: an unlinked
// file (O_TMPFILE in a directory on disk, or a memfd when there is none or
// the file system refuses O_TMPFILE) that the poller appends to as libcurl
// delivers the body, and that a provider then reads as a stream. The file
// has no name, so nothing is left behind whatever happens to the daemon.
//
// Ownership: the Spool owns its descriptor and closes it when destroyed;
// HttpResponse holds it by shared_ptr. Reading goes through SpoolStreambuf,
// which reads from the start of the file in 64 KiB chunks with pread, so the
// body never needs to be in memory at once. One thread at a time.
#pragma once

#include <cstdint>
#include <memory>
#include <streambuf>
#include <string>
#include <vector>

#include <tl/expected.hpp>

namespace jobtrack {

class Spool {
 public:
  // An empty unlinked file in `directory`, or a memfd when `directory` is
  // empty or refuses O_TMPFILE. The error says why neither worked.
  static tl::expected<std::unique_ptr<Spool>, std::string> create(const std::string& directory);
  ~Spool();
  Spool(const Spool&) = delete;
  Spool& operator=(const Spool&) = delete;

  // Appends; false (errno kept) when the write failed, e.g. a full disk.
  bool append(const char* data, std::size_t size);
  std::int64_t size() const { return size_; }
  // Up to `max_bytes` from the start, e.g. for an error message.
  std::string head(std::size_t max_bytes) const;
  int fd() const { return fd_; }

 private:
  explicit Spool(int fd) : fd_(fd) {}
  int fd_;
  std::int64_t size_ = 0;
};

// Reads a Spool from its start, for std::istream (and so for nlohmann's
// parsers). The Spool must outlive it.
class SpoolStreambuf final : public std::streambuf {
 public:
  explicit SpoolStreambuf(const Spool& spool) : spool_(spool), buffer_(64 * 1024) {}

 protected:
  int_type underflow() override;

 private:
  const Spool& spool_;
  std::vector<char> buffer_;
  std::int64_t offset_ = 0;
};

}  // namespace jobtrack
