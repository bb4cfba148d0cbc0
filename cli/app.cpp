#include "cli/app.h"

#include <vector>

#include <fmt/format.h>

#include "cli/commands/common.h"
#include "cli/exit_codes.h"
#include "cli/failure.h"

namespace jobtrack::cli {

int run(int argc, const char* const* argv) {
  CLI::App app("Ask jobtrackd about the remote jobs it tracks.", "jobtrackctl");
  GlobalOptions global;
  // Set before the subcommands exist so they inherit it: options of the
  // main program are accepted after the command name too.
  app.fallthrough();
  app.require_subcommand(0, 1);
  app.set_version_flag("--version", JOBTRACK_VERSION);
  app.add_option("--socket", global.socket, "the daemon's socket")
      ->envname("JOBTRACK_SOCKET")
      ->capture_default_str();
  app.add_flag("--json", global.json, "print JSON for scripts instead of tables");

  std::vector<Command> commands = {
      add_track(app, global),     add_list(app, global),    add_show(app, global),
      add_history(app, global),   add_results(app, global), add_forget(app, global),
      add_poll(app, global),      add_wait(app, global),    add_status(app, global),
      add_endpoints(app, global),
  };

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForVersion&) {
    print(JOBTRACK_VERSION "\n");
    return kExitOk;
  } catch (const CLI::ParseError& error) {
    // --help is an "error" with exit code 0 in CLI11.
    if (error.get_exit_code() == 0) return app.exit(error);
    auto extras = app.remaining();
    if (app.get_subcommands().empty() && !extras.empty() && !extras.front().starts_with('-')) {
      return report(Failure{kExitUsage, fmt::format("unknown command '{}' (see jobtrackctl --help)",
                                                    extras.front())});
    }
    return report(Failure{kExitUsage, fmt::format("{} (see jobtrackctl --help)", error.what())});
  }
  for (const Command& command : commands) {
    if (command.app->parsed()) return command.run();
  }
  return report(Failure{kExitUsage, "no command given (see jobtrackctl --help)"});
}

}  // namespace jobtrack::cli
