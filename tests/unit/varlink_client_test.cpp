#include "cli/varlink_client.h"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>

#include "cli/exit_codes.h"
#include "cli/failure.h"
#include "tests/unit/fake_varlink_server.h"

using jobtrack::cli::ConnectError;
using jobtrack::cli::describe;
using jobtrack::cli::VarlinkClient;
using jobtrack::protocol::Call;
using jobtrack::protocol::VarlinkError;
using jobtrack::testing::FakeVarlinkServer;
using nlohmann::json;
namespace client_errors = jobtrack::cli::client_errors;
namespace cli = jobtrack::cli;

namespace {

json job(int id, const char* state) {
  return {{"id", id}, {"state", state}};
}

}  // namespace

TEST_CASE("call sends the method and parameters and returns the reply's parameters") {
  FakeVarlinkServer server([](const Call& call) {
    return std::vector<json>{
        {{"parameters", {{"echo", call.parameters}, {"method", call.method}}}}};
  });
  auto client = VarlinkClient::connect(server.path());
  REQUIRE(client);
  auto reply = client->call("io.jobtrack.Jobs.Get", json{{"id", 7}});
  REQUIRE(reply);
  CHECK((*reply)["echo"] == json{{"id", 7}});
  CHECK((*reply)["method"] == "io.jobtrack.Jobs.Get");
  // The connection carries further calls.
  auto second = client->call("io.jobtrack.Jobs.Status", json::object());
  REQUIRE(second);
  CHECK((*second)["method"] == "io.jobtrack.Jobs.Status");
  CHECK_FALSE(server.calls().front().more);
}

TEST_CASE("call over a socketpair reads a reply split into pieces") {
  int fds[2];
  REQUIRE(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) == 0);
  std::thread peer([fd = fds[1]] {
    char buffer[256];
    ::recv(fd, buffer, sizeof(buffer), 0);
    std::string reply = jobtrack::protocol::encode(json{{"parameters", {{"ok", true}}}});
    for (char c : reply) {
      ::send(fd, &c, 1, MSG_NOSIGNAL);
      std::this_thread::sleep_for(std::chrono::microseconds(50));
    }
    ::close(fd);
  });
  VarlinkClient client(fds[0]);
  auto reply = client.call("io.jobtrack.Jobs.Status", json::object());
  peer.join();
  REQUIRE(reply);
  CHECK(*reply == json{{"ok", true}});
}

TEST_CASE("queued calls go out together when the client waits, and replies keep their order") {
  int fds[2];
  REQUIRE(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) == 0);
  VarlinkClient client(fds[0]);
  for (int i = 0; i < 3; ++i) client.queue_call("io.jobtrack.Jobs.Get", json{{"id", i}});
  // Nothing is written before the client waits for a reply.
  char probe[4096];
  const ssize_t early = ::recv(fds[1], probe, sizeof(probe), MSG_DONTWAIT);
  const int early_errno = errno;
  CHECK(early == -1);
  CHECK(early_errno == EAGAIN);
  std::thread peer([fd = fds[1]] {
    jobtrack::protocol::MessageReader reader(1 << 20);
    std::string message;
    char buffer[4096];
    int calls = 0, reads = 0;
    while (calls < 3) {
      const ssize_t got = ::recv(fd, buffer, sizeof(buffer), 0);
      if (got <= 0) break;
      ++reads;
      reader.feed(buffer, static_cast<std::size_t>(got));
      while (reader.next(message) == jobtrack::protocol::MessageReader::Status::message) ++calls;
    }
    std::string replies;
    for (int i = 0; i < calls; ++i) {
      replies += jobtrack::protocol::encode(json{{"parameters", {{"n", i}, {"reads", reads}}}});
    }
    ::send(fd, replies.data(), replies.size(), MSG_NOSIGNAL);
    ::close(fd);
  });
  std::vector<json> replies;
  for (int i = 0; i < 3; ++i) {
    auto reply = client.receive_reply();
    REQUIRE(reply);
    replies.push_back(*reply);
    // All three replies arrived in one send: the next one is already read.
    if (i < 2) CHECK(client.reply_ready());
  }
  peer.join();
  CHECK(replies[0]["n"] == 0);
  CHECK(replies[2]["n"] == 2);
  CHECK(replies[0]["reads"] == 1);  // the three calls came in one write
}

TEST_CASE("call_more hands over every reply until continues is false") {
  FakeVarlinkServer server([](const Call&) {
    return std::vector<json>{
        {{"parameters", {{"job", job(1, "queued")}}}, {"continues", true}},
        {{"parameters", {{"job", job(1, "running")}}}, {"continues", true}},
        {{"parameters", {{"job", job(1, "succeeded")}}}},
        // Anything after the last reply belongs to no call and is not read.
        {{"parameters", {{"job", job(1, "bogus")}}}},
    };
  });
  auto client = VarlinkClient::connect(server.path());
  REQUIRE(client);
  std::vector<std::string> states;
  auto done = client->call_more("io.jobtrack.Jobs.Wait", json{{"id", 1}}, [&](const json& reply) {
    states.push_back(reply["job"]["state"].get<std::string>());
  });
  REQUIRE(done);
  CHECK(states == std::vector<std::string>{"queued", "running", "succeeded"});
  CHECK(server.calls().front().more);
}

