// CommitGate: commit() commits the open batch when free and does nothing
// while held; answers waiting on Store::after_commit run with the commit
// after the release, or learn that their batch was rolled back.
#include "daemon/commit_gate.h"

#include <catch2/catch.hpp>

#include "daemon/store.h"
#include "tests/unit/sample_jobs.h"
#include "tests/unit/scratch_dir.h"

using jobtrack::CommitGate;
using jobtrack::Store;
using jobtrack::test::add_queued_job;
using jobtrack::test::ScratchDir;

namespace {

// What a waiting hook was told: "" for committed, else the error.
struct Told {
  bool called = false;
  std::string error;
  Store::CommitHook hook() {
    return [this](const std::string* failure) {
      called = true;
      error = failure ? *failure : "";
    };
  }
};

}  // namespace

TEST_CASE("a free gate commits the open batch and the waiting answers run") {
  ScratchDir dir;
  Store store(dir.file("jobs.db"));
  CommitGate gate(store);
  store.begin_batch();
  add_queued_job(store, "a");
  Told told;
  store.after_commit(told.hook());
  CHECK_FALSE(told.called);
  CHECK(gate.commit());
  CHECK(told.called);
  CHECK(told.error.empty());
  CHECK_FALSE(store.in_batch());
  CHECK_FALSE(gate.commit());  // nothing left to commit
}

TEST_CASE("while held nothing is committed and answers wait for the commit after release") {
  ScratchDir dir;
  const auto path = dir.file("jobs.db");
  Store store(path);
  CommitGate gate(store);
  gate.hold();
  store.begin_batch();
  add_queued_job(store, "a");
  Told told;
  store.after_commit(told.hook());
  CHECK_FALSE(gate.commit());
  CHECK_FALSE(told.called);
  CHECK(store.in_batch());
  gate.release();
  CHECK(gate.commit());
  CHECK(told.called);
  CHECK(told.error.empty());
  CHECK(store.find("prism", "a"));
}

TEST_CASE("answers waiting on a rolled-back batch learn that their writes are gone") {
  ScratchDir dir;
  Store store(dir.file("jobs.db"));
  CommitGate gate(store);
  gate.hold();
  store.begin_batch();
  add_queued_job(store, "a");
  Told lost;
  store.after_commit(lost.hook());
  store.rollback_batch();
  CHECK(lost.called);
  CHECK_FALSE(lost.error.empty());
  store.begin_batch();  // a later batch commits, but not the one holding "a"
  add_queued_job(store, "b");
  gate.release();
  CHECK(gate.commit());
  CHECK_FALSE(store.find("prism", "a"));
  CHECK(store.find("prism", "b"));
}
