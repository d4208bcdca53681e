// The IAM Identity Center sign-in as the command line does it: the sign-in page opened in the browser (or
// printed), the loopback listener for the authorization code, and the choice of flow.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "creds/sso_token.h"
#include "util/env.h"

namespace kura {

class BrowserSignIn final : public SsoSignInUi {
 public:
  // `open_browser` false: the URL is printed only (--no-browser, or no way to open one).
  BrowserSignIn(const Environment& env, bool open_browser) : m_env(env), m_open_browser(open_browser) {}
  Result<void> show(const std::string& url, const std::optional<std::string>& user_code) override;
  Result<std::unique_ptr<AuthorizationCallback>> listen(const Secret& state) override;

 private:
  const Environment& m_env;
  bool m_open_browser;
};

// Whether a browser can be opened here (BROWSER, DISPLAY or WAYLAND_DISPLAY set).
bool can_open_browser(const Environment& env);

// The authorization code flow where a browser here can reach this machine's loopback, else the device code,
// which works from any browser anywhere.
SsoSignInFlow automatic_sign_in_flow(const Environment& env);

// How `kura sso login` asked to sign in; commands that sign in on demand use the defaults.
struct SsoSignInChoice {
  std::optional<SsoSignInFlow> flow;  // --use-device-code; else automatic
  bool no_browser = false;            // --no-browser
};

}  // namespace kura
