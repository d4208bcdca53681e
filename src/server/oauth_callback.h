// The one-shot listener an OAuth 2.0 authorization code login redirects the browser to (RFC 8252 loopback
// redirect): 127.0.0.1 on an ephemeral port, GET /oauth/callback?code=...&state=... (or ?error=...), the
// state compared in constant time, same-user connections only, a loopback Host only. The browser gets a short
// page saying to go back to the terminal (not cached, no referrer, no scripts); the login gets the code.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "server/http_server.h"
#include "util/result.h"
#include "util/secret.h"

namespace kura {

// What one request to the callback amounts to.
struct OAuthCallbackResult {
  enum class Kind {
    code,       // ?code=...&state=<ours>
    error,      // ?error=...&state=<ours>: the provider refused (access_denied, ...); wins over a code
    malformed,  // our state, but no error and no usable code (empty, or not RFC 6749 VSCHARs): ends the wait
    wrong_state,  // a state that is not ours (or none, or badly escaped): ignored, the listener keeps waiting
    not_callback  // another path or method (favicon.ico, ...): 404, keeps waiting
  };
  Kind kind = Kind::not_callback;
  Secret code;
  std::string error;              // the error code, printable
  std::string error_description;  // printable, bounded
};

// Pure: what a request for `target` (path and query as sent) means, given the state we sent. Percent-encoding
// and '+' decoded in names and values; a malformed escape ("%4", "%zz") makes the name match nothing, or the
// value count as absent. Parameters repeated: the first counts. An empty expected state matches nothing.
OAuthCallbackResult read_oauth_callback(std::string_view method, std::string_view target,
                                        const Secret& expected_state);

class OAuthCallbackListener {
 public:
  OAuthCallbackListener() = default;
  ~OAuthCallbackListener();
  OAuthCallbackListener(const OAuthCallbackListener&) = delete;
  OAuthCallbackListener& operator=(const OAuthCallbackListener&) = delete;

  // Listens on 127.0.0.1 (ephemeral port) for the callback carrying `state` (not empty).
  Result<void> start(Secret state);
  // http://127.0.0.1:PORT/oauth/callback
  std::string redirect_uri() const;
  // The code (handed over once), or why there is none: the provider's error ("the sign-in was refused:
  // access_denied: ..."), or a timeout ("no answer from the browser within 5m00s"). The listener keeps
  // answering (later callbacks: "already finished") until stop().
  Result<Secret> wait(std::chrono::milliseconds timeout);
  void stop();

 private:
  struct Shared {
    std::mutex mutex;
    std::condition_variable done;
    std::optional<OAuthCallbackResult> result;
    Secret state;
  };
  std::shared_ptr<Shared> m_shared = std::make_shared<Shared>();
  LoopbackServer m_server;
  bool m_running = false;
};

}  // namespace kura
