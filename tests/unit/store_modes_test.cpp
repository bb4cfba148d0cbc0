// The database, its -wal and -shm are for the daemon's group to read and
// nobody else: 0640, in a 0750 directory (jobtrackd runs with umask 0027).
#include <sys/stat.h>

#include <filesystem>

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include "daemon/store.h"
#include "tests/unit/scratch_dir.h"

using jobtrack::Store;
using jobtrack::test::ScratchDir;

namespace {

unsigned mode_of(const std::string& path) {
  struct stat info {};
  REQUIRE(stat(path.c_str(), &info) == 0);
  return info.st_mode & 07777U;
}

class Umask {
 public:
  explicit Umask(mode_t mask) : old_(umask(mask)) {}
  ~Umask() { umask(old_); }
  Umask(const Umask&) = delete;
  Umask& operator=(const Umask&) = delete;

 private:
  mode_t old_;
};

}  // namespace

TEST_CASE("a new database, its WAL and shared memory file are 0640 in a 0750 directory") {
  ScratchDir dir;
  for (const mode_t mask : {mode_t{0027}, mode_t{0022}}) {
    INFO("umask " << std::oct << mask);
    Umask umask_for_test(mask);
    const auto state = dir.file(fmt::format("state-{:o}", static_cast<unsigned>(mask)));
    // As the daemon prepares a StateDirectory that systemd did not create.
    std::filesystem::create_directories(state);
    REQUIRE(chmod(state.c_str(), 0750) == 0);
    const auto path = state + "/jobtrack.db";
    Store store(path);
    jobtrack::PollRecord poll;
    store.insert_poll(poll);  // a write, so the WAL exists
    CHECK(mode_of(state) == 0750U);
    CHECK(mode_of(path) == 0640U);
    CHECK(mode_of(path + "-wal") == 0640U);
    CHECK(mode_of(path + "-shm") == 0640U);
  }
}

TEST_CASE("an existing database keeps the mode its administrator gave it") {
  ScratchDir dir;
  const auto path = dir.file("jobtrack.db");
  { Store store(path); }
  REQUIRE(chmod(path.c_str(), 0600) == 0);
  Store store(path);
  CHECK(mode_of(path) == 0600U);
}
