// A small HTTP/1.1 server for local credential endpoints: loopback only, bounded requests, read timeouts,
// keep-alive, one poll loop on its own thread.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "util/result.h"

namespace kura {

struct HttpServerRequest {
  std::string method;
  std::string path;
  std::map<std::string, std::string> headers;  // names lowercased
};

struct HttpServerResponse {
  int status = 200;
  std::string body;
  std::string content_type = "application/json";
  std::vector<std::pair<std::string, std::string>> headers = {};
};

struct HttpServerOptions {
  std::chrono::milliseconds read_timeout{5000};  // a client that sends nothing is dropped after this
  size_t max_request_bytes = 8192;               // larger: 413
  size_t max_headers = 32;                       // more: 413
};

class LoopbackServer {
 public:
  using Handler = std::function<HttpServerResponse(const HttpServerRequest&)>;
  LoopbackServer() = default;
  ~LoopbackServer() { stop(); }
  LoopbackServer(const LoopbackServer&) = delete;
  LoopbackServer& operator=(const LoopbackServer&) = delete;

  // Binds 127.0.0.1 on an ephemeral port (or `port`); serves on a background thread unless told to wait for
  // run_here().
  Result<void> start(Handler handler, HttpServerOptions options = {}, uint16_t port = 0,
                     bool background = true);
  uint16_t port() const { return m_port; }
  void stop();
  // Serves on the calling thread until stop() is called from elsewhere (a signal handler sets the flag).
  void run_here();
  std::atomic<bool>& stop_flag() { return m_stop; }

 private:
  void loop();

  Handler m_handler;
  HttpServerOptions m_options;
  int m_listen = -1;
  uint16_t m_port = 0;
  std::atomic<bool> m_stop{false};
  std::thread m_thread;
};

// "Host" must name this server on loopback (DNS-rebinding defence): 127.0.0.1:PORT, localhost:PORT,
// [::1]:PORT.
bool host_is_loopback(const std::string& host, uint16_t port);

}  // namespace kura
