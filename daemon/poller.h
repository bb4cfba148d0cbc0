// The Poller is the loop's side of the HTTP transfers: start() hands a
// request to the TransferThread (transfer_thread.h), which runs it on
// libcurl's multi interface on a thread of its own, and the answer comes
// back through one sd-event I/O source, its callback called on the loop.
// Answers that arrived together are handled in one loop iteration.
//
// Admission (how many requests run) is the caller's job: start() always
// hands the transfer over at once. What a transfer does (no redirects, the
// body limit, spooling of large bodies, proxies from the environment) is
// the TransferThread's, see there.
//
// Loop thread only. Completion callbacks run from the loop, never from
// inside start(); every started transfer's callback runs exactly once,
// unless cancel_all() or the destructor abandons it first.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <unordered_map>

#include "daemon/providers/provider.h"
#include "daemon/transfer_thread.h"

typedef struct sd_event sd_event;
typedef struct sd_event_source sd_event_source;

namespace jobtrack {

class Poller {
 public:
  using Done = std::function<void(HttpResponse&&)>;

  static constexpr std::size_t kSpoolBytes = TransferThread::kSpoolBytes;

  // `spool_directory`: where large bodies are spooled (the database's
  // directory: on disk, private); empty for memfd. Throws std::runtime_error
  // or std::system_error when the transfers cannot be set up.
  explicit Poller(sd_event* loop, std::string spool_directory = {});
  ~Poller();
  Poller(const Poller&) = delete;
  Poller& operator=(const Poller&) = delete;

  void start(HttpRequest request, const TransferLimits& limits, Done done);
  std::size_t in_flight() const { return waiting_.size(); }
  // Abandons every transfer without calling its callback (shutdown).
  void cancel_all();

 private:
  static int on_answers(sd_event_source* source, int fd, std::uint32_t events, void* self);

  TransferThread transfers_;
  sd_event_source* answers_ = nullptr;               // transfers_.answers_fd() readable
  std::unordered_map<std::uint64_t, Done> waiting_;  // by the transfer's id
};

}  // namespace jobtrack
