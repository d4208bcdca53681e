// The OAuth loopback callback: what a redirect's target means (pure), then the listener on a real socket,
// driven as the browser would drive it.
#include "server/oauth_callback.h"

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <thread>

#include "loopback_client.h"

namespace kura {
namespace {

using namespace std::chrono_literals;
using Kind = OAuthCallbackResult::Kind;

const Secret k_state{std::string_view("st4te-Of_the~art.0")};

OAuthCallbackResult read(std::string_view target, std::string_view method = "GET") {
  return read_oauth_callback(method, target, k_state);
}

// --- read_oauth_callback ---

TEST(ReadOAuthCallback, OurStateAndACodeGiveTheCode) {
  auto result = read("/oauth/callback?code=c0de-123&state=st4te-Of_the~art.0");
  ASSERT_EQ(result.kind, Kind::code);
  EXPECT_EQ(result.code.view(), "c0de-123");
  // In any order, beside parameters nobody asked for.
  result = read("/oauth/callback?iss=x&state=st4te-Of_the~art.0&&scope=a+b&code=c0de-123&");
  ASSERT_EQ(result.kind, Kind::code);
  EXPECT_EQ(result.code.view(), "c0de-123");
}

TEST(ReadOAuthCallback, OurStateAndAnErrorGiveTheRefusal) {
  auto result = read(
      "/oauth/"
      "callback?error=access_denied&error_description=The+user+said+%22no%22&state=st4te-Of_the~art.0");
  ASSERT_EQ(result.kind, Kind::error);
  EXPECT_EQ(result.error, "access_denied");
  EXPECT_EQ(result.error_description, "The user said \"no\"");
  EXPECT_TRUE(result.code.empty());
  // An error beside a code is still a refusal, and no description is fine.
  result = read("/oauth/callback?code=c0de&error=server_error&state=st4te-Of_the~art.0");
  ASSERT_EQ(result.kind, Kind::error);
  EXPECT_EQ(result.error, "server_error");
  EXPECT_EQ(result.error_description, "");
  EXPECT_TRUE(result.code.empty());
}

TEST(ReadOAuthCallback, AnotherStateOrNoneIsIgnored) {
  for (const char* target : {
           "/oauth/callback?code=c0de&state=st4te-Of_the~art.1",   // one character off
           "/oauth/callback?code=c0de&state=ST4TE-OF_THE~ART.0",   // case
           "/oauth/callback?code=c0de&state=st4te-Of_the~art.",    // a prefix
           "/oauth/callback?code=c0de&state=st4te-Of_the~art.00",  // longer
           "/oauth/callback?code=c0de&state=",                     // empty
           "/oauth/callback?code=c0de&state",                      // no value
           "/oauth/callback?code=c0de",                            // none
           "/oauth/callback?error=access_denied",                  // an error without our state
           "/oauth/callback?code=c0de&State=st4te-Of_the~art.0",   // names are case-sensitive
           "/oauth/callback?",                                     // empty query
           "/oauth/callback",                                      // no query
       }) {
    auto result = read(target);
    EXPECT_EQ(result.kind, Kind::wrong_state) << target;
    EXPECT_TRUE(result.code.empty()) << target;
    EXPECT_EQ(result.error, "") << target;
  }
  // With no state of our own, nothing matches, not even an empty one.
  EXPECT_EQ(read_oauth_callback("GET", "/oauth/callback?code=c0de&state=", Secret()).kind, Kind::wrong_state);
  EXPECT_EQ(read_oauth_callback("GET", "/oauth/callback?code=c0de", Secret()).kind, Kind::wrong_state);
}

TEST(ReadOAuthCallback, OtherPathsAndMethodsAreNotTheCallback) {
  for (const char* target : {"/", "/favicon.ico", "/oauth/callback/?code=c&state=st4te-Of_the~art.0",
                             "/oauth/callbackx?code=c&state=st4te-Of_the~art.0", "/OAUTH/callback",
                             "/oauth/%63allback?code=c&state=st4te-Of_the~art.0", "/oauth", "*",
                             "http://127.0.0.1:1/oauth/callback?code=c&state=st4te-Of_the~art.0"}) {
    EXPECT_EQ(read(target).kind, Kind::not_callback) << target;
  }
  for (const char* method : {"POST", "HEAD", "PUT", "get", "OPTIONS"}) {
    auto result = read("/oauth/callback?code=c0de&state=st4te-Of_the~art.0", method);
    EXPECT_EQ(result.kind, Kind::not_callback) << method;
    EXPECT_TRUE(result.code.empty()) << method;
  }
}

TEST(ReadOAuthCallback, RepeatedParametersTheFirstCounts) {
  auto result = read("/oauth/callback?state=st4te-Of_the~art.0&code=first&code=second&state=other");
  ASSERT_EQ(result.kind, Kind::code);
  EXPECT_EQ(result.code.view(), "first");
  // Our state second does not count.
  EXPECT_EQ(read("/oauth/callback?state=guess&state=st4te-Of_the~art.0&code=c0de").kind, Kind::wrong_state);
  result = read(
      "/oauth/callback?error=access_denied&error=other&error_description=one&error_description=two"
      "&state=st4te-Of_the~art.0");
  ASSERT_EQ(result.kind, Kind::error);
  EXPECT_EQ(result.error, "access_denied");
  EXPECT_EQ(result.error_description, "one");
}

TEST(ReadOAuthCallback, NamesAndValuesArePercentAndPlusDecoded) {
  const Secret state(std::string_view("a b+c/d=e&f"));
  auto result =
      read_oauth_callback("GET", "/oauth/callback?c%6Fde=x%3Dy%2bz+w%25&st%61te=a+b%2Bc%2fd%3De%26f", state);
  ASSERT_EQ(result.kind, Kind::code);
  EXPECT_EQ(result.code.view(), "x=y+z w%");
  // Undecoded, the same state does not match.
  EXPECT_EQ(read_oauth_callback("GET", "/oauth/callback?code=c&state=a b+c/d=e&f", state).kind,
            Kind::wrong_state);
}

TEST(ReadOAuthCallback, MalformedEscapesMatchNothing) {
  // In our state's value: not ours.
  for (const char* target : {"/oauth/callback?code=c0de&state=st4te-Of_the~art.0%",
                             "/oauth/callback?code=c0de&state=st4te-Of_the~art.0%3",
                             "/oauth/callback?code=c0de&state=st4te-Of_the~art.0%zz",
                             "/oauth/callback?code=c0de&state=st4te-Of_the~art.%g0"}) {
    EXPECT_EQ(read(target).kind, Kind::wrong_state) << target;
  }
  // In a name: that parameter is no parameter at all, so a later good one is the first that counts.
  EXPECT_EQ(read("/oauth/callback?code=c0de&st%zzate=st4te-Of_the~art.0").kind, Kind::wrong_state);
  auto result = read("/oauth/callback?c%ode=bad&%=1&code=good&state=st4te-Of_the~art.0");
  ASSERT_EQ(result.kind, Kind::code);
  EXPECT_EQ(result.code.view(), "good");
  // In the code's value, with our state: the callback is ours but holds no usable code.
  EXPECT_EQ(read("/oauth/callback?code=c0de%x&state=st4te-Of_the~art.0").kind, Kind::malformed);
}

TEST(ReadOAuthCallback, OurStateWithoutAUsableCodeOrAnErrorIsMalformed) {
  for (const char* target :
       {"/oauth/callback?state=st4te-Of_the~art.0", "/oauth/callback?code=&state=st4te-Of_the~art.0",
        "/oauth/callback?code&state=st4te-Of_the~art.0",
        "/oauth/callback?code=a%0Ab&state=st4te-Of_the~art.0",      // a control character
        "/oauth/callback?code=%C3%A9&state=st4te-Of_the~art.0"}) {  // not ASCII
    auto result = read(target);
    EXPECT_EQ(result.kind, Kind::malformed) << target;
    EXPECT_TRUE(result.code.empty()) << target;
  }
}

TEST(ReadOAuthCallback, TheProvidersWordsArePrintableAndBounded) {
  const std::string long_text(5000, 'x');
  auto result =
      read("/oauth/callback?error=access%1B%5B31m_denied&error_description=%1B]0;title%07line%0Aone+" +
           long_text + "&state=st4te-Of_the~art.0");
  ASSERT_EQ(result.kind, Kind::error);
  EXPECT_EQ(result.error, "access[31m_denied");
  EXPECT_EQ(result.error_description.find('\x1b'), std::string::npos);
  EXPECT_EQ(result.error_description.find('\x07'), std::string::npos);
  EXPECT_EQ(result.error_description.find('\n'), std::string::npos);
  EXPECT_EQ(result.error_description.rfind("]0;titleline one x", 0), 0u) << result.error_description;
  EXPECT_LE(result.error_description.size(), 303u);
  EXPECT_LE(read("/oauth/callback?error=" + long_text + "&state=st4te-Of_the~art.0").error.size(), 67u);
}

// --- The listener, through real sockets ---

class Listener : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(m_listener.start(k_state.clone()));
    const std::string uri = m_listener.redirect_uri();
    const std::string prefix = "http://127.0.0.1:";
    const std::string suffix = "/oauth/callback";
    ASSERT_EQ(uri.rfind(prefix, 0), 0u) << uri;
    ASSERT_GT(uri.size(), prefix.size() + suffix.size()) << uri;
    ASSERT_EQ(uri.substr(uri.size() - suffix.size()), suffix) << uri;
    m_port = static_cast<uint16_t>(std::stoi(uri.substr(prefix.size())));
    ASSERT_NE(m_port, 0);
  }
  void TearDown() override { m_listener.stop(); }

