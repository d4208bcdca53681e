// The poll loop. Responses are small and built whole; a slow reader only delays its own connection.
#include "server/http_server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <vector>

#include "util/strings.h"

namespace kura {

namespace {

struct Connection {
  int fd = -1;
  std::string in;
  std::string out;
  std::chrono::steady_clock::time_point last_activity;
  bool close_after_write = false;
};

const char* reason(int status) {
  switch (status) {
    case 200:
      return "OK";
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 413:
      return "Payload Too Large";
    case 500:
      return "Internal Server Error";
    default:
      return "Error";
  }
}

std::string serialize(const HttpServerResponse& response, bool close) {
  std::string text = "HTTP/1.1 " + std::to_string(response.status) + " " + reason(response.status) + "\r\n";
  text += "Content-Type: " + response.content_type + "\r\n";
  text += "Content-Length: " + std::to_string(response.body.size()) + "\r\n";
  for (const auto& [name, value] : response.headers) text += name + ": " + value + "\r\n";
  text += close ? "Connection: close\r\n\r\n" : "\r\n";
  text += response.body;
  return text;
}

// Parses a complete head; false on malformed input.
bool parse_head(std::string_view head, HttpServerRequest& request, size_t max_headers, bool& too_many) {
  std::vector<std::string> lines = split(head, '\n');
  if (lines.empty()) return false;
  std::string first(trim(lines[0]));
  size_t sp1 = first.find(' '), sp2 = first.rfind(' ');
  if (sp1 == std::string::npos || sp2 == sp1) return false;
  request.method = first.substr(0, sp1);
  request.path = first.substr(sp1 + 1, sp2 - sp1 - 1);
  if (first.compare(sp2 + 1, 5, "HTTP/") != 0) return false;
  for (size_t i = 1; i < lines.size(); ++i) {
    std::string_view line = trim(lines[i]);
    if (line.empty()) continue;
    size_t colon = line.find(':');
    if (colon == std::string_view::npos) return false;
    if (request.headers.size() >= max_headers) {
      too_many = true;
      return false;
    }
    request.headers[to_lower(trim(line.substr(0, colon)))] = std::string(trim(line.substr(colon + 1)));
  }
  return true;
}

}  // namespace

bool host_is_loopback(const std::string& host, uint16_t port) {
  const std::string suffix = ":" + std::to_string(port);
  for (const char* name : {"127.0.0.1", "localhost", "[::1]"}) {
    if (host == std::string(name) + suffix) return true;
  }
  return false;
}

Result<void> LoopbackServer::start(Handler handler, HttpServerOptions options, uint16_t port,
                                   bool background) {
  m_handler = std::move(handler);
  m_options = options;
  m_listen = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (m_listen < 0) return make_error(std::string("socket: ") + strerror(errno));
  int one = 1;
  ::setsockopt(m_listen, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);  // loopback only, never 0.0.0.0
  address.sin_port = htons(port);
  if (::bind(m_listen, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
      ::listen(m_listen, 512) != 0) {
    int err = errno;
    ::close(m_listen);
    m_listen = -1;
    return make_error(std::string("cannot listen on 127.0.0.1: ") + strerror(err));
  }
  socklen_t length = sizeof address;
  ::getsockname(m_listen, reinterpret_cast<sockaddr*>(&address), &length);
  m_port = ntohs(address.sin_port);
  if (background) m_thread = std::thread([this] { loop(); });
  return {};
}

void LoopbackServer::stop() {
  m_stop = true;
  if (m_thread.joinable()) m_thread.join();
  if (m_listen >= 0) {
    ::close(m_listen);
    m_listen = -1;
  }
}

void LoopbackServer::run_here() {
  loop();
}

void LoopbackServer::loop() {
  std::vector<Connection> connections;
  std::vector<pollfd> fds;
  char buffer[16384];
  while (!m_stop) {
    fds.clear();
    fds.push_back({m_listen, POLLIN, 0});
    for (const Connection& c : connections) {
      fds.push_back({c.fd, static_cast<short>(c.out.empty() ? POLLIN : POLLOUT), 0});
    }
    int ready = ::poll(fds.data(), fds.size(), 100);
    if (ready < 0 && errno != EINTR) break;
    auto now = std::chrono::steady_clock::now();
    if (ready > 0 && (fds[0].revents & POLLIN)) {
      while (true) {
        sockaddr_in peer{};
        socklen_t length = sizeof peer;
        int fd =
            ::accept4(m_listen, reinterpret_cast<sockaddr*>(&peer), &length, SOCK_CLOEXEC | SOCK_NONBLOCK);
        if (fd < 0) break;
        if ((ntohl(peer.sin_addr.s_addr) >> 24) != 127) {  // belt and braces: bound to loopback anyway
          ::close(fd);
          continue;
        }
        int one = 1;
        ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        connections.push_back({fd, {}, {}, now, false});
      }
    }
    for (size_t i = 0; i < connections.size(); ++i) {
      Connection& c = connections[i];
      short revents =
          i + 1 < fds.size() && fds[i + 1].fd == c.fd ? fds[i + 1].revents : static_cast<short>(0);
      bool drop = false;
      if (revents & (POLLERR | POLLHUP | POLLNVAL)) drop = !(revents & POLLIN);
      if (!drop && (revents & POLLIN)) {
        ssize_t n = ::recv(c.fd, buffer, sizeof buffer, 0);
        if (n <= 0) {
          drop = true;
        } else {
          c.in.append(buffer, static_cast<size_t>(n));
          c.last_activity = now;
          size_t end = c.in.find("\r\n\r\n");
          if (end == std::string::npos && c.in.size() > m_options.max_request_bytes) {
            c.out = serialize({413, "{\"message\":\"request too large\"}"}, true);
            c.close_after_write = true;
          } else if (end != std::string::npos) {
            HttpServerRequest request;
            bool too_many = false;
            std::string head = c.in.substr(0, end);
            c.in.erase(0, end + 4);
            if (end > m_options.max_request_bytes ||
                !parse_head(head, request, m_options.max_headers, too_many)) {
              int status = (too_many || end > m_options.max_request_bytes) ? 413 : 400;
              c.out = serialize({status, "{\"message\":\"bad request\"}"}, true);
              c.close_after_write = true;
            } else if (request.headers.count("content-length") && request.headers["content-length"] != "0") {
              c.out = serialize({413, "{\"message\":\"no request bodies\"}"},
                                true);  // none of our routes take one
              c.close_after_write = true;
            } else {
              bool close = to_lower(request.headers["connection"]) == "close";
              c.out = serialize(m_handler(request), close);
              c.close_after_write = close;
            }
          }
        }
      }
      if (!drop && (revents & POLLOUT) && !c.out.empty()) {
        ssize_t n = ::send(c.fd, c.out.data(), c.out.size(), MSG_NOSIGNAL);
        if (n <= 0) {
          drop = true;
        } else {
          c.out.erase(0, static_cast<size_t>(n));
          c.last_activity = now;
          if (c.out.empty() && c.close_after_write) drop = true;
        }
      }
      if (!drop && c.out.empty() && now - c.last_activity > m_options.read_timeout) drop = true;
      if (drop) {
        ::close(c.fd);
        connections[i] = std::move(connections.back());
        connections.pop_back();
        --i;
      }
    }
  }
  for (Connection& c : connections) ::close(c.fd);
}

}  // namespace kura
