// The fake APIs over HTTPS, for the tests of TLS verification: cpp-httplib's
// SSLServer with a certificate and key from files, handing every request to
// the same handler as HttpServer does.
//
// Only what a TLS test needs: GET and HEAD, and POST and DELETE for the
// control API; answers are sent whole (a producer is drained first;
// close_silently and truncate are sent as normal answers). The request
// target is passed as received. listen(), run() and stop() behave as
// HttpServer's; stop() is thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "tests/fakeapi/http_server.h"

namespace jobtrack::fakeapi {

class TlsServer {
 public:
  // Throws std::runtime_error when the certificate or key cannot be loaded.
  TlsServer(HttpServer::Handler handler, const std::string& cert_file, const std::string& key_file);
  ~TlsServer();
  TlsServer(const TlsServer&) = delete;
  TlsServer& operator=(const TlsServer&) = delete;

  std::uint16_t listen(const std::string& address, std::uint16_t port);
  void run();
  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace jobtrack::fakeapi
