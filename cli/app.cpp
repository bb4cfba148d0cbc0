#include "cli/app.h"

#include <cstdlib>
#include <vector>

#include <fmt/format.h>

#include "cli/commands/common.h"
#include "cli/exit_codes.h"
#include "cli/failure.h"
#include "cli/suggest.h"
#include "cli/terminal.h"

namespace jobtrack::cli {
namespace {

constexpr const char* kFooter = R"(Examples:
  jobtrackctl track prism 7f3c9a --label nightly-customers
  jobtrackctl list --state running
  jobtrackctl wait 42 --timeout 2h && echo imported
  jobtrackctl show prism:7f3c9a
  jobtrackctl --json show 42 | jq .state

JOB is a local id (42) or ENDPOINT:REMOTE_ID. 'jobtrackctl COMMAND --help' shows
each command's options and examples; man jobtrackctl has the exit codes.)";

// The output format and colours, from the options and the terminal.
void resolve(GlobalOptions& global) {
  if (global.json || global.output_text == "json") {
    global.output = OutputFormat::json;
  } else if (global.output_text == "csv") {
    global.output = OutputFormat::csv;
  }
  global.json = global.output == OutputFormat::json;
  global.terminal = detect_terminal();
  global.color = use_color(parse_color_mode(global.color_text).value_or(ColorMode::automatic),
                           global.terminal.is_terminal ? IsTerminal::yes : IsTerminal::no,
                           std::getenv("NO_COLOR"), std::getenv("TERM"));
}

}  // namespace

int run(int argc, const char* const* argv) {
  CLI::App app("Ask jobtrackd about the remote jobs it tracks.", "jobtrackctl");
  GlobalOptions global;
  // Set before the subcommands exist so they inherit it: options of the
  // main program are accepted after the command name too.
  app.fallthrough();
  app.require_subcommand(0, 1);
  app.footer(kFooter);
  app.set_version_flag("--version", JOBTRACK_VERSION);
  app.add_option("--socket", global.socket, "the daemon's socket")
      ->envname("JOBTRACK_SOCKET")
      ->capture_default_str();
  app.add_flag("--json", global.json, "print JSON for scripts (same as --output json)");
  app.add_option("--output", global.output_text, "table (default), json or csv")
      ->check(CLI::IsMember({"table", "json", "csv"}));
  app.add_option("--color", global.color_text,
                 "colour states: auto (on a terminal, unless NO_COLOR is set), always, never")
      ->check(CLI::IsMember({"auto", "always", "never"}));

  std::vector<Command> commands = {
      add_track(app, global),    add_list(app, global),      add_show(app, global),
      add_history(app, global),  add_results(app, global),   add_forget(app, global),
      add_poll(app, global),     add_wait(app, global),      add_watch(app, global),
      add_status(app, global),   add_endpoints(app, global), add_completion(app, global),
      add_complete(app, global),
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
      auto names = command_names(app);
      auto nearest = nearest_name(extras.front(), names);
      return report(Failure{
          kExitUsage, fmt::format("unknown command '{}'{} (see jobtrackctl --help)", extras.front(),
                                  nearest ? fmt::format("; did you mean '{}'?", *nearest) : "")});
    }
    return report(Failure{kExitUsage, fmt::format("{} (see jobtrackctl --help)", error.what())});
  }
  resolve(global);
  for (const Command& command : commands) {
    if (command.app->parsed()) return command.run();
  }
  return report(Failure{kExitUsage, "no command given (see jobtrackctl --help)"});
}

}  // namespace jobtrack::cli
