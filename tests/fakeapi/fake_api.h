// The emulator itself: routes each HTTP request either to an emulated remote
// API (auth check, job lookup, the scripted answer) or to the /_control API
// through which tests script jobs and read the request log.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "tests/fakeapi/api.h"
#include "tests/fakeapi/http_server.h"
#include "tests/fakeapi/job_table.h"
#include "tests/fakeapi/request_log.h"

namespace jobtrack::fakeapi {

struct Config {
  std::map<Api, std::string> tokens;  // an API without a token checks no auth
  std::set<Api> auto_apis;            // unknown ids get the default lifecycle
  std::optional<std::int64_t> auto_ms;
  std::string ogc_auth_header = "Authorization";
  std::string generic_auth_header = "Authorization";
  std::string generic_auth_scheme = "Token";  // empty: the bare token
  std::size_t max_log = 50'000;
  std::string access_log_path;  // one line per request when set
};

class FakeApi {
 public:
  explicit FakeApi(Config config);
  ~FakeApi();
  FakeApi(const FakeApi&) = delete;
  FakeApi& operator=(const FakeApi&) = delete;

  // The server's handler; thread-safe.
  HttpResponse handle(const HttpRequest& request);

  // Wakes every sleeping answer so the server can stop promptly.
  void stop();

 private:
  HttpResponse handle_api(const HttpRequest& request, std::string_view path,
                          const std::vector<std::string_view>& segments, std::string& outcome);
  HttpResponse handle_control(const HttpRequest& request, std::string_view path,
                              std::string_view query,
                              const std::vector<std::string_view>& segments);
  HttpResponse answer(Api api, const Route& route, const Served& served, const HttpRequest& request,
                      std::string_view path, std::string& outcome);
  bool authorized(Api api, const HttpRequest& request) const;
  // Sleeps unless stopped first; false when stopped.
  bool pause(std::int64_t ms);
  void access_log(const HttpRequest& request, int status, std::string_view outcome,
                  std::chrono::steady_clock::duration took);

  Config config_;
  JobTable jobs_;
  RequestLog log_;
  std::map<Api, Steps> auto_steps_;

  std::mutex stop_mutex_;
  std::condition_variable stop_cv_;
  bool stopped_ = false;  // guarded by stop_mutex_

  std::mutex access_mutex_;
  std::FILE* access_ = nullptr;  // guarded by access_mutex_
};

}  // namespace jobtrack::fakeapi
