// fakeapi: a real HTTP server emulating the remote job APIs jobtrackd polls
// (prism, TTD, OGC API - Processes, Asana, a generic export API), scripted
// over HTTP by the integration tests, the demo and the benchmarks. See
// README.md beside this file.
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <iostream>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <pthread.h>

#include "tests/fakeapi/fake_api.h"
#include "tests/fakeapi/http_server.h"
#include "tests/fakeapi/tls_server.h"

namespace jobtrack::fakeapi {
namespace {

constexpr std::string_view usage_text =
    "usage: fakeapi [--listen ADDR] [--port N] [--port-file PATH] [--token API=VALUE]...\n"
    "               [--auto API|all]... [--auto-ms T] [--log PATH] [--ogc-auth-header NAME]\n"
    "               [--generic-auth-header NAME] [--generic-auth-scheme WORD] [--max-log N]\n"
    "               [--max-connections N] [--idle-timeout-ms T]\n"
    "               [--tls-cert FILE --tls-key FILE]\n"
    "APIs: prism, ttd, ogc, asana, generic. Control API under /_control (see README.md).\n";

struct Options {
  std::string listen = "127.0.0.1";
  std::uint16_t port = 0;
  std::string port_file;
  std::string tls_cert;  // both set: HTTPS (TlsServer) instead of HTTP
  std::string tls_key;
  Config config;
  HttpServer::Options server;
};

[[noreturn]] void fail(const std::string& message) {
  std::cerr << "fakeapi: " << message << "\n" << usage_text;
  std::exit(2);
}

std::int64_t number(const std::string& option, const std::string& text, std::int64_t low,
                    std::int64_t high) {
  const auto value = parse_int64(text);
  if (!value || *value < low || *value > high) {
    fail(option + " wants an integer from " + std::to_string(low) + " to " + std::to_string(high));
  }
  return *value;
}

Api api_argument(const std::string& option, const std::string& name) {
  const auto api = api_from_name(name);
  if (!api) fail(option + ": unknown API '" + name + "'");
  return *api;
}

Options parse_options(int argc, char** argv) {
  Options options;
  const std::vector<std::string> args(argv + 1, argv + argc);
  for (std::size_t i = 0; i < args.size(); ++i) {
    std::string option = args[i];
    std::string value;
    bool has_value = false;
    if (const std::size_t equals = option.find('=');
        option.rfind("--", 0) == 0 && equals != std::string::npos) {
      value = option.substr(equals + 1);
      option.resize(equals);
      has_value = true;
    }
    const auto take = [&]() -> std::string {
      if (has_value) return value;
      if (i + 1 >= args.size()) fail(option + " needs a value");
      return args[++i];
    };
    if (option == "--help" || option == "-h") {
      std::cout << usage_text;
      std::exit(0);
    } else if (option == "--listen") {
      options.listen = take();
    } else if (option == "--port") {
      options.port = static_cast<std::uint16_t>(number(option, take(), 0, 65535));
    } else if (option == "--port-file") {
      options.port_file = take();
    } else if (option == "--token") {
      const std::string pair = take();
      const std::size_t equals = pair.find('=');
      if (equals == std::string::npos) fail("--token wants API=VALUE");
      options.config.tokens[api_argument(option, pair.substr(0, equals))] = pair.substr(equals + 1);
    } else if (option == "--auto") {
      const std::string name = take();
      if (name == "all") {
        for (const Api api : all_apis) options.config.auto_apis.insert(api);
      } else {
        options.config.auto_apis.insert(api_argument(option, name));
      }
    } else if (option == "--auto-ms") {
      options.config.auto_ms = number(option, take(), 0, 86'400'000);
    } else if (option == "--log") {
      options.config.access_log_path = take();
    } else if (option == "--ogc-auth-header") {
      options.config.ogc_auth_header = take();
    } else if (option == "--generic-auth-header") {
      options.config.generic_auth_header = take();
    } else if (option == "--generic-auth-scheme") {
      options.config.generic_auth_scheme = take();
    } else if (option == "--max-log") {
      options.config.max_log = static_cast<std::size_t>(number(option, take(), 0, 100'000'000));
    } else if (option == "--max-connections") {
      options.server.max_connections = static_cast<std::size_t>(number(option, take(), 1, 100'000));
    } else if (option == "--idle-timeout-ms") {
      options.server.idle_timeout_ms = static_cast<int>(number(option, take(), 1, 3'600'000));
    } else if (option == "--tls-cert") {
      options.tls_cert = take();
    } else if (option == "--tls-key") {
      options.tls_key = take();
    } else {
      fail("unknown option " + option);
    }
  }
  if (options.tls_cert.empty() != options.tls_key.empty())
    fail("--tls-cert and --tls-key go together");
  return options;
}

// Writes the port under a temporary name and renames it into place, so a
// reader never sees a partial file.
void write_port_file(const std::string& path, std::uint16_t port) {
  const std::string temporary = path + ".tmp." + std::to_string(::getpid());
  std::FILE* file = std::fopen(temporary.c_str(), "we");
  if (file == nullptr) throw std::runtime_error("cannot write " + temporary);
  const bool written = std::fprintf(file, "%u\n", static_cast<unsigned>(port)) > 0;
  if (std::fclose(file) != 0 || !written || std::rename(temporary.c_str(), path.c_str()) != 0) {
    std::remove(temporary.c_str());
    throw std::runtime_error("cannot write " + path);
  }
}

// Listens, announces the port, and runs until SIGTERM or SIGINT.
template <typename Server>
int serve(Server& server, FakeApi& api, const Options& options, sigset_t& stop_signals) {
  const std::uint16_t port = server.listen(options.listen, options.port);
  if (!options.port_file.empty()) write_port_file(options.port_file, port);
  const bool v6 = options.listen.find(':') != std::string::npos;
  std::cout << "listening on " << (v6 ? "[" + options.listen + "]" : options.listen) << ":" << port
            << std::endl;

  std::thread signals([&] {
    int signal_number = 0;
    sigwait(&stop_signals, &signal_number);
    api.stop();
    server.stop();
  });
  // The signal thread only ends the process's life; run() returning after a
  // failed poll must not wait for a signal that never comes.
  signals.detach();
  server.run();
  return 0;
}

int run(int argc, char** argv) {
  const Options options = parse_options(argc, argv);

  // SIGTERM and SIGINT are taken by one thread with sigwait; every other
  // thread (created after this) has them blocked.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  std::signal(SIGPIPE, SIG_IGN);

  FakeApi api(options.config);
  auto handler = [&api](const HttpRequest& request) { return api.handle(request); };
  if (!options.tls_cert.empty()) {
    TlsServer server(handler, options.tls_cert, options.tls_key);
    return serve(server, api, options, stop_signals);
  }
  HttpServer server(handler, options.server);
  return serve(server, api, options, stop_signals);
}

}  // namespace
}  // namespace jobtrack::fakeapi

int main(int argc, char** argv) {
  try {
    return jobtrack::fakeapi::run(argc, argv);
  } catch (const std::exception& error) {
    std::cerr << "fakeapi: " << error.what() << "\n";
    return 1;
  }
}
