// The OAuth loopback callback: reading a redirect's query, and the one-shot listener that waits for it.
#include "server/oauth_callback.h"

#include <algorithm>
#include <utility>

#include "crypto/sodium.h"
#include "util/log.h"
#include "util/strings.h"
#include "util/time.h"

namespace kura {

namespace {

constexpr std::string_view k_callback_path = "/oauth/callback";
constexpr size_t k_max_error_bytes = 64;
constexpr size_t k_max_description_bytes = 300;

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// application/x-www-form-urlencoded decoding, strict: '+' is a space, "%XX" a byte, and any other '%' makes
// the whole text unreadable (util's uri_decode keeps such a '%' as it is, which would let "%zz" in a state
// stand for itself). Into a Secret, since the text may be the code or the state.
std::optional<Secret> form_decode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%') {
      const int hi = i + 2 < text.size() ? hex_value(text[i + 1]) : -1;
      const int lo = hi >= 0 ? hex_value(text[i + 2]) : -1;
      if (lo < 0) {
        wipe_string(out);
        return std::nullopt;
      }
      out += static_cast<char>(hi * 16 + lo);
      i += 2;
    } else {
      out += text[i] == '+' ? ' ' : text[i];
    }
  }
  return Secret(std::move(out));
}

// RFC 6749 appendix A.11: code = 1*VSCHAR.
bool is_vschar_text(std::string_view text) {
  return !text.empty() &&
         std::all_of(text.begin(), text.end(), [](char c) { return c >= '\x20' && c <= '\x7e'; });
}

struct Parameter {
  bool seen = false;
  std::optional<Secret> value;  // empty when seen but badly escaped
};

// The parameters a callback may carry; others are ignored.
struct CallbackQuery {
  Parameter code;
  Parameter state;
  Parameter error;
  Parameter error_description;

  Parameter* slot(std::string_view name) {
    if (name == "code") return &code;
    if (name == "state") return &state;
    if (name == "error") return &error;
    if (name == "error_description") return &error_description;
    return nullptr;
  }
};

std::string html_escape(std::string_view text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

// A page for the browser. The URL that brought it carries the code, so: not cached, no referrer sent onwards,
// and nothing loaded or run (no scripts, styles, frames or forms).
HttpServerResponse page(int status, std::string_view title, std::string_view message_html) {
  std::string body = "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>kura: ";
  body += title;
  body += "</title></head>\n<body><h1>";
  body += title;
  body += "</h1>\n<p>";
  body += message_html;
  body += "</p></body></html>\n";
  return {status,
          std::move(body),
          "text/html; charset=utf-8",
          {{"Cache-Control", "no-store"},
           {"Pragma", "no-cache"},
           {"Content-Security-Policy",
            "default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"},
           {"Referrer-Policy", "no-referrer"},
           {"X-Content-Type-Options", "nosniff"},
           {"X-Frame-Options", "DENY"}}};
}

// "access_denied: the user said no", or as much of it as the provider gave.
std::string refusal_of(const OAuthCallbackResult& result) {
  std::string text = result.error;
  if (!result.error_description.empty()) text += (text.empty() ? "" : ": ") + result.error_description;
  return text;
}

HttpServerResponse page_for(const OAuthCallbackResult& result) {
  switch (result.kind) {
    case OAuthCallbackResult::Kind::code:
      return page(200, "Signed in",
                  "The sign-in has finished. You can close this tab and go back to the terminal.");
    case OAuthCallbackResult::Kind::error: {
      const std::string refusal = refusal_of(result);
      return page(200, "Sign-in refused",
                  "The sign-in was refused" + (refusal.empty() ? "" : ": " + html_escape(refusal)) +
                      ". You can close this tab; the terminal says what happens next.");
    }
    case OAuthCallbackResult::Kind::malformed:
      return page(400, "Sign-in failed",
                  "The sign-in came back with neither a code nor an error. You can close this tab and start "
                  "again from the terminal.");
    case OAuthCallbackResult::Kind::wrong_state:
      return page(400, "Not this sign-in",
                  "This is not the sign-in kura is waiting for. If a sign-in started in a terminal does not "
                  "finish, start it again there.");
    case OAuthCallbackResult::Kind::not_callback:
      break;
  }
  return page(404, "Not found", "Nothing here.");
}

}  // namespace

