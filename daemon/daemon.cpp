#include "daemon/daemon.h"

#include <signal.h>
#include <sys/stat.h>
#include <systemd/sd-daemon.h>
#include <systemd/sd-event.h>
#include <unistd.h>

#include <filesystem>

#include <fmt/format.h>

#include "daemon/clock.h"
#include "daemon/commit_gate.h"
#include "daemon/endpoints.h"
#include "daemon/handlers/handlers.h"
#include "daemon/hooks.h"
#include "daemon/ingest.h"
#include "daemon/job_json.h"
#include "daemon/log.h"
#include "daemon/poller.h"
#include "daemon/scheduler.h"
#include "daemon/server.h"
#include "daemon/store.h"
#include "daemon/sweeper.h"
#include "daemon/watchers.h"

namespace jobtrack {

struct Daemon::Parts {
  sd_event* loop = nullptr;
  SystemClock clock;
  std::unique_ptr<Store> store;
  std::unique_ptr<CommitGate> commits;
  std::unique_ptr<Ingestor> ingestor;
  std::unique_ptr<Poller> poller;
  std::unique_ptr<Scheduler> scheduler;
  std::unique_ptr<Sweeper> sweeper;
  std::unique_ptr<Watchers> watchers;
  std::unique_ptr<HookRunner> hooks;
  std::unique_ptr<Server> server;
  std::unique_ptr<HandlerContext> context;
  DaemonFacts facts;
  std::vector<sd_event_source*> sources;
  sd_event_source* commit_timer = nullptr;  // in sources
  Millis last_status = 0;

