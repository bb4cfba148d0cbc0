// The Poller runs HTTP requests on libcurl's multi socket interface, driven
// by the daemon's sd-event loop, so nothing ever blocks: curl's sockets go
// into an epoll instance of the Poller's own, which is one sd-event I/O
// source, and curl's timer is one sd-event time source. sd-event dispatches
// one source per loop iteration, so one source for all sockets lets every
// answer that arrived together be handled in one iteration.
//
// Easy handles are pooled and reused, configured once with what every
// transfer shares, each with its URL kept parsed (handle_url.h) and its
// header list kept built (handle_headers.h); connections stay alive in the
// multi handle's cache.
// Admission (how many requests run) is the caller's job: start() always
// starts the transfer at once. Redirects are never followed, so an auth
// header cannot leak to another host. Bodies beyond the request's limit end
// the transfer with too_large set. Proxies come from the environment as
// libcurl would read it, looked up once (proxy_environment.h). A body beyond kSpoolBytes moves out
// of memory into a Spool (an unlinked file in `spool_directory`, or a memfd) as it arrives, so a
// huge result set never sits in RSS.
//
// Loop thread only. Completion callbacks run from the loop or from
// run_started(), never from inside start().
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "daemon/handle_headers.h"
#include "daemon/handle_url.h"
#include "daemon/providers/provider.h"
#include "daemon/proxy_environment.h"

typedef struct sd_event sd_event;
typedef struct sd_event_source sd_event_source;
typedef void CURLM;
typedef void CURL;

namespace jobtrack {

struct TransferLimits {
  Millis timeout = 30'000;
  std::int64_t max_bytes = 256LL * 1024 * 1024;
  std::string ca_bundle;  // empty: the system's CA store
};

class Poller {
 public:
  using Done = std::function<void(HttpResponse&&)>;

  static constexpr std::size_t kSpoolBytes = 1024 * 1024;

  // `spool_directory`: where large bodies are spooled (the database's
  // directory: on disk, private); empty for memfd.
  explicit Poller(sd_event* loop, std::string spool_directory = {});
  ~Poller();
  Poller(const Poller&) = delete;
  Poller& operator=(const Poller&) = delete;

  void start(const HttpRequest& request, const TransferLimits& limits, Done done);
  // Sends, within the caller's loop iteration, what start() began since:
  // libcurl asks for new transfers with a zero timeout, which would
  // otherwise cost an iteration of its own. A no-op when nothing waits.
  void run_started();
  std::size_t in_flight() const { return transfers_.size(); }
  // Abandons every transfer without calling its callback (shutdown).
  void cancel_all();

  struct Transfer;

 private:
  static int on_socket(CURL* easy, int fd, int what, void* self, void* socket_data);
  static int on_close_socket(void* self, int fd);  // curl_socket_t is int here
  static int on_timer(CURLM* multi, long timeout_ms, void* self);
  static int on_ready(sd_event_source* source, int fd, std::uint32_t events, void* self);
  static int on_time(sd_event_source* source, std::uint64_t usec, void* self);
  void run_timeout();  // curl's timer fired (or is due at once): let it act
  void collect_done();
  // An easy handle with the parsed URL and header list of its last transfer.
  struct PooledHandle {
    CURL* easy = nullptr;
    HandleUrl url;
    HandleHeaders headers;
  };
  PooledHandle take_handle();
  void configure_handle(CURL* easy);  // the options every transfer shares

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

  sd_event* loop_;
  std::string spool_directory_;
  CURLM* multi_ = nullptr;
  sd_event_source* timer_ = nullptr;
  bool timeout_now_ = false;          // curl's timer is due at once (new transfers)
  int epoll_fd_ = -1;                 // curl's sockets
  sd_event_source* ready_ = nullptr;  // epoll_fd_ readable: some socket is
  std::vector<PooledHandle> idle_handles_;
  std::unordered_map<CURL*, std::unique_ptr<Transfer>> transfers_;
  std::unordered_map<int, Registered> sockets_;  // in epoll_fd_
  const char* default_ca_ = nullptr;             // libcurl's built-in CA bundle
  ProxyEnvironment proxies_;                     // told to every transfer (proxy_environment.h)
};

}  // namespace jobtrack
