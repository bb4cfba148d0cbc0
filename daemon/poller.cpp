#include "daemon/poller.h"

#include <sys/epoll.h>
#include <systemd/sd-event.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

#include <curl/curl.h>
#include <fmt/format.h>
#include <strings.h>

namespace jobtrack {

struct Poller::Transfer {
  Done done;
  PooledHandle handle;  // back to the pool when the transfer is done
  HttpResponse response;
  std::int64_t max_bytes = 0;
  const std::string* spool_directory = nullptr;
  std::shared_ptr<Spool> spool;  // the body, once larger than kSpoolBytes
  std::string spool_error;
  char error[CURL_ERROR_SIZE] = {};
  std::uint64_t started_usec = 0;
};

namespace {

std::uint64_t now_usec(sd_event* loop) {
  std::uint64_t usec = 0;
  sd_event_now(loop, CLOCK_MONOTONIC, &usec);
  return usec;
}

size_t write_body(char* data, size_t size, size_t count, void* user) {
  auto* transfer = static_cast<Poller::Transfer*>(user);
  size_t bytes = size * count;
  std::string& body = transfer->response.body;
  const std::int64_t held =
      transfer->spool ? transfer->spool->size() : static_cast<std::int64_t>(body.size());
  if (held + static_cast<std::int64_t>(bytes) > transfer->max_bytes) {
    transfer->response.too_large = true;
    return 0;  // ends the transfer with CURLE_WRITE_ERROR
  }
  if (!transfer->spool && body.size() + bytes > Poller::kSpoolBytes) {
    auto spool = Spool::create(*transfer->spool_directory);
    if (!spool || !(*spool)->append(body.data(), body.size())) {
      transfer->spool_error =
          spool ? std::string("cannot spool the response body: write failed") : spool.error();
      return 0;
    }
    transfer->spool = std::move(*spool);
    std::string().swap(body);
  }
  if (transfer->spool) {
    if (!transfer->spool->append(data, bytes)) {
      transfer->spool_error = "cannot spool the response body: write failed";
      return 0;
    }
    return bytes;
  }
  body.append(data, bytes);
  return bytes;
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == '\r' || text.back() == '\n' || text.back() == ' '))
    text.remove_suffix(1);
  return text;
}

bool header_is(std::string_view line, std::string_view name) {
  if (line.size() <= name.size() || line[name.size()] != ':') return false;
  return strncasecmp(line.data(), name.data(), name.size()) == 0;
}

size_t read_header(char* data, size_t size, size_t count, void* user) {
  auto* transfer = static_cast<Poller::Transfer*>(user);
  std::string_view line(data, size * count);
  if (line.rfind("HTTP/", 0) == 0) {
    // A new response (after 100-continue): forget the previous one's headers.
    transfer->response.retry_after.reset();
    transfer->response.content_type.clear();
  } else if (header_is(line, "retry-after")) {
    transfer->response.retry_after = std::string(trim(line.substr(12)));
  } else if (header_is(line, "content-type")) {
    transfer->response.content_type = std::string(trim(line.substr(13)));
  }
  return size * count;
}

}  // namespace

Poller::Poller(sd_event* loop, std::string spool_directory)
    : loop_(loop), spool_directory_(std::move(spool_directory)) {
  static const CURLcode global = curl_global_init(CURL_GLOBAL_DEFAULT);
  if (global != CURLE_OK) throw std::runtime_error("curl_global_init failed");
  multi_ = curl_multi_init();
  if (!multi_) throw std::runtime_error("curl_multi_init failed");
  curl_multi_setopt(multi_, CURLMOPT_SOCKETFUNCTION, &Poller::on_socket);
  curl_multi_setopt(multi_, CURLMOPT_SOCKETDATA, this);
  curl_multi_setopt(multi_, CURLMOPT_TIMERFUNCTION, &Poller::on_timer);
  curl_multi_setopt(multi_, CURLMOPT_TIMERDATA, this);
  if (sd_event_add_time(loop_, &timer_, CLOCK_MONOTONIC, UINT64_MAX, 1000, &Poller::on_time, this) <
      0) {
    curl_multi_cleanup(multi_);
    throw std::runtime_error("cannot add the HTTP timer to the event loop");
  }
  sd_event_source_set_enabled(timer_, SD_EVENT_OFF);
  if (CURL* probe = curl_easy_init()) {
    // Restored on a pooled handle whose last transfer named another bundle.
    char* built_in = nullptr;
    if (curl_easy_getinfo(probe, CURLINFO_CAINFO, &built_in) == CURLE_OK && built_in)
      default_ca_ = built_in;  // a static string of libcurl's
    curl_easy_cleanup(probe);
  }
  epoll_fd_ = epoll_create1(EPOLL_CLOEXEC);
  if (epoll_fd_ < 0 ||
      sd_event_add_io(loop_, &ready_, epoll_fd_, EPOLLIN, &Poller::on_ready, this) < 0) {
    if (epoll_fd_ >= 0) close(epoll_fd_);
    sd_event_source_disable_unref(timer_);
    curl_multi_cleanup(multi_);
    throw std::runtime_error("cannot add the HTTP sockets to the event loop");
  }
}

