// Poller against a real HTTP server on loopback (cpp-httplib on a thread of
// its own): transfers one after another on kept-alive connections, a server
// that closes them between transfers, and many at once. These are the paths
// of its socket bookkeeping: a socket curl stops watching stays registered
// until it is wanted again, closed, or found closed by the server.
#include "daemon/poller.h"

#include <systemd/sd-event.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>
#include <httplib.h>

using jobtrack::HttpRequest;
using jobtrack::HttpResponse;
using jobtrack::Poller;
using jobtrack::TransferLimits;

namespace {

// Answers GET /job/<id> with "job <id>" and counts the connections it took.
class LoopbackServer {
 public:
  // A connection is closed after `requests_per_connection` answers (saying
  // so in the last), or silently once idle for `idle_seconds`.
  explicit LoopbackServer(int requests_per_connection, int idle_seconds = 5) {
    server_.set_keep_alive_max_count(static_cast<std::size_t>(requests_per_connection));
    server_.set_keep_alive_timeout(idle_seconds);
    server_.Get(R"(/job/(\d+))",
                [this](const httplib::Request& request, httplib::Response& response) {
                  requests_ += 1;
                  response.set_content("job " + std::string(request.matches[1]), "text/plain");
                });
    port_ = server_.bind_to_any_port("127.0.0.1");
    // Bound and listening already: connections wait for the accept loop.
    thread_ = std::thread([this] { server_.listen_after_bind(); });
  }
  ~LoopbackServer() {
    server_.stop();
    thread_.join();
  }
  int requests() const { return requests_.load(); }
  std::string url(int id) const {
    return "http://127.0.0.1:" + std::to_string(port_) + "/job/" + std::to_string(id);
  }

 private:
  httplib::Server server_;
  std::atomic<int> requests_{0};  // answered so far (the server's thread counts)
  int port_ = 0;
  std::thread thread_;
};

struct Loop {
  sd_event* event = nullptr;
  Loop() { REQUIRE(sd_event_new(&event) >= 0); }
  ~Loop() { sd_event_unref(event); }
  // Runs the loop until `done` or 20 s have passed; false on the timeout.
  bool run_until(const std::function<bool()>& done) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (!done()) {
      if (std::chrono::steady_clock::now() > deadline) return false;
      sd_event_run(event, 100'000);
    }
    return true;
  }
};

// Starts transfer `next` of `count`, one after another, each from the
// previous one's callback, optionally `pause_ms` apart.
struct Sequence {
  Sequence(Poller& p, const LoopbackServer& s, int n, int pause = 0)
      : poller(p), server(s), count(n), pause_ms(pause) {}
  Poller& poller;
  const LoopbackServer& server;
  int count;
  int pause_ms;
  std::vector<HttpResponse> answers;

  void start(int id) {
    HttpRequest request;
    request.url = server.url(id);
    poller.start(request, TransferLimits{}, [this, id](HttpResponse&& response) {
      answers.push_back(std::move(response));
      if (id + 1 >= count) return;
      if (pause_ms == 0) {
        start(id + 1);
        return;
      }
      std::this_thread::sleep_for(
          std::chrono::milliseconds(pause_ms));  // the server closes meanwhile
      start(id + 1);
    });
  }
};

void check_answers(const std::vector<HttpResponse>& answers, int count) {
  REQUIRE(answers.size() == static_cast<std::size_t>(count));
  for (int i = 0; i < count; ++i) {
    const auto& answer = answers[static_cast<std::size_t>(i)];
    INFO("transfer " << i << ": " << answer.transport_error);
    CHECK(answer.transport_error.empty());
    CHECK(answer.status == 200);
    CHECK(answer.body == "job " + std::to_string(i));
  }
}

}  // namespace

TEST_CASE("transfers one after another on a kept-alive connection all complete") {
  LoopbackServer server(1000);
  Loop loop;
  Poller poller(loop.event);
  Sequence sequence(poller, server, 200);
  sequence.start(0);
  REQUIRE(loop.run_until([&] { return sequence.answers.size() == 200; }));
  check_answers(sequence.answers, 200);
  CHECK(poller.in_flight() == 0);
}

TEST_CASE("a server that closes kept-alive connections between transfers stalls none of them") {
  LoopbackServer server(2);  // closes every connection after its second answer
  Loop loop;
  Poller poller(loop.event);
  Sequence sequence(poller, server, 30, 5);
  sequence.start(0);
  REQUIRE(loop.run_until([&] { return sequence.answers.size() == 30; }));
  check_answers(sequence.answers, 30);
}

