#include "daemon/secret.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include <fmt/format.h>

namespace jobtrack {
namespace {

// Tokens are short; a large file is a wrong path, not a token.
constexpr off_t kMaxTokenFile = 64 * 1024;

using Result = tl::expected<std::string, std::string>;

tl::unexpected<std::string> fail(std::string message) {
  return tl::make_unexpected(std::move(message));
}

// `what` describes where the token came from, for messages.
Result finish(std::string token, const std::string& what) {
  if (token.ends_with("\r\n")) {
    token.resize(token.size() - 2);
  } else if (token.ends_with('\n')) {
    token.pop_back();
  }
  if (token.empty()) return fail(fmt::format("{} is empty", what));
  for (char c : token) {
    auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte == 0x7f) {
      // A newline inside would split the HTTP header the token is sent in.
      return fail(
          fmt::format("{} contains control characters (a token must be a single line)", what));
    }
  }
  return token;
}

// Reads a whole token file. `check_mode` refuses files that others may
// read: credentials are protected by their directory instead.
Result read_token_file(const std::string& path, const std::string& what, bool check_mode) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY);
  if (fd < 0) return fail(fmt::format("cannot open {}: {}", what, std::strerror(errno)));
  struct FdCloser {
    int fd;
    ~FdCloser() { ::close(fd); }
  } closer{fd};

  // fstat the open descriptor so the checked file is the one read.
  struct stat st {};
  if (::fstat(fd, &st) != 0)
    return fail(fmt::format("cannot stat {}: {}", what, std::strerror(errno)));
  if (!S_ISREG(st.st_mode)) return fail(fmt::format("{} is not a regular file", what));
  if (check_mode && (st.st_mode & 077) != 0) {
    return fail(
        fmt::format("refusing {}: its mode {:04o} lets group or others access it (chmod 600 it)",
                    what, st.st_mode & 07777));
  }
  if (st.st_size > kMaxTokenFile) {
    return fail(
        fmt::format("{} is larger than {} bytes; is it really a token?", what, kMaxTokenFile));
  }

  std::string content;
  char buffer[4096];
  for (;;) {
    ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n < 0) {
      if (errno == EINTR) continue;
      return fail(fmt::format("cannot read {}: {}", what, std::strerror(errno)));
    }
    if (n == 0) break;
    content.append(buffer, static_cast<std::size_t>(n));
    if (content.size() > static_cast<std::size_t>(kMaxTokenFile)) {
      return fail(
          fmt::format("{} is larger than {} bytes; is it really a token?", what, kMaxTokenFile));
    }
  }
  return finish(std::move(content), what);
}

}  // namespace

tl::expected<std::string, std::string> resolve_token(const TokenSource& source) {
  switch (source.kind) {
    case TokenSource::Kind::none:
      return std::string();
    case TokenSource::Kind::env: {
      std::string what = fmt::format("environment variable {}", source.name);
      const char* value = std::getenv(source.name.c_str());
      if (value == nullptr) return fail(fmt::format("{} is not set", what));
      return finish(value, what);
    }
    case TokenSource::Kind::file:
      return read_token_file(source.name, fmt::format("token file {}", source.name), true);
    case TokenSource::Kind::credential: {
      if (source.name.empty() || source.name.find('/') != std::string::npos || source.name == "." ||
          source.name == "..") {
        return fail(fmt::format("invalid credential name \"{}\"", source.name));
      }
      const char* directory = std::getenv("CREDENTIALS_DIRECTORY");
      if (directory == nullptr || *directory == '\0') {
        return fail(
            fmt::format("credential {} needs $CREDENTIALS_DIRECTORY, which is not set (add "
                        "LoadCredential={}:... "
                        "or SetCredential= to the service)",
                        source.name, source.name));
      }
      std::string path = fmt::format("{}/{}", directory, source.name);
      return read_token_file(path, fmt::format("credential {} ({})", source.name, path), false);
    }
  }
  return fail("unknown token source");
}

}  // namespace jobtrack
