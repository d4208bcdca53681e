// The poll loop behind the local credential endpoints, and the request-head parser it uses.
//
// Who can reach it: the socket is bound to 127.0.0.1, so only processes on this machine, in this network
// namespace, can connect at all (a container with its own network namespace cannot). Of those, connections
// from sockets owned by another user are refused at accept (same_user, on by default; the owner comes from
// NETLINK_SOCK_DIAG, else /proc/net/tcp, and when neither can tell the connection is refused). That check is
// the only barrier for IMDS, whose protocol has no secret: anyone who can PUT /latest/api/token gets a token.
// ECS has a second one, the 256-bit token that only the processes kura hands it to know. Root gets through
// either way (it can read this process's memory), and a socket handed to another process keeps the UID of
// the process that created it. Browsers run as the same user: the Host check (DNS rebinding) and, for IMDS,
// the PUT with a custom header (which a page cannot send cross-origin without a preflight we never answer)
// keep web pages out.
//
// Bounds: a request head of at most max_request_bytes, received whole within read_timeout of its first
// byte; at most max_connections connections; per connection, input up to two heads and output up to
// max_pending_output before reading stops (backpressure); idle and stalled connections dropped after
// read_timeout. Responses are small and built whole; a slow client only delays its own connection.
#include "server/http_server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <vector>

#include "crypto/sodium.h"
#include "util/fs.h"
#include "util/log.h"
#include "util/secret.h"
#include "util/strings.h"

namespace kura {

namespace {

using SteadyTime = std::chrono::steady_clock::time_point;

// Headers a handler reads as one value. Two of them are a request smuggling or confusion attempt (which
// Host is checked, which token compared, which length frames the body), never something a client needs.
// The IMDS ones sit here too: one rule for every endpoint is simpler than a list per endpoint.
constexpr std::string_view k_single_headers[] = {"host",
                                                 "authorization",
                                                 "content-length",
                                                 "transfer-encoding",
                                                 "x-aws-ec2-metadata-token",
                                                 "x-aws-ec2-metadata-token-ttl-seconds"};

bool is_tchar(unsigned char c) {
  if (std::isalnum(c)) return true;
  return std::string_view("!#$%&'*+-.^_`|~").find(static_cast<char>(c)) != std::string_view::npos;
}

bool is_token(std::string_view text) {
  return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) { return is_tchar(c); });
}

// Field values: visible characters, spaces, tabs and obs-text; no CR, LF, NUL or other controls.
bool is_field_value(std::string_view text) {
  return std::all_of(text.begin(), text.end(), [](char c) {
    auto u = static_cast<unsigned char>(c);
    return u == '\t' || (u >= 0x20 && u != 0x7f);
  });
}

bool is_request_target(std::string_view text) {
  return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) {
    auto u = static_cast<unsigned char>(c);
    return u > 0x20 && u < 0x7f;
  });
}

std::string_view trim_ows(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

bool is_single_header(std::string_view name) {
  return std::find(std::begin(k_single_headers), std::end(k_single_headers), name) !=
         std::end(k_single_headers);
}

// "close" among the comma-separated tokens of a Connection header.
bool asks_to_close(const HttpServerRequest& request) {
  if (request.minor_version == 0) return true;  // no keep-alive for HTTP/1.0: one request, then close
  auto connection = request.headers.find("connection");
  if (connection == request.headers.end()) return false;
  for (const std::string& option : split(connection->second, ',')) {
    if (to_lower(trim_ows(option)) == "close") return true;
  }
  return false;
}

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
    case 408:
      return "Request Timeout";
    case 413:
      return "Payload Too Large";
    case 500:
      return "Internal Server Error";
    case 501:
      return "Not Implemented";
    case 502:
      return "Bad Gateway";
    case 505:
      return "HTTP Version Not Supported";
    default:
      return "Error";
  }
}

void append_response(std::string& out, const HttpServerResponse& response, bool close) {
  out += "HTTP/1.1 ";
  out += std::to_string(response.status);
  out += ' ';
  out += reason(response.status);
  out += "\r\nContent-Type: ";
  out += response.content_type;
  out += "\r\nContent-Length: ";
  out += std::to_string(response.body.size());
  out += "\r\n";
  for (const auto& [name, value] : response.headers) {
    out += name;
    out += ": ";
    out += value;
    out += "\r\n";
  }
  out += close ? "Connection: close\r\n\r\n" : "\r\n";
  out += response.body;
}

