// The loopback server under abuse: the head parser on its own, then the live server on an ephemeral port
// driven by real sockets (pipelining, bare LF, HTTP/1.0, slow heads, the connection cap, other users, running
// out of descriptors).
#include "server/http_server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <grp.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "loopback_client.h"

namespace kura {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
using testing::connect_to;
using testing::exchange;
using testing::Exchange;
using testing::split_responses;

HeadStatus parse(std::string_view head, HttpServerRequest& request, HttpServerOptions options = {}) {
  return parse_request_head(head, options, request);
}

HeadStatus parse(std::string_view head) {
  HttpServerRequest request;
  return parse(head, request);
}

TEST(ParseRequestHead, CrlfHead) {
  HttpServerRequest request;
  ASSERT_EQ(parse("GET /a?b=c HTTP/1.1\r\nHost: 127.0.0.1:80\r\nX-Mixed-Case:  v a l \r\n", request),
            HeadStatus::ok);
  EXPECT_EQ(request.method, "GET");
  EXPECT_EQ(request.path, "/a?b=c");
  EXPECT_EQ(request.minor_version, 1);
  EXPECT_EQ(request.headers.at("host"), "127.0.0.1:80");
  EXPECT_EQ(request.headers.at("x-mixed-case"), "v a l");
}

TEST(ParseRequestHead, BareLfHead) {
  HttpServerRequest request;
  ASSERT_EQ(parse("PUT /latest/api/token HTTP/1.1\nHost: localhost:1\nX-A: 1", request), HeadStatus::ok);
  EXPECT_EQ(request.method, "PUT");
  EXPECT_EQ(request.headers.at("host"), "localhost:1");
  EXPECT_EQ(request.headers.at("x-a"), "1");
}

TEST(ParseRequestHead, RepeatedSingleHeadersAreRefused) {
  for (const char* name : {"Host", "Authorization", "Content-Length", "Transfer-Encoding",
                           "X-aws-ec2-metadata-token", "X-aws-ec2-metadata-token-ttl-seconds"}) {
    std::string head = "GET / HTTP/1.1\r\n" + std::string(name) + ": 0\r\n" + name + ": 0\r\n";
    EXPECT_EQ(parse(head), HeadStatus::bad_request) << name;
  }
  // Names compare without case.
  EXPECT_EQ(parse("GET / HTTP/1.1\r\nHost: a\r\nHOST: b\r\n"), HeadStatus::bad_request);
}

TEST(ParseRequestHead, OtherRepeatedHeadersAreJoined) {
  HttpServerRequest request;
  ASSERT_EQ(parse("GET / HTTP/1.1\r\nAccept: a\r\naccept: b\r\n", request), HeadStatus::ok);
  EXPECT_EQ(request.headers.at("accept"), "a, b");
}

TEST(ParseRequestHead, Versions) {
  HttpServerRequest request;
  ASSERT_EQ(parse("GET / HTTP/1.0\r\n", request), HeadStatus::ok);
  EXPECT_EQ(request.minor_version, 0);
  EXPECT_EQ(parse("GET / HTTP/2.0"), HeadStatus::version_unsupported);
  EXPECT_EQ(parse("GET / HTTP/1.2"), HeadStatus::version_unsupported);
  EXPECT_EQ(parse("GET / HTTP/0.9"), HeadStatus::version_unsupported);
  EXPECT_EQ(parse("GET / HTTP/1.1x"), HeadStatus::bad_request);
  EXPECT_EQ(parse("GET / http/1.1"), HeadStatus::bad_request);
  EXPECT_EQ(parse("GET / HTTP/1"), HeadStatus::bad_request);
  EXPECT_EQ(parse("GET /"), HeadStatus::bad_request);
  EXPECT_EQ(http_status_of(HeadStatus::version_unsupported), 505);
}

TEST(ParseRequestHead, BodiesAndTransferEncoding) {
  EXPECT_EQ(parse("GET / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n"), HeadStatus::not_implemented);
  EXPECT_EQ(parse("GET / HTTP/1.1\r\nTransfer-Encoding: identity\r\n"), HeadStatus::not_implemented);
  EXPECT_EQ(parse("GET / HTTP/1.1\r\nTransfer-Encoding: \r\n"), HeadStatus::not_implemented);
  EXPECT_EQ(parse("GET / HTTP/1.1\r\nContent-Length: 5\r\n"), HeadStatus::too_large);
  EXPECT_EQ(parse("GET / HTTP/1.1\r\nContent-Length: 0\r\n"), HeadStatus::ok);
  EXPECT_EQ(parse("GET / HTTP/1.1\r\nContent-Length: 00\r\n"), HeadStatus::ok);
  EXPECT_EQ(parse("GET / HTTP/1.1\r\nContent-Length: -1\r\n"), HeadStatus::bad_request);
  EXPECT_EQ(parse("GET / HTTP/1.1\r\nContent-Length: 0, 0\r\n"), HeadStatus::bad_request);
  EXPECT_EQ(parse("GET / HTTP/1.1\r\nContent-Length:\r\n"), HeadStatus::bad_request);
  EXPECT_EQ(http_status_of(HeadStatus::not_implemented), 501);
}

TEST(ParseRequestHead, Limits) {
  HttpServerOptions options;
  options.max_headers = 3;
  HttpServerRequest request;
  EXPECT_EQ(parse("GET / HTTP/1.1\r\nA: 1\r\nB: 2\r\nC: 3\r\n", request, options), HeadStatus::ok);
  EXPECT_EQ(parse("GET / HTTP/1.1\r\nA: 1\r\nB: 2\r\nC: 3\r\nD: 4\r\n", request, options),
            HeadStatus::too_large);
  // Repeats count too, or a thousand joined copies of one header would get through.
  EXPECT_EQ(parse("GET / HTTP/1.1\r\nA: 1\r\nA: 2\r\nA: 3\r\nA: 4\r\n", request, options),
            HeadStatus::too_large);
  options.max_request_bytes = 30;
  EXPECT_EQ(parse("GET / HTTP/1.1\r\nX: " + std::string(20, 'a'), request, options), HeadStatus::too_large);
}

TEST(ParseRequestHead, MalformedLines) {
  EXPECT_EQ(parse(""), HeadStatus::bad_request);
  EXPECT_EQ(parse("GET  / HTTP/1.1"), HeadStatus::bad_request);     // two spaces
  EXPECT_EQ(parse("GET / HTTP/1.1 "), HeadStatus::bad_request);     // trailing space
  EXPECT_EQ(parse(" GET / HTTP/1.1"), HeadStatus::bad_request);     // leading space
  EXPECT_EQ(parse("GET /a\tb HTTP/1.1"), HeadStatus::bad_request);  // control in the target
  EXPECT_EQ(parse("G(T / HTTP/1.1"), HeadStatus::bad_request);      // not a token
  EXPECT_EQ(parse("GET / HTTP/1.1\r\nNoColon\r\n"), HeadStatus::bad_request);
  EXPECT_EQ(parse("GET / HTTP/1.1\r\nHost : x\r\n"), HeadStatus::bad_request);  // space before the colon
  EXPECT_EQ(parse("GET / HTTP/1.1\r\n: x\r\n"), HeadStatus::bad_request);       // no name
  EXPECT_EQ(parse("GET / HTTP/1.1\r\nA: 1\r\n folded\r\n"), HeadStatus::bad_request);  // obs-fold
  EXPECT_EQ(parse("GET / HTTP/1.1\r\nA: 1\r2\r\n"), HeadStatus::bad_request);          // bare CR in a value
  EXPECT_EQ(parse(std::string("GET / HTTP/1.1\r\nA: 1\0002\r\n", 25)), HeadStatus::bad_request);  // NUL
  EXPECT_EQ(parse("GET / HTTP/1.1\r\n\r\nA: 1\r\n"), HeadStatus::bad_request);  // an empty line inside
  EXPECT_EQ(parse("GET / HTTP/1.1\r\r\nA: 1\r\n"), HeadStatus::bad_request);
}

TEST(FindHeadEnd, CrlfLfAndMixed) {
  auto end = find_head_end("GET / HTTP/1.1\r\nA: 1\r\n\r\nNEXT");
  ASSERT_TRUE(end);
  EXPECT_EQ(end->head, 21u);
  EXPECT_EQ(end->consumed, 24u);
  end = find_head_end("GET / HTTP/1.1\nA: 1\n\nNEXT");
  ASSERT_TRUE(end);
  EXPECT_EQ(end->head, 19u);
  EXPECT_EQ(end->consumed, 21u);
  end = find_head_end("GET / HTTP/1.1\nA: 1\n\r\n");
  ASSERT_TRUE(end);
  EXPECT_EQ(end->consumed, 22u);
  EXPECT_FALSE(find_head_end("GET / HTTP/1.1\r\nA: 1\r\n\r"));
  EXPECT_FALSE(find_head_end("GET / HTTP/1.1\r\nA: 1\r\n"));
  EXPECT_FALSE(find_head_end("GET / HTTP/1.1\r\n\r\r\n"));
  EXPECT_EQ(skip_empty_lines("\r\n\n\r\nGET"), 5u);
  EXPECT_EQ(skip_empty_lines("\r"), 0u);
  EXPECT_EQ(skip_empty_lines("GET"), 0u);
}

// --- The live server, through real sockets ---

HttpServerResponse echo_path(const HttpServerRequest& request) {
  return {200, request.path, "text/plain"};
}

std::function<bool(const std::string&)> responses_at_least(size_t count) {
  return [count](const std::string& received) { return split_responses(received).size() >= count; };
}

class LiveServer : public ::testing::Test {
 protected:
  void start(HttpServerOptions options = {}, LoopbackServer::Handler handler = echo_path) {
    ASSERT_TRUE(m_server.start(std::move(handler), options));
  }
  int connect() { return m_fds.emplace_back(connect_to(m_server.port())); }
  void TearDown() override {
    m_server.stop();
    for (int fd : m_fds) {
      if (fd >= 0) ::close(fd);
    }
  }
  LoopbackServer m_server;
  std::vector<int> m_fds;
};

std::string get(const std::string& path, const std::string& extra = "") {
  return "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + extra + "\r\n";
}

void expect_pipelined_answers_in_order(int fd, size_t count) {
  std::string requests;
  for (size_t i = 0; i < count; ++i) requests += get("/" + std::to_string(i));
  Exchange result = exchange(fd, requests, 10s, responses_at_least(count));
  auto responses = split_responses(result.received);
  ASSERT_EQ(responses.size(), count);
  for (size_t i = 0; i < count; ++i) {
    ASSERT_EQ(responses[i].status, 200) << i;
    ASSERT_EQ(responses[i].body, "/" + std::to_string(i)) << i;
  }
  EXPECT_FALSE(result.closed);
}

TEST_F(LiveServer, PipelinedRequestsInOneWriteAreAllAnsweredInOrder) {
  start();
  int fd = connect();
  const auto started = Clock::now();
  expect_pipelined_answers_in_order(fd, 1000);
  EXPECT_LT(Clock::now() - started, 3s);  // not one request per read timeout
}

TEST_F(LiveServer, PipeliningWithATinyOutputBoundStillAnswersEverything) {
  HttpServerOptions options;
  options.max_pending_output = 100;  // about one response: reading stops after nearly every answer
  start(options);
  expect_pipelined_answers_in_order(connect(), 1000);
}

TEST_F(LiveServer, PipelinedRequestsSplitAcrossWritesAndEmptyLinesBetweenThem) {
  start();
  int fd = connect();
  std::string requests = get("/a") + "\r\n" + get("/b") + "\n" + get("/c");
  for (char c : requests) {  // one byte per write: heads completed by later reads
    ASSERT_EQ(::send(fd, &c, 1, MSG_NOSIGNAL), 1);
  }
  auto responses = split_responses(exchange(fd, "", 2s, responses_at_least(3)).received);
  ASSERT_EQ(responses.size(), 3u);
  EXPECT_EQ(responses[0].body, "/a");
  EXPECT_EQ(responses[1].body, "/b");
  EXPECT_EQ(responses[2].body, "/c");
}

TEST_F(LiveServer, BareLfRequestIsAnswered) {
  start();
  auto responses = split_responses(
      exchange(connect(), "GET /lf HTTP/1.1\nHost: 127.0.0.1\n\n", 2s, responses_at_least(1)).received);
  ASSERT_EQ(responses.size(), 1u);
  EXPECT_EQ(responses[0].status, 200);
  EXPECT_EQ(responses[0].body, "/lf");
}

TEST_F(LiveServer, Http10IsAnsweredThenClosed) {
  start();
  Exchange result = exchange(connect(), "GET /old HTTP/1.0\r\n\r\n", 2s);
  EXPECT_TRUE(result.closed);
  auto responses = split_responses(result.received);
  ASSERT_EQ(responses.size(), 1u);
  EXPECT_EQ(responses[0].body, "/old");
  EXPECT_NE(responses[0].head.find("Connection: close"), std::string::npos);
}

TEST_F(LiveServer, ConnectionCloseIsHonouredAndKeepAliveOtherwise) {
  start();
  int fd = connect();
  Exchange first = exchange(fd, get("/1"), 500ms, responses_at_least(1));
  EXPECT_FALSE(first.closed);
  Exchange second = exchange(fd, get("/2", "Connection: keep-alive, Close\r\n"), 2s);
  EXPECT_TRUE(second.closed);
  auto responses = split_responses(second.received);
  ASSERT_EQ(responses.size(), 1u);
  EXPECT_NE(responses[0].head.find("Connection: close"), std::string::npos);
}

TEST_F(LiveServer, BadHeadsGetTheirStatusAndAClose) {
  start();
  struct Case {
    std::string request;
    int status;
  };
  for (const Case& c : std::vector<Case>{
           {"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nHost: evil.example\r\n\r\n", 400},
           {"GET / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 501},
           {"GET / HTTP/1.1\r\nContent-Length: 4\r\n\r\nbody", 413},
           {"GET / HTTP/2.0\r\n\r\n", 505},
           {"GET / HTTP/1.1\r\nX: " + std::string(9000, 'a') + "\r\n\r\n", 413},
           {"GET / HTTP/1.1\r\nX: " + std::string(20000, 'a'), 413},  // no end of head in sight
           {std::string(20000, '\n'), 413},  // empty lines do not get around the limit
       }) {
    Exchange result = exchange(connect(), c.request, 2s);
    EXPECT_TRUE(result.closed) << c.status;
    auto responses = split_responses(result.received);
    ASSERT_EQ(responses.size(), 1u) << c.status;
    EXPECT_EQ(responses[0].status, c.status);
  }
}

TEST_F(LiveServer, ARequestAfterARefusedOneIsNotAnswered) {
  start();
  Exchange result =
      exchange(connect(), "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n" + get("/smuggled"), 2s);
  EXPECT_TRUE(result.closed);
  auto responses = split_responses(result.received);
  ASSERT_EQ(responses.size(), 1u);
  EXPECT_EQ(responses[0].status, 400);
}

TEST_F(LiveServer, SlowHeadIsDroppedAtTheDeadlineFromItsFirstByte) {
  HttpServerOptions options;
  options.read_timeout = 300ms;
  start(options);
  int fd = connect();
  const auto started = Clock::now();
  // One byte every 100 ms: each arrives well within the read timeout, the head never ends.
  std::string head = "GET / HTTP/1.1\r\nX-Slow: " + std::string(100, 'a');
  bool closed = false;
  for (char c : head) {
    if (::send(fd, &c, 1, MSG_NOSIGNAL) != 1) {
      closed = true;
      break;
    }
    Exchange result = exchange(fd, "", 100ms);
    if (result.closed) {
      closed = true;
      if (!result.received.empty()) {
        EXPECT_EQ(split_responses(result.received).at(0).status, 408);
      }
      break;
    }
  }
  EXPECT_TRUE(closed);
  EXPECT_LT(Clock::now() - started, 900ms);
}

// Found by the e2e pipelining client: the deadline must restart with each head, or a client whose every
// write ends inside the next request is cut off after read_timeout however fast it goes.
TEST_F(LiveServer, TheHeadDeadlineRestartsWithEachRequest) {
  HttpServerOptions options;
  options.read_timeout = 300ms;
  start(options);
  int fd = connect();
  const std::string request = get("/steady");
  const size_t half = request.size() / 2;
  ASSERT_EQ(::send(fd, request.data(), half, MSG_NOSIGNAL), static_cast<ssize_t>(half));
  for (int i = 0; i < 12; ++i) {  // 1.2 s: each write ends one request and starts the next
    std::this_thread::sleep_for(100ms);
    std::string chunk = request.substr(half) + request.substr(0, half);
    ASSERT_EQ(::send(fd, chunk.data(), chunk.size(), MSG_NOSIGNAL), static_cast<ssize_t>(chunk.size()));
  }
  Exchange result = exchange(fd, request.substr(half), 2s, responses_at_least(13));
  auto responses = split_responses(result.received);
  ASSERT_EQ(responses.size(), 13u);
  for (const auto& response : responses) EXPECT_EQ(response.status, 200);
}

TEST_F(LiveServer, EmptyLinesCannotHoldAConnectionEither) {
  HttpServerOptions options;
  options.read_timeout = 300ms;
  start(options);
  int fd = connect();
  const auto started = Clock::now();
  bool closed = false;
  for (int i = 0; i < 30 && !closed; ++i) {
    if (::send(fd, "\n", 1, MSG_NOSIGNAL) != 1) break;
    closed = exchange(fd, "", 100ms).closed;
  }
  EXPECT_TRUE(closed);
  EXPECT_LT(Clock::now() - started, 900ms);
}

TEST_F(LiveServer, IdleKeptAliveClientIsDroppedAfterTheReadTimeout) {
  HttpServerOptions options;
  options.read_timeout = 300ms;
  start(options);
  int fd = connect();
  ASSERT_EQ(split_responses(exchange(fd, get("/"), 1s, responses_at_least(1)).received).size(), 1u);
  const auto started = Clock::now();
  EXPECT_TRUE(exchange(fd, "", 2s).closed);
  EXPECT_GT(Clock::now() - started, 150ms);
  EXPECT_LT(Clock::now() - started, 900ms);
}

TEST_F(LiveServer, AtTheConnectionCapTheOldestIdleKeptAliveConnectionMakesRoom) {
  HttpServerOptions options;
  options.max_connections = 3;
  start(options);
  std::vector<int> fds;
  for (int i = 0; i < 3; ++i) {
    fds.push_back(connect());
    ASSERT_EQ(split_responses(exchange(fds.back(), get("/"), 1s, responses_at_least(1)).received).size(), 1u);
    std::this_thread::sleep_for(20ms);  // distinct ages
  }
  int newcomer = connect();
  auto responses = split_responses(exchange(newcomer, get("/new"), 2s, responses_at_least(1)).received);
  ASSERT_EQ(responses.size(), 1u);
  EXPECT_EQ(responses[0].body, "/new");
  EXPECT_TRUE(exchange(fds[0], "", 500ms).closed) << "the oldest idle connection was closed";
  EXPECT_FALSE(exchange(fds[2], "", 200ms).closed) << "the youngest stays";
}

TEST_F(LiveServer, AtTheConnectionCapWithNoIdleConnectionNewcomersWait) {
  HttpServerOptions options;
  options.max_connections = 3;
  options.read_timeout = 600ms;
  start(options);
  for (int i = 0; i < 3; ++i) connect();  // connected, nothing sent: not evictable
  std::this_thread::sleep_for(50ms);
  int newcomer = connect();  // the kernel completes the handshake; the server does not accept it yet
  const auto started = Clock::now();
  auto responses = split_responses(exchange(newcomer, get("/late"), 3s, responses_at_least(1)).received);
  ASSERT_EQ(responses.size(), 1u);
  EXPECT_EQ(responses[0].body, "/late");
  // Answered only once the silent connections were dropped for idleness.
  EXPECT_GT(Clock::now() - started, 400ms);
}

TEST_F(LiveServer, AHandlerThatThrowsGets500AndTheServerLives) {
  start({}, [](const HttpServerRequest& request) -> HttpServerResponse {
    if (request.path == "/throw") throw std::runtime_error("boom");
    return {200, "fine"};
  });
  int fd = connect();
  auto responses =
      split_responses(exchange(fd, get("/throw") + get("/"), 2s, responses_at_least(2)).received);
  ASSERT_EQ(responses.size(), 2u);
  EXPECT_EQ(responses[0].status, 500);
  EXPECT_EQ(responses[1].status, 200);
}

// --- Other users ---

// Runs `body` in a child process as `nobody`; its exit status is the test's verdict. Only async-signal-safe
// calls in `body`: the test binary has threads.
template <typename Body>
int as_nobody(Body body) {
  pid_t pid = ::fork();
  if (pid == 0) {
    if (::setgroups(0, nullptr) != 0 || ::setresgid(65534, 65534, 65534) != 0 ||
        ::setresuid(65534, 65534, 65534) != 0) {
      ::_exit(90);
    }
    ::_exit(body());
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 99;
}

// In the child: sends a request (unless told to wait for the server to speak first), reads what comes back.
// 0 when the answer starts with `expected`, 1 if it starts otherwise, 2 when nothing came.
int child_request(uint16_t port, const char* expected, bool send_first) {
  int fd = connect_to(port);
  if (fd < 0) return 3;
  timeval timeout{3, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  const char request[] = "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
  if (send_first && ::send(fd, request, sizeof request - 1, MSG_NOSIGNAL) < 0) return 4;
  char buffer[512];
  size_t got = 0;
  while (got < 12) {
    ssize_t n = ::recv(fd, buffer + got, sizeof buffer - got, 0);
    if (n <= 0) break;
    got += static_cast<size_t>(n);
  }
  ::close(fd);
  if (got < 12) return 2;
  for (size_t i = 0; i < 12; ++i) {
    if (buffer[i] != expected[i]) return 1;
  }
  return 0;
}

TEST_F(LiveServer, AnotherUserIsRefusedByDefault) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to act as another user";
  start();
  const uint16_t port = m_server.port();
  // Refused at accept, before any request: the 403 comes without asking.
  EXPECT_EQ(as_nobody([port] { return child_request(port, "HTTP/1.1 403", false); }), 0);
  // And the server still serves its own user.
  auto responses = split_responses(exchange(connect(), get("/me"), 2s, responses_at_least(1)).received);
  ASSERT_EQ(responses.size(), 1u);
  EXPECT_EQ(responses[0].status, 200);
}

TEST_F(LiveServer, AnotherUserIsServedWhenTheCheckIsOff) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to act as another user";
  HttpServerOptions options;
  options.same_user = SameUser::not_required;
  start(options);
  const uint16_t port = m_server.port();
  EXPECT_EQ(as_nobody([port] { return child_request(port, "HTTP/1.1 200", true); }), 0);
}

// The owner of a connected socket, by both lookups: ours, then one made by `nobody` in a child.
TEST(LoopbackPeerUid, NetlinkAndProcAgree) {
  int listener = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  ASSERT_EQ(::bind(listener, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  ASSERT_EQ(::listen(listener, 8), 0);
  ASSERT_EQ(::getsockname(listener, reinterpret_cast<sockaddr*>(&address), &length), 0);
  const uint16_t port = ntohs(address.sin_port);

  auto owner_of_next = [&](SocketOwnerLookup how) -> std::optional<uint32_t> {
    sockaddr_in peer{};
    socklen_t peer_length = sizeof peer;
    int fd = ::accept(listener, reinterpret_cast<sockaddr*>(&peer), &peer_length);
    if (fd < 0) return std::nullopt;
    auto uid =
        loopback_peer_uid(ntohl(peer.sin_addr.s_addr), ntohs(peer.sin_port), INADDR_LOOPBACK, port, how);
    ::close(fd);
    return uid;
  };
  for (SocketOwnerLookup how : {SocketOwnerLookup::netlink, SocketOwnerLookup::proc_net_tcp}) {
    int client = connect_to(port);
    EXPECT_EQ(owner_of_next(how), ::geteuid());
    ::close(client);
  }
  // No such socket: no answer, rather than a wrong one.
  EXPECT_FALSE(loopback_peer_uid(INADDR_LOOPBACK, 1, INADDR_LOOPBACK, port, SocketOwnerLookup::netlink));
  EXPECT_FALSE(loopback_peer_uid(INADDR_LOOPBACK, 1, INADDR_LOOPBACK, port, SocketOwnerLookup::proc_net_tcp));

  if (::geteuid() == 0) {
    for (SocketOwnerLookup how : {SocketOwnerLookup::netlink, SocketOwnerLookup::proc_net_tcp}) {
      int ready[2], done[2];
      ASSERT_EQ(::pipe(ready), 0);
      ASSERT_EQ(::pipe(done), 0);
      pid_t pid = ::fork();
      if (pid == 0) {
        if (::setgroups(0, nullptr) != 0 || ::setresgid(65534, 65534, 65534) != 0 ||
            ::setresuid(65534, 65534, 65534) != 0) {
          ::_exit(90);
        }
        int fd = connect_to(port);
        char byte = fd >= 0 ? 'y' : 'n';
        [[maybe_unused]] ssize_t w = ::write(ready[1], &byte, 1);
        [[maybe_unused]] ssize_t r = ::read(done[0], &byte, 1);  // keep the socket until the parent looked
        ::_exit(0);
      }
      char byte = 0;
      ASSERT_EQ(::read(ready[0], &byte, 1), 1);
      EXPECT_EQ(byte, 'y');
      EXPECT_EQ(owner_of_next(how), 65534u);
      [[maybe_unused]] ssize_t w = ::write(done[1], "x", 1);
      ::waitpid(pid, nullptr, 0);
      for (int fd : {ready[0], ready[1], done[0], done[1]}) ::close(fd);
    }
  }
  ::close(listener);
}

// --- Running out of descriptors ---

// In a child with a low descriptor limit, all of it used up: the loop must not spin, pending connections are
// accepted and closed rather than left hanging, and service resumes once descriptors are free again.
TEST(LoopbackServerDescriptors, OutOfDescriptorsNeitherSpinsNorHangs) {
  int to_child[2], to_parent[2];
  ASSERT_EQ(::pipe(to_child), 0);
  ASSERT_EQ(::pipe(to_parent), 0);
  pid_t pid = ::fork();
  if (pid == 0) {
    // The child: a single thread at fork time was not guaranteed, so no gtest assertions here; the exit
    // status carries the verdict.
    rlimit limit{64, 64};
    if (::setrlimit(RLIMIT_NOFILE, &limit) != 0) ::_exit(10);
    LoopbackServer server;
    HttpServerOptions options;
    if (!server.start(echo_path, options)) ::_exit(11);
    std::vector<int> filler;
    while (true) {
      int fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
      if (fd < 0) break;
      filler.push_back(fd);
    }
    uint16_t port = server.port();
    char byte = 0;
    rusage before{}, after{};
    ::getrusage(RUSAGE_SELF, &before);
    if (::write(to_parent[1], &port, sizeof port) != sizeof port) ::_exit(12);
    if (::read(to_child[0], &byte, 1) != 1) ::_exit(13);  // the parent tried to connect for a second
    ::getrusage(RUSAGE_SELF, &after);
    auto cpu_ms = [](const rusage& usage) {
      return (usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) * 1000 +
             (usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1000;
    };
    const long spent = cpu_ms(after) - cpu_ms(before);
    for (size_t i = 0; i < 16 && !filler.empty(); ++i) {
      ::close(filler.back());
      filler.pop_back();
    }
    if (::write(to_parent[1], &byte, 1) != 1) ::_exit(14);
    if (::read(to_child[0], &byte, 1) != 1) ::_exit(15);
    server.stop();
    ::_exit(spent < 400 ? 0 : 20);
  }
  uint16_t port = 0;
  ASSERT_EQ(::read(to_parent[0], &port, sizeof port), static_cast<ssize_t>(sizeof port));
  // Connections the server cannot take: closed by it, not left waiting in the backlog.
  const auto started = Clock::now();
  std::vector<int> fds;
  for (int i = 0; i < 5; ++i) fds.push_back(connect_to(port));
  for (int fd : fds) {
    ASSERT_GE(fd, 0);
    Exchange result = exchange(fd, get("/"), 1500ms);
    EXPECT_TRUE(result.closed);
    EXPECT_TRUE(result.received.empty());
    ::close(fd);
  }
  std::this_thread::sleep_for(std::max(std::chrono::nanoseconds(0), 1s - (Clock::now() - started)));
  char byte = 'x';
  ASSERT_EQ(::write(to_child[1], &byte, 1), 1);
  ASSERT_EQ(::read(to_parent[0], &byte, 1), 1);  // descriptors freed
  int fd = connect_to(port);
  auto responses = split_responses(exchange(fd, get("/again"), 2s, responses_at_least(1)).received);
  ::close(fd);
  ASSERT_EQ(::write(to_child[1], &byte, 1), 1);
  int status = 0;
  ::waitpid(pid, &status, 0);
  ASSERT_EQ(responses.size(), 1u);
  EXPECT_EQ(responses[0].body, "/again");
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0) << "20: the loop spun while out of descriptors";
  for (int f : {to_child[0], to_child[1], to_parent[0], to_parent[1]}) ::close(f);
}

}  // namespace
}  // namespace kura
