// What jobtrackctl's commands share: the global options, how a command is
// registered with CLI11, and the steps every command repeats (validate JOB
// and durations at parse time, call the daemon, report failures, print).
//
// Each command lives in cli/commands/<name>.cpp and exposes one add_<name>
// function; cli/app.cpp lists them. A command's run() returns the process
// exit code (cli/exit_codes.h) and has already said what went wrong on
// stderr. Single-threaded, like the whole CLI.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>
#include <tl/expected.hpp>

#include "cli/render.h"
#include "cli/terminal.h"
#include "cli/varlink_client.h"

namespace jobtrack::cli {

inline constexpr std::string_view kDefaultSocket = "/run/jobtrack/jobtrack.sock";

enum class OutputFormat { table, json, csv };

struct GlobalOptions {
  std::string socket{kDefaultSocket};
  bool json = false;  // --json or --output json; set before any command runs
  std::string output_text;
  std::string color_text = "auto";
  // Resolved by app.cpp after parsing, before any command runs.
  OutputFormat output = OutputFormat::table;
  TerminalInfo terminal;
  bool color = false;

  bool csv() const { return output == OutputFormat::csv; }
  // Colours and the terminal's width, for tables.
  Look look() const { return {color, terminal.columns}; }
};

struct Command {
  CLI::App* app = nullptr;  // owned by the parent CLI::App
  std::function<int()> run;
};

Command add_track(CLI::App& parent, const GlobalOptions& global);
Command add_list(CLI::App& parent, const GlobalOptions& global);
Command add_show(CLI::App& parent, const GlobalOptions& global);
Command add_history(CLI::App& parent, const GlobalOptions& global);
Command add_results(CLI::App& parent, const GlobalOptions& global);
Command add_forget(CLI::App& parent, const GlobalOptions& global);
Command add_poll(CLI::App& parent, const GlobalOptions& global);
Command add_wait(CLI::App& parent, const GlobalOptions& global);
Command add_status(CLI::App& parent, const GlobalOptions& global);
Command add_endpoints(CLI::App& parent, const GlobalOptions& global);
Command add_watch(CLI::App& parent, const GlobalOptions& global);
Command add_completion(CLI::App& parent, const GlobalOptions& global);
// Hidden: "__complete endpoints|jobs", for the completion scripts.
Command add_complete(CLI::App& parent, const GlobalOptions& global);

// The commands people see (not the hidden ones), for suggestions and completion.
std::vector<std::string> command_names(const CLI::App& app);
// Now, in milliseconds since the epoch (wall clock).
std::int64_t now_ms();

// The positional JOB argument, checked by parse_job_ref while parsing so a
// bad JOB is a usage error before anything is sent.
CLI::Option* add_job_argument(CLI::App& app, std::string& job);
// The Varlink parameters naming an already validated JOB.
nlohmann::json job_parameters(const std::string& job);
// An option holding a duration ("30s", "1h30m"), checked while parsing.
CLI::Option* add_duration_option(CLI::App& app, const std::string& name, std::string& value,
                                 const std::string& description);
// Checks that an option is a whole number above zero ("--limit").
CLI::Validator positive();

// A connection to the daemon, or the exit code after saying why not.
tl::expected<VarlinkClient, int> connect(const GlobalOptions& global);
// io.jobtrack.Jobs.<method> on a fresh connection: the reply's parameters,
// or the exit code after reporting the failure on stderr.
tl::expected<nlohmann::json, int> call(const GlobalOptions& global, std::string_view method,
                                       const nlohmann::json& parameters);
std::string method_name(std::string_view method);
// `reply[key]` when it is of the expected kind, else the exit code after
// reporting an unexpected reply.
tl::expected<nlohmann::json, int> reply_field(const nlohmann::json& reply, const char* key,
                                              nlohmann::json::value_t kind);

// Calls `method` and prints the job of its reply: the object for --json, a
// CSV record for --output csv, else `for_people(job)`. Returns the exit code.
int print_job_reply(const GlobalOptions& global, std::string_view method,
                    const nlohmann::json& parameters,
                    const std::function<std::string(const nlohmann::json&)>& for_people);

// Writes `text` to stdout.
void print(std::string_view text);
// Writes `text` to stdout and flushes it (streams, progress).
void print_now(std::string_view text);

}  // namespace jobtrack::cli
