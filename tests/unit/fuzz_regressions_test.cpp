// Replays every file of fuzz/corpus/<name>/ (the seeds) and
// fuzz/regressions/<name>/ (inputs that once crashed) through the fuzz
// entry functions of fuzz/targets.h, in the ordinary build: a fixed crash
// stays fixed, and the sanitizer build checks the seeds as well.
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "fuzz/targets.h"

namespace {

std::vector<std::filesystem::path> inputs(const std::string& kind, std::string_view name) {
  std::vector<std::filesystem::path> out;
  std::filesystem::path directory =
      std::filesystem::path(JOBTRACK_SOURCE_DIR) / "fuzz" / kind / std::string(name);
  if (!std::filesystem::is_directory(directory)) return out;
  for (const auto& entry : std::filesystem::directory_iterator(directory)) {
    if (entry.is_regular_file()) out.push_back(entry.path());
  }
  return out;
}

std::string read_all(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

std::size_t replay(const std::string& kind) {
  std::size_t count = 0;
  for (const auto& target : jobtrack::fuzz::targets()) {
    for (const auto& path : inputs(kind, target.name)) {
      INFO(target.name << ": " << path.string());
      std::string bytes = read_all(path);
      target.run(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
      ++count;
    }
  }
  return count;
}

}  // namespace

TEST_CASE("every fuzz target has a seed corpus in the repository") {
  for (const auto& target : jobtrack::fuzz::targets()) {
    INFO(target.name);
    CHECK(!inputs("corpus", target.name).empty());
  }
}

TEST_CASE("the seed corpus runs through the fuzz entry functions") {
  CHECK(replay("corpus") > 0);
}

TEST_CASE("inputs that once crashed a fuzzer run cleanly") {
  replay("regressions");
}

TEST_CASE("an empty input is handled by every fuzz entry function") {
  for (const auto& target : jobtrack::fuzz::targets()) target.run(nullptr, 0);
}
