#include <catch2/catch.hpp>

#include "cli/render.h"
#include "cli/table.h"
#include "daemon/protocol/times.h"

using namespace jobtrack::cli;
using jobtrack::protocol::parse_iso8601;
using nlohmann::json;

namespace {

json sample_job() {
  return {{"id", 42},
          {"endpoint", "prism"},
          {"provider", "prism"},
          {"remote_id", "imp-7"},
          {"label", "nightly"},
          {"state", "running"},
          {"terminal", false},
          {"remote_status", "processing"},
          {"progress", 42.7},
          {"total", 100},
          {"processed", 42},
          {"succeeded", 40},
          {"failed", 2},
          {"result_url", nullptr},
          {"error_code", nullptr},
          {"error_message", nullptr},
          {"submitted_at", "2026-11-22T06:00:00.000Z"},
          {"updated_at", "2026-11-22T06:27:00.000Z"},
          {"finished_at", nullptr},
          {"expires_at", nullptr},
          {"detail", {{"new_task", {{"gid", "1"}}}}}};
}

const std::int64_t kNow = *parse_iso8601("2026-11-22T06:30:00.000Z");

}  // namespace

TEST_CASE("job_for_scripts passes fields through and adds the promised ones as null") {
  json job = sample_job();
  CHECK(job_for_scripts(job) == job);
  json partial = job_for_scripts(json{{"id", 1}, {"state", "queued"}, {"extra", 5}});
  for (const char* key :
       {"endpoint", "remote_id", "label", "remote_status", "progress", "total", "processed",
        "succeeded", "failed", "result_url", "error_code", "error_message", "submitted_at",
        "updated_at", "finished_at", "expires_at"}) {
    INFO(key);
    REQUIRE(partial.contains(key));
    CHECK(partial[key].is_null());
  }
  CHECK(partial["id"] == 1);
  CHECK(partial["extra"] == 5);
}

TEST_CASE("transitions and results for scripts have their fixed keys") {
  json transition = transition_for_scripts(json{{"at", "t"}, {"to", "running"}});
  for (const char* key : {"at", "from", "to", "remote_status", "progress"})
    CHECK(transition.contains(key));
  json result = result_for_scripts(json{{"row", 3}});
  for (const char* key :
       {"row", "record_id", "created", "existing", "error_code", "error_message"}) {
    CHECK(result.contains(key));
  }
}

