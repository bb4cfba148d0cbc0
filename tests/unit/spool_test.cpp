#include "daemon/spool.h"

#include <filesystem>
#include <istream>
#include <iterator>
#include <string>

#include <catch2/catch.hpp>

#include "tests/unit/scratch_dir.h"

using jobtrack::Spool;
using jobtrack::SpoolStreambuf;
using jobtrack::test::ScratchDir;

namespace {

std::string read_all(const Spool& spool) {
  SpoolStreambuf buffer(spool);
  std::istream in(&buffer);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

}  // namespace

TEST_CASE(
    "a spool in a directory leaves no file there and reads back what was appended across chunks") {
  ScratchDir dir;
  const auto directory = dir.file("");
  auto spool = Spool::create(directory);
  REQUIRE(spool);
  std::string expected;
  for (int i = 0; i < 20000; ++i)
    expected += "row " + std::to_string(i) + ",";  // > one 64 KiB chunk
  REQUIRE((*spool)->append(expected.data(), 1000));
  REQUIRE((*spool)->append(expected.data() + 1000, expected.size() - 1000));
  CHECK((*spool)->size() == static_cast<std::int64_t>(expected.size()));
  CHECK(read_all(**spool) == expected);
  CHECK((*spool)->head(9) == "row 0,row");
  CHECK(std::filesystem::is_empty(directory));
}

TEST_CASE("a spool falls back to a memfd when it has no directory or the directory is unusable") {
  for (const std::string& directory : {std::string(), std::string("/nonexistent/jobtrack")}) {
    INFO(directory);
    auto spool = Spool::create(directory);
    REQUIRE(spool);
    REQUIRE((*spool)->append("{}", 2));
    CHECK(read_all(**spool) == "{}");
    CHECK((*spool)->head(100) == "{}");
  }
}

TEST_CASE("an empty spool reads as nothing") {
  auto spool = Spool::create("");
  REQUIRE(spool);
  CHECK(read_all(**spool).empty());
  CHECK((*spool)->head(10).empty());
}
