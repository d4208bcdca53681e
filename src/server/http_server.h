// A small HTTP/1.1 server for local credential endpoints: loopback only, same user only, bounded requests and
// connections, deadlines, keep-alive and pipelining, one poll loop on its own thread.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "util/result.h"

namespace kura {

struct HttpServerRequest {
  std::string method;
  std::string path;
  int minor_version = 1;                       // HTTP/1.<minor_version>: 0 or 1
  std::map<std::string, std::string> headers;  // names lowercased; see parse_request_head for duplicates
};

struct HttpServerResponse {
  int status = 200;
  std::string body;
  std::string content_type = "application/json";
  std::vector<std::pair<std::string, std::string>> headers = {};
};

enum class SameUser { required, not_required };

struct HttpServerOptions {
  // A connection with nothing to do is dropped after this, and a request head must arrive whole within this
  // of its first byte (else 408): one byte every few seconds cannot hold a connection.
  std::chrono::milliseconds read_timeout{5000};
  size_t max_request_bytes = 8192;  // a longer head: 413
  size_t max_headers = 32;          // more: 413
  size_t max_connections = 256;     // at the cap: the oldest idle keep-alive connection goes, else no accepts
  // Pipelined requests are answered only while less than this waits to be sent; reading stops until the
  // client reads, so a pipelining client costs at most this plus twice max_request_bytes.
  size_t max_pending_output = size_t{64} * 1024;
  // Refuse (403, then close) connections from sockets owned by another user of this machine.
  SameUser same_user = SameUser::required;
};

// What a request head amounts to; anything but `ok` is answered with its status and the connection closed,
// since the framing of what follows cannot be trusted.
enum class HeadStatus {
  ok,
  bad_request,          // 400: malformed, or a header that must be single is repeated
  too_large,            // 413: longer than max_request_bytes, more than max_headers, or a request body
  not_implemented,      // 501: Transfer-Encoding (no route takes a body)
  version_unsupported,  // 505: HTTP/x.y other than 1.0 and 1.1
};
int http_status_of(HeadStatus status);

// Parses one request head: the request line and header lines, without the empty line that ends it. Lines end
// in CRLF or a bare LF. Repeated Host, Authorization, Content-Length, Transfer-Encoding and IMDS token
// headers are refused; other repeated headers are joined with ", " (RFC 9110 5.3).
HeadStatus parse_request_head(std::string_view head, const HttpServerOptions& options,
                              HttpServerRequest& out);

// Where the first request head in `buffer` ends: `head` is its length without the blank line, `consumed`
// with it ("\r\n\r\n", "\n\n" or a mix). Empty while the head is incomplete. Leading empty lines, which
// RFC 9112 2.2 says to ignore, must be skipped by the caller (skip_empty_lines).
struct HeadEnd {
  size_t head = 0;
  size_t consumed = 0;
};
std::optional<HeadEnd> find_head_end(std::string_view buffer, size_t from = 0);
size_t skip_empty_lines(std::string_view buffer);

// The UID owning the TCP socket at local address `peer` connected to `local` (IPv4, host byte order), as
// NETLINK_SOCK_DIAG or /proc/net/tcp tells; empty when neither can say.
enum class SocketOwnerLookup { netlink, proc_net_tcp };
std::optional<uint32_t> loopback_peer_uid(uint32_t peer_address, uint16_t peer_port, uint32_t local_address,
                                          uint16_t local_port, SocketOwnerLookup how);

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
  int m_spare = -1;  // /dev/null, given up to accept-and-close a connection when descriptors run out
  uint16_t m_port = 0;
  std::atomic<bool> m_stop{false};
  std::thread m_thread;
};

// "Host" must name this server on loopback (DNS-rebinding defence): 127.0.0.1:PORT, localhost:PORT,
// [::1]:PORT.
bool host_is_loopback(const std::string& host, uint16_t port);

}  // namespace kura
