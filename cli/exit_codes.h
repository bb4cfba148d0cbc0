// jobtrackctl's exit codes, part of the CLI contract (documented in the
// README and the man page). Scripts depend on them: never renumber.
#pragma once

namespace jobtrack::cli {

enum ExitCode : int {
  kExitOk = 0,             // success; for wait: the job succeeded
  kExitFailure = 1,        // an error; for wait: a terminal state other than succeeded/partial
  kExitPartial = 2,        // wait: the job ended partial
  kExitNoSuchJob = 4,      // the job or endpoint does not exist
  kExitUsage = 64,         // EX_USAGE: bad command line
  kExitDataError = 65,     // EX_DATAERR: the daemon refused a parameter
  kExitUnavailable = 69,   // EX_UNAVAILABLE: the daemon cannot be reached
  kExitSoftware = 70,      // EX_SOFTWARE: the daemon answered something unexpected
  kExitTempFail = 75,      // EX_TEMPFAIL: storage failure, try again
  kExitNoPermission = 77,  // EX_NOPERM: the daemon refused (PermissionDenied)
  kExitTimeout = 124,      // wait --timeout passed first (as timeout(1))
  kExitInterrupted = 130,  // interrupted by SIGINT
};

}  // namespace jobtrack::cli
