// jobtrackctl: the command-line client of jobtrackd (see cli/app.h).
#include "cli/app.h"

int main(int argc, char** argv) {
  return jobtrack::cli::run(argc, argv);
}
