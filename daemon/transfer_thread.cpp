#include "daemon/transfer_thread.h"

#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <stdexcept>

#include <curl/curl.h>
#include <strings.h>
#include <time.h>

namespace jobtrack {

struct TransferThread::Transfer {
  std::uint64_t id = 0;
  PooledHandle handle;  // back to the pool when the transfer is done
  HttpResponse response;
  std::int64_t max_bytes = 0;
  const std::string* spool_directory = nullptr;
  std::shared_ptr<Spool> spool;  // the body, once larger than kSpoolBytes
  std::string spool_error;
  char error[CURL_ERROR_SIZE] = {};
  std::int64_t started_usec = 0;
};

namespace {

std::int64_t monotonic_usec() {
  timespec now{};
  clock_gettime(CLOCK_MONOTONIC, &now);
  return static_cast<std::int64_t>(now.tv_sec) * 1'000'000 + now.tv_nsec / 1000;
}

void signal_fd(int fd) {
  const std::uint64_t one = 1;
  // Fails only when the counter is about to overflow: it is readable then anyway.
  [[maybe_unused]] ssize_t written = write(fd, &one, sizeof one);
}

void clear_fd(int fd) {
  std::uint64_t count = 0;
  [[maybe_unused]] ssize_t read_bytes = read(fd, &count, sizeof count);  // EAGAIN: was clear
}

size_t write_body(char* data, size_t size, size_t count, void* user) {
  auto* transfer = static_cast<TransferThread::Transfer*>(user);
  size_t bytes = size * count;
  std::string& body = transfer->response.body;
  const std::int64_t held =
      transfer->spool ? transfer->spool->size() : static_cast<std::int64_t>(body.size());
  if (held + static_cast<std::int64_t>(bytes) > transfer->max_bytes) {
    transfer->response.too_large = true;
    return 0;  // ends the transfer with CURLE_WRITE_ERROR
  }
  if (!transfer->spool && body.size() + bytes > TransferThread::kSpoolBytes) {
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
  auto* transfer = static_cast<TransferThread::Transfer*>(user);
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

TransferThread::TransferThread(std::string spool_directory)
    : spool_directory_(std::move(spool_directory)) {
  static const CURLcode global = curl_global_init(CURL_GLOBAL_DEFAULT);
  if (global != CURLE_OK) throw std::runtime_error("curl_global_init failed");
  if (CURL* probe = curl_easy_init()) {
    // Restored on a pooled handle whose last transfer named another bundle.
    char* built_in = nullptr;
    if (curl_easy_getinfo(probe, CURLINFO_CAINFO, &built_in) == CURLE_OK && built_in)
      default_ca_ = built_in;  // a static string of libcurl's
    curl_easy_cleanup(probe);
  }
  multi_ = curl_multi_init();
  inbox_fd_ = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  outbox_fd_ = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  epoll_fd_ = epoll_create1(EPOLL_CLOEXEC);
  epoll_event inbox{};
  inbox.events = EPOLLIN;
  inbox.data.fd = inbox_fd_;
  auto release = [this] {
    for (int fd : {inbox_fd_, outbox_fd_, epoll_fd_})
      if (fd >= 0) close(fd);
    if (multi_) curl_multi_cleanup(multi_);
  };
  if (!multi_ || inbox_fd_ < 0 || outbox_fd_ < 0 || epoll_fd_ < 0 ||
      epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, inbox_fd_, &inbox) != 0) {
    release();
    throw std::runtime_error(multi_ ? "cannot set up the HTTP thread's event descriptors"
                                    : "curl_multi_init failed");
  }
  curl_multi_setopt(multi_, CURLMOPT_SOCKETFUNCTION, &TransferThread::on_socket);
  curl_multi_setopt(multi_, CURLMOPT_SOCKETDATA, this);
  curl_multi_setopt(multi_, CURLMOPT_TIMERFUNCTION, &TransferThread::on_timer);
  curl_multi_setopt(multi_, CURLMOPT_TIMERDATA, this);
  try {
    thread_ = std::thread([this] { run(); });
  } catch (...) {
    release();
    throw;
  }
}

TransferThread::~TransferThread() {
  {
    MutexLock lock(inbox_mutex_);
    stopping_ = true;
  }
  signal_fd(inbox_fd_);
  thread_.join();
  abandon_all();
  for (PooledHandle& handle : idle_handles_) curl_easy_cleanup(handle.easy);
  idle_handles_.clear();  // their parsed URLs, after the handles
  curl_multi_cleanup(multi_);
  close(epoll_fd_);
  close(inbox_fd_);
  close(outbox_fd_);
}

std::uint64_t TransferThread::submit(HttpRequest&& request, const TransferLimits& limits) {
  const std::uint64_t id = next_id_++;
  bool was_empty = false;
  {
    MutexLock lock(inbox_mutex_);
    was_empty = inbox_.empty();
    inbox_.push_back(TransferOrder{id, std::move(request), limits});
  }
  // A queue that was not empty has a wake-up on its way, which will take
  // this order too (the thread clears the eventfd before it takes the queue).
  if (was_empty) signal_fd(inbox_fd_);
  return id;
}

void TransferThread::cancel_all() {
  std::vector<TransferOrder> queued;
  {
    MutexLock lock(inbox_mutex_);
    queued.swap(inbox_);
    abandon_below_ = next_id_;
  }
  signal_fd(inbox_fd_);
  std::vector<TransferAnswer> answered;
  MutexLock lock(outbox_mutex_);
  outbox_abandon_below_ = next_id_;
  answered.swap(outbox_);  // every answer there is to an order made so far
}

std::vector<TransferAnswer> TransferThread::take_answers() {
  // Cleared before the queue is taken, so that an answer published after
  // the take signals again.
  clear_fd(outbox_fd_);
  std::vector<TransferAnswer> answers;
  MutexLock lock(outbox_mutex_);
  answers.swap(outbox_);
  return answers;
}

// ------------------------------------------------------------ the thread

void TransferThread::run() {
  epoll_event events[64];
  for (;;) {
    int timeout_ms = -1;
    if (timer_due_usec_ >= 0) {
      const std::int64_t left = timer_due_usec_ - monotonic_usec();
      timeout_ms = left <= 0 ? 0 : static_cast<int>((left + 999) / 1000);
    }
    const int ready = epoll_wait(epoll_fd_, events, 64, timeout_ms);
    bool orders = false;
    for (int i = 0; i < ready; ++i) {
      if (events[i].data.fd == inbox_fd_) {
        orders = true;
      } else {
        socket_ready(events[i].data.fd, events[i].events);
      }
    }
    if (orders && !take_orders()) return;
    // Orders just added set the timer to now: their first step runs
    // before the next wait, not after a wait that returns at once.
    if (timer_due_usec_ >= 0 && timer_due_usec_ <= monotonic_usec()) {
      timer_due_usec_ = -1;
      int running = 0;
      curl_multi_socket_action(multi_, CURL_SOCKET_TIMEOUT, 0, &running);
    }
    collect_done();
    publish();
  }
}

bool TransferThread::take_orders() {
  clear_fd(inbox_fd_);
  std::vector<TransferOrder> orders;
  std::uint64_t abandon_below = 0;
  {
    MutexLock lock(inbox_mutex_);
    if (stopping_) return false;
    orders.swap(inbox_);
    abandon_below = abandon_below_;
  }
  if (abandon_below > 0) {
    for (auto it = transfers_.begin(); it != transfers_.end();) {
      if (it->second->id >= abandon_below) {
        ++it;
        continue;
      }
      curl_multi_remove_handle(multi_, it->first);
      curl_easy_cleanup(it->first);
      it = transfers_.erase(it);
    }
    std::erase_if(done_, [&](const TransferAnswer& answer) { return answer.id < abandon_below; });
  }
  for (TransferOrder& order : orders) start(std::move(order));
  return true;
}

void TransferThread::abandon_all() {
  for (auto& [easy, transfer] : transfers_) {
    curl_multi_remove_handle(multi_, easy);
    curl_easy_cleanup(easy);
  }
  transfers_.clear();
  done_.clear();
}

// A pooled handle keeps the options of its last transfer: start() sets
// every option that differs between transfers, so no reset is needed.
TransferThread::PooledHandle TransferThread::take_handle() {
  if (idle_handles_.empty()) {
    PooledHandle handle;
    handle.easy = curl_easy_init();
    if (handle.easy) configure_handle(handle.easy);
    return handle;
  }
  PooledHandle handle = std::move(idle_handles_.back());
  idle_handles_.pop_back();
  return handle;
}

void TransferThread::configure_handle(CURL* easy) {
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
  curl_easy_setopt(easy, CURLOPT_CLOSESOCKETFUNCTION, &TransferThread::on_close_socket);
  curl_easy_setopt(easy, CURLOPT_CLOSESOCKETDATA, this);
  // Set, so that libcurl does not look the environment up per transfer.
  curl_easy_setopt(easy, CURLOPT_NOPROXY, proxies_.no_proxy().c_str());
  if (proxies_.same_for_all())
    curl_easy_setopt(easy, CURLOPT_PROXY, proxies_.proxy_for("http").c_str());
}

void TransferThread::start(TransferOrder&& order) {
  auto transfer = std::make_unique<Transfer>();
  transfer->id = order.id;
  transfer->handle = take_handle();
  CURL* easy = transfer->handle.easy;
  if (!easy) {
    transfer->response.transport_error = "cannot start the HTTP transfer: curl_easy_init failed";
    done_.push_back(TransferAnswer{order.id, std::move(transfer->response)});
    return;
  }
  const HttpRequest& request = order.request;
  const TransferLimits& limits = order.limits;
  transfer->max_bytes = limits.max_bytes;
  transfer->spool_directory = &spool_directory_;
  transfer->started_usec = monotonic_usec();
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
    done_.push_back(TransferAnswer{order.id, std::move(node.mapped()->response)});
  }
}

void TransferThread::socket_ready(int fd, std::uint32_t events) {
  const auto found = sockets_.find(fd);
  if (found == sockets_.end() || !found->second.watched) {
    // A kept-alive connection between transfers: curl waits for nothing
    // on it, and it is ready only because the server closed it. Out of
    // the set until curl wants it again (it notices the close itself).
    epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, fd, nullptr);
    if (found != sockets_.end()) sockets_.erase(found);
    return;
  }
  int action = 0;
  if (events & EPOLLIN) action |= CURL_CSELECT_IN;
  if (events & EPOLLOUT) action |= CURL_CSELECT_OUT;
  if (events & (EPOLLERR | EPOLLHUP)) action |= CURL_CSELECT_ERR;
  int running = 0;
  curl_multi_socket_action(multi_, fd, action, &running);
}

int TransferThread::on_socket(CURL*, int fd, int what, void* self_ptr, void*) {
  auto* self = static_cast<TransferThread*>(self_ptr);
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
int TransferThread::on_close_socket(void* self_ptr, int fd) {
  static_cast<TransferThread*>(self_ptr)->sockets_.erase(fd);
  return close(fd);
}

int TransferThread::on_timer(CURLM*, long timeout_ms, void* self_ptr) {
  auto* self = static_cast<TransferThread*>(self_ptr);
  self->timer_due_usec_ = timeout_ms < 0 ? -1 : monotonic_usec() + timeout_ms * 1000;
  return 0;
}

void TransferThread::collect_done() {
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
    response.latency = static_cast<Millis>((monotonic_usec() - transfer.started_usec) / 1000);
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
    done_.push_back(TransferAnswer{transfer.id, std::move(response)});
  }
}

void TransferThread::publish() {
  if (done_.empty()) return;
  bool was_empty = false;
  {
    MutexLock lock(outbox_mutex_);
    was_empty = outbox_.empty();
    for (TransferAnswer& answer : done_) {
      // Answers to orders abandoned since they were taken are dropped here.
      if (answer.id >= outbox_abandon_below_) outbox_.push_back(std::move(answer));
    }
  }
  done_.clear();
  if (was_empty) signal_fd(outbox_fd_);
}

}  // namespace jobtrack
