// jobtrackctl end to end against an in-thread Varlink server: arguments in,
// calls and exit codes out, stdout captured.
#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "cli/app.h"
#include "cli/exit_codes.h"
#include "tests/unit/fake_varlink_server.h"

using jobtrack::protocol::Call;
using jobtrack::testing::FakeVarlinkServer;
using nlohmann::json;
namespace cli = jobtrack::cli;

namespace {

struct Outcome {
  int exit_code = 0;
  std::string out;
};

// Runs jobtrackctl with `args`, stdout redirected into a string.
Outcome run(std::vector<std::string> args) {
  args.insert(args.begin(), "jobtrackctl");
  std::vector<const char*> argv;
  for (const auto& arg : args) argv.push_back(arg.c_str());
  std::fflush(stdout);
  std::FILE* capture = std::tmpfile();
  int saved = ::dup(STDOUT_FILENO);
  ::dup2(::fileno(capture), STDOUT_FILENO);
  int exit_code = cli::run(static_cast<int>(argv.size()), argv.data());
  std::fflush(stdout);
  ::dup2(saved, STDOUT_FILENO);
  ::close(saved);
  std::string out;
  std::rewind(capture);
  for (int c; (c = std::fgetc(capture)) != EOF;) out.push_back(static_cast<char>(c));
  std::fclose(capture);
  return {exit_code, out};
}

json job(int id, const char* state) {
  return {{"id", id},       {"endpoint", "prism"}, {"remote_id", "r"},
          {"state", state}, {"progress", nullptr}, {"submitted_at", "2026-11-22T06:00:00.000Z"}};
}

std::vector<json> wait_stream(const char* final_state) {
  return {
      {{"parameters", {{"job", job(1, "running")}, {"transition", nullptr}}}, {"continues", true}},
      {{"parameters",
        {{"job", job(1, final_state)},
         {"transition",
          {{"at", "2026-11-22T06:30:00.000Z"}, {"from", "running"}, {"to", final_state}}}}}}};
}

}  // namespace

TEST_CASE("track prints the local id, or the job object with --json after the command") {
  FakeVarlinkServer server([](const Call&) {
    return std::vector<json>{{{"parameters", {{"job", job(17, "queued")}, {"created", true}}}}};
  });
  auto plain = run(
      {"--socket", server.path(), "track", "prism", "imp:1", "--label", "x", "--deadline", "6h"});
  CHECK(plain.exit_code == cli::kExitOk);
  CHECK(plain.out == "17\n");
  REQUIRE(server.calls().size() == 1);
  CHECK(server.calls()[0].method == "io.jobtrack.Jobs.Track");
  CHECK(server.calls()[0].parameters ==
        json{{"endpoint", "prism"}, {"remote_id", "imp:1"}, {"label", "x"}, {"deadline", "6h"}});

  auto scripted = run({"track", "prism", "imp:1", "--json", "--socket", server.path()});
  CHECK(scripted.exit_code == cli::kExitOk);
  json object = json::parse(scripted.out);
  CHECK(object["id"] == 17);
  CHECK(object.contains("expires_at"));
}

TEST_CASE("the socket comes from JOBTRACK_SOCKET") {
  FakeVarlinkServer server([](const Call&) {
    return std::vector<json>{{{"parameters", {{"jobs", json::array()}}}}};
  });
  ::setenv("JOBTRACK_SOCKET", server.path().c_str(), 1);
  auto listed = run({"list", "--state", "running,queued", "--state", "failed", "--json"});
  ::unsetenv("JOBTRACK_SOCKET");
  CHECK(listed.exit_code == cli::kExitOk);
  CHECK(json::parse(listed.out) == json::array());
  REQUIRE(server.calls().size() == 1);
  CHECK(server.calls()[0].parameters == json{{"state", {"running", "queued", "failed"}}});
}

TEST_CASE("wait exits by how the job ended") {
  for (auto [state, code] :
       {std::pair{"succeeded", cli::kExitOk}, std::pair{"partial", cli::kExitPartial},
        std::pair{"failed", cli::kExitFailure}, std::pair{"cancelled", cli::kExitFailure}}) {
    INFO(state);
    FakeVarlinkServer server([state = state](const Call&) { return wait_stream(state); });
    auto waited = run({"--socket", server.path(), "wait", "1"});
    CHECK(waited.exit_code == code);
    CHECK(waited.out.find(std::string("running -> ") + state) != std::string::npos);
    CHECK(server.calls().at(0).more);
  }
}

TEST_CASE("wait --timeout exits 124 when the job does not end in time") {
  FakeVarlinkServer server([](const Call&) {
    return std::vector<json>{{{"parameters", {{"job", job(1, "running")}, {"transition", nullptr}}},
                              {"continues", true}}};
  });
  auto waited = run({"--socket", server.path(), "wait", "prism:r", "--timeout", "100ms"});
  CHECK(waited.exit_code == cli::kExitTimeout);
  CHECK(server.calls().at(0).parameters == json{{"endpoint", "prism"}, {"remote_id", "r"}});
}

TEST_CASE("results pages through next_row") {
  FakeVarlinkServer server([](const Call& call) {
    json after = call.parameters.value("after_row", json());
    if (after.is_null()) {
      return std::vector<json>{
          {{"parameters",
            {{"results", {{{"row", 0}}, {{"row", 1}}}}, {"next_row", 1}, {"total", 3}}}}};
    }
    return std::vector<json>{
        {{"parameters", {{"results", {{{"row", 2}}}}, {"next_row", nullptr}, {"total", 3}}}}};
  });
  auto results = run({"--socket", server.path(), "--json", "results", "5", "--errors-only"});
  CHECK(results.exit_code == cli::kExitOk);
  json rows = json::parse(results.out);
  REQUIRE(rows.size() == 3);
  CHECK(rows[2]["row"] == 2);
  CHECK(rows[2].contains("error_message"));
  REQUIRE(server.calls().size() == 2);
  CHECK(server.calls()[1].parameters["after_row"] == 1);
  CHECK(server.calls()[1].parameters["errors_only"] == true);
}

TEST_CASE("error replies and usage errors become exit codes") {
  FakeVarlinkServer server([](const Call& call) {
    return std::vector<json>{
        {{"error", "io.jobtrack.Jobs.NoSuchJob"}, {"parameters", call.parameters}}};
  });
  CHECK(run({"--socket", server.path(), "show", "99"}).exit_code == cli::kExitNoSuchJob);
  CHECK(run({"--socket", server.path(), "show", "not-a-job"}).exit_code == cli::kExitUsage);
  CHECK(run({"--socket", server.path(), "frobnicate"}).exit_code == cli::kExitUsage);
  CHECK(run({"--socket", server.path(), "list", "--bogus"}).exit_code == cli::kExitUsage);
  CHECK(run({"--socket", server.path(), "wait", "1", "--timeout", "soon"}).exit_code ==
        cli::kExitUsage);
  CHECK(run({"--socket", server.path()}).exit_code == cli::kExitUsage);
  CHECK(run({"--socket", "/nonexistent-jobtrack/x.sock", "status"}).exit_code ==
        cli::kExitUnavailable);
  CHECK(server.calls().size() == 1);
}
