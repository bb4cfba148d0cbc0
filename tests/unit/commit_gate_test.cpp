// CommitGate: commit() commits the open batch when free and does nothing
// while held; commit_if_due() commits a batch someone waits on at once and
// any other once it is old enough; answers waiting on Store::after_commit
// run with the commit after the release, or learn that their batch was
// rolled back.
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
  const auto due = gate.commit_if_due(1'000'000);  // however old the batch
  CHECK_FALSE(due.committed);
  CHECK_FALSE(due.commit_at);  // and no time named
  CHECK_FALSE(told.called);
  CHECK(store.in_batch());
  gate.release();
  SECTION("committed by commit()") {
    CHECK(gate.commit());
  }
  SECTION("committed by commit_if_due(), as an answer waits") {
    CHECK(gate.commit_if_due(1'000'001).committed);
  }
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

TEST_CASE("a batch nobody waits on is committed once it is kMaxBatchAge old") {
  ScratchDir dir;
  Store store(dir.file("jobs.db"));
  CommitGate gate(store);
  CHECK_FALSE(gate.commit_if_due(1000).commit_at);  // no batch: nothing due
  store.begin_batch();
  add_queued_job(store, "a");
  const auto first = gate.commit_if_due(1000);
  CHECK_FALSE(first.committed);
  REQUIRE(first.commit_at);
  CHECK(*first.commit_at == 1000 + CommitGate::kMaxBatchAge);
  add_queued_job(store, "b");  // a later iteration joins the same batch
  const auto later = gate.commit_if_due(1000 + CommitGate::kMaxBatchAge - 1);
  CHECK_FALSE(later.committed);
  CHECK(later.commit_at == first.commit_at);  // the age counts from the batch's start
  CHECK(store.in_batch());
  const auto due = gate.commit_if_due(1000 + CommitGate::kMaxBatchAge);
  CHECK(due.committed);
  CHECK_FALSE(due.commit_at);
  CHECK_FALSE(store.in_batch());

  store.begin_batch();  // the next batch's age starts anew
  add_queued_job(store, "c");
  const auto next = gate.commit_if_due(5000);
  REQUIRE(next.commit_at);
  CHECK(*next.commit_at == 5000 + CommitGate::kMaxBatchAge);
}

TEST_CASE("a batch someone waits on is committed at once") {
  ScratchDir dir;
  Store store(dir.file("jobs.db"));
  CommitGate gate(store);
  store.begin_batch();
  add_queued_job(store, "a");
  CHECK(gate.commit_if_due(1000).commit_at);
  Told told;
  store.after_commit(told.hook());
  const auto due = gate.commit_if_due(1001);
  CHECK(due.committed);
  CHECK(told.called);
  CHECK(told.error.empty());
}
