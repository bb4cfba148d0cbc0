// A database file brought up to an older schema version through the same
// migration runner the daemon uses, so a migration test can fill it with
// rows of that version and then open it with a Store (which upgrades it).
// Test helper; the caller's thread.
#pragma once

#include <span>
#include <string>

#include <SQLiteCpp/SQLiteCpp.h>
#include <catch2/catch.hpp>

#include "daemon/migrations.h"

namespace jobtrack::test {

// Creates `path` (WAL mode) at schema `version`; the connection stays open
// for the caller's inserts.
inline SQLite::Database database_at_version(const std::string& path, std::size_t version) {
  SQLite::Database db(path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
  db.exec("PRAGMA journal_mode = WAL");
  const auto& all = embedded_migrations();
  REQUIRE(all.size() > version);
  REQUIRE(apply_migrations(db, std::span(all).first(version)) == static_cast<int>(version));
  return db;
}

}  // namespace jobtrack::test
