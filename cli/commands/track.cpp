// jobtrackctl track ENDPOINT REMOTE_ID [--label TEXT] [--deadline DURATION]
// jobtrackctl track --stdin [--label TEXT] [--deadline DURATION]
//
// With --stdin, lines "ENDPOINT REMOTE_ID [LABEL]" (cli/track_lines.h) are
// tracked over one connection as they are read, so a long list streams:
// up to kPipeline calls are sent ahead of their replies (the daemon commits
// the Tracks it reads together, and answers each once committed); replies,
// and so the output, keep the order of the lines. A malformed line, or one the daemon refuses
// (unknown endpoint, bad remote id), is reported on stderr with its line number and skipped; the
// exit code is then 65. Losing the daemon stops at once (69).
#include <unistd.h>

#include <deque>
#include <memory>
#include <string>

#include <fmt/format.h>

#include "cli/commands/common.h"
#include "cli/csv.h"
#include "cli/exit_codes.h"
#include "cli/failure.h"
#include "cli/fd_lines.h"
#include "cli/render.h"
#include "cli/track_lines.h"
#include "cli/track_reply.h"
#include "cli/varlink_client.h"

namespace jobtrack::cli {
namespace {

using nlohmann::json;

struct Options {
  std::string endpoint, remote_id, label, deadline;
  bool from_stdin = false;
};

// The daemon refused this one job; other lines may still be fine.
bool refusal(const protocol::VarlinkError& error) {
  namespace errors = protocol::errors;
  return error.name == errors::kNoSuchEndpoint || error.name == errors::kInvalidParameter ||
         error.name == errors::kPermissionDenied || error.name == errors::kPermissionDeniedStd;
}

void print_job(const GlobalOptions& global, const json& job, bool first) {
  if (global.json) {
    print(first ? "\n  " : ",\n  ");
    print(job_for_scripts(job).dump(-1, ' ', false, json::error_handler_t::replace));
  } else if (global.csv()) {
    if (first) print(csv_header(job_fields()));
    print(csv_record(job, job_fields()));
  } else {
    print(fmt::format("{}\n", value_text(job["id"])));
  }
}

constexpr std::size_t kPipeline = 256;

int track_stdin(const GlobalOptions& global, const Options& options, bool with_label,
                bool with_deadline) {
  auto client = connect(global);
  if (!client) return client.error();
  if (global.json) print("[");
  std::size_t line_number = 0, bad = 0, tracked = 0;
  int fatal = 0;
  std::deque<std::size_t> sent;  // line numbers of the calls awaiting their reply
  // Takes the oldest reply; false when nothing more can be done.
  auto take_reply = [&]() -> bool {
    const std::size_t number = sent.front();
    sent.pop_front();
    // About to wait for the daemon: what is printed so far goes out now
    // (one write per batch of replies rather than per line).
    if (!client->reply_ready()) std::fflush(stdout);
    auto message = client->receive_message();
    if (!message) {
      fatal = report(describe(message.error()));
      return false;
    }
    // The table prints the id alone: read just that when the reply is plain.
    if (!global.json && !global.csv()) {
      if (auto id = track_reply_id(*message)) {
        print(fmt::format("{}\n", *id));
        ++tracked;
        return true;
      }
    }
    auto reply = VarlinkClient::decode(*message);
    if (!reply && refusal(reply.error())) {
      std::fflush(stdout);  // the lines before it come first on a terminal
      fmt::print(stderr, "jobtrackctl: line {}: {}\n", number, describe(reply.error()).message);
      ++bad;
      return true;
    }
    if (!reply) {
      fatal = report(describe(reply.error()));
      return false;
    }
    auto job = reply->parameters.find("job");
    if (job == reply->parameters.end() || !job->is_object()) {
      fatal = report(Failure{kExitSoftware, "jobtrackd sent an unexpected reply (no 'job')"});
      return false;
    }
    print_job(global, *job, tracked == 0);
    ++tracked;
    return true;
  };
  FdLines input(STDIN_FILENO);
  for (std::string line; fatal == 0 && input.next(line);) {
    ++line_number;
    auto parsed = parse_track_line(line);
    if (!parsed) {
      std::fflush(stdout);
      fmt::print(stderr, "jobtrackctl: line {}: {}\n", line_number, parsed.error());
      ++bad;
      continue;
    }
    if (!*parsed) continue;
    json parameters = {{"endpoint", (*parsed)->endpoint}, {"remote_id", (*parsed)->remote_id}};
    if ((*parsed)->label) {
      parameters["label"] = *(*parsed)->label;
    } else if (with_label) {
      parameters["label"] = options.label;
    }
    if (with_deadline) parameters["deadline"] = options.deadline;
    // Queued: the calls go out together when the client next waits for a reply.
    client->queue_call(method_name("Track"), parameters);
    sent.push_back(line_number);
    // Nothing more to read for now (a terminal, a slow producer): collect
    // the replies, so each line's id appears as soon as it is tracked.
    const bool more_ready = input.ready();
    while (!sent.empty() && (sent.size() >= kPipeline || !more_ready)) {
      if (!take_reply()) break;
    }
  }
  while (fatal == 0 && !sent.empty()) {
    if (!take_reply()) break;
  }
  if (global.json) print(tracked == 0 ? "]\n" : "\n]\n");
  if (fatal != 0) return fatal;
  if (bad > 0) {
    fmt::print(stderr, "jobtrackctl: {} of {} lines not tracked\n", bad, bad + tracked);
    return kExitDataError;
  }
  return kExitOk;
}

}  // namespace

Command add_track(CLI::App& parent, const GlobalOptions& global) {
  auto options = std::make_shared<Options>();
  auto* app = parent.add_subcommand("track", "Start tracking a job; prints its local id");
  app->footer(R"(Examples:
  jobtrackctl track prism 7f3c9a --label nightly-customers
  jobtrackctl track ogc 5b1e --deadline 6h
  printf 'prism a1 nightly\nprism a2\n' | jobtrackctl track --stdin

With --stdin, each line is ENDPOINT REMOTE_ID [LABEL]; blank lines and # comments
are skipped, bad lines reported with their number (exit 65), the others tracked.)");
  auto* endpoint =
      app->add_option("ENDPOINT", options->endpoint, "the configured endpoint the job runs on");
  auto* remote_id =
      app->add_option("REMOTE_ID", options->remote_id, "the id the remote API gave the job");
  auto* from_stdin = app->add_flag("--stdin", options->from_stdin,
                                   "read ENDPOINT REMOTE_ID [LABEL] lines from stdin");
  from_stdin->excludes(endpoint);
  from_stdin->excludes(remote_id);
  auto* label = app->add_option("--label", options->label, "a note to find the job by");
  auto* deadline = add_duration_option(*app, "--deadline", options->deadline,
                                       "give up (timed_out) after this long, e.g. 6h");

  return {app, [=, &global] {
            if (options->from_stdin) {
              return track_stdin(global, *options, label->count() > 0, deadline->count() > 0);
            }
            if (endpoint->count() == 0 || remote_id->count() == 0) {
              return report(Failure{kExitUsage,
                                    "track needs ENDPOINT and REMOTE_ID, or --stdin "
                                    "(see jobtrackctl track --help)"});
            }
            json parameters = {{"endpoint", options->endpoint}, {"remote_id", options->remote_id}};
            if (label->count() > 0) parameters["label"] = options->label;
            if (deadline->count() > 0) parameters["deadline"] = options->deadline;
            auto reply = call(global, "Track", parameters);
            if (!reply) return reply.error();
            auto job = reply_field(*reply, "job", json::value_t::object);
            if (!job) return job.error();
            if (global.json) {
              print(json_text(job_for_scripts(*job)));
            } else if (global.csv()) {
              print(csv_header(job_fields()) + csv_record(*job, job_fields()));
            } else {
              print(fmt::format("{}\n", value_text((*job)["id"])));
            }
            return int{kExitOk};
          }};
}

}  // namespace jobtrack::cli