  ~Parts() {
    server.reset();  // connections first: they hold responders into the rest
    watchers.reset();
    hooks.reset();  // kills the hooks still running
    sweeper.reset();
    scheduler.reset();
    ingestor.reset();  // stops a parser thread
    poller.reset();
    for (sd_event_source* source : sources) sd_event_source_disable_unref(source);
    if (store) {
      try {
        // A held batch has half a result set in it: it must not land.
        if (commits && commits->held()) {
          store->rollback_batch();
        } else {
          store->commit_batch();
        }
      } catch (const std::exception& error) {
        log_error(fmt::format("cannot commit at exit: {}", error.what()));
      }
    }
    store.reset();
    if (loop) sd_event_unref(loop);
  }
};

namespace {

ServerLimits server_limits(const Config& config) {
  ServerLimits limits;
  limits.max_connections = config.max_connections;
  limits.max_message_bytes = static_cast<std::size_t>(config.max_message_bytes);
  limits.idle_timeout_ms = config.idle_timeout;
  return limits;
}

void apply_log_level(const Config& config) {
  LogLevel level = LogLevel::info;
  if (parse_log_level(config.log_level, level)) set_log_level(level);
}

std::string status_line(Daemon::Parts& parts) {
  StoreCounters counters = parts.store->counters();
  std::int64_t running = 0;
  for (const auto& [state, count] : counters.by_state) {
    if (state == State::running) running = count;
  }
  return fmt::format("{} jobs tracked, {} active, {} running; {} polls/min, {} failed polls; {}",
                     counters.jobs_total, counters.jobs_active, running,
                     parts.scheduler->polls_last_minute(), parts.scheduler->counters().polls_failed,
                     parts.facts.storage_error.empty()
                         ? std::string("storage ok")
                         : "storage error: " + parts.facts.storage_error);
}

}  // namespace

Daemon::Daemon(Config config, std::string config_path)
    : config_(std::move(config)),
      config_path_(std::move(config_path)),
      parts_(std::make_unique<Parts>()) {}

Daemon::~Daemon() = default;

int Daemon::run() {
  Parts& parts = *parts_;
  apply_log_level(config_);
  umask(0027);  // the database is for the daemon's group to read, nobody else

  auto endpoints = build_endpoints(config_, ResolveTokens::yes);
  if (!endpoints) {
    log_error(endpoints.error().to_string());
    return 1;
  }

  sigset_t signals;
  sigemptyset(&signals);
  // SIGCHLD too: sd-event reaps the hooks' children (hooks.h) through a
  // child source, which needs it blocked in every thread, so before any starts.
  for (int signal : {SIGTERM, SIGINT, SIGHUP, SIGCHLD}) sigaddset(&signals, signal);
  sigprocmask(SIG_BLOCK, &signals, nullptr);
  signal(SIGPIPE, SIG_IGN);

  if (sd_event_default(&parts.loop) < 0) {
    log_error("cannot create the event loop");
    return 1;
  }
  sd_event_set_watchdog(parts.loop, true);

  try {
    std::filesystem::path directory = std::filesystem::path(config_.database).parent_path();
    if (!directory.empty() && !std::filesystem::exists(directory)) {
      std::filesystem::create_directories(directory);
      chmod(directory.c_str(), 0750);
    }
    parts.store = std::make_unique<Store>(config_.database);
    try {
      parts.store->checkpoint_off_thread();
    } catch (const StoreError& error) {
      log_warning(error.what());  // SQLite checkpoints inside commits instead
    }
    parts.commits = std::make_unique<CommitGate>(*parts.store);
    parts.ingestor = std::make_unique<Ingestor>(parts.loop, *parts.store, *parts.commits);
  } catch (const std::exception& error) {
    log_error(fmt::format("cannot open the database {}: {}", config_.database, error.what()));
    return 1;
  }

  parts.facts.started_at = parts.clock.wall();
  parts.facts.started_monotonic = parts.clock.monotonic();
  // Large bodies spool beside the database: on disk, readable by the daemon only.
  parts.poller = std::make_unique<Poller>(
      parts.loop, std::filesystem::path(config_.database).parent_path().string());
  parts.scheduler =
      std::make_unique<Scheduler>(parts.loop, *parts.store, *parts.poller, parts.clock);
  parts.scheduler->set_ingestor(parts.ingestor.get());
  parts.watchers = std::make_unique<Watchers>([&parts](const Job& job) {
    const EndpointRuntime* endpoint = parts.scheduler->endpoint(job.endpoint);
    return job_to_json(job,
                       endpoint ? std::string_view(endpoint->config.provider) : std::string_view());
  });
  parts.sweeper = std::make_unique<Sweeper>(parts.loop, *parts.store, parts.clock);
  parts.sweeper->set_commit_gate(parts.commits.get());
  parts.sweeper->on_deleted([&parts](std::int64_t job_id) {
    parts.facts.jobs_deleted += 1;
    parts.watchers->job_deleted(job_id);
  });
  parts.facts.job_forgotten = [&parts] { parts.sweeper->space_freed(); };
  parts.hooks = std::make_unique<HookRunner>(parts.loop);
  parts.hooks->configure(config_);
  parts.scheduler->on_transition([&parts](const Job& job, const Transition& transition) {
    // Watchers and hooks hear of a transition only once it is committed: a
    // batch that is rolled back never happened (its jobs are polled again).
    // Most transitions have neither: they cost no copy of the job.
    const bool watched = parts.watchers->wants(job.id);
    const bool hooked = parts.hooks->wants(job, transition);
    if (watched || hooked) {
      parts.store->after_commit(
          [&parts, job, transition, watched, hooked](const std::string* error) {
            if (error) return;
            if (watched) parts.watchers->queue(job, transition);   // sent by flush()
            if (hooked) parts.hooks->transition(job, transition);  // by start_pending()
          });
    }
    if (is_terminal(transition.to))
      parts.sweeper->wake();  // its expiry may come before the armed one
  });
  auto storage_failed = [&parts](const std::string& error) {
    if (error != parts.facts.storage_error) log_error(fmt::format("storage failure: {}", error));
    parts.facts.storage_error = error;
  };
  parts.scheduler->on_storage(storage_failed);
  parts.ingestor->on_storage(storage_failed);
  parts.context = std::make_unique<HandlerContext>(
      HandlerContext{*parts.store, *parts.commits, parts.ingestor.get(), *parts.scheduler,
                     *parts.watchers, parts.clock, parts.facts, getuid()});
  parts.server =
      std::make_unique<Server>(parts.loop, server_limits(config_),
                               [&parts](const protocol::Call& call, ResponderPtr responder) {
                                 dispatch(*parts.context, call, responder);
                               });
  parts.facts.connections = [&parts] { return parts.server->connections(); };
  try {
    parts.server->listen(config_.socket, config_.socket_group);
  } catch (const std::exception& error) {
    log_error(error.what());
    return 1;
  }
  parts.scheduler->set_endpoints(std::move(*endpoints));
  parts.sweeper->configure(SweepPolicy::from(config_));

  auto add_signal = [&](int signal, sd_event_signal_handler_t handler) {
    sd_event_source* source = nullptr;
    sd_event_add_signal(parts.loop, &source, signal, handler, this);
    parts.sources.push_back(source);
  };
  auto quit = [](sd_event_source* source, const signalfd_siginfo*, void*) -> int {
    log_info("stopping");
    sd_notify(0, "STOPPING=1");
    return sd_event_exit(sd_event_source_get_event(source), 0);
  };
  add_signal(SIGTERM, quit);
  add_signal(SIGINT, quit);
  add_signal(SIGHUP, [](sd_event_source*, const signalfd_siginfo*, void* self) -> int {
    auto* daemon = static_cast<Daemon*>(self);
    Parts& p = *daemon->parts_;
    std::uint64_t now = 0;
    sd_event_now(p.loop, CLOCK_MONOTONIC, &now);
    sd_notifyf(0, "RELOADING=1\nMONOTONIC_USEC=%llu\nSTATUS=Reloading configuration",
               static_cast<unsigned long long>(now));
    auto fresh = load_config(daemon->config_path_);
    tl::expected<std::vector<std::unique_ptr<EndpointRuntime>>, ConfigError> built =
        fresh ? build_endpoints(*fresh, ResolveTokens::yes) : tl::make_unexpected(fresh.error());
    if (!built) {
      log_error(fmt::format("configuration not reloaded, keeping the running one: {}",
                            built.error().to_string()));
    } else {
      if (fresh->database != daemon->config_.database || fresh->socket != daemon->config_.socket) {
        log_notice("database and socket paths change only on restart");
      }
      daemon->config_ = std::move(*fresh);
      apply_log_level(daemon->config_);
      p.server->set_limits(server_limits(daemon->config_));
      p.scheduler->set_endpoints(std::move(*built));
      p.sweeper->configure(SweepPolicy::from(daemon->config_));
      p.hooks->configure(daemon->config_);
      log_info(
          fmt::format("configuration reloaded: {} endpoints", daemon->config_.endpoints.size()));
    }
    sd_notifyf(0, "READY=1\nSTATUS=%s", status_line(p).c_str());
    return 0;
  });

  // A batch nobody waits on is committed when it is old enough
  // (CommitGate::commit_if_due): this timer wakes the loop then, and the
  // post handler below, which runs after it, commits.
  sd_event_source* commit_timer = nullptr;
  if (sd_event_add_time(
          parts.loop, &commit_timer, CLOCK_MONOTONIC, UINT64_MAX, 1000,
          [](sd_event_source*, std::uint64_t, void*) -> int { return 0; }, nullptr) < 0) {
    log_error("cannot add the commit timer to the event loop");
    return 1;
  }
  sd_event_source_set_enabled(commit_timer, SD_EVENT_OFF);
  parts.sources.push_back(commit_timer);
  parts.commit_timer = commit_timer;

  // After every iteration that did something: commit what is due, then tell
  // waiters. While a large result set holds the batch open, neither
  // happens: the changes are told once they are committed.
  sd_event_source* post = nullptr;
  sd_event_add_post(
      parts.loop, &post,
      [](sd_event_source*, void* self) -> int {
        Parts& p = *static_cast<Parts*>(self);
        bool wrote = false;
        if (!p.commits->held()) {
          try {
            // Only a commit that wrote something proves the storage works again.
            const CommitGate::Due due = p.commits->commit_if_due(p.clock.monotonic());
            wrote = due.committed;
            if (due.commit_at) {
              sd_event_source_set_time(p.commit_timer,
                                       static_cast<std::uint64_t>(*due.commit_at) * 1000);
              sd_event_source_set_enabled(p.commit_timer, SD_EVENT_ONESHOT);
            }
          } catch (const StoreError& error) {
            p.store->rollback_batch();
            p.facts.storage_error = error.what();
            log_error(fmt::format("commit failed: {}", error.what()));
            return 0;
          }
          if (wrote && !p.facts.storage_error.empty()) {
            log_notice("storage works again");
            p.facts.storage_error.clear();
          }
          p.watchers->flush();
          p.hooks->start_pending();
        }
        Millis now = p.clock.monotonic();
        if (now - p.last_status >= 2000) {
          p.last_status = now;
          sd_notifyf(0, "STATUS=%s", status_line(p).c_str());
        }
        return 0;
      },
      &parts);
  parts.sources.push_back(post);

  log_info(fmt::format("jobtrackd {} ready: database {}, socket {}{}, {} endpoints",
                       JOBTRACK_VERSION, config_.database, config_.socket,
                       parts.server->socket_activated() ? " (from systemd)" : "",
                       config_.endpoints.size()));
  sd_notifyf(0, "READY=1\nSTATUS=%s", status_line(parts).c_str());
  int result = sd_event_loop(parts.loop);
  sd_notify(0, "STOPPING=1");
  parts_.reset();
  return result < 0 ? 1 : 0;
}

}  // namespace jobtrack
