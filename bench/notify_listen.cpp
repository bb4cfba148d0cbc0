// bench_notify_listen: plays systemd's side of sd_notify for the start-up
// benchmark (bench/run scale). Binds a datagram socket at PATH, prints each
// notification as "<CLOCK_REALTIME µs> <message with newlines as ';'>" and
// exits after the first READY=1. Timestamps are taken at receipt, so they
// are finer than a shell polling a file.
//
// Usage: bench_notify_listen PATH   (PATH is removed first, and at exit)
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <ctime>
#include <string>

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: bench_notify_listen PATH\n");
    return 64;
  }
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  if (std::strlen(argv[1]) >= sizeof(address.sun_path)) return 64;
  std::strncpy(address.sun_path, argv[1], sizeof(address.sun_path) - 1);
  unlink(argv[1]);
  const int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0 || bind(fd, reinterpret_cast<const sockaddr*>(&address), sizeof(address)) != 0) {
    std::perror("bench_notify_listen");
    return 1;
  }
  std::printf("listening\n");
  std::fflush(stdout);
  char buffer[4096];
  for (;;) {
    const ssize_t got = recv(fd, buffer, sizeof(buffer) - 1, 0);
    if (got < 0) break;
    timespec now{};
    clock_gettime(CLOCK_REALTIME, &now);
    std::string message(buffer, static_cast<std::size_t>(got));
    for (char& c : message) c = c == '\n' ? ';' : c;
    std::printf("%lld %s\n", static_cast<long long>(now.tv_sec) * 1000000 + now.tv_nsec / 1000,
                message.c_str());
    std::fflush(stdout);
    if (message.rfind("READY=1", 0) == 0 || message.find(";READY=1") != std::string::npos) break;
  }
  close(fd);
  unlink(argv[1]);
  return 0;
}
