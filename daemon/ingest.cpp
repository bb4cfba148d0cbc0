#include "daemon/ingest.h"

#include <system_error>
#include <systemd/sd-event.h>

#include <chrono>
#include <stdexcept>
#include <thread>
#include <vector>

#include <fmt/format.h>

#include "daemon/commit_gate.h"
#include "daemon/log.h"
#include "daemon/row_queue.h"
#include "daemon/store.h"

namespace jobtrack {
namespace {

// Rows deleted per slice when a result set is dropped after all.
constexpr int kDropChunk = 5000;

// Thrown through the provider's parser to stop it once the loop cancels.
struct Cancelled {};

// The parser thread's RowSink: redacts each row (a remote that echoes the
// token must not store it) and hands rows over in batches.
class Batcher final : public RowSink {
 public:
  Batcher(RowQueue& queue, std::string_view token, std::size_t batch_rows)
      : queue_(queue), token_(token), batch_rows_(batch_rows) {
    batch_.reserve(batch_rows_);
  }

  void row(RowResult&& row) override {
    redact(row, token_);
    batch_.push_back(std::move(row));
    if (batch_.size() >= batch_rows_) flush();
  }

  void flush() {
    if (batch_.empty()) return;
    if (!queue_.push(std::move(batch_))) throw Cancelled{};
    batch_ = {};
    batch_.reserve(batch_rows_);
  }

 private:
  RowQueue& queue_;
  std::string_view token_;
  std::size_t batch_rows_;
  std::vector<RowResult> batch_;
};

PollResult failed_poll(const HttpResponse& response, std::string error) {
  PollResult result;
  result.outcome = PollOutcome::retry;
  result.error = std::move(error);
  result.latency = response.latency;
  if (response.status > 0) result.http_status = response.status;
  return result;
}

}  // namespace

// One request being ingested: its parser thread, the queue between them,
// and where the rows stand. The thread is joined before anything it uses
// goes away.
class Ingestor::Run final : public StreamedResults {
 public:
  Run(Request request, Store& store, const Limits& limits)
      : request_(std::move(request)), store_(store), queue_(limits.queue_batches) {}

  ~Run() override { stop(); }

  void start_parser(std::size_t batch_rows) {
    parser_ = std::thread([this, batch_rows] { parse(batch_rows); });
  }

  // Cancels the parser and waits for it; its rows are discarded.
  void stop() {
    queue_.cancel();
    if (parser_.joinable()) parser_.join();
  }

  void keep(std::int64_t count) override {
    if (present_) store_.end_results(request_.job_id, count);
  }
  void drop() override {
    if (present_ && inserted_ > 0) dropping_ = true;
  }

  Request request_;
  Store& store_;
  RowQueue queue_;
  std::uint64_t batch_ = 0;  // the store batch the rows go into
  bool present_ = false;     // rows are written: the job exists and the batch is this run's
  bool dropping_ = false;    // concluded without the rows: deleting them
  std::int64_t inserted_ = 0;

 private:
  // Parser thread: everything here is pure reading of the spooled body.
  void parse(std::size_t batch_rows) {
    const HttpResponse& response = request_.response;
    try {
      Batcher rows(queue_, request_.token, batch_rows);
      PollResult result = classify(*request_.provider, response, request_.wall, &rows);
      rows.flush();
      redact(result, request_.token);
      queue_.close(std::move(result));
    } catch (const Cancelled&) {
      // The loop no longer wants the rows.
    } catch (const std::exception& error) {
      queue_.close(
          failed_poll(response, fmt::format("cannot read the response: {}", error.what())));
    }
  }