HttpServerResponse error_response(int status) {
  switch (status) {
    case 403:
      return {403, "{\"message\":\"forbidden: connection from another user\"}"};
    case 408:
      return {408, "{\"message\":\"request head not received in time\"}"};
    case 413:
      return {413, "{\"message\":\"request too large, or a request body (no route takes one)\"}"};
    case 501:
      return {501, "{\"message\":\"transfer-encoding is not supported\"}"};
    case 505:
      return {505, "{\"message\":\"only HTTP/1.0 and HTTP/1.1\"}"};
    default:
      return {400, "{\"message\":\"bad request\"}"};
  }
}

std::optional<uint32_t> uid_from_netlink(uint32_t peer_address, uint16_t peer_port, uint32_t local_address,
                                         uint16_t local_port) {
  int fd = ::socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
  if (fd < 0) return std::nullopt;
  // The kernel answers while handling the request; the timeout only guards against a kernel that does not.
  timeval timeout{1, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  struct {
    nlmsghdr header;
    inet_diag_req_v2 request;
  } message{};
  message.header.nlmsg_len = sizeof message;
  message.header.nlmsg_type = SOCK_DIAG_BY_FAMILY;
  message.header.nlmsg_flags = NLM_F_REQUEST;  // no NLM_F_DUMP: one exact lookup by the four-tuple
  message.header.nlmsg_seq = 1;
  message.request.sdiag_family = AF_INET;
  message.request.sdiag_protocol = IPPROTO_TCP;
  message.request.idiag_states = ~0u;
  // The client's socket: its local end is the peer we accepted, its remote end is us.
  message.request.id.idiag_sport = htons(peer_port);
  message.request.id.idiag_dport = htons(local_port);
  message.request.id.idiag_src[0] = htonl(peer_address);
  message.request.id.idiag_dst[0] = htonl(local_address);
  message.request.id.idiag_cookie[0] = INET_DIAG_NOCOOKIE;
  message.request.id.idiag_cookie[1] = INET_DIAG_NOCOOKIE;
  sockaddr_nl kernel{};
  kernel.nl_family = AF_NETLINK;
  std::optional<uint32_t> uid;
  if (::sendto(fd, &message, sizeof message, 0, reinterpret_cast<sockaddr*>(&kernel), sizeof kernel) ==
      static_cast<ssize_t>(sizeof message)) {
    // One answer: the socket's inet_diag_msg, or an NLMSG_ERROR (ENOENT when there is no such socket).
    alignas(nlmsghdr) char reply[8192];
    ssize_t n = ::recv(fd, reply, sizeof reply, 0);
    const auto* header = reinterpret_cast<const nlmsghdr*>(reply);
    if (n >= static_cast<ssize_t>(NLMSG_LENGTH(sizeof(inet_diag_msg))) &&
        header->nlmsg_len >= NLMSG_LENGTH(sizeof(inet_diag_msg)) &&
        header->nlmsg_len <= static_cast<size_t>(n) && header->nlmsg_type == SOCK_DIAG_BY_FAMILY &&
        header->nlmsg_seq == 1) {
      const auto* diag = static_cast<const inet_diag_msg*>(NLMSG_DATA(header));
      if (diag->idiag_family == AF_INET && diag->id.idiag_sport == htons(peer_port) &&
          diag->id.idiag_src[0] == htonl(peer_address) && diag->id.idiag_dport == htons(local_port) &&
          diag->id.idiag_dst[0] == htonl(local_address)) {
        uid = diag->idiag_uid;
      }
    }
  }
  ::close(fd);
  return uid;
}

std::optional<uint32_t> uid_from_proc(uint32_t peer_address, uint16_t peer_port, uint32_t local_address,
                                      uint16_t local_port) {
  // The kernel prints the address as the raw network-order word, read as a host integer.
  auto endpoint = [](uint32_t address, uint16_t port) {
    char text[16];
    std::snprintf(text, sizeof text, "%08X:%04X", htonl(address), port);
    return std::string(text);
  };
  const std::string local = endpoint(peer_address, peer_port);
  const std::string remote = endpoint(local_address, local_port);
  // Read whole with read(2): an ifstream would bring libstdc++'s locale machinery into every run of kura.
  auto table = read_file("/proc/net/tcp");
  if (!table || !*table) return std::nullopt;
  const std::vector<std::string> lines = split(**table, '\n');
  for (size_t i = 1; i < lines.size(); ++i) {  // after the column titles
    const std::string& line = lines[i];
    std::vector<std::string> fields;
    for (const std::string& field : split(line, ' ')) {
      if (!field.empty()) fields.push_back(field);
    }
    // sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid ...
    if (fields.size() < 8 || fields[1] != local || fields[2] != remote) continue;
    char* end = nullptr;
    unsigned long uid = std::strtoul(fields[7].c_str(), &end, 10);
    if (end == fields[7].c_str() || *end != '\0' || uid > UINT32_MAX) return std::nullopt;
    return static_cast<uint32_t>(uid);
  }
  return std::nullopt;
}

struct Connection {
  enum class State {
    open,       // reading requests and answering them
    closing,    // sending what is queued, then closing
    lingering,  // our side shut down; input read and dropped until the client closes, so a reset on
                // close cannot destroy the answer it has not read yet
  };
  int fd = -1;
  State state = State::open;
  std::string in;      // received and not yet answered; starts at a request (or the empty lines before one)
  size_t scanned = 0;  // `in` up to here holds no end of head
  std::string out;
  size_t out_sent = 0;
  SteadyTime last_progress;              // the last byte received or sent
  std::optional<SteadyTime> head_since;  // the first byte of a request head still incomplete
  SteadyTime linger_until;
  bool peer_done = false;  // the client sent EOF: answer what is complete, then close
  size_t answered = 0;
  size_t poll_index = 0;  // its entry in this round's poll set

  size_t pending_output() const { return out.size() - out_sent; }
  // Waiting for its next request after answering one: the only kind of connection that may be evicted,
  // since HTTP clients retry a request on a kept-alive connection that closes before they use it.
  bool idle_kept_alive() const {
    return state == State::open && answered > 0 && in.empty() && pending_output() == 0;
  }
};

}  // namespace