OAuthCallbackResult read_oauth_callback(std::string_view method, std::string_view target,
                                        const Secret& expected_state) {
  OAuthCallbackResult result;
  const size_t question = target.find('?');
  if (method != "GET" || target.substr(0, question) != k_callback_path) return result;
  result.kind = OAuthCallbackResult::Kind::wrong_state;
  if (question == std::string_view::npos) return result;

  CallbackQuery query;
  std::string_view rest = target.substr(question + 1);
  while (true) {
    const size_t amp = rest.find('&');
    const std::string_view pair = rest.substr(0, amp);
    const size_t equals = pair.find('=');
    const std::optional<Secret> name = form_decode(pair.substr(0, equals));
    Parameter* slot = name ? query.slot(name->view()) : nullptr;
    if (slot && !slot->seen) {
      slot->seen = true;
      slot->value =
          form_decode(equals == std::string_view::npos ? std::string_view() : pair.substr(equals + 1));
    }
    if (amp == std::string_view::npos) break;
    rest.remove_prefix(amp + 1);
  }
  if (!query.state.value || expected_state.empty() ||
      !constant_time_equals(query.state.value->view(), expected_state.view())) {
    return result;
  }
  if (query.error.seen) {
    // Any mention of an error is a refusal, even beside a code: RFC 6749 4.1.2.1 sends one or the other.
    result.kind = OAuthCallbackResult::Kind::error;
    if (query.error.value) result.error = printable(query.error.value->view(), k_max_error_bytes);
    if (query.error_description.value) {
      result.error_description = printable(query.error_description.value->view(), k_max_description_bytes);
    }
  } else if (query.code.value && is_vschar_text(query.code.value->view())) {
    result.kind = OAuthCallbackResult::Kind::code;
    result.code = std::move(*query.code.value);
  } else {
    result.kind = OAuthCallbackResult::Kind::malformed;
  }
  return result;
}

OAuthCallbackListener::~OAuthCallbackListener() {
  stop();
}

Result<void> OAuthCallbackListener::start(Secret state) {
  if (m_running) return make_error("the sign-in callback listener is already running");
  if (state.empty()) return make_error("the sign-in callback listener needs a state to wait for");
  // A fresh record per run: nothing from an earlier one can answer this one.
  m_shared = std::make_shared<Shared>();
  m_shared->state = std::move(state);
  auto handler = [shared = m_shared, server = &m_server](const HttpServerRequest& request) {
    // The server thread starts after the port is bound, so port() is settled here.
    auto host = request.headers.find("host");
    if (host == request.headers.end() || !host_is_loopback(host->second, server->port())) {
      return page(403, "Forbidden", "This address is only for the browser kura opened.");
    }
    OAuthCallbackResult result = read_oauth_callback(request.method, request.path, shared->state);
    if (result.kind == OAuthCallbackResult::Kind::wrong_state) {
      log_debug("oauth callback: a request with another state was ignored");
    }
    if (result.kind == OAuthCallbackResult::Kind::wrong_state ||
        result.kind == OAuthCallbackResult::Kind::not_callback) {
      return page_for(result);
    }
    HttpServerResponse response = page_for(result);
    std::lock_guard<std::mutex> lock(shared->mutex);
    if (shared->result) {
      return page(200, "Already signed in",
                  "This sign-in has already finished. You can close this tab and go back to the terminal.");
    }
    shared->result = std::move(result);
    shared->done.notify_all();
    return response;
  };
  if (auto started = m_server.start(std::move(handler)); !started) {
    return std::move(started).error().context("sign-in callback listener");
  }
  m_running = true;
  return {};
}

std::string OAuthCallbackListener::redirect_uri() const {
  return "http://127.0.0.1:" + std::to_string(m_server.port()) + std::string(k_callback_path);
}

Result<Secret> OAuthCallbackListener::wait(std::chrono::milliseconds timeout) {
  if (!m_running) return make_error("the sign-in callback listener is not running");
  std::unique_lock<std::mutex> lock(m_shared->mutex);
  if (!m_shared->done.wait_for(lock, timeout, [this] { return m_shared->result.has_value(); })) {
    return make_error(
        "no answer from the browser within " + format_duration(std::chrono::ceil<Seconds>(timeout)),
        "run the login again, and finish it in the browser it opens");
  }
  OAuthCallbackResult& result = *m_shared->result;
  switch (result.kind) {
    case OAuthCallbackResult::Kind::code:
      if (result.code.empty()) return make_error("the sign-in code was already taken");
      return std::move(result.code);
    case OAuthCallbackResult::Kind::error: {
      const std::string refusal = refusal_of(result);
      return make_error("the sign-in was refused" + (refusal.empty() ? "" : ": " + refusal));
    }
    default:
      return make_error("the browser came back from the sign-in with neither a code nor an error");
  }
}

void OAuthCallbackListener::stop() {
  m_server.stop();
  m_running = false;
}

}  // namespace kura