  std::thread parser_;
};

Ingestor::Ingestor(sd_event* loop, Store& store, CommitGate& gate, Limits limits)
    : loop_(loop), store_(store), gate_(gate), limits_(limits) {
  if (sd_event_add_defer(loop_, &defer_, &Ingestor::on_defer, this) < 0) {
    throw std::runtime_error("cannot add the ingestor to the event loop");
  }
  sd_event_source_set_priority(defer_, SD_EVENT_PRIORITY_IDLE);
  sd_event_source_set_enabled(defer_, SD_EVENT_OFF);
}

Ingestor::~Ingestor() {
  cancel_all();
  sd_event_source_disable_unref(defer_);
}

void Ingestor::start(Request request) {
  pending_.push_back(std::move(request));
  if (!run_) sd_event_source_set_enabled(defer_, SD_EVENT_ONESHOT);
}

bool Ingestor::ingesting(std::int64_t job_id) const {
  if (run_ && run_->request_.job_id == job_id) return true;
  for (const auto& request : pending_) {
    if (request.job_id == job_id) return true;
  }
  return false;
}

bool Ingestor::busy() const {
  return run_ || !pending_.empty();
}

void Ingestor::cancel_all() {
  pending_.clear();
  ready_ = sd_event_source_disable_unref(ready_);
  run_.reset();
}

int Ingestor::on_ready(sd_event_source*, int, std::uint32_t, void* self) {
  static_cast<Ingestor*>(self)->step();
  return 0;
}

int Ingestor::on_defer(sd_event_source*, void* self) {
  auto* ingestor = static_cast<Ingestor*>(self);
  if (ingestor->run_) {
    ingestor->step();
  } else {
    ingestor->start_next();
  }
  return 0;
}

void Ingestor::start_next() {
  if (run_ || pending_.empty()) return;
  Request request = std::move(pending_.front());
  pending_.pop_front();
  run_ = std::make_unique<Run>(std::move(request), store_, limits_);
  Run& run = *run_;
  try {
    // What earlier callbacks of this iteration wrote stands on its own.
    gate_.commit();
  } catch (const StoreError& error) {
    if (on_storage_) on_storage_(error.what());  // that batch is gone; this one may work
  }
  gate_.hold();
  try {
    store_.begin_batch();
    run.batch_ = store_.batch_serial();
    run.present_ = store_.begin_results(run.request_.job_id);
  } catch (const StoreError& error) {
    fail(error.what());
    return;
  }
  if (sd_event_add_io(loop_, &ready_, run.queue_.fd(), EPOLLIN, &Ingestor::on_ready, this) < 0) {
    fail("cannot add the result set's queue to the event loop");
    return;
  }
  sd_event_source_set_priority(ready_, SD_EVENT_PRIORITY_IDLE);
  try {
    run.start_parser(limits_.batch_rows);
  } catch (const std::system_error& error) {
    fail(fmt::format("cannot start the parser thread: {}", error.what()));
  }
}

// One slice: rows for up to slice_us, then back to the loop. The queue's
// eventfd stays readable while rows wait, so the loop comes back for more.
void Ingestor::step() {
  Run& run = *run_;
  const std::int64_t job_id = run.request_.job_id;
  try {
    if (run.dropping_) {
      if (store_.delete_results_chunk(job_id, kDropChunk) < kDropChunk) {
        end_run();
      } else {
        sd_event_source_set_enabled(defer_, SD_EVENT_ONESHOT);
      }
      return;
    }
    if (run.present_ && (!store_.in_batch() || store_.batch_serial() != run.batch_)) {
      // Someone rolled the batch back (a storage failure): the rows went with it.
      run.present_ = false;
      run.stop();
      conclude(failed_poll(run.request_.response,
                           "the result rows were lost to a storage failure; polling again"));
      return;
    }
    if (run.present_ && !store_.get(job_id)) {
      // Forgotten meanwhile: its rows went with it, and nothing more is written.
      run.present_ = false;
      run.stop();
      conclude(failed_poll(run.request_.response, "the job was forgotten"));
      return;
    }
    const auto deadline =
        std::chrono::steady_clock::now() + std::chrono::microseconds(limits_.slice_us);
    do {
      auto batch = run.queue_.pop();
      if (!batch) {
        if (auto result = run.queue_.take_result()) conclude(std::move(*result));
        return;
      }
      if (run.present_) {
        store_.add_results(job_id, *batch);
        run.inserted_ += static_cast<std::int64_t>(batch->size());
      }
    } while (std::chrono::steady_clock::now() < deadline);
  } catch (const StoreError& error) {
    fail(error.what());
  }
}

void Ingestor::conclude(PollResult&& result) {
  Run& run = *run_;
  run.stop();  // the parser has finished (or was cancelled); reap it
  ready_ = sd_event_source_disable_unref(ready_);
  Conclude conclude = run.request_.conclude;
  conclude(std::move(result), run);
  if (run_ && run_->dropping_ && store_.in_batch() && store_.batch_serial() == run_->batch_) {
    sd_event_source_set_enabled(defer_, SD_EVENT_ONESHOT);
    return;
  }
  end_run();
}

void Ingestor::end_run() {
  ready_ = sd_event_source_disable_unref(ready_);
  run_.reset();
  gate_.release();
  if (!pending_.empty()) sd_event_source_set_enabled(defer_, SD_EVENT_ONESHOT);
}

// A write of the run failed: the whole batch goes (half a result set must
// not be committed), and the poll is concluded as one to retry.
void Ingestor::fail(const std::string& error) {
  Run& run = *run_;
  log_error(fmt::format("cannot store the results of job {}: {}", run.request_.job_id, error));
  run.present_ = false;
  run.dropping_ = false;
  run.stop();
  ready_ = sd_event_source_disable_unref(ready_);
  try {
    store_.rollback_batch();
  } catch (const StoreError&) {
    // SQLite may have rolled back already; the batch is gone either way.
  }
  if (on_storage_) on_storage_(error);
  Conclude conclude = run.request_.conclude;
  conclude(failed_poll(run.request_.response, fmt::format("storage failure: {}", error)), run);
  end_run();
}

}  // namespace jobtrack