Poller::~Poller() {
  cancel_all();
  for (PooledHandle& handle : idle_handles_) curl_easy_cleanup(handle.easy);
  idle_handles_.clear();  // their parsed URLs, after the handles
  curl_multi_cleanup(multi_);
  sockets_.clear();
  sd_event_source_disable_unref(ready_);
  close(epoll_fd_);
  sd_event_source_disable_unref(timer_);
}

void Poller::cancel_all() {
  for (auto& [easy, transfer] : transfers_) {
    curl_multi_remove_handle(multi_, easy);
    curl_easy_cleanup(easy);
  }
  transfers_.clear();
}

// A pooled handle keeps the options of its last transfer: start() sets
// every option that differs between transfers, so no reset is needed.
Poller::PooledHandle Poller::take_handle() {
  if (idle_handles_.empty()) {
    PooledHandle handle;
    handle.easy = curl_easy_init();
    if (!handle.easy) throw std::runtime_error("curl_easy_init failed");
    configure_handle(handle.easy);
    return handle;
  }
  PooledHandle handle = std::move(idle_handles_.back());
  idle_handles_.pop_back();
  return handle;
}

void Poller::configure_handle(CURL* easy) {
  curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(easy, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(easy, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt(easy, CURLOPT_SSL_VERIFYHOST, 2L);
  // gzip alone, not every coding libcurl knows (""): every server that
  // compresses offers it. The header itself is one of the handle's
  // (handle_headers.h); this option makes libcurl decode the body.
  curl_easy_setopt(easy, CURLOPT_ACCEPT_ENCODING, "gzip");
  // The User-Agent is one of the handle's headers (handle_headers.h).
  curl_easy_setopt(easy, CURLOPT_TCP_KEEPALIVE, 1L);
  curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, &write_body);
  curl_easy_setopt(easy, CURLOPT_HEADERFUNCTION, &read_header);
  curl_easy_setopt(easy, CURLOPT_CLOSESOCKETFUNCTION, &Poller::on_close_socket);
  curl_easy_setopt(easy, CURLOPT_CLOSESOCKETDATA, this);
  // Set, so that libcurl does not look the environment up per transfer.
  curl_easy_setopt(easy, CURLOPT_NOPROXY, proxies_.no_proxy().c_str());
  if (proxies_.same_for_all())
    curl_easy_setopt(easy, CURLOPT_PROXY, proxies_.proxy_for("http").c_str());
}

void Poller::start(const HttpRequest& request, const TransferLimits& limits, Done done) {
  auto transfer = std::make_unique<Transfer>();
  transfer->handle = take_handle();
  CURL* easy = transfer->handle.easy;
  transfer->done = std::move(done);
  transfer->max_bytes = limits.max_bytes;
  transfer->spool_directory = &spool_directory_;
  transfer->started_usec = now_usec(loop_);
  transfer->handle.url.apply(easy, request.url);
  const bool headers_set = transfer->handle.headers.apply(easy, request.headers);
  if (!proxies_.same_for_all()) {
    const bool https = strncasecmp(request.url.c_str(), "https:", 6) == 0;
    curl_easy_setopt(easy, CURLOPT_PROXY, proxies_.proxy_for(https ? "https" : "http").c_str());
  }
  curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, static_cast<long>(limits.timeout));
  curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS,
                   static_cast<long>(std::min<Millis>(limits.timeout, 10'000)));
  curl_easy_setopt(easy, CURLOPT_CAINFO,
                   limits.ca_bundle.empty() ? default_ca_ : limits.ca_bundle.c_str());
  curl_easy_setopt(easy, CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(limits.max_bytes));
  curl_easy_setopt(easy, CURLOPT_WRITEDATA, transfer.get());
  curl_easy_setopt(easy, CURLOPT_HEADERDATA, transfer.get());
  curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, transfer->error);
  curl_easy_setopt(easy, CURLOPT_PRIVATE, transfer.get());

  transfers_.emplace(easy, std::move(transfer));
  if (!headers_set || curl_multi_add_handle(multi_, easy) != CURLM_OK) {
    auto node = transfers_.extract(easy);
    curl_easy_cleanup(easy);
    node.mapped()->response.transport_error = "cannot start the HTTP transfer";
    node.mapped()->done(std::move(node.mapped()->response));
  }
}

int Poller::on_socket(CURL*, int fd, int what, void* self_ptr, void*) {
  auto* self = static_cast<Poller*>(self_ptr);
  const auto found = self->sockets_.find(fd);
  const bool known = found != self->sockets_.end();
  if (what == CURL_POLL_REMOVE) {
    if (known) found->second.watched = false;  // see Registered
    return 0;
  }
  epoll_event event{};
  if (what == CURL_POLL_IN || what == CURL_POLL_INOUT) event.events |= EPOLLIN;
  if (what == CURL_POLL_OUT || what == CURL_POLL_INOUT) event.events |= EPOLLOUT;
  event.data.fd = fd;
  if (known && found->second.events == event.events) {
    found->second.watched = true;
    return 0;
  }
  if (epoll_ctl(self->epoll_fd_, known ? EPOLL_CTL_MOD : EPOLL_CTL_ADD, fd, &event) < 0) {
    // A reused fd number whose close we did not see: register it anew.
    if (!known || errno != ENOENT || epoll_ctl(self->epoll_fd_, EPOLL_CTL_ADD, fd, &event) < 0) {
      return -1;
    }
  }
  self->sockets_[fd] = Registered{event.events, true};
  return 0;
}

// Every socket curl opens for us is closed here, so the map never names a
// closed fd (whose number a new socket may get).
int Poller::on_close_socket(void* self_ptr, int fd) {
  static_cast<Poller*>(self_ptr)->sockets_.erase(fd);
  return close(fd);
}

int Poller::on_timer(CURLM*, long timeout_ms, void* self_ptr) {
  auto* self = static_cast<Poller*>(self_ptr);
  self->timeout_now_ = timeout_ms == 0;
  if (timeout_ms < 0) {
    sd_event_source_set_enabled(self->timer_, SD_EVENT_OFF);
    return 0;
  }
  std::uint64_t when = now_usec(self->loop_) + static_cast<std::uint64_t>(timeout_ms) * 1000;
  sd_event_source_set_time(self->timer_, when);
  sd_event_source_set_enabled(self->timer_, SD_EVENT_ONESHOT);
  return 0;
}

// Every socket that is ready now, then every finished transfer: answers
// that arrived together are handled in one loop iteration.
int Poller::on_ready(sd_event_source*, int, std::uint32_t, void* self_ptr) {
  auto* self = static_cast<Poller*>(self_ptr);
  epoll_event events[64];
  const int ready = epoll_wait(self->epoll_fd_, events, 64, 0);
  for (int i = 0; i < ready; ++i) {
    const int fd = events[i].data.fd;
    const auto found = self->sockets_.find(fd);
    if (found == self->sockets_.end() || !found->second.watched) {
      // A kept-alive connection between transfers: curl waits for nothing
      // on it, and it is ready only because the server closed it. Out of
      // the set until curl wants it again (it notices the close itself).
      epoll_ctl(self->epoll_fd_, EPOLL_CTL_DEL, fd, nullptr);
      if (found != self->sockets_.end()) self->sockets_.erase(found);
      continue;
    }
    int action = 0;
    if (events[i].events & EPOLLIN) action |= CURL_CSELECT_IN;
    if (events[i].events & EPOLLOUT) action |= CURL_CSELECT_OUT;
    if (events[i].events & (EPOLLERR | EPOLLHUP)) action |= CURL_CSELECT_ERR;
    int running = 0;
    curl_multi_socket_action(self->multi_, fd, action, &running);
  }
  self->collect_done();
  return 0;
}

int Poller::on_time(sd_event_source*, std::uint64_t, void* self_ptr) {
  static_cast<Poller*>(self_ptr)->run_timeout();
  return 0;
}

void Poller::run_started() {
  if (timeout_now_) run_timeout();
}

void Poller::run_timeout() {
  timeout_now_ = false;
  int running = 0;
  curl_multi_socket_action(multi_, CURL_SOCKET_TIMEOUT, 0, &running);
  collect_done();
}

void Poller::collect_done() {
  int queued = 0;
  while (CURLMsg* message = curl_multi_info_read(multi_, &queued)) {
    if (message->msg != CURLMSG_DONE) continue;
    CURL* easy = message->easy_handle;
    CURLcode code = message->data.result;
    curl_multi_remove_handle(multi_, easy);
    auto node = transfers_.extract(easy);
    if (node.empty()) continue;
    Transfer& transfer = *node.mapped();
    HttpResponse& response = transfer.response;
    response.latency = static_cast<Millis>((now_usec(loop_) - transfer.started_usec) / 1000);
    if (code == CURLE_OK) {
      curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &response.status);
      response.spool = std::move(transfer.spool);
    } else if (code == CURLE_FILESIZE_EXCEEDED || response.too_large) {
      response.too_large = true;
      response.body.clear();
    } else {
      response.status = 0;
      response.timed_out = code == CURLE_OPERATION_TIMEDOUT;
      response.transport_error = !transfer.spool_error.empty() ? transfer.spool_error
                                 : transfer.error[0]           ? std::string(transfer.error)
                                                     : std::string(curl_easy_strerror(code));
      response.body.clear();
    }
    transfer.spool.reset();
    idle_handles_.push_back(std::move(transfer.handle));
    transfer.done(std::move(response));
  }
}

}  // namespace jobtrack
