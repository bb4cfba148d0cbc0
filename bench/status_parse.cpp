// bench_status_parse: the cost of reading one routine status body, the
// Prism "processing" body the poll benchmark serves, through each of the
// two readers: nlohmann's DOM with FieldReader, and FlatJson (simdjson)
// with FlatFieldReader. The same fields are read as Prism reads them.
//
// Usage: bench_status_parse [ITERATIONS]   (default 200000)
// Prints microseconds per body for each reader. Single-threaded.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "daemon/providers/flat_json.h"
#include "daemon/providers/json_fields.h"

namespace {

constexpr const char* kBody =
    R"({"job_id":"x","status":"processing","total":1000,"processed":400,"succeeded":400,)"
    R"("failed":0,"created_at":"2024-05-01T10:00:00Z","updated_at":"2024-05-01T10:05:00Z",)"
    R"("expires_at":"2030-05-08T10:00:00Z","error":null,"results":[]})";

template <class Reader>
std::int64_t read_fields(Reader& job) {
  std::int64_t sum = 0;
  sum += static_cast<std::int64_t>(job.string("status").value_or("").size());
  for (const char* key : {"total", "processed", "succeeded", "failed"})
    sum += job.integer(key).value_or(0);
  for (const char* key : {"created_at", "updated_at", "expires_at"})
    sum += job.time(key).value_or(0);
  sum += job.array("results") ? 1 : 0;
  return job.ok() ? sum : -1;
}

template <class Parse>
double per_body_us(int iterations, Parse parse) {
  std::int64_t sink = 0;
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < iterations; ++i) sink += parse();
  const auto elapsed = std::chrono::steady_clock::now() - start;
  if (sink == 42) std::puts("");  // keeps the loop
  return std::chrono::duration<double, std::micro>(elapsed).count() / iterations;
}

}  // namespace

int main(int argc, char** argv) {
  const int iterations = argc > 1 ? std::atoi(argv[1]) : 200000;
  if (iterations <= 0) {
    std::fprintf(stderr, "usage: bench_status_parse [ITERATIONS]\n");
    return 2;
  }
  const std::string body = kBody;
  const double dom = per_body_us(iterations, [&] {
    auto parsed = jobtrack::parse_json_object(body);
    jobtrack::FieldReader job(*parsed);
    return read_fields(job);
  });
  const double flat = per_body_us(iterations, [&] {
    auto parsed = jobtrack::parse_flat_object(body);
    jobtrack::FlatFieldReader job(*parsed);
    return read_fields(job);
  });
  std::printf("status body (%zu bytes), %d iterations\n", body.size(), iterations);
  std::printf("nlohmann DOM + FieldReader   %.2f us per body\n", dom);
  std::printf("FlatJson + FlatFieldReader   %.2f us per body\n", flat);
  return 0;
}