int http_status_of(HeadStatus status) {
  switch (status) {
    case HeadStatus::ok:
      return 200;
    case HeadStatus::bad_request:
      return 400;
    case HeadStatus::too_large:
      return 413;
    case HeadStatus::not_implemented:
      return 501;
    case HeadStatus::version_unsupported:
      return 505;
  }
  return 400;
}

HeadStatus parse_request_head(std::string_view head, const HttpServerOptions& options,
                              HttpServerRequest& out) {
  if (head.size() > options.max_request_bytes) return HeadStatus::too_large;
  out = HttpServerRequest{};
  size_t line_start = 0;
  auto next_line = [&](std::string_view& line) {
    if (line_start > head.size()) return false;
    size_t end = head.find('\n', line_start);
    if (end == std::string_view::npos) end = head.size();
    line = head.substr(line_start, end - line_start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    line_start = end + 1;
    return true;
  };

  // request-line = method SP request-target SP HTTP-version, with exactly one space each.
  std::string_view line;
  if (!next_line(line)) return HeadStatus::bad_request;
  size_t sp1 = line.find(' ');
  size_t sp2 = sp1 == std::string_view::npos ? sp1 : line.find(' ', sp1 + 1);
  if (sp2 == std::string_view::npos || line.find(' ', sp2 + 1) != std::string_view::npos) {
    return HeadStatus::bad_request;
  }
  std::string_view method = line.substr(0, sp1);
  std::string_view target = line.substr(sp1 + 1, sp2 - sp1 - 1);
  std::string_view version = line.substr(sp2 + 1);
  if (!is_token(method) || !is_request_target(target)) return HeadStatus::bad_request;
  if (version.size() != 8 || version.substr(0, 5) != "HTTP/" ||
      !std::isdigit(static_cast<unsigned char>(version[5])) || version[6] != '.' ||
      !std::isdigit(static_cast<unsigned char>(version[7]))) {
    return HeadStatus::bad_request;
  }
  if (version[5] != '1' || (version[7] != '0' && version[7] != '1')) return HeadStatus::version_unsupported;
  out.method = std::string(method);
  out.path = std::string(target);
  out.minor_version = version[7] - '0';

  size_t count = 0;
  while (next_line(line)) {
    if (line.empty()) {
      if (line_start > head.size()) break;  // the head may end in one line terminator
      return HeadStatus::bad_request;       // an empty line inside the head
    }
    // obs-fold (a line starting with whitespace) and whitespace before the colon are refused (RFC 9112
    // 5.1, 5.2): proxies and servers disagree about them.
    size_t colon = line.find(':');
    if (colon == std::string_view::npos || !is_token(line.substr(0, colon))) return HeadStatus::bad_request;
    std::string_view value = trim_ows(line.substr(colon + 1));
    if (!is_field_value(value)) return HeadStatus::bad_request;
    if (++count > options.max_headers) return HeadStatus::too_large;
    std::string name = to_lower(line.substr(0, colon));
    auto [it, inserted] = out.headers.try_emplace(std::move(name), value);
    if (!inserted) {
      if (is_single_header(it->first)) return HeadStatus::bad_request;
      it->second += ", ";
      it->second += value;
    }
  }

  if (out.headers.count("transfer-encoding")) return HeadStatus::not_implemented;
  if (auto length = out.headers.find("content-length"); length != out.headers.end()) {
    const std::string& digits = length->second;
    if (digits.empty() ||
        !std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      return HeadStatus::bad_request;
    }
    // None of the routes takes a body, and without reading it the next request's framing is unknown.
    if (digits.find_first_not_of('0') != std::string::npos) return HeadStatus::too_large;
  }
  return HeadStatus::ok;
}

std::optional<HeadEnd> find_head_end(std::string_view buffer, size_t from) {
  for (size_t i = buffer.find('\n', from); i != std::string_view::npos; i = buffer.find('\n', i + 1)) {
    if (i + 1 < buffer.size() && buffer[i + 1] == '\n') return HeadEnd{i, i + 2};
    if (i + 2 < buffer.size() && buffer[i + 1] == '\r' && buffer[i + 2] == '\n') return HeadEnd{i, i + 3};
  }
  return std::nullopt;
}

size_t skip_empty_lines(std::string_view buffer) {
  size_t at = 0;
  while (true) {
    if (at < buffer.size() && buffer[at] == '\n') {
      at += 1;
    } else if (at + 1 < buffer.size() && buffer[at] == '\r' && buffer[at + 1] == '\n') {
      at += 2;
    } else {
      return at;
    }
  }
}

std::optional<uint32_t> loopback_peer_uid(uint32_t peer_address, uint16_t peer_port, uint32_t local_address,
                                          uint16_t local_port, SocketOwnerLookup how) {
  return how == SocketOwnerLookup::netlink
             ? uid_from_netlink(peer_address, peer_port, local_address, local_port)
             : uid_from_proc(peer_address, peer_port, local_address, local_port);
}

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
  m_stop = false;
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
  // Held in reserve for the moment descriptors run out (see loop()).
  m_spare = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  if (background) {
    (void)sodium_ready();  // before a thread that may use crypto/ (crypto/sodium.h)
    m_thread = std::thread([this] { loop(); });
  }
  return {};
}

