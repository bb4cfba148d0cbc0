// The TransferThread runs HTTP transfers on libcurl's multi socket
// interface, on a thread of its own, so that the loop thread spends none of
// its time in libcurl (about a third of a poll's CPU: building the request,
// the socket calls, reading the answer) and the daemon polls on two cores.
// The Poller (poller.h) is the loop's side of it.
//
// Orders go in through submit(); answers come out through take_answers(),
// which the loop calls when answers_fd() is readable. Both queues are handed
// over under one mutex each, and their eventfd is written only when the
// queue was empty, so a busy thread hands a batch over for one wake-up.
//
// On the thread: curl's sockets and the inbox's eventfd share one epoll
// instance; curl's timer is the timeout of epoll_wait. Easy handles are
// pooled and reused, configured once with what every transfer shares, each
// with its URL kept parsed (handle_url.h) and its header list kept built
// (handle_headers.h); connections stay alive in the multi handle's cache.
// Redirects are never followed, so an auth header cannot leak to another
// host. Bodies beyond an order's limit end the transfer with too_large set.
// Proxies come from the environment as libcurl would read it, looked up
// once (proxy_environment.h). A body beyond kSpoolBytes moves out of memory
// into a Spool (an unlinked file in `spool_directory`, or a memfd) as it
// arrives, so a huge result set never sits in RSS.
//
// Every order is answered exactly once, unless cancel_all() or the
// destructor abandons it first: a transfer that cannot be started is
// answered with a transport error. Nothing on the thread logs or throws.
//
// Ownership: the TransferThread owns its thread, the multi handle, the easy
// handles and both eventfds; all are gone once the destructor returns.
// Threads: every public member from one thread (the loop's); the rest on the
// transfer thread.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "daemon/handle_headers.h"
#include "daemon/handle_url.h"
#include "daemon/providers/provider.h"
#include "daemon/proxy_environment.h"
#include "daemon/thread_annotations.h"

typedef void CURLM;
typedef void CURL;

namespace jobtrack {

struct TransferLimits {
  Millis timeout = 30'000;
  std::int64_t max_bytes = 256LL * 1024 * 1024;
  std::string ca_bundle;  // empty: the system's CA store
};

struct TransferOrder {
  std::uint64_t id = 0;  // the answer's
  HttpRequest request;
  TransferLimits limits;
};

struct TransferAnswer {
  std::uint64_t id = 0;
  HttpResponse response;
};

class TransferThread {
 public:
  static constexpr std::size_t kSpoolBytes = 1024 * 1024;

  // Starts the thread; throws std::runtime_error (libcurl or an eventfd
  // cannot be set up) or std::system_error (no thread).
  explicit TransferThread(std::string spool_directory);
  ~TransferThread();  // abandons every transfer and joins the thread
  TransferThread(const TransferThread&) = delete;
  TransferThread& operator=(const TransferThread&) = delete;

  // Queues a transfer; returns the id its answer will carry (ids increase).
  std::uint64_t submit(HttpRequest&& request, const TransferLimits& limits) EXCLUDES(inbox_mutex_);
  // Abandons every order submitted so far, queued or running: none of them
  // is answered after this returns.
  void cancel_all() EXCLUDES(inbox_mutex_, outbox_mutex_);

  // Readable (EPOLLIN) while answers wait to be taken.
  int answers_fd() const { return outbox_fd_; }
  // Every answer that is ready, oldest first; clears answers_fd().
  std::vector<TransferAnswer> take_answers() EXCLUDES(outbox_mutex_);

  struct Transfer;

 private:
  // An easy handle with the parsed URL and header list of its last transfer.
  struct PooledHandle {
    CURL* easy = nullptr;
    HandleUrl url;
    HandleHeaders headers;
  };
  // What epoll_fd_ holds for one of curl's sockets. A socket curl stops
  // watching (between two transfers on a kept-alive connection) stays in
  // the set, unwatched: the next transfer on it usually wants the same
  // events, and then costs no epoll_ctl. An unwatched socket that becomes
  // ready (the server closed it) is taken out then. Sockets leave the map
  // when curl closes them (on_close_socket), as the kernel drops a closed
  // fd from the set.
  struct Registered {
    std::uint32_t events = 0;
    bool watched = false;
  };

  // The transfer thread's side.
  void run();
  bool take_orders() EXCLUDES(inbox_mutex_);  // false once stopping
  void start(TransferOrder&& order);
  void abandon_all();
  void socket_ready(int fd, std::uint32_t events);
  void collect_done();
  void publish() EXCLUDES(outbox_mutex_);
  PooledHandle take_handle();
  void configure_handle(CURL* easy);  // the options every transfer shares
  static int on_socket(CURL* easy, int fd, int what, void* self, void* socket_data);
  static int on_close_socket(void* self, int fd);  // curl_socket_t is int here
  static int on_timer(CURLM* multi, long timeout_ms, void* self);

  const std::string spool_directory_;
  const ProxyEnvironment proxies_;    // told to every transfer (proxy_environment.h)
  const char* default_ca_ = nullptr;  // libcurl's built-in CA bundle
  int inbox_fd_ = -1;                 // eventfd: orders wait
  int outbox_fd_ = -1;                // eventfd: answers wait

  Mutex inbox_mutex_;
  std::vector<TransferOrder> inbox_ GUARDED_BY(inbox_mutex_);
  // Orders with an id below this are abandoned (cancel_all).
  std::uint64_t abandon_below_ GUARDED_BY(inbox_mutex_) = 0;
  std::uint64_t next_id_ = 1;  // the submitting thread's
  bool stopping_ GUARDED_BY(inbox_mutex_) = false;

  Mutex outbox_mutex_;
  std::vector<TransferAnswer> outbox_ GUARDED_BY(outbox_mutex_);
  std::uint64_t outbox_abandon_below_ GUARDED_BY(outbox_mutex_) = 0;

  // The transfer thread's alone (and the destructor's, after the join).
  CURLM* multi_ = nullptr;
  int epoll_fd_ = -1;                 // curl's sockets and inbox_fd_
  std::int64_t timer_due_usec_ = -1;  // curl's timer (CLOCK_MONOTONIC); -1: none
  std::vector<PooledHandle> idle_handles_;
  std::unordered_map<CURL*, std::unique_ptr<Transfer>> transfers_;
  std::unordered_map<int, Registered> sockets_;  // in epoll_fd_
  std::vector<TransferAnswer> done_;             // answers not yet published

  std::thread thread_;  // last: started once everything above is set up
};

}  // namespace jobtrack
