// jobtrackctl's command line: global options, the commands, usage errors.
//
//   jobtrackctl [--socket PATH] [--json] COMMAND [ARGS]
//
// The socket comes from --socket, else $JOBTRACK_SOCKET, else
// /run/jobtrack/jobtrack.sock. Global options may also follow the command
// ("jobtrackctl list --json"). A bad command line prints one line on stderr
// and returns 64; --help prints help and returns 0. Returns the exit code
// (cli/exit_codes.h); never throws for anything the user typed.
#pragma once

namespace jobtrack::cli {

int run(int argc, const char* const* argv);

}  // namespace jobtrack::cli
