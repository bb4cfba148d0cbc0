// jobtrackctl end to end against an in-thread Varlink server: arguments in,
// calls and exit codes out, stdout captured.
#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <iostream>
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

namespace {

// Runs jobtrackctl with `input` as its stdin.
Outcome run_with_stdin(const std::string& input, std::vector<std::string> args) {
  std::FILE* file = std::tmpfile();
  std::fputs(input.c_str(), file);
  std::rewind(file);
  int saved = ::dup(STDIN_FILENO);
  ::dup2(::fileno(file), STDIN_FILENO);
  std::clearerr(stdin);
  std::cin.clear();
  Outcome outcome = run(std::move(args));
  ::dup2(saved, STDIN_FILENO);
  ::close(saved);
  std::fclose(file);
  std::clearerr(stdin);
  std::cin.clear();
  return outcome;
}

}  // namespace

TEST_CASE("list sends every filter to the daemon, relative times as ISO 8601") {
  FakeVarlinkServer server([](const Call&) {
    return std::vector<json>{{{"parameters", {{"jobs", json::array({job(3, "failed")})}}}}};
  });
  auto listed = run({"--socket", server.path(), "list", "--state", "failed", "--endpoint", "prism",
                     "--label", "n", "--since", "2026-11-20T00:00:00Z", "--until", "1h",
                     "--terminal", "--order", "-updated", "--limit", "5"});
  CHECK(listed.exit_code == cli::kExitOk);
  REQUIRE(server.calls().size() == 1);
  json parameters = server.calls()[0].parameters;
  CHECK(parameters["state"] == json{"failed"});
  CHECK(parameters["endpoint"] == "prism");
  CHECK(parameters["since"] == "2026-11-20T00:00:00.000Z");
  CHECK(parameters["until"].get<std::string>().size() == 24);
  CHECK(parameters["terminal"] == true);
  CHECK(parameters["order"] == "-updated");
  CHECK(parameters["limit"] == 5);

  CHECK(run({"--socket", server.path(), "list", "--active"}).exit_code == cli::kExitOk);
  CHECK(server.calls().back().parameters == json{{"terminal", false}});
  CHECK(run({"--socket", server.path(), "list", "--active", "--terminal"}).exit_code ==
        cli::kExitUsage);
  CHECK(run({"--socket", server.path(), "list", "--order", "sideways"}).exit_code ==
        cli::kExitUsage);
  CHECK(run({"--socket", server.path(), "list", "--since", "yesterday"}).exit_code ==
        cli::kExitUsage);

  auto csv = run({"--socket", server.path(), "--output", "csv", "list"});
  CHECK(csv.out.rfind("id,endpoint,provider,remote_id,", 0) == 0);
  CHECK(csv.out.find("\n3,prism,,r,,failed,") != std::string::npos);
}

TEST_CASE("track --stdin tracks good lines on one connection and reports bad ones") {
  FakeVarlinkServer server([](const Call& call) {
    if (call.parameters["endpoint"] == "nosuch") {
      return std::vector<json>{
          {{"error", "io.jobtrack.Jobs.NoSuchEndpoint"}, {"parameters", {{"endpoint", "nosuch"}}}}};
    }
    static int next = 10;
    return std::vector<json>{{{"parameters", {{"job", job(next++, "queued")}, {"created", true}}}}};
  });
  auto tracked =
      run_with_stdin("# header\nprism a1 nightly run\n\nprism\nnosuch b\nprism a2\n",
                     {"--socket", server.path(), "track", "--stdin", "--label", "default"});
  CHECK(tracked.exit_code == cli::kExitDataError);
  CHECK(tracked.out == "10\n11\n");
  REQUIRE(server.calls().size() == 3);
  CHECK(server.calls()[0].parameters["label"] == "nightly run");
  CHECK(server.calls()[2].parameters["label"] == "default");

  auto clean =
      run_with_stdin("prism a3\n", {"--socket", server.path(), "--json", "track", "--stdin"});
  CHECK(clean.exit_code == cli::kExitOk);
  CHECK(json::parse(clean.out).size() == 1);
  CHECK(run({"--socket", server.path(), "track", "prism"}).exit_code == cli::kExitUsage);
  CHECK(run({"--socket", server.path(), "track", "--stdin", "prism", "x"}).exit_code ==
        cli::kExitUsage);
}

TEST_CASE("completion prints scripts; __complete prints names and nothing on errors") {
  auto bash = run({"completion", "bash"});
  CHECK(bash.exit_code == cli::kExitOk);
  CHECK(bash.out.find("complete -F _jobtrackctl jobtrackctl") != std::string::npos);
  CHECK(run({"completion", "zsh"}).out.rfind("#compdef jobtrackctl", 0) == 0);
  CHECK(run({"completion", "fish"}).out.find("complete -c jobtrackctl") != std::string::npos);
  CHECK(run({"completion", "tcsh"}).exit_code == cli::kExitUsage);

  FakeVarlinkServer server([](const Call& call) {
    if (call.method == "io.jobtrack.Jobs.Endpoints") {
      return std::vector<json>{
          {{"parameters", {{"endpoints", {{{"name", "prism"}}, {{"name", "ogc"}}}}}}}};
    }
    return std::vector<json>{{{"parameters", {{"jobs", {job(1, "queued"), job(2, "running")}}}}}};
  });
  CHECK(run({"--socket", server.path(), "__complete", "endpoints"}).out == "prism\nogc\n");
  CHECK(run({"--socket", server.path(), "__complete", "jobs"}).out == "1\n2\n");
  auto absent = run({"--socket", "/nonexistent-jobtrack/x.sock", "__complete", "jobs"});
  CHECK(absent.out.empty());
}

TEST_CASE("wait on several jobs is a usage error only without JOB") {
  CHECK(run({"--socket", "/nonexistent-jobtrack/x.sock", "wait"}).exit_code == cli::kExitUsage);
  CHECK(
      run({"--socket", "/nonexistent-jobtrack/x.sock", "wait", "1", "--any", "--all"}).exit_code ==
      cli::kExitUsage);
  CHECK(run({"--socket", "/nonexistent-jobtrack/x.sock", "wait", "1", "2"}).exit_code ==
        cli::kExitUnavailable);
}