  // One request, as a browser would send it, on its own connection; the answer.
  testing::ParsedResponse get(const std::string& target, const std::string& host = "") {
    int fd = testing::connect_to(m_port);
    EXPECT_GE(fd, 0);
    if (fd < 0) return {};
    const std::string request = "GET " + target + " HTTP/1.1\r\nHost: " +
                                (host.empty() ? "127.0.0.1:" + std::to_string(m_port) : host) +
                                "\r\nConnection: close\r\n\r\n";
    testing::Exchange answer = testing::exchange(fd, request, 5s);
    ::close(fd);
    auto responses = testing::split_responses(answer.received);
    EXPECT_EQ(responses.size(), 1u) << answer.received;
    return responses.empty() ? testing::ParsedResponse{} : responses.front();
  }

  OAuthCallbackListener m_listener;
  uint16_t m_port = 0;
};

bool has_header(const testing::ParsedResponse& response, const std::string& line) {
  return response.head.find("\r\n" + line + "\r\n") != std::string::npos;
}

TEST_F(Listener, TheCodeEndsTheWaitAndTheBrowserIsToldToCloseTheTab) {
  testing::ParsedResponse page;
  std::thread browser([&] {
    std::this_thread::sleep_for(100ms);  // while wait() is waiting
    page = get("/oauth/callback?code=the-c0de&state=st4te-Of_the~art.0");
  });
  auto code = m_listener.wait(10s);
  browser.join();
  ASSERT_TRUE(code) << code.error().message;
  EXPECT_EQ(code->view(), "the-c0de");

  EXPECT_EQ(page.status, 200);
  EXPECT_NE(page.body.find("close this tab"), std::string::npos) << page.body;
  EXPECT_EQ(page.body.find("the-c0de"), std::string::npos);
  EXPECT_EQ(page.body.find("st4te"), std::string::npos);
  EXPECT_TRUE(has_header(page, "Content-Type: text/html; charset=utf-8")) << page.head;
  EXPECT_TRUE(has_header(page, "Cache-Control: no-store")) << page.head;
  EXPECT_TRUE(has_header(page, "Referrer-Policy: no-referrer")) << page.head;
  EXPECT_NE(page.head.find("\r\nContent-Security-Policy: default-src 'none';"), std::string::npos)
      << page.head;
}

