// The Ingestor stores the result sets of large (spooled) status responses
// without stalling the loop. A parser thread reads the body (the CPU-heavy
// part, on the second core) and hands rows through a bounded RowQueue; the
// loop inserts them into the store's open batch a slice of a few
// milliseconds per iteration, at idle priority, so client calls, polls and
// timers are served in between. The batch stays open (the CommitGate is
// held) from the first row until the poll's outcome and all its rows are in,
// then commits once: an outside reader, or a daemon restarted after a crash,
// sees all of a job's rows together with its state change, or none.
//
// Other writes made meanwhile join the same batch; replies that promise a
// commit wait for it (CommitGate). One result set at a time: further spooled
// responses wait in order, each in its own batch.
//
// The poll itself is concluded by the caller (the scheduler): once the body
// is read, `conclude` gets the classified PollResult and a StreamedResults
// handle on which it keeps or drops the rows. When the job is forgotten
// meanwhile, or the batch is lost to a storage failure, the rows stop and
// `conclude` gets a PollResult saying so (outcome retry) with rows already gone.
//
// Loop thread only, apart from the parser thread it owns. Destroying it
// stops the parser and rolls nothing back: the owner rolls back a held batch.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <string>

#include "daemon/poll_result.h"
#include "daemon/providers/provider.h"

typedef struct sd_event sd_event;
typedef struct sd_event_source sd_event_source;

namespace jobtrack {

class CommitGate;
class Store;

// What the conclusion does with the rows already in the batch.
class StreamedResults {
 public:
  virtual ~StreamedResults() = default;
  virtual void keep(std::int64_t count) = 0;  // records the count; the rows stay
  virtual void drop() = 0;                    // the rows are deleted before the commit
};

class Ingestor {
 public:
  using Conclude = std::function<void(PollResult&& result, StreamedResults& rows)>;
  using StorageHook = std::function<void(const std::string& error)>;

  struct Request {
    std::int64_t job_id = 0;
    std::shared_ptr<const Provider> provider;
    std::string token;  // redacted from every row and message
    HttpResponse response;
    Millis wall = 0;  // when the response arrived (Retry-After dates)
    Conclude conclude;
  };

  // Rows per batch handed from the parser to the loop, batches the queue
  // holds, and the loop's time per slice.
  struct Limits {
    std::size_t batch_rows = 512;
    std::size_t queue_batches = 64;
    std::int64_t slice_us = 4000;
  };

  Ingestor(sd_event* loop, Store& store, CommitGate& gate, Limits limits);
  Ingestor(sd_event* loop, Store& store, CommitGate& gate)
      : Ingestor(loop, store, gate, Limits{}) {}
  ~Ingestor();
  Ingestor(const Ingestor&) = delete;
  Ingestor& operator=(const Ingestor&) = delete;

  void on_storage(StorageHook hook) { on_storage_ = std::move(hook); }

  // Queues the response; its result set is ingested after those before it.
  void start(Request request);
  // Whether the job's result set is being stored or waits to be.
  bool ingesting(std::int64_t job_id) const;
  bool busy() const;
  // Stops the parser and forgets every queued request without concluding it
  // (shutdown). The open batch is the caller's to roll back.
  void cancel_all();

 private:
  class Run;
  static int on_ready(sd_event_source* source, int fd, std::uint32_t events, void* self);
  static int on_defer(sd_event_source* source, void* self);
  void start_next();
  void step();
  void conclude(PollResult&& result);
  void end_run();
  void fail(const std::string& error);

  sd_event* loop_;
  Store& store_;
  CommitGate& gate_;
  Limits limits_;
  StorageHook on_storage_;
  std::deque<Request> pending_;
  std::unique_ptr<Run> run_;
  sd_event_source* ready_ = nullptr;  // the running parser's queue has something
  sd_event_source* defer_ = nullptr;  // start the next request / keep deleting dropped rows
};

}  // namespace jobtrack
