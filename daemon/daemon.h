// The Daemon wires jobtrackd's parts to one sd-event loop and runs it:
// signals (SIGTERM/SIGINT exit cleanly, SIGHUP reloads the configuration),
// the Varlink server, the poller and scheduler, the per-iteration commit,
// systemd notifications (READY, STATUS, RELOADING, STOPPING) and the
// watchdog, which sd-event pings between iterations.
//
// Everything runs on the thread that calls run().
#pragma once

#include <memory>
#include <string>

#include "daemon/config.h"

namespace jobtrack {

class Daemon {
 public:
  // `config_path` is re-read on SIGHUP.
  Daemon(Config config, std::string config_path);
  ~Daemon();
  Daemon(const Daemon&) = delete;
  Daemon& operator=(const Daemon&) = delete;

  // Runs until SIGTERM/SIGINT; returns the process exit code. Start-up
  // failures are logged and give a non-zero code.
  int run();

  struct Parts;  // the running parts; defined in daemon.cpp

 private:
  Config config_;
  std::string config_path_;
  std::unique_ptr<Parts> parts_;
};

}  // namespace jobtrack