TEST_F(Listener, WrongStatesOtherPathsAndForeignHostsDoNotEndTheWait) {
  EXPECT_EQ(get("/oauth/callback?code=bogus&state=guess").status, 400);
  EXPECT_EQ(get("/oauth/callback?code=bogus").status, 400);
  EXPECT_EQ(get("/oauth/callback?error=access_denied&state=guess").status, 400);
  EXPECT_EQ(get("/favicon.ico").status, 404);
  // DNS rebinding: the right request, through a name that is not loopback.
  EXPECT_EQ(
      get("/oauth/callback?code=bogus&state=st4te-Of_the~art.0", "evil.example:" + std::to_string(m_port))
          .status,
      403);
  auto early = m_listener.wait(200ms);
  ASSERT_FALSE(early);
  EXPECT_EQ(early.error().message, "no answer from the browser within 1s");

  EXPECT_EQ(get("/oauth/callback?code=real&state=st4te-Of_the~art.0").status, 200);
  auto code = m_listener.wait(5s);
  ASSERT_TRUE(code) << code.error().message;
  EXPECT_EQ(code->view(), "real");
}

TEST_F(Listener, TheProvidersRefusalEndsTheWaitWithItsWords) {
  auto page = get(
      "/oauth/callback?error=access_denied&error_description=%3Cscript%3Ealert(1)%3C/script%3E+said+%22no%22"
      "&state=st4te-Of_the~art.0");
  EXPECT_EQ(page.status, 200);
  EXPECT_NE(page.body.find("access_denied: &lt;script&gt;alert(1)&lt;/script&gt; said &quot;no&quot;"),
            std::string::npos)
      << page.body;
  EXPECT_EQ(page.body.find("<script"), std::string::npos);
  EXPECT_TRUE(has_header(page, "Cache-Control: no-store")) << page.head;
  auto code = m_listener.wait(5s);
  ASSERT_FALSE(code);
  EXPECT_EQ(code.error().message,
            "the sign-in was refused: access_denied: <script>alert(1)</script> said \"no\"");
}

