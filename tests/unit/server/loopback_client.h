// A raw HTTP client for tests of the loopback servers: a socket to 127.0.0.1, a request sent while the answer
// is read, and the answers split into status, head and body.
#pragma once

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace kura::testing {

inline int connect_to(uint16_t port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = htons(port);
  if (fd >= 0 && ::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

struct Exchange {
  std::string received;
  bool closed = false;  // the server closed (EOF or reset)
};

// Sends `request` while reading, until the server closes, `until` says enough, or `timeout` passes.
inline Exchange exchange(int fd, std::string_view request, std::chrono::milliseconds timeout,
                         const std::function<bool(const std::string&)>& until = nullptr) {
  Exchange result;
  ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
  size_t sent = 0;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (until && until(result.received)) break;
    pollfd p{fd, static_cast<short>(POLLIN | (sent < request.size() ? POLLOUT : 0)), 0};
    int left = static_cast<int>(
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now())
            .count());
    if (::poll(&p, 1, std::max(left, 1)) <= 0) continue;
    if (p.revents & POLLOUT) {
      ssize_t n = ::send(fd, request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
      if (n > 0) sent += static_cast<size_t>(n);
    }
    if (p.revents & (POLLIN | POLLHUP | POLLERR)) {
      char buffer[65536];
      ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
      if (n > 0) {
        result.received.append(buffer, static_cast<size_t>(n));
      } else if (n == 0 || errno != EAGAIN) {
        result.closed = true;
        break;
      }
    }
  }
  return result;
}

struct ParsedResponse {
  int status = 0;
  std::string head;
  std::string body;
};

// Splits a stream of responses; stops at an incomplete one.
inline std::vector<ParsedResponse> split_responses(const std::string& stream) {
  std::vector<ParsedResponse> responses;
  size_t at = 0;
  while (true) {
    size_t end = stream.find("\r\n\r\n", at);
    if (end == std::string::npos) break;
    ParsedResponse response;
    response.head = stream.substr(at, end - at);
    response.status = std::stoi(response.head.substr(9, 3));
    size_t length_at = response.head.find("Content-Length: ");
    size_t length = std::stoul(response.head.substr(length_at + 16));
    if (end + 4 + length > stream.size()) break;
    response.body = stream.substr(end + 4, length);
    responses.push_back(std::move(response));
    at = end + 4 + length;
  }
  return responses;
}

}  // namespace kura::testing
