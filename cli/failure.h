// What jobtrackctl tells the user when something failed: one line for
// stderr and the exit code (cli/exit_codes.h) that scripts rely on.
//
// The daemon's error replies, the client's own errors (cli/varlink_client.h)
// and a failed connect each map here, in one place, so every command reports
// them alike. Pure functions; any thread.
#pragma once

#include <string>

#include "cli/varlink_client.h"
#include "daemon/protocol/varlink.h"

namespace jobtrack::cli {

struct Failure {
  int exit_code = 1;
  std::string message;  // one line, no trailing newline, no program name
};

Failure describe(const protocol::VarlinkError& error);
Failure describe(const ConnectError& error);

// Prints "jobtrackctl: <message>" on stderr and returns the exit code.
int report(const Failure& failure);

}  // namespace jobtrack::cli
