// TransferThread against a real HTTP server on loopback (cpp-httplib on a
// thread of its own), driven as the Poller drives it but without a loop:
// orders submitted from this thread, answers taken when answers_fd() is
// readable. What the Poller relies on: every order answered once with its
// own id, answers handed over in batches, cancel_all() silencing every
// order made before it, and a destructor that does not wait for transfers.
#include "daemon/transfer_thread.h"

#include <poll.h>

#include <chrono>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>
#include <httplib.h>

using jobtrack::HttpRequest;
using jobtrack::TransferAnswer;
using jobtrack::TransferLimits;
using jobtrack::TransferThread;

namespace {

// GET /job/<id> answers "job <id>"; GET /slow/<id> does so after a second.
class LoopbackServer {
 public:
  LoopbackServer() {
    // A thread per connection: every transfer of a burst has its own.
    server_.new_task_queue = [] { return new httplib::ThreadPool(64); };
    server_.set_keep_alive_max_count(100000);
    server_.Get(R"(/job/(\d+))", [](const httplib::Request& request, httplib::Response& response) {
      response.set_content("job " + std::string(request.matches[1]), "text/plain");
    });
    server_.Get(R"(/slow/(\d+))", [](const httplib::Request& request, httplib::Response& response) {
      std::this_thread::sleep_for(std::chrono::seconds(1));
      response.set_content("job " + std::string(request.matches[1]), "text/plain");
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
  }
  ~LoopbackServer() {
    server_.stop();
    thread_.join();
  }
  HttpRequest request(const std::string& path) const {
    HttpRequest request;
    request.url = "http://127.0.0.1:" + std::to_string(port_) + path;
    return request;
  }

 private:
  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
};

// Takes answers until `wanted` have come or `seconds` passed without one.
std::vector<TransferAnswer> take(TransferThread& transfers, std::size_t wanted, int seconds = 20) {
  std::vector<TransferAnswer> answers;
  while (answers.size() < wanted) {
    pollfd ready{transfers.answers_fd(), POLLIN, 0};
    if (poll(&ready, 1, seconds * 1000) <= 0) break;
    for (TransferAnswer& answer : transfers.take_answers()) answers.push_back(std::move(answer));
  }
  return answers;
}

bool answers_ready(const TransferThread& transfers, int wait_ms) {
  pollfd ready{transfers.answers_fd(), POLLIN, 0};
  return poll(&ready, 1, wait_ms) > 0;
}

}  // namespace

TEST_CASE("a burst of orders is answered once each, under its own id") {
  LoopbackServer server;
  TransferThread transfers("");
  std::map<std::uint64_t, int> job_of_id;
  for (int job = 0; job < 48; ++job) {
    const std::uint64_t id =
        transfers.submit(server.request("/job/" + std::to_string(job)), TransferLimits{});
    CHECK(job_of_id.count(id) == 0);
    job_of_id[id] = job;
  }
  const auto answers = take(transfers, job_of_id.size());
  REQUIRE(answers.size() == job_of_id.size());
  std::map<std::uint64_t, int> answered;
  for (const TransferAnswer& answer : answers) {
    INFO("id " << answer.id << ": " << answer.response.transport_error);
    answered[answer.id] += 1;
    REQUIRE(job_of_id.count(answer.id) == 1);
    CHECK(answer.response.status == 200);
    CHECK(answer.response.body == "job " + std::to_string(job_of_id[answer.id]));
  }
  CHECK(answered.size() == job_of_id.size());
  for (const auto& [id, times] : answered) CHECK(times == 1);
  // Nothing more is on its way.
  CHECK_FALSE(answers_ready(transfers, 200));
  CHECK(transfers.take_answers().empty());
}

TEST_CASE("an answer that waits keeps answers_fd readable until it is taken") {
  LoopbackServer server;
  TransferThread transfers("");
  transfers.submit(server.request("/job/1"), TransferLimits{});
  REQUIRE(answers_ready(transfers, 20'000));
  CHECK(answers_ready(transfers, 0));  // still: nothing taken yet
  CHECK(transfers.take_answers().size() == 1);
  CHECK_FALSE(answers_ready(transfers, 0));
}

TEST_CASE("cancel_all silences every order made before it, running or queued, not later ones") {
  LoopbackServer server;
  TransferThread transfers("");
  std::vector<std::uint64_t> cancelled;
  for (int job = 0; job < 4; ++job)
    cancelled.push_back(
        transfers.submit(server.request("/slow/" + std::to_string(job)), TransferLimits{}));
  std::this_thread::sleep_for(std::chrono::milliseconds(100));  // running by now
  transfers.cancel_all();
  const std::uint64_t later = transfers.submit(server.request("/job/9"), TransferLimits{});
  for (std::uint64_t id : cancelled) CHECK(id < later);

  // The slow answers would have come after a second; wait past that.
  std::vector<TransferAnswer> answers = take(transfers, 1);
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  for (TransferAnswer& answer : transfers.take_answers()) answers.push_back(std::move(answer));
  REQUIRE(answers.size() == 1);
  CHECK(answers[0].id == later);
  CHECK(answers[0].response.body == "job 9");
}

TEST_CASE("an order libcurl cannot run is answered with a transport error, not dropped") {
  TransferThread transfers("");
  HttpRequest request;
  request.url = "gopher://127.0.0.1:1/x";  // not a protocol the handles allow
  const std::uint64_t id = transfers.submit(std::move(request), TransferLimits{});
  const auto answers = take(transfers, 1);
  REQUIRE(answers.size() == 1);
  CHECK(answers[0].id == id);
  CHECK(answers[0].response.status == 0);
  CHECK_FALSE(answers[0].response.transport_error.empty());
}

TEST_CASE("the destructor abandons transfers in flight instead of waiting for them") {
  LoopbackServer server;
  const auto begun = std::chrono::steady_clock::now();
  {
    TransferThread transfers("");
    for (int job = 0; job < 8; ++job)
      transfers.submit(server.request("/slow/" + std::to_string(job)), TransferLimits{});
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  // The slow server answers after a second: abandoning returns well
  // before the first of them would have come.
  CHECK(std::chrono::steady_clock::now() - begun < std::chrono::milliseconds(800));
}
