// jobtrackctl watch [--endpoint E] [--label L]
//
// A live view fed by the daemon's Watch stream (one reply per recorded
// transition, pushed; the CLI never polls). On a terminal: the jobs table
// (List once at the start, then updated from each event) redrawn in place,
// as many rows as the terminal has lines, newest first, relative times
// refreshed every second. Otherwise one line per transition, or one JSON
// object per line with --json. Runs until Ctrl-C (exit 130) or until the
// daemon goes away (69).
#include <algorithm>
#include <chrono>
#include <memory>
#include <vector>

#include <fmt/format.h>

#include "cli/commands/common.h"
#include "cli/exit_codes.h"
#include "cli/failure.h"
#include "cli/render.h"
#include "cli/signals.h"
#include "cli/table.h"
#include "daemon/protocol/times.h"

namespace jobtrack::cli {
namespace {

using nlohmann::json;

std::string event_line(const json& job, const json& transition) {
  std::string where = fmt::format("job {} ({}:{})", value_text(job.value("id", json())),
                                  value_text(job.value("endpoint", json())),
                                  value_text(job.value("remote_id", json())));
  if (!transition.is_object())
    return printable(where + " " + value_text(job.value("state", json())));
  return printable(fmt::format("{}  {}", where, transition_line(transition)));
}

// Newest first: the most recently submitted jobs lead, as in `list`.
void upsert(json& jobs, const json& job) {
  for (json& known : jobs) {
    if (known.value("id", json()) == job.value("id", json())) {
      known = job;
      return;
    }
  }
  jobs.insert(jobs.begin(), job);
}

}  // namespace

Command add_watch(CLI::App& parent, const GlobalOptions& global) {
  struct State {
    std::string endpoint, label;
  };
  auto state = std::make_shared<State>();
  auto* app = parent.add_subcommand("watch", "Follow jobs live as the daemon records transitions");
  app->footer(R"(Examples:
  jobtrackctl watch                       # a live table on a terminal; Ctrl-C to leave
  jobtrackctl watch --endpoint prism
  jobtrackctl watch --json | jq -c '{id: .job.id, to: .transition.to}'

Not on a terminal, one line per transition.)");
  auto* endpoint = app->add_option("--endpoint", state->endpoint, "only jobs on this endpoint");
  auto* label = app->add_option("--label", state->label, "only jobs with this label");

  return {app, [=, &global] {
            json filters = json::object();
            if (endpoint->count() > 0) filters["endpoint"] = state->endpoint;
            if (label->count() > 0) filters["label"] = state->label;
            bool live = global.terminal.is_terminal && !global.json && !global.csv();

            InterruptGuard guard;
            auto client = connect(global);
            if (!client) return client.error();
            if (auto started = client->start(method_name("Watch"), filters); !started) {
              return report(describe(started.error()));
            }

            json jobs = json::array();
            std::size_t rows = global.terminal.lines > 3 ? global.terminal.lines - 3 : 1;
            auto draw = [&] {
              json shown = json::array();
              for (const json& job : jobs) {
                if (shown.size() >= rows) break;
                shown.push_back(job);
              }
              std::int64_t now = now_ms();
              print_now(fmt::format("\x1b[H\x1b[2Jjobtrackctl watch  {}  (Ctrl-C to leave)\n{}",
                                    protocol::format_iso8601(now),
                                    jobs_table(shown, now, global.look())));
            };
            if (live) {
              json list = filters;
              list["limit"] = static_cast<std::int64_t>(std::min<std::size_t>(rows, 100'000));
              auto listed = call(global, "List", list);
              if (!listed) return listed.error();
              auto found = reply_field(*listed, "jobs", json::value_t::array);
              if (!found) return found.error();
              jobs = std::move(*found);
              draw();
            }

            std::vector<bool> readable;
            for (;;) {
              std::optional<std::chrono::milliseconds> tick;
              if (live) tick = std::chrono::milliseconds(1000);
              auto wake = guard.wait_readable({client->fd()}, tick, readable);
              if (wake == InterruptGuard::Wake::interrupted) {
                if (live) print_now("\n");
                return int{kExitInterrupted};
              }
              if (wake == InterruptGuard::Wake::failed) {
                return report(Failure{kExitFailure, "poll failed"});
              }
              if (wake == InterruptGuard::Wake::timeout) {
                if (live) draw();
                continue;
              }
              if (auto read = client->read_some(); !read) return report(describe(read.error()));
              bool changed = false;
              for (;;) {
                auto reply = client->next_reply();
                if (!reply) return report(describe(reply.error()));
                if (!*reply) break;
                const json& parameters = (*reply)->parameters;
                json job = parameters.value("job", json());
                json transition = parameters.value("transition", json());
                if (!job.is_object()) continue;
                if (global.json) {
                  print_now(json{{"job", job_for_scripts(job)},
                                 {"transition", transition.is_null()
                                                    ? json(nullptr)
                                                    : transition_for_scripts(transition)}}
                                .dump(-1, ' ', false, json::error_handler_t::replace) +
                            "\n");
                } else if (live) {
                  upsert(jobs, job);
                  if (jobs.size() > rows)
                    jobs.erase(jobs.begin() + static_cast<std::ptrdiff_t>(rows), jobs.end());
                  changed = true;
                } else {
                  print_now(event_line(job, transition) + "\n");
                }
                if (!(*reply)->continues) {
                  return report(Failure{kExitSoftware, "jobtrackd ended the watch"});
                }
              }
              if (changed) draw();
            }
          }};
}

}  // namespace jobtrack::cli
