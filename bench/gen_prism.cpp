// bench_gen_prism: writes the large-result fixture of the ingestion
// benchmark (bench/run ingest): a completed Prism import whose `results`
// array holds N rows, and the same rows as CSV in the shape of the
// import_results table, for the sqlite3 CLI to import as the yardstick.
//
// Usage: bench_gen_prism ROWS BODY.json ROWS.csv JOB_ID
// Every 50th row failed (error code and message); the rest alternate
// between created and existing records. Single-threaded, streams to disk.
#include <cstdio>
#include <cstdlib>
#include <string>

namespace {

int fail(const char* message) {
  std::fprintf(stderr, "bench_gen_prism: %s\n", message);
  return 64;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 5) return fail("usage: bench_gen_prism ROWS BODY.json ROWS.csv JOB_ID");
  const long rows = std::strtol(argv[1], nullptr, 10);
  const long job_id = std::strtol(argv[4], nullptr, 10);
  if (rows < 0 || job_id <= 0) return fail("ROWS must be >= 0 and JOB_ID > 0");
  std::FILE* body = std::fopen(argv[2], "w");
  std::FILE* csv = std::fopen(argv[3], "w");
  if (!body || !csv) return fail("cannot create the output files");

  long failed = 0;
  for (long i = 0; i < rows; ++i) failed += (i % 50 == 49) ? 1 : 0;
  std::fprintf(
      body,
      "{\"job_id\":\"bench-import\",\"status\":\"complete\",\"total\":%ld,\"processed\":%ld,"
      "\"succeeded\":%ld,\"failed\":%ld,\"created_at\":\"2024-05-01T10:00:00Z\","
      "\"updated_at\":\"2024-05-01T10:20:00Z\",\"expires_at\":\"2030-05-08T10:20:00Z\","
      "\"error\":null,\"results\":[",
      rows, rows, rows - failed, failed);
  for (long i = 0; i < rows; ++i) {
    const bool bad = i % 50 == 49;
    const bool created = i % 2 == 0;
    if (i > 0) std::fputc(',', body);
    if (bad) {
      std::fprintf(body,
                   "\n{\"id\":null,\"created\":false,\"existing\":false,"
                   "\"error\":{\"code\":\"invalid_email\",\"message\":\"row %ld: bad email\"}}",
                   i);
      std::fprintf(csv, "%ld,%ld,,0,0,invalid_email,row %ld: bad email\n", job_id, i, i);
    } else {
      std::fprintf(body, "\n{\"id\":\"rec_%010ld\",\"created\":%s,\"existing\":%s,\"error\":null}",
                   i, created ? "true" : "false", created ? "false" : "true");
      std::fprintf(csv, "%ld,%ld,rec_%010ld,%d,%d,,\n", job_id, i, i, created ? 1 : 0,
                   created ? 0 : 1);
    }
  }
  std::fputs("]}\n", body);
  const bool ok = std::fclose(body) == 0 && std::fclose(csv) == 0;
  return ok ? 0 : fail("write failed");
}
