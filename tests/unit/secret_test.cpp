#include "daemon/secret.h"

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <optional>
#include <string>

#include <catch2/catch.hpp>
#include <stdlib.h>

#include "tests/unit/env_guard.h"

using jobtrack::resolve_token;
using jobtrack::TokenSource;

namespace {

constexpr const char* kSecret = "tok-5ecret-value";

using jobtrack::test::EnvGuard;

// A scratch directory removed with everything in it.
class TempDir {
 public:
  TempDir() {
    char name[] = "/tmp/jobtrack-secret-XXXXXX";
    REQUIRE(::mkdtemp(name) != nullptr);
    path_ = name;
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  std::string write(const std::string& name, const std::string& content, mode_t mode) const {
    std::string file = path_ + "/" + name;
    { std::ofstream(file, std::ios::binary) << content; }
    REQUIRE(::chmod(file.c_str(), mode) == 0);
    return file;
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

void check_no_secret(const tl::expected<std::string, std::string>& result) {
  REQUIRE_FALSE(result);
  CHECK_FALSE(result.error().empty());
  CHECK(result.error().find(kSecret) == std::string::npos);
  CHECK(result.error().find("5ecret") == std::string::npos);
}

}  // namespace

TEST_CASE("no token source gives an empty token") {
  CHECK(resolve_token({}).value().empty());
}

TEST_CASE("tokens from the environment") {
  TokenSource source{TokenSource::Kind::env, "JOBTRACK_TEST_TOKEN"};
  SECTION("set") {
    EnvGuard env("JOBTRACK_TEST_TOKEN", kSecret);
    CHECK(resolve_token(source).value() == kSecret);
  }
  SECTION("trailing newline dropped") {
    EnvGuard env("JOBTRACK_TEST_TOKEN", std::string(kSecret) + "\n");
    CHECK(resolve_token(source).value() == kSecret);
  }
  SECTION("unset") {
    EnvGuard env("JOBTRACK_TEST_TOKEN", std::nullopt);
    auto token = resolve_token(source);
    check_no_secret(token);
    CHECK_THAT(token.error(), Catch::Contains("JOBTRACK_TEST_TOKEN") && Catch::Contains("not set"));
  }
  SECTION("empty") {
    EnvGuard env("JOBTRACK_TEST_TOKEN", "");
    auto token = resolve_token(source);
    check_no_secret(token);
    CHECK_THAT(token.error(), Catch::Contains("JOBTRACK_TEST_TOKEN") && Catch::Contains("empty"));
  }
  SECTION("a newline inside is refused without showing the token") {
    EnvGuard env("JOBTRACK_TEST_TOKEN", std::string(kSecret) + "\r\nX-Injected: 1");
    auto token = resolve_token(source);
    check_no_secret(token);
    CHECK_THAT(token.error(), Catch::Contains("control characters"));
  }
}

TEST_CASE("tokens from files") {
  TempDir dir;
  SECTION("0600 is accepted, one trailing newline dropped") {
    auto path = dir.write("a.token", std::string(kSecret) + "\n", 0600);
    CHECK(resolve_token({TokenSource::Kind::file, path}).value() == kSecret);
  }
  SECTION("0400 and CRLF") {
    auto path = dir.write("a.token", std::string(kSecret) + "\r\n", 0400);
    CHECK(resolve_token({TokenSource::Kind::file, path}).value() == kSecret);
  }
  SECTION("no newline") {
    auto path = dir.write("a.token", kSecret, 0600);
    CHECK(resolve_token({TokenSource::Kind::file, path}).value() == kSecret);
  }
  SECTION("only one newline is dropped") {
    auto path = dir.write("a.token", std::string(kSecret) + "\n\n", 0600);
    auto token = resolve_token({TokenSource::Kind::file, path});
    check_no_secret(token);
  }
  SECTION("0644 is refused, naming the path and the mode") {
    auto path = dir.write("a.token", kSecret, 0644);
    auto token = resolve_token({TokenSource::Kind::file, path});
    check_no_secret(token);
    CHECK_THAT(token.error(), Catch::Contains(path) && Catch::Contains("0644"));
  }
  SECTION("group-readable and other-writable are refused") {
    for (mode_t mode : {mode_t{0640}, mode_t{0602}, mode_t{0660}, mode_t{0610}}) {
      auto path = dir.write("a.token", kSecret, mode);
      auto token = resolve_token({TokenSource::Kind::file, path});
      check_no_secret(token);
      CHECK_THAT(token.error(), Catch::Contains("refusing"));
    }
  }
  SECTION("missing") {
    auto token = resolve_token({TokenSource::Kind::file, dir.path() + "/none"});
    check_no_secret(token);
    CHECK_THAT(token.error(),
               Catch::Contains(dir.path() + "/none") && Catch::Contains("No such file"));
  }
  SECTION("a directory") {
    ::chmod(dir.path().c_str(), 0700);
    auto token = resolve_token({TokenSource::Kind::file, dir.path()});
    check_no_secret(token);
    CHECK_THAT(token.error(), Catch::Contains("not a regular file"));
  }
  SECTION("empty") {
    auto path = dir.write("a.token", "\n", 0600);
    auto token = resolve_token({TokenSource::Kind::file, path});
    REQUIRE_FALSE(token);
    CHECK_THAT(token.error(), Catch::Contains("empty"));
  }
  SECTION("too large") {
    auto path = dir.write("a.token", std::string(100'000, 'x'), 0600);
    auto token = resolve_token({TokenSource::Kind::file, path});
    REQUIRE_FALSE(token);
    CHECK_THAT(token.error(), Catch::Contains("larger than"));
  }
}

TEST_CASE("tokens from systemd credentials") {
  TempDir dir;
  dir.write("prism-key", std::string(kSecret) + "\n", 0400);
  TokenSource source{TokenSource::Kind::credential, "prism-key"};
  SECTION("found") {
    EnvGuard env("CREDENTIALS_DIRECTORY", dir.path());
    CHECK(resolve_token(source).value() == kSecret);
  }
  SECTION("missing credential") {
    EnvGuard env("CREDENTIALS_DIRECTORY", dir.path());
    auto token = resolve_token({TokenSource::Kind::credential, "other"});
    check_no_secret(token);
    CHECK_THAT(token.error(), Catch::Contains("other") && Catch::Contains("No such file"));
  }
  SECTION("no credentials directory") {
    EnvGuard env("CREDENTIALS_DIRECTORY", std::nullopt);
    auto token = resolve_token(source);
    check_no_secret(token);
    CHECK_THAT(token.error(),
               Catch::Contains("CREDENTIALS_DIRECTORY") && Catch::Contains("prism-key"));
  }
  SECTION("names cannot leave the directory") {
    EnvGuard env("CREDENTIALS_DIRECTORY", dir.path());
    for (const char* name : {"../etc/passwd", "..", "", "a/b"}) {
      INFO(name);
      auto token = resolve_token({TokenSource::Kind::credential, name});
      REQUIRE_FALSE(token);
      CHECK_THAT(token.error(), Catch::Contains("invalid credential name"));
    }
  }
}