TEST_CASE("an idle kept-alive connection the server closes does not keep the loop awake") {
  LoopbackServer server(1000, 1);  // closes a connection idle for a second, unannounced
  Loop loop;
  Poller poller(loop.event);
  Sequence sequence(poller, server, 1);
  sequence.start(0);
  REQUIRE(loop.run_until([&] { return sequence.answers.size() == 1; }));
  // curl keeps the connection and watches nothing on it; once the server
  // closes it the socket is readable for good, until it leaves the set.
  const auto closed_by = std::chrono::steady_clock::now() + std::chrono::milliseconds(1800);
  while (std::chrono::steady_clock::now() < closed_by) sd_event_run(loop.event, 50'000);
  const auto before = std::chrono::steady_clock::now();
  CHECK(sd_event_run(loop.event, 200'000) == 0);  // 0: timed out, nothing dispatched
  CHECK(std::chrono::steady_clock::now() - before >= std::chrono::milliseconds(150));
  Sequence again(poller, server, 3);  // a new connection, maybe on the same fd number
  again.start(0);
  REQUIRE(loop.run_until([&] { return again.answers.size() == 3; }));
  check_answers(again.answers, 3);
}

TEST_CASE("run_started sends a started transfer without another loop iteration") {
  LoopbackServer server(1000);
  Loop loop;
  Poller poller(loop.event);
  std::vector<HttpResponse> answers;
  auto start = [&](int id) {
    HttpRequest request;
    request.url = server.url(id);
    poller.start(request, TransferLimits{},
                 [&](HttpResponse&& response) { answers.push_back(std::move(response)); });
  };
  start(0);  // opens the kept-alive connection the next transfer goes out on
  REQUIRE(loop.run_until([&] { return answers.size() == 1; }));
  REQUIRE(server.requests() == 1);
  start(1);
  // start() alone sends nothing: libcurl waits for its timer.
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  CHECK(server.requests() == 1);
  poller.run_started();
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (server.requests() == 1 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  CHECK(server.requests() == 2);  // sent with the loop never run
  poller.run_started();           // nothing waits now: a no-op
  REQUIRE(loop.run_until([&] { return answers.size() == 2; }));
  check_answers(answers, 2);
}

TEST_CASE("32 transfers at once all complete, and the connections serve the next 32") {
  LoopbackServer server(1000);
  Loop loop;
  Poller poller(loop.event);
  std::vector<HttpResponse> answers(64);
  int done = 0;
  auto start_round = [&](int first) {
    for (int id = first; id < first + 32; ++id) {
      HttpRequest request;
      request.url = server.url(id);
      poller.start(request, TransferLimits{}, [&answers, &done, id](HttpResponse&& response) {
        answers[static_cast<std::size_t>(id)] = std::move(response);
        ++done;
      });
    }
  };
  start_round(0);
  REQUIRE(loop.run_until([&] { return done == 32; }));
  start_round(32);
  REQUIRE(loop.run_until([&] { return done == 64; }));
  check_answers(answers, 64);
}

namespace {

// Sets an environment variable for a scope (the Poller reads the proxy
// variables when it is made).
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const std::string& value) : name_(name) {
    setenv(name, value.c_str(), 1);
  }
  ~ScopedEnv() { unsetenv(name_); }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

 private:
  const char* name_;
};

// Answers any request with the target it was asked for: as a proxy, the
// absolute URL.
class EchoProxy {
 public:
  EchoProxy() {
    server_.Get(".*", [](const httplib::Request& request, httplib::Response& response) {
      response.set_content("via proxy " + request.path, "text/plain");
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
  }
  ~EchoProxy() {
    server_.stop();
    thread_.join();
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }

 private:
  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
};

HttpResponse fetch(Poller& poller, Loop& loop, const std::string& url) {
  std::vector<HttpResponse> answers;
  HttpRequest request;
  request.url = url;
  poller.start(request, TransferLimits{},
               [&answers](HttpResponse&& response) { answers.push_back(std::move(response)); });
  REQUIRE(loop.run_until([&] { return !answers.empty(); }));
  return std::move(answers.front());
}

}  // namespace

TEST_CASE("transfers go through the proxy http_proxy names, as libcurl's own lookup would") {
  EchoProxy proxy;
  ScopedEnv http_proxy("http_proxy", proxy.url());
  Loop loop;
  Poller poller(loop.event);
  const auto answer = fetch(poller, loop, "http://jobtrack.invalid/job/7");
  INFO(answer.transport_error);
  CHECK(answer.status == 200);
  CHECK(answer.body == "via proxy http://jobtrack.invalid/job/7");
}

TEST_CASE("hosts no_proxy names bypass the proxy") {
  LoopbackServer server(1000);
  ScopedEnv http_proxy("http_proxy", "http://127.0.0.1:9");  // nothing listens there
  ScopedEnv no_proxy("no_proxy", "127.0.0.1");
  Loop loop;
  Poller poller(loop.event);
  const auto answer = fetch(poller, loop, server.url(3));
  INFO(answer.transport_error);
  CHECK(answer.status == 200);
  CHECK(answer.body == "job 3");
}

TEST_CASE("without proxy variables transfers go straight to the server") {
  LoopbackServer server(1000);
  Loop loop;
  Poller poller(loop.event);
  const auto answer = fetch(poller, loop, server.url(5));
  CHECK(answer.status == 200);
  CHECK(answer.body == "job 5");
}

namespace {

// Answers any GET with the request target as it arrived.
class TargetEcho {
 public:
  TargetEcho() {
    server_.Get(".*", [](const httplib::Request& request, httplib::Response& response) {
      response.set_content(request.target, "text/plain");
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
  }
  ~TargetEcho() {
    server_.stop();
    thread_.join();
  }
  std::string origin() const { return "http://127.0.0.1:" + std::to_string(port_); }

 private:
  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
};

}  // namespace

TEST_CASE("a reused handle sends each URL's path and query as libcurl's own parse would") {
  TargetEcho first;
  TargetEcho second;
  Loop loop;
  Poller poller(loop.event);  // one transfer at a time: one handle, reused
  const struct {
    const TargetEcho& server;
    std::string path;
    std::string sent;
  } cases[] = {
      {first, "/v2/jobs/job-1", "/v2/jobs/job-1"},
      {first, "/v2/jobs/job-2?team=a&b=c", "/v2/jobs/job-2?team=a&b=c"},
      {first, "/v2/jobs/job-3", "/v2/jobs/job-3"},  // the query is gone again
      {first, "/v2/a/../jobs/./job-4", "/v2/jobs/job-4"},
      {first, "/v2/jobs/job%2F5", "/v2/jobs/job%2F5"},
      {first, "/v2/jobs/job-6", "/v2/jobs/job-6"},
      {second, "/other/7", "/other/7"},  // another origin
      {second, "/other/8", "/other/8"},
      {first, "/v2/jobs/job-9", "/v2/jobs/job-9"},
  };
  for (const auto& each : cases) {
    INFO(each.path);
    const auto answer = fetch(poller, loop, each.server.origin() + each.path);
    INFO(answer.transport_error);
    CHECK(answer.status == 200);
    CHECK(answer.body == each.sent);
  }
}

TEST_CASE("a URL libcurl rejects fails its transfer, and the handle serves the next") {
  TargetEcho server;
  Loop loop;
  Poller poller(loop.event);
  CHECK(fetch(poller, loop, server.origin() + "/jobs/1").body == "/jobs/1");
  const auto rejected = fetch(poller, loop, "http://127.0.0.1:notaport/jobs/2");
  CHECK(rejected.status == 0);
  CHECK_FALSE(rejected.transport_error.empty());
  const auto unsupported = fetch(poller, loop, "ftp://127.0.0.1/jobs/3");
  CHECK(unsupported.status == 0);
  CHECK_FALSE(unsupported.transport_error.empty());
  CHECK(fetch(poller, loop, server.origin() + "/jobs/4").body == "/jobs/4");
}

namespace {

// Answers any GET with how many User-Agent and Accept-Encoding headers the
// request carried and their values, as a JSON-typed body of `padding`
// bytes after that, which cpp-httplib gzips for a client that accepts it.
class HeaderEcho {
 public:
  HeaderEcho() {
    server_.Get(".*", [](const httplib::Request& request, httplib::Response& response) {
      std::string seen;
      for (const char* name : {"User-Agent", "Accept-Encoding", "Accept"}) {
        seen += std::string(name) + "=" + std::to_string(request.get_header_value_count(name)) +
                ":" + request.get_header_value(name) + ";";
      }
      response.set_content(seen + std::string(4096, 'x'), "application/json");
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
  }
  ~HeaderEcho() {
    server_.stop();
    thread_.join();
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/"; }

 private:
  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
};

HttpResponse fetch_with(Poller& poller, Loop& loop, const std::string& url,
                        std::vector<std::string> headers) {
  std::vector<HttpResponse> answers;
  HttpRequest request;
  request.url = url;
  request.headers = std::move(headers);
  poller.start(request, TransferLimits{},
               [&answers](HttpResponse&& response) { answers.push_back(std::move(response)); });
  REQUIRE(loop.run_until([&] { return !answers.empty(); }));
  return std::move(answers.front());
}

}  // namespace

TEST_CASE("each request names the daemon and gzip once, and a gzipped body arrives decoded") {
  HeaderEcho server;
  Loop loop;
  Poller poller(loop.event);
  const std::string padding(4096, 'x');
  const std::string ours = "User-Agent=1:jobtrackd/" JOBTRACK_VERSION ";Accept-Encoding=1:gzip;";
  for (int i = 0; i < 3; ++i) {  // the handle's list built, then reused
    const auto answer = fetch_with(poller, loop, server.url(), {"Accept: application/json"});
    INFO(answer.transport_error);
    REQUIRE(answer.status == 200);
    CHECK(answer.body == ours + "Accept=1:application/json;" + padding);
  }
  // Other headers on the same handle: the list is built again.
  const auto bare = fetch_with(poller, loop, server.url(), {});
  CHECK(bare.body == ours + "Accept=1:*/*;" + padding);
}

TEST_CASE("a request's own User-Agent and Accept-Encoding replace the daemon's") {
  HeaderEcho server;
  Loop loop;
  Poller poller(loop.event);
  const auto answer =
      fetch_with(poller, loop, server.url(), {"user-agent: custom/2", "Accept-Encoding: identity"});
  INFO(answer.transport_error);
  REQUIRE(answer.status == 200);
  CHECK(answer.body.rfind("User-Agent=1:custom/2;Accept-Encoding=1:identity;", 0) == 0);
  CHECK(answer.body.size() == answer.body.find(';', answer.body.find("Accept=")) + 1 + 4096);
}