TEST_CASE("values, progress and relative times for people") {
  CHECK(value_text(nullptr) == "-");
  CHECK(value_text("x") == "x");
  CHECK(value_text(true) == "yes");
  CHECK(value_text(12) == "12");
  CHECK(progress_text(42.7) == "42%");
  CHECK(progress_text(99.99) == "99%");
  CHECK(progress_text(100) == "100%");
  CHECK(progress_text(nullptr) == "-");
  CHECK(relative_time(kNow, kNow) == "just now");
  CHECK(relative_time(kNow - 12'000, kNow) == "12 s ago");
  CHECK(relative_time(kNow - 180'000, kNow) == "3 min ago");
  CHECK(relative_time(kNow - 5 * 3'600'000, kNow) == "5 h ago");
  CHECK(relative_time(kNow - 2 * 86'400'000, kNow) == "2 d ago");
  CHECK(relative_time(kNow + 240'000, kNow) == "in 4 min");
  CHECK(relative_time_text(nullptr, kNow) == "-");
  CHECK(relative_time_text("garbage", kNow) == "garbage");
}

TEST_CASE("jobs_table shows the list columns with relative times") {
  json other = {{"id", 7},
                {"endpoint", "ogc"},
                {"remote_id", "j"},
                {"state", "queued"},
                {"progress", nullptr},
                {"label", nullptr},
                {"updated_at", nullptr},
                {"submitted_at", "2026-11-22T05:30:00.000Z"}};
  CHECK(jobs_table(json{sample_job(), other}, kNow) ==
        "ID  ENDPOINT  REMOTE_ID  STATE    PROGRESS  LABEL    UPDATED\n"
        "42  prism     imp-7      running       42%  nightly  3 min ago\n"
        " 7  ogc       j          queued          -  -        1 h ago\n");
  // Optional columns (PROGRESS, LABEL, ERROR) only when some job has data.
  CHECK(jobs_table(json::array(), kNow) == "ID  ENDPOINT  REMOTE_ID  STATE  UPDATED\n");
  CHECK(jobs_table(json::array({other}), kNow) ==
        "ID  ENDPOINT  REMOTE_ID  STATE   UPDATED\n"
        " 7  ogc       j          queued  1 h ago\n");
}

TEST_CASE("jobs_table shows errors, fits the width and colours states") {
  json failed = sample_job();
  failed["state"] = "failed";
  failed["error_code"] = "invalid_csv";
  failed["error_message"] = "row 1: missing header in the uploaded file";
  std::string wide = jobs_table(json::array({failed}), kNow);
  CHECK(wide.find("ERROR") != std::string::npos);
  CHECK(wide.find("invalid_csv: row 1: missing header in the uploaded file\n") !=
        std::string::npos);

  std::string narrow = jobs_table(json::array({failed}), kNow, Look{false, 70});
  for (std::size_t start = 0, end; (end = narrow.find('\n', start)) != std::string::npos;
       start = end + 1) {
    std::size_t line_width = jobtrack::cli::display_width(narrow.substr(start, end - start));
    CHECK(line_width <= 70);
  }
  CHECK(narrow.find("\u2026\n") != std::string::npos);

  std::string colored = jobs_table(json::array({failed}), kNow, Look{true, 0});
  CHECK(colored.find("\x1b[31mfailed\x1b[0m") != std::string::npos);
  CHECK(wide.find('\x1b') == std::string::npos);
}

TEST_CASE("job_details lists every field with absolute times") {
  std::string details = job_details(sample_job());
  CHECK(details.rfind("id:", 0) == 0);
  CHECK(details.find("progress:      [####------]  42%\n") != std::string::npos);
  CHECK(details.find("last_error:") == std::string::npos);
  CHECK(details.find("updated_at:    2026-11-22T06:27:00.000Z\n") != std::string::npos);
  CHECK(details.find("finished_at:   -\n") != std::string::npos);
  CHECK(details.find("detail:        {\"new_task\":{\"gid\":\"1\"}}\n") != std::string::npos);
  // Fields the CLI does not know yet are still shown, after the known ones.
  json job = sample_job();
  job["zeta"] = "z";
  std::string more = job_details(job);
  CHECK(more.find("zeta:") > more.find("updated_at:"));

  json failed = sample_job();
  failed["state"] = "failed";
  failed["error_code"] = "E1";
  failed["error_message"] = "bad file";
  std::string shown = job_details(failed, Look{true, 0});
  CHECK(shown.find("last_error:") > shown.find("state:"));
  CHECK(shown.find("E1: bad file\n") != std::string::npos);
  CHECK(shown.find("\x1b[31mfailed\x1b[0m") != std::string::npos);
}

TEST_CASE("transitions, results and endpoints render as tables and lines") {
  json transition = {{"at", "2026-11-22T06:30:00.000Z"}, {"from", "queued"}, {"to", "running"},
                     {"remote_status", "InProgress"},    {"progress", 40},   {"detail", nullptr}};
  CHECK(transition_line(transition) ==
        "2026-11-22T06:30:00.000Z  queued -> running  InProgress  40%");
  CHECK(transitions_table(json::array({transition})) ==
        "AT                        FROM    TO       REMOTE_STATUS  PROGRESS  DETAIL\n"
        "2026-11-22T06:30:00.000Z  queued  running  InProgress          40%  -\n");
  CHECK(job_summary_line(sample_job()) ==
        "job 42 (prism:imp-7) is running, remote status processing, 42%");

  json results = {{{"row", 0},
                   {"record_id", "r1"},
                   {"created", true},
                   {"existing", false},
                   {"error_code", nullptr},
                   {"error_message", nullptr}},
                  {{"row", 1},
                   {"record_id", nullptr},
                   {"created", nullptr},
                   {"existing", nullptr},
                   {"error_code", "E1"},
                   {"error_message", "bad email"}}};
  CHECK(results_table(results) ==
        "ROW  RECORD_ID  CREATED  EXISTING  ERROR\n"
        "  0  r1         yes      no        -\n"
        "  1  -          -        -         E1: bad email\n");

  json endpoint = {{"name", "prism"},         {"provider", "prism"},  {"base_url", "https://x"},
                   {"jobs_active", 3},        {"jobs_total", 10},     {"in_flight", 1},
                   {"max_in_flight", 4},      {"polls_total", 100},   {"polls_failed", 2},
                   {"paused_until", nullptr}, {"last_error", nullptr}};
  std::string table = endpoints_table(json::array({endpoint}));
  CHECK(table.find("prism  prism     https://x") != std::string::npos);
  CHECK(table.find("1/4") != std::string::npos);
}

TEST_CASE("status_details shows counters and jobs by state") {
  std::string details = status_details(
      json{{"version", "0.1.0"}, {"jobs_by_state", {{"running", 2}, {"succeeded", 5}}}});
  CHECK(details.find("version:") == 0);
  CHECK(details.find("running=2 succeeded=5") != std::string::npos);
}

TEST_CASE("json_text never throws on invalid UTF-8") {
  std::string text;
  REQUIRE_NOTHROW(text = json_text(json{{"label", std::string("\xff")}}));
  CHECK(text.back() == '\n');
}