TEST_F(Listener, LaterCallbacksAreToldTheSignInHasFinished) {
  EXPECT_EQ(get("/oauth/callback?code=first&state=st4te-Of_the~art.0").status, 200);
  auto later = get("/oauth/callback?code=second&state=st4te-Of_the~art.0");
  EXPECT_EQ(later.status, 200);
  EXPECT_NE(later.body.find("already finished"), std::string::npos) << later.body;
  EXPECT_NE(get("/oauth/callback?error=access_denied&state=st4te-Of_the~art.0").body.find("already finished"),
            std::string::npos);
  auto code = m_listener.wait(5s);
  ASSERT_TRUE(code) << code.error().message;
  EXPECT_EQ(code->view(), "first");
}

TEST_F(Listener, OurStateWithoutACodeEndsTheWaitWithAnError) {
  EXPECT_EQ(get("/oauth/callback?code=&state=st4te-Of_the~art.0").status, 400);
  auto code = m_listener.wait(5s);
  ASSERT_FALSE(code);
  EXPECT_EQ(code.error().message, "the browser came back from the sign-in with neither a code nor an error");
}

TEST_F(Listener, NoAnswerTimesOutAndSaysHowLongItWaited) {
  const auto started = std::chrono::steady_clock::now();
  auto code = m_listener.wait(300ms);
  const auto waited = std::chrono::steady_clock::now() - started;
  ASSERT_FALSE(code);
  EXPECT_EQ(code.error().message, "no answer from the browser within 1s");
  EXPECT_GE(waited, 300ms);
  EXPECT_LT(waited, 5s);
}

TEST(OAuthCallbackListener, NeedsAStateAndAStartBeforeWaiting) {
  OAuthCallbackListener listener;
  auto unstarted = listener.wait(10ms);
  ASSERT_FALSE(unstarted);
  EXPECT_NE(unstarted.error().message.find("not running"), std::string::npos);
  EXPECT_FALSE(listener.start(Secret()));
  ASSERT_TRUE(listener.start(k_state.clone()));
  EXPECT_FALSE(listener.start(k_state.clone()));  // once at a time
  listener.stop();
}

}  // namespace
}  // namespace kura
