// bench_ingest_local: the per-row cost of storing a Prism result set,
// without HTTP, threads or the event loop, so that a profiler (perf,
// callgrind) sees only the parser and the inserts and counts repeat.
//
// Usage: bench_ingest_local BODY.json DB.sqlite [parse|store]
// Spools BODY.json (as the poller would), then reads it with the Prism
// provider's streaming reader. `parse` drops the rows; `store` (default)
// inserts them into a fresh database's open batch as the Ingestor does and
// commits once (WAL checkpoints on their own thread, as in the daemon). Prints the rows and the
// milliseconds of each phase. Single-threaded; DB.sqlite is created and must not exist.
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include "daemon/providers/provider.h"
#include "daemon/spool.h"
#include "daemon/store.h"

namespace {

using Clock = std::chrono::steady_clock;

double ms_since(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

int fail(const std::string& message) {
  std::fprintf(stderr, "bench_ingest_local: %s\n", message.c_str());
  return 1;
}

class Drop final : public jobtrack::RowSink {
 public:
  void row(jobtrack::RowResult&&) override { ++rows; }
  std::int64_t rows = 0;
};

class Insert final : public jobtrack::RowSink {
 public:
  Insert(jobtrack::Store& store, std::int64_t job_id) : store_(store), job_id_(job_id) {}
  // Batches of 512 rows, as the Ingestor hands them over.
  void row(jobtrack::RowResult&& row) override {
    batch_.push_back(std::move(row));
    ++rows;
    if (batch_.size() == 512) flush();
  }
  void flush() {
    store_.add_results(job_id_, batch_);
    batch_.clear();
  }
  std::int64_t rows = 0;

 private:
  jobtrack::Store& store_;
  std::int64_t job_id_;
  std::vector<jobtrack::RowResult> batch_;
};

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3 || argc > 4) return fail("usage: bench_ingest_local BODY.json DB [parse|store]");
  const bool store_rows = argc < 4 || std::strcmp(argv[3], "store") == 0;

  auto spool = jobtrack::Spool::create("");
  if (!spool) return fail(spool.error());
  std::ifstream in(argv[1], std::ios::binary);
  if (!in) return fail("cannot read the body");
  std::vector<char> chunk(1 << 20);
  while (in.read(chunk.data(), static_cast<std::streamsize>(chunk.size())) || in.gcount() > 0) {
    if (!(*spool)->append(chunk.data(), static_cast<std::size_t>(in.gcount())))
      return fail("cannot spool the body");
  }

  jobtrack::EndpointConfig endpoint;
  endpoint.name = "prism";
  endpoint.provider = "prism";
  endpoint.base_url = "http://127.0.0.1:1";
  endpoint.settings = {{"team_id", "team"}};
  auto provider = jobtrack::make_provider(endpoint);
  if (!provider) return fail(provider.error().message);

  if (!store_rows) {
    Drop sink;
    const auto start = Clock::now();
    auto parsed = (*provider)->parse_status_spooled(**spool, sink);
    if (!parsed) return fail(parsed.error());
    std::printf("rows %lld parse %.1f ms\n", static_cast<long long>(sink.rows), ms_since(start));
    return 0;
  }

  jobtrack::Store store(argv[2]);
  store.checkpoint_off_thread();  // as the daemon does
  jobtrack::Job job;
  job.endpoint = "prism";
  job.remote_id = "bench-import";
  job.state = jobtrack::State::running;
  jobtrack::Transition first;
  first.to = jobtrack::State::running;
  const std::int64_t job_id = store.insert_job(job, first);
  store.begin_batch();
  if (!store.begin_results(job_id)) return fail("the job is gone");
  Insert sink(store, job_id);
  const auto start = Clock::now();
  auto parsed = (*provider)->parse_status_spooled(**spool, sink);
  if (!parsed) return fail(parsed.error());
  sink.flush();
  const double insert_ms = ms_since(start);
  store.end_results(job_id, sink.rows);
  const auto commit_start = Clock::now();
  store.commit_batch();
  std::printf("rows %lld parse+insert %.1f ms commit %.1f ms\n", static_cast<long long>(sink.rows),
              insert_ms, ms_since(commit_start));
  return 0;
}