void LoopbackServer::stop() {
  m_stop = true;
  if (m_thread.joinable()) m_thread.join();
  if (m_listen >= 0) {
    ::close(m_listen);
    m_listen = -1;
  }
  if (m_spare >= 0) {
    ::close(m_spare);
    m_spare = -1;
  }
}

void LoopbackServer::run_here() {
  loop();
}

void LoopbackServer::loop() {
  using std::chrono::milliseconds;
  const HttpServerOptions& options = m_options;
  // Room for one whole head and the start of the next: if that fills up without a complete head, the head
  // is too large (413), so reading never has to stop for want of input room while output can still go.
  const size_t input_cap = 2 * options.max_request_bytes + 4;
  const milliseconds linger_for = std::min(options.read_timeout, milliseconds(1000));
  const uint32_t own_uid = ::geteuid();
  std::vector<Connection> connections;
  // Closes one connection; the last takes its place, so the order of `connections` is not kept.
  auto remove = [&](size_t index) {
    ::close(connections[index].fd);
    wipe_string(connections[index].out);  // answers carry credentials: no copy is left in freed memory
    wipe_string(connections[index].in);
    if (index + 1 != connections.size()) connections[index] = std::move(connections.back());
    connections.pop_back();
  };
  std::vector<pollfd> fds;
  SteadyTime accept_paused_until{};
  bool warned_descriptors = false;
  bool warned_owner = false;
  char buffer[16384];

  auto queue = [&](Connection& c, const HttpServerResponse& response, bool close) {
    // Drop what was sent before growing the buffer, once that is worth a copy: the buffer stays under
    // twice the output bound however slowly the client reads.
    if (c.out_sent == c.out.size()) {
      explicit_bzero(c.out.data(), c.out.size());
      c.out.clear();
      c.out_sent = 0;
    } else if (c.out_sent >= options.max_pending_output) {
      const size_t left = c.out.size() - c.out_sent;
      c.out.erase(0, c.out_sent);
      c.out.resize(c.out.capacity());  // zero-fills the bytes erase() moved away from
      c.out.resize(left);
      c.out_sent = 0;
    }
    append_response(c.out, response, close);
    if (close) c.state = Connection::State::closing;
  };

  // Answers the complete requests in `in`, in order, while the output stays under its bound; then starts or
  // stops the head deadline and refuses a head that has outgrown its limit.
  auto answer_requests = [&](Connection& c, SteadyTime now) {
    std::string_view in = c.in;
    size_t done = 0;
    size_t scan_from = c.scanned;
    bool incomplete = false;
    while (c.state == Connection::State::open && done < in.size() &&
           c.pending_output() < options.max_pending_output) {
      std::string_view rest = in.substr(done);
      size_t skipped = skip_empty_lines(rest);
      auto end = find_head_end(rest, std::max(skipped, scan_from));
      if (!end) {
        incomplete = true;
        c.scanned = rest.size() >= 2 ? rest.size() - 2 : 0;
        if (rest.size() > options.max_request_bytes + 3) {
          queue(c, error_response(413), true);
          done = in.size();
        }
        break;
      }
      scan_from = 0;
      c.scanned = 0;
      HttpServerRequest request;
      HeadStatus status =
          end->head > options.max_request_bytes
              ? HeadStatus::too_large
              : parse_request_head(rest.substr(skipped, end->head - skipped), options, request);
      done += end->consumed;
      if (status != HeadStatus::ok) {
        queue(c, error_response(http_status_of(status)), true);
        done = in.size();
        break;
      }
      bool close = asks_to_close(request);
      HttpServerResponse response;
      try {
        response = m_handler(request);
      } catch (const std::exception& error) {
        log_debug(std::string("server: handler failed: ") + error.what());
        response = {500, "{\"message\":\"internal error\"}"};
      }
      queue(c, response, close);
      wipe_string(response.body);
      ++c.answered;
    }
    if (done == in.size()) {
      c.in.clear();
      c.scanned = 0;
    } else if (done > 0) {
      c.in.erase(0, done);
    }
    if (c.state != Connection::State::open) {
      c.head_since.reset();
      return;
    }
    // Only a head the client has not finished counts against it, from the read that brought its first byte
    // (this one, if a request before it was just taken); requests waiting for room in the output wait on the
    // client's reading, which last_progress times.
    if (!incomplete) {
      c.head_since.reset();
    } else if (!c.head_since || done > 0) {
      c.head_since = now;
    }
    if (c.peer_done && (incomplete || c.in.empty())) {
      c.in.clear();
      c.state = Connection::State::closing;
    }
  };

  // Sends what it can; false when the connection is gone.
  auto flush = [&](Connection& c, SteadyTime now) {
    while (c.pending_output() > 0) {
      ssize_t n = ::send(c.fd, c.out.data() + c.out_sent, c.pending_output(), MSG_NOSIGNAL);
      if (n < 0) return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR;
      c.out_sent += static_cast<size_t>(n);
      c.last_progress = now;
    }
    c.out.clear();
    c.out_sent = 0;
    if (c.state == Connection::State::closing) {
      if (c.peer_done) return false;
      ::shutdown(c.fd, SHUT_WR);
      c.state = Connection::State::lingering;
      c.linger_until = now + linger_for;
    }
    return true;
  };

  // Reads, answers and sends until nothing moves; false when the connection is gone.
  auto serve = [&](Connection& c, short revents, SteadyTime now) {
    if (revents & (POLLERR | POLLNVAL)) return false;
    if (c.state == Connection::State::lingering) {
      if (!(revents & (POLLIN | POLLHUP))) return now < c.linger_until;
      ssize_t n = ::recv(c.fd, buffer, sizeof buffer, 0);
      return n > 0 || (n < 0 && (errno == EAGAIN || errno == EINTR));
    }
    if ((revents & (POLLIN | POLLHUP)) && c.state == Connection::State::open && !c.peer_done) {
      size_t room = input_cap > c.in.size() ? input_cap - c.in.size() : 0;
      ssize_t n = ::recv(c.fd, buffer, std::min(room, sizeof buffer), 0);
      if (n < 0 && errno != EAGAIN && errno != EINTR) return false;
      if (n == 0 && room > 0) c.peer_done = true;
      if (n > 0) {
        c.in.append(buffer, static_cast<size_t>(n));
        c.last_progress = now;
      }
    }
    while (true) {
      size_t in_before = c.in.size();
      if (c.state == Connection::State::open) answer_requests(c, now);
      if (!flush(c, now)) return false;
      // Pipelined requests left for want of output room can go now that sending made some.
      bool more = c.state == Connection::State::open && c.in.size() != in_before && !c.in.empty() &&
                  c.pending_output() < options.max_pending_output;
      if (!more) return true;
    }
  };

  auto expired = [&](Connection& c, SteadyTime now) {
    if (c.state == Connection::State::lingering) return now >= c.linger_until;
    if (c.head_since && now - *c.head_since > options.read_timeout) {
      queue(c, error_response(408), true);
      c.in.clear();
      c.head_since.reset();
      return !flush(c, now);
    }
    return now - c.last_progress > options.read_timeout;
  };

  // The peer's UID, compared with ours; connections from other users get a 403 and are closed at once.
  auto admit = [&](int fd, const sockaddr_in& peer) {
    if ((ntohl(peer.sin_addr.s_addr) >> 24) != 127) return false;  // belt and braces: bound to loopback
    if (options.same_user == SameUser::not_required) return true;
    sockaddr_in local{};
    socklen_t length = sizeof local;
    if (::getsockname(fd, reinterpret_cast<sockaddr*>(&local), &length) != 0) return false;
    const uint32_t peer_address = ntohl(peer.sin_addr.s_addr), local_address = ntohl(local.sin_addr.s_addr);
    const uint16_t peer_port = ntohs(peer.sin_port), local_port = ntohs(local.sin_port);
    auto uid =
        loopback_peer_uid(peer_address, peer_port, local_address, local_port, SocketOwnerLookup::netlink);
    if (!uid) {
      uid = loopback_peer_uid(peer_address, peer_port, local_address, local_port,
                              SocketOwnerLookup::proc_net_tcp);
    }
    if (uid && *uid == own_uid) return true;
    if (uid) {
      log_debug("server: refused a connection from uid " + std::to_string(*uid));
    } else if (!warned_owner) {
      // Fail closed, but say so once: without sock_diag and /proc/net/tcp every client looks like this.
      log_warning("credential endpoint: cannot tell which user a connection comes from; refusing it");
      warned_owner = true;
    }
    std::string refusal;
    append_response(refusal, error_response(403), true);
    // One try, on a fresh socket whose send buffer is empty: a refused client holds no slot.
    [[maybe_unused]] ssize_t sent = ::send(fd, refusal.data(), refusal.size(), MSG_NOSIGNAL);
    return false;
  };

  // At the connection cap, the oldest idle kept-alive connection makes room: clients keep pooled
  // connections open long after their last request, and closing one costs them a reconnect. Connections
  // that are new or busy are never cut; when all are, the listening socket is left unpolled and the kernel's
  // backlog holds newcomers until a connection ends (at the latest after read_timeout).
  auto oldest_idle = [&]() {
    auto oldest = connections.end();
    for (auto it = connections.begin(); it != connections.end(); ++it) {
      if (it->idle_kept_alive() &&
          (oldest == connections.end() || it->last_progress < oldest->last_progress)) {
        oldest = it;
      }
    }
    return oldest;
  };
  auto can_take = [&]() {
    return connections.size() < options.max_connections || oldest_idle() != connections.end();
  };

  auto accept_all = [&](SteadyTime now) {
    while (can_take()) {
      sockaddr_in peer{};
      socklen_t length = sizeof peer;
      int fd = ::accept4(m_listen, reinterpret_cast<sockaddr*>(&peer), &length, SOCK_CLOEXEC | SOCK_NONBLOCK);
      if (fd < 0) {
        int err = errno;
        if (err == EAGAIN || err == EWOULDBLOCK) return;
        if (err == EINTR || err == ECONNABORTED || err == EPROTO || err == EPERM) continue;
        if ((err == EMFILE || err == ENFILE) && m_spare >= 0) {
          // Out of descriptors: the pending connection would keep the listening socket readable and the
          // loop spinning. Give up the spare to accept it and close it at once, then take the spare back.
          if (!warned_descriptors) {
            log_warning(
                "credential endpoint: out of file descriptors; refusing new connections until some close");
            warned_descriptors = true;
          }
          ::close(m_spare);
          int victim = ::accept4(m_listen, nullptr, nullptr, SOCK_CLOEXEC);
          if (victim >= 0) ::close(victim);
          m_spare = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
          if (victim >= 0 && m_spare >= 0) continue;
        }
        // No spare, or an error that retrying at once would not cure: leave the listening socket alone
        // for a moment rather than spin on it.
        accept_paused_until = now + milliseconds(100);
        if (m_spare < 0) m_spare = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
        return;
      }
      if (!admit(fd, peer)) {
        ::close(fd);
        continue;
      }
      if (connections.size() >= options.max_connections) {
        remove(static_cast<size_t>(oldest_idle() - connections.begin()));  // there is one: can_take() said so
      }
      int one = 1;
      ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
      Connection c;
      c.fd = fd;
      c.last_progress = now;
      connections.push_back(std::move(c));
    }
  };

  while (!m_stop) {
    auto now = std::chrono::steady_clock::now();
    fds.clear();
    bool listening = now >= accept_paused_until && can_take();
    if (listening) fds.push_back({m_listen, POLLIN, 0});
    for (Connection& c : connections) {
      short events = 0;
      switch (c.state) {
        case Connection::State::open:
          if (!c.peer_done && c.pending_output() < options.max_pending_output && c.in.size() < input_cap) {
            events |= POLLIN;
          }
          if (c.pending_output() > 0) events |= POLLOUT;
          break;
        case Connection::State::closing:
          events = POLLOUT;
          break;
        case Connection::State::lingering:
          events = POLLIN;
          break;
      }
      c.poll_index = fds.size();
      fds.push_back({c.fd, events, 0});
    }
    int ready = ::poll(fds.data(), fds.size(), 100);
    if (ready < 0 && errno != EINTR) break;
    now = std::chrono::steady_clock::now();
    for (size_t i = 0; i < connections.size(); ++i) {
      Connection& c = connections[i];
      short revents = ready > 0 ? fds[c.poll_index].revents : static_cast<short>(0);
      bool keep = revents == 0 || serve(c, revents, now);
      if (keep && expired(c, now)) keep = false;
      if (!keep) remove(i--);  // wraps at 0 and back with ++i: the same index holds the next one
    }
    if (listening && ready > 0 && (fds[0].revents & POLLIN)) accept_all(now);
  }
  for (Connection& c : connections) ::close(c.fd);
}

}  // namespace kura
