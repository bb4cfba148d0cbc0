#include "daemon/migrations.h"

#include <charconv>

#include <SQLiteCpp/SQLiteCpp.h>
#include <fmt/core.h>

#include "daemon/store.h"

namespace jobtrack {
namespace {

std::int64_t pragma_int(SQLite::Database& db, const char* name) {
  return db.execAndGet(fmt::format("PRAGMA {}", name)).getInt64();
}

}  // namespace

std::vector<Migration> parse_migrations(std::span<const EmbeddedFile> files) {
  std::vector<Migration> migrations;
  migrations.reserve(files.size());
  for (const auto& file : files) {
    int version = 0;
    const char* first = file.name.data();
    const char* last = first + file.name.size();
    const auto [end, error] = std::from_chars(first, last, version);
    const int expected = static_cast<int>(migrations.size()) + 1;
    if (error != std::errc{} || end == first || version != expected) {
      throw StoreError(fmt::format("schema migration {} is out of sequence: expected version {}",
                                   file.name, expected));
    }
    migrations.push_back({version, file.name, file.content});
  }
  return migrations;
}

const std::vector<Migration>& embedded_migrations() {
  static const std::vector<Migration> migrations = parse_migrations(schema_migrations_all());
  return migrations;
}

int newest_version(std::span<const Migration> migrations) {
  return migrations.empty() ? 0 : migrations.back().version;
}

DatabaseCheck check_database(SQLite::Database& db, int newest) {
  try {
    // Reading the header pages writes nothing, even to an empty new file.
    const auto application_id = pragma_int(db, "application_id");
    const auto user_version = pragma_int(db, "user_version");
    const auto page_count = pragma_int(db, "page_count");
    const auto objects =
        db.execAndGet("SELECT count(*) FROM sqlite_schema WHERE name NOT LIKE 'sqlite_%'")
            .getInt64();

    if (application_id != 0 && application_id != kApplicationId) {
      throw StoreError(fmt::format("not a jobtrack database (application_id {:#x})",
                                   static_cast<std::uint32_t>(application_id)));
    }
    // A schema without our mark belongs to someone else; migrating it would
    // mix our tables into theirs.
    if (application_id == 0 && (objects > 0 || user_version != 0)) {
      throw StoreError("not a jobtrack database (it has no jobtrack application_id)");
    }
    if (user_version > newest) {
      throw StoreError(
          fmt::format("database schema version {} is newer than this jobtrackd supports ({}); "
                      "upgrade jobtrackd or use another database",
                      user_version, newest));
    }
    return DatabaseCheck{page_count == 0, static_cast<int>(user_version)};
  } catch (const SQLite::Exception& e) {
    throw StoreError(fmt::format("cannot read the database header: {}", e.what()));
  }
}

int apply_migrations(SQLite::Database& db, std::span<const Migration> migrations) {
  const int newest = newest_version(migrations);
  int ran = 0;
  const Migration* current = nullptr;
  try {
    SQLite::Transaction transaction(db, SQLite::TransactionBehavior::IMMEDIATE);
    // Read again under the write lock: another process may have migrated
    // the file since check_database.
    const auto from = pragma_int(db, "user_version");
    if (from > newest) {
      throw StoreError(
          fmt::format("database schema version {} is newer than this jobtrackd supports ({}); "
                      "upgrade jobtrackd or use another database",
                      from, newest));
    }
    if (from == newest) return 0;
    for (const auto& migration : migrations) {
      if (migration.version <= from) continue;
      current = &migration;
      db.exec(std::string(migration.sql));
      ++ran;
    }
    current = nullptr;
    db.exec(fmt::format("PRAGMA application_id = {}", kApplicationId));
    db.exec(fmt::format("PRAGMA user_version = {}", newest));
    transaction.commit();
  } catch (const SQLite::Exception& e) {
    if (current != nullptr) {
      throw StoreError(fmt::format("schema migration {} failed: {}", current->name, e.what()));
    }
    throw StoreError(fmt::format("schema migration failed: {}", e.what()));
  }
  return ran;
}

}  // namespace jobtrack
