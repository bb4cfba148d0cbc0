// jobtrackd: tracks asynchronous jobs on remote HTTP APIs. See jobtrackd(8).
#include <cstdio>
#include <iostream>

#include <CLI/CLI.hpp>

#include "daemon/daemon.h"
#include "daemon/endpoints.h"
#include "daemon/log.h"

int main(int argc, char** argv) {
  CLI::App app{"jobtrackd: tracks asynchronous jobs on remote HTTP APIs", "jobtrackd"};
  std::string config_path = "/etc/jobtrack/jobtrackd.toml";
  bool check_only = false;
  app.add_option("-c,--config", config_path, "Configuration file")->capture_default_str();
  app.add_flag("--check-config", check_only, "Validate the configuration and exit");
  app.set_version_flag("--version", "jobtrackd " JOBTRACK_VERSION);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    int code = app.exit(error);
    return code == 0 ? 0 : 64;
  }

  auto config = jobtrack::load_config(config_path);
  if (!config) {
    std::fprintf(stderr, "%s\n", config.error().to_string().c_str());
    return 1;
  }
  if (check_only) {
    auto endpoints = jobtrack::build_endpoints(*config, jobtrack::ResolveTokens::no);
    if (!endpoints) {
      std::fprintf(stderr, "%s\n", endpoints.error().to_string().c_str());
      return 1;
    }
    std::printf("%s: configuration OK (%zu endpoints; database %s; socket %s)\n",
                config_path.c_str(), config->endpoints.size(), config->database.c_str(),
                config->socket.c_str());
    return 0;
  }
  jobtrack::Daemon daemon(std::move(*config), config_path);
  return daemon.run();
}
