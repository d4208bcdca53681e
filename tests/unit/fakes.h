// In-memory fakes for the seams: keystore, clock, prompt, HTTP transport, process runner; and a recorder of
// the static build's hand-over points.
#pragma once

#include <deque>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "aws/http.h"
#include "keyring/keystore.h"
#include "process/runner.h"
#include "prompt/prompt.h"
#include "util/full_build.h"
#include "util/time.h"

namespace kura::testing {

class MemoryKeystore final : public Keystore {
 public:
  std::string name() const override { return "memory"; }
  Result<std::optional<Secret>> get(const std::string& item) override {
    ++gets;
    if (fail) return make_error("memory keystore: injected failure");
    auto it = items.find(item);
    if (it == items.end()) return std::optional<Secret>();
    return std::optional<Secret>(Secret(std::string_view(it->second)));
  }
  Result<void> set(const std::string& item, std::string_view value, Lifetime lifetime) override {
    if (fail) return make_error("memory keystore: injected failure");
    lifetimes[item] = lifetime.seconds;
    items[item] = std::string(value);
    return {};
  }
  Result<bool> remove(const std::string& item) override { return items.erase(item) > 0; }
  Result<std::vector<std::string>> list() override {
    std::vector<std::string> names;
    for (const auto& [name, value] : items) names.push_back(name);
    return names;
  }
  std::map<std::string, std::string> items;
  std::map<std::string, std::optional<std::chrono::seconds>> lifetimes;
  bool fail = false;
  int gets = 0;
};

class FakeClock final : public Clock {
 public:
  explicit FakeClock(TimePoint start = *parse_iso8601("2026-11-22T12:00:00Z")) : m_now(start) {}
  TimePoint now() const override { return m_now; }
  void sleep_for(std::chrono::milliseconds duration) override {
    slept.push_back(duration);
    m_now += duration;
  }
  void advance(Seconds by) { m_now += by; }
  std::vector<std::chrono::milliseconds> slept;

 private:
  TimePoint m_now;
};

class ScriptedPrompt final : public Prompt {
 public:
  Result<std::string> ask_line(std::string_view question) override {
    questions.emplace_back(question);
    if (answers.empty()) return make_error("no terminal (test)");
    std::string answer = answers.front();
    answers.pop_front();
    return answer;
  }
  Result<Secret> ask_secret(std::string_view question) override {
    auto line = ask_line(question);
    if (!line) return line.error();
    return Secret(std::move(*line));
  }
  Result<void> show(std::string_view text) override {
    shown += text;
    return {};
  }
  std::deque<std::string> answers;
  std::vector<std::string> questions;
  std::string shown;
};

class FakeTransport final : public HttpTransport {
 public:
  Result<HttpResponse> send(const HttpRequest& request) override {
    requests.push_back(request);
    if (responses.empty()) return make_error("fake transport: no response queued");
    auto next = std::move(responses.front());
    responses.pop_front();
    return next;
  }
  void reply(long status, std::string body) { responses.emplace_back(HttpResponse{status, std::move(body)}); }
  void drop() { responses.emplace_back(make_error("connection refused")); }
  std::deque<Result<HttpResponse>> responses;
  std::vector<HttpRequest> requests;
};

class RecordingRunner final : public ProcessRunner {
 public:
  Result<void> exec(const std::vector<std::string>& command,
                    const std::vector<std::string>& env_vars) override {
    argv = command;
    environment = env_vars;
    return {};
  }
  Result<int> run(const std::vector<std::string>& command,
                  const std::vector<std::string>& env_vars) override {
    argv = command;
    environment = env_vars;
    return exit_status;
  }
  // Records each call (from any thread) and gives the sink `lines` as the child's stdout.
  Result<int> run_lines(const std::vector<std::string>& command, const std::vector<std::string>& env_vars,
                        const LineSink& sink) override {
    {
      std::lock_guard<std::mutex> lock(mutex);
      calls.push_back({command, env_vars});
    }
    for (const std::string& line : lines) sink(OutputStream::out, line);
    return exit_status;
  }
  struct Call {
    std::vector<std::string> argv;
    std::vector<std::string> environment;
  };
  std::mutex mutex;
  std::vector<Call> calls;
  std::vector<std::string> lines;
  int exit_status = 0;
  std::string env(const std::string& name) const {
    for (const auto& entry : environment) {
      if (entry.rfind(name + "=", 0) == 0) return entry.substr(name.size() + 1);
    }
    return "<unset>";
  }
  std::vector<std::string> argv;
  std::vector<std::string> environment;
};

// Forwarders, so a test fixture keeps ownership of its fakes while AppDeps hands out owning pointers.
struct KeystoreRef final : Keystore {
  explicit KeystoreRef(Keystore& k) : inner(k) {}
  std::string name() const override { return inner.name(); }
  Result<std::optional<Secret>> get(const std::string& i) override { return inner.get(i); }
  Result<void> set(const std::string& i, std::string_view v, Lifetime l) override {
    return inner.set(i, v, l);
  }
  Result<bool> remove(const std::string& i) override { return inner.remove(i); }
  Result<std::vector<std::string>> list() override { return inner.list(); }
  Keystore& inner;
};
struct TransportRef final : HttpTransport {
  explicit TransportRef(HttpTransport& t) : inner(t) {}
  Result<HttpResponse> send(const HttpRequest& r) override { return inner.send(r); }
  HttpTransport& inner;
};

// An STS XML answer carrying credentials, as the real service sends it.
inline std::string sts_credentials_xml(const std::string& action, const std::string& key_id,
                                       const std::string& expiration) {
  return "<" + action + "Response xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><" + action +
         "Result><Credentials><AccessKeyId>" + key_id + "</AccessKeyId><SecretAccessKey>secret-" + key_id +
         "</SecretAccessKey><SessionToken>token-" + key_id + "</SessionToken><Expiration>" + expiration +
         "</Expiration></Credentials></" + action + "Result></" + action + "Response>";
}

// GetCallerIdentity's answer for an IAM user.
inline std::string sts_caller_identity_xml(const std::string& account, const std::string& user) {
  return "<GetCallerIdentityResponse "
         "xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><GetCallerIdentityResult>"
         "<Arn>arn:aws:iam::" +
         account + ":user/" + user + "</Arn><UserId>AIDA" + user + "</UserId><Account>" + account +
         "</Account></GetCallerIdentityResult></GetCallerIdentityResponse>";
}

// STS's answer to a key it does not know.
inline std::string sts_invalid_key_xml() {
  return "<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><Error><Type>Sender</Type>"
         "<Code>InvalidClientTokenId</Code><Message>The security token included in the request is invalid."
         "</Message></Error><RequestId>r</RequestId></ErrorResponse>";
}

// In place of the static build's hand-over (util/full_build.h), for its lifetime: each point where a run
// would have been handed to kura-full is recorded in `reasons()`, and the run goes on as in the full build.
class HandOverRecorder {
 public:
  HandOverRecorder() {
    reasons().clear();
    set_full_build_handler([](std::string_view why) { reasons().emplace_back(why); });
  }
  ~HandOverRecorder() { set_full_build_handler(nullptr); }
  HandOverRecorder(const HandOverRecorder&) = delete;
  HandOverRecorder& operator=(const HandOverRecorder&) = delete;
  static std::vector<std::string>& reasons() {
    static std::vector<std::string> recorded;
    return recorded;
  }
};

}  // namespace kura::testing
