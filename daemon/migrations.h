// Schema migrations: the numbered schema/*.sql files compiled into the daemon
// and the code that brings a database file up to the newest of them.
//
// Migration N is the file whose name starts with N (001_init.sql is 1);
// PRAGMA user_version records the newest one applied and PRAGMA
// application_id marks the file as jobtrack's. All pending migrations run in
// one BEGIN IMMEDIATE transaction, so a failure leaves the previous version
// intact. Files of another application, or of a newer jobtrackd, are refused
// before anything is written.
//
// Used by the Store while it opens its connection (one thread). Every
// function throws StoreError; SQLite::Exception never escapes.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "daemon/embedded.h"

namespace SQLite {
class Database;
}

namespace jobtrack {

inline constexpr std::int32_t kApplicationId = 0x4A6F6254;  // "JobT"

struct Migration {
  int version = 0;
  std::string_view name;
  std::string_view sql;
};

// Numbers `files` from their names. Throws StoreError unless the names start
// with 1, 2, 3, ... in order without gaps (a defect of the build, not of the
// database).
std::vector<Migration> parse_migrations(std::span<const EmbeddedFile> files);

// The migrations compiled into this build, oldest first.
const std::vector<Migration>& embedded_migrations();

// The newest version `migrations` reach (0 when empty).
int newest_version(std::span<const Migration> migrations);

struct DatabaseCheck {
  bool fresh = false;  // an empty file: no schema, no pages yet
  int user_version = 0;
};

// Reads the file's identity without writing anything. Throws StoreError when
// it is not a jobtrack database (a foreign application_id, or tables without
// ours) or when its user_version is newer than `newest`.
DatabaseCheck check_database(SQLite::Database& db, int newest);

// Runs every migration newer than the file's user_version in one transaction
// and records user_version and application_id. Returns how many ran (0 when
// the file was up to date). Call check_database first; the foreign_keys
// pragma is the caller's, as it cannot change inside a transaction (the
// store runs migrations with foreign keys unenforced).
int apply_migrations(SQLite::Database& db, std::span<const Migration> migrations);

}  // namespace jobtrack
