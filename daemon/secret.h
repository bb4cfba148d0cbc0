// Turns an endpoint's TokenSource (config.h) into the token itself.
//
// The configuration only says where a token lives: an environment variable,
// a file that nobody but the owner may read, or a systemd credential under
// $CREDENTIALS_DIRECTORY (LoadCredential=). resolve_token() reads it when
// the daemon starts or reloads; the caller owns the returned string and
// keeps it in memory only. One trailing newline (LF or CRLF) is dropped, as
// `echo secret > file` and editors add one.
//
// Error messages name the variable, path or credential but never contain
// the token's value, so they may be logged and shown to clients. Any thread
// may call it; it only reads the environment and the file system.
#pragma once

#include <string>

#include <tl/expected.hpp>

#include "daemon/config.h"

namespace jobtrack {

// Kind::none yields "". Refuses a missing or empty token, a token file that
// group or others may read or write, and a token with control characters
// (it is sent in an HTTP header).
tl::expected<std::string, std::string> resolve_token(const TokenSource& source);

}  // namespace jobtrack
