#include "daemon/job_text.h"

#include <string>

#include <catch2/catch.hpp>

#include "daemon/job_json.h"
#include "daemon/protocol/varlink.h"

using jobtrack::append_job_json;
using jobtrack::Job;
using jobtrack::job_to_json;
using jobtrack::State;

namespace {

// What the reply of job_to_json would carry on the wire.
std::string dumped(const Job& job, std::string_view provider) {
  std::string text = jobtrack::protocol::encode(job_to_json(job, provider));
  text.pop_back();  // the NUL
  return text;
}

std::string written(const Job& job, std::string_view provider) {
  std::string text;
  append_job_json(text, job, provider);
  return text;
}

Job bare_job() {
  Job job;
  job.id = 42;
  job.endpoint = "prism";
  job.remote_id = "job-42";
  job.submitter_uid = 1000;
  job.submitted_at = 1'780'000'000'123;
  job.next_poll_at = 1'780'000'000'500;
  return job;
}

Job full_job() {
  Job job = bare_job();
  job.label = "nightly customers";
  job.state = State::succeeded;
  job.remote_status = "completed";
  job.progress = 99.5;
  job.total = 1000;
  job.processed = 1000;
  job.succeeded = 990;
  job.failed = 10;
  job.result_url = "https://api.example.com/v2/results?page=1&x=2";
  job.error_code = "E42";
  job.error_message = "some rows failed";
  job.detail_json = R"({"gid":"12","nested":{"a":[1,2.5,null,true]}})";
  job.remote_created_at = 1'779'999'000'000;
  job.updated_at = 1'780'000'100'000;
  job.finished_at = 1'780'000'100'001;
  job.expires_at = 1'780'600'000'000;
  job.deadline_at = 1'780'086'400'000;
  job.next_poll_at.reset();
  job.last_polled_at = 1'780'000'099'999;
  job.poll_count = 17;
  job.consecutive_errors = 2;
  job.last_poll_error = "timeout";
  job.results_stored = 1000;
  return job;
}

}  // namespace

TEST_CASE("a new job's text is what its JSON object dumps to", "[job_text]") {
  const Job job = bare_job();
  CHECK(written(job, "prism") == dumped(job, "prism"));
  CHECK(written(job, "") == dumped(job, ""));
}

TEST_CASE("every field set: the same text as the JSON object", "[job_text]") {
  const Job job = full_job();
  CHECK(written(job, "prism") == dumped(job, "prism"));
  CHECK(nlohmann::json::parse(written(job, "prism")) == job_to_json(job, "prism"));
}

TEST_CASE("strings that need escaping or replacing come out as nlohmann writes them",
          "[job_text]") {
  Job job = full_job();
  job.label = "quote \" backslash \\ tab \t newline \n bell \x07 del \x7f";
  job.remote_id = "caf\xc3\xa9-\xe2\x82\xac";    // UTF-8 é and €
  job.error_message = "bad \xff\xfe utf8 \xc3";  // invalid, ends inside a character
  job.remote_status = "";
  CHECK(written(job, "prism") == dumped(job, "prism"));
}

TEST_CASE("numbers at their edges, and detail that is not an object", "[job_text]") {
  Job job = full_job();
  job.progress = 0.1 + 0.2;
  job.total = -1;
  job.poll_count = INT64_MAX;
  job.consecutive_errors = INT64_MIN;
  job.submitter_uid = 4'294'967'295u;
  for (const char* detail : {"[1,2]", "not json", "\"text\"", "{}"}) {
    job.detail_json = detail;
    CHECK(written(job, "prism") == dumped(job, "prism"));
  }
  for (double progress : {0.0, 100.0, 1e-7, 12345678.9}) {
    job.progress = progress;
    CHECK(written(job, "prism") == dumped(job, "prism"));
  }
}

TEST_CASE("every state, terminal or not", "[job_text]") {
  Job job = bare_job();
  for (State state :
       {State::queued, State::running, State::succeeded, State::partial, State::failed,
        State::cancelled, State::expired, State::not_found, State::timed_out}) {
    job.state = state;
    CHECK(written(job, "prism") == dumped(job, "prism"));
  }
}

TEST_CASE("appends after what the string already holds", "[job_text]") {
  const Job job = bare_job();
  std::string text = R"({"created":true,"job":)";
  append_job_json(text, job, "prism");
  text += '}';
  CHECK(nlohmann::json::parse(text) ==
        nlohmann::json{{"created", true}, {"job", job_to_json(job, "prism")}});
}