TEST_CASE("an error reply comes back as the daemon's VarlinkError") {
  FakeVarlinkServer server([](const Call& call) {
    return std::vector<json>{
        {{"error", "io.jobtrack.Jobs.NoSuchJob"}, {"parameters", call.parameters}}};
  });
  auto client = VarlinkClient::connect(server.path());
  REQUIRE(client);
  auto reply = client->call("io.jobtrack.Jobs.Get", json{{"id", 42}});
  REQUIRE_FALSE(reply);
  CHECK(reply.error().name == "io.jobtrack.Jobs.NoSuchJob");
  CHECK(reply.error().parameters == json{{"id", 42}});

  bool called = false;
  auto streamed = client->call_more("io.jobtrack.Jobs.Wait", json{{"id", 42}},
                                    [&](const json&) { called = true; });
  REQUIRE_FALSE(streamed);
  CHECK(streamed.error().name == "io.jobtrack.Jobs.NoSuchJob");
  CHECK_FALSE(called);
}

TEST_CASE("a closed connection, a bad reply and a passed deadline are client errors") {
  SECTION("the daemon hangs up") {
    FakeVarlinkServer server([](const Call&) { return std::vector<json>{}; });
    auto client = VarlinkClient::connect(server.path());
    REQUIRE(client);
    auto reply = client->call("io.jobtrack.Jobs.Status", json::object());
    REQUIRE_FALSE(reply);
    CHECK(reply.error().name == client_errors::kConnectionLost);
    CHECK(describe(reply.error()).exit_code == cli::kExitUnavailable);
  }
  SECTION("the reply is not an object") {
    FakeVarlinkServer server([](const Call&) { return std::vector<json>{json::array()}; });
    auto client = VarlinkClient::connect(server.path());
    REQUIRE(client);
    auto reply = client->call("io.jobtrack.Jobs.Status", json::object());
    REQUIRE_FALSE(reply);
    CHECK(reply.error().name == client_errors::kBadReply);
    CHECK(describe(reply.error()).exit_code == cli::kExitSoftware);
  }
  SECTION("no reply before the deadline") {
    int fds[2];
    REQUIRE(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) == 0);
    VarlinkClient client(fds[0]);
    auto start = std::chrono::steady_clock::now();
    auto reply = client.call("io.jobtrack.Jobs.Status", json::object(),
                             start + std::chrono::milliseconds(50));
    REQUIRE_FALSE(reply);
    CHECK(reply.error().name == client_errors::kTimeout);
    CHECK(std::chrono::steady_clock::now() - start >= std::chrono::milliseconds(50));
    ::close(fds[1]);
  }
}

TEST_CASE("connect tells an absent or refusing daemon apart") {
  SECTION("no socket file") {
    auto client = VarlinkClient::connect("/nonexistent-jobtrack-dir/jobtrack.sock");
    REQUIRE_FALSE(client);
    CHECK(client.error().error_number == ENOENT);
  }
  SECTION("a socket file nobody listens on") {
    char pattern[] = "/tmp/jobtrack-test-XXXXXX";
    std::string directory = ::mkdtemp(pattern);
    std::string path = directory + "/dead.sock";
    int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::strncpy(address.sun_path, path.c_str(), sizeof(address.sun_path) - 1);
    REQUIRE(::bind(fd, reinterpret_cast<const sockaddr*>(&address), sizeof(address)) == 0);
    ::close(fd);  // the file stays, nobody listens: ECONNREFUSED
    auto client = VarlinkClient::connect(path);
    std::filesystem::remove_all(directory);
    REQUIRE_FALSE(client);
    CHECK(client.error().error_number == ECONNREFUSED);
    auto failure = describe(client.error());
    CHECK(failure.exit_code == cli::kExitUnavailable);
    CHECK(failure.message.find(path) != std::string::npos);
    CHECK(failure.message.find("Connection refused") != std::string::npos);
    CHECK(failure.message.find("systemctl start jobtrackd") != std::string::npos);
    CHECK(failure.message.find("jobtrackd --config FILE") != std::string::npos);
  }
  SECTION("a path too long for a socket address") {
    auto client = VarlinkClient::connect(std::string(200, 'x'));
    REQUIRE_FALSE(client);
    CHECK(client.error().error_number == ENAMETOOLONG);
  }
}

TEST_CASE("the daemon's errors map to exit codes and one line") {
  auto check = [](const char* name, json parameters, int exit_code, const char* words) {
    INFO(name);
    auto failure = describe(VarlinkError{name, std::move(parameters)});
    CHECK(failure.exit_code == exit_code);
    CHECK(failure.message.find(words) != std::string::npos);
    CHECK(failure.message.find('\n') == std::string::npos);
  };
  check("io.jobtrack.Jobs.NoSuchJob", {{"id", 42}}, cli::kExitNoSuchJob, "no such job: 42");
  check("io.jobtrack.Jobs.NoSuchJob", {{"endpoint", "prism"}, {"remote_id", "a:b"}},
        cli::kExitNoSuchJob, "no such job: prism:a:b");
  check("io.jobtrack.Jobs.NoSuchEndpoint", {{"endpoint", "nope"}}, cli::kExitNoSuchJob, "nope");
  check("org.varlink.service.InvalidParameter", {{"parameter", "limit"}, {"reason", "too big"}},
        cli::kExitDataError, "'limit': too big");
  check("io.jobtrack.Jobs.PermissionDenied", {{"reason", "not yours"}}, cli::kExitNoPermission,
        "not yours");
  check("io.jobtrack.Jobs.StorageFailure", {{"reason", "disk full"}}, cli::kExitTempFail,
        "disk full");
  check("org.varlink.service.MethodNotFound", {{"method", "x"}}, cli::kExitFailure,
        "MethodNotFound");
  check("com.example.Other", json::object(), cli::kExitFailure, "com.example.Other");
  check(client_errors::kTimeout.data(), json::object(), cli::kExitTimeout, "timed out");
}
