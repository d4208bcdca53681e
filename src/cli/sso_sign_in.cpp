// The sign-in's browser side (sso_sign_in.h).
#include "cli/sso_sign_in.h"

#include "cli/browser.h"
#include "server/oauth_callback.h"
#include "util/log.h"

namespace kura {

namespace {

class LoopbackCallback final : public AuthorizationCallback {
 public:
  Result<void> start(const Secret& state) { return m_listener.start(state.clone()); }
  std::string redirect_uri() const override { return m_listener.redirect_uri(); }
  Result<Secret> wait(std::chrono::milliseconds timeout) override { return m_listener.wait(timeout); }

 private:
  OAuthCallbackListener m_listener;
};

}  // namespace

Result<void> BrowserSignIn::show(const std::string& url, const std::optional<std::string>& user_code) {
  if (!m_open_browser) {
    log_note("To sign in to IAM Identity Center, open this URL in a browser:\n  " + url);
  } else {
    log_note("Opening the IAM Identity Center sign-in page in your browser. If it does not open, visit:\n  " +
             url);
    if (auto launched = launch(default_browser(m_env, url), m_env); !launched) {
      log_warning(launched.error().message);
    }
  }
  if (user_code) log_note("and confirm that the page shows the code " + *user_code);
  return {};
}

Result<std::unique_ptr<AuthorizationCallback>> BrowserSignIn::listen(const Secret& state) {
  auto callback = std::make_unique<LoopbackCallback>();
  if (auto started = callback->start(state); !started) return started.error();
  return std::unique_ptr<AuthorizationCallback>(std::move(callback));
}

bool can_open_browser(const Environment& env) {
  for (const char* name : {"BROWSER", "DISPLAY", "WAYLAND_DISPLAY"}) {
    auto value = env.get(name);
    if (value && !value->empty()) return true;
  }
  return false;
}

SsoSignInFlow automatic_sign_in_flow(const Environment& env) {
  return can_open_browser(env) ? SsoSignInFlow::authorization_code : SsoSignInFlow::device_code;
}

}  // namespace kura
