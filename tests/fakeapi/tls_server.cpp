#include "tests/fakeapi/tls_server.h"

// The library's pkg-config flags define it; defined here too so the header
// never declares a build without SSLServer.
#ifndef CPPHTTPLIB_OPENSSL_SUPPORT
#define CPPHTTPLIB_OPENSSL_SUPPORT
#endif
#include <stdexcept>

#include <httplib.h>

namespace jobtrack::fakeapi {

struct TlsServer::Impl {
  Impl(const std::string& cert_file, const std::string& key_file)
      : server(cert_file.c_str(), key_file.c_str()) {}
  httplib::SSLServer server;
};

TlsServer::TlsServer(HttpServer::Handler handler, const std::string& cert_file,
                     const std::string& key_file)
    : impl_(std::make_unique<Impl>(cert_file, key_file)) {
  if (!impl_->server.is_valid()) {
    throw std::runtime_error("cannot load the TLS certificate " + cert_file + " or key " +
                             key_file);
  }
  auto serve = [handler](const httplib::Request& in, httplib::Response& out) {
    HttpRequest request;
    request.method = in.method;
    request.target = in.target.empty() ? in.path : in.target;
    request.version = in.version;
    for (const auto& [name, value] : in.headers) request.headers.emplace_back(name, value);
    request.body = in.body;
    request.peer = in.remote_addr + ":" + std::to_string(in.remote_port);
    HttpResponse response = handler(request);
    std::string body = response.body;
    if (response.producer) {
      while (response.producer(body)) {
      }
    }
    out.status = response.status;
    for (const auto& [name, value] : response.headers) out.set_header(name, value);
    out.set_content(
        body, response.content_type.empty() ? "application/octet-stream" : response.content_type);
  };
  impl_->server.Get(".*", serve);
  impl_->server.Post(".*", serve);  // the control API
  impl_->server.Delete(".*", serve);
}

TlsServer::~TlsServer() = default;

std::uint16_t TlsServer::listen(const std::string& address, std::uint16_t port) {
  if (port != 0) {
    if (!impl_->server.bind_to_port(address, port))
      throw std::runtime_error("cannot listen on " + address);
    return port;
  }
  int bound = impl_->server.bind_to_any_port(address);
  if (bound < 0) throw std::runtime_error("cannot listen on " + address);
  return static_cast<std::uint16_t>(bound);
}

void TlsServer::run() {
  impl_->server.listen_after_bind();
}

void TlsServer::stop() {
  impl_->server.stop();
}

}  // namespace jobtrack::fakeapi
