// libcurl transport and the retry decorator.
#include "aws/http.h"

#include <curl/curl.h>

#include <algorithm>
#include <mutex>

#include "util/dynamic_library.h"
#include "util/full_build.h"
#include "util/log.h"
#include "util/secret.h"

namespace kura {

HttpOptions HttpOptions::from_environment(const Environment& env,
                                          const std::optional<std::string>& profile_ca_bundle) {
  HttpOptions options;
  options.ca_bundle = env.get("AWS_CA_BUNDLE");
  if (!options.ca_bundle) options.ca_bundle = profile_ca_bundle;
  options.proxy = env.get("HTTPS_PROXY");
  if (!options.proxy) options.proxy = env.get("https_proxy");
  options.http_proxy = env.get("HTTP_PROXY");
  if (!options.http_proxy) options.http_proxy = env.get("http_proxy");
  options.no_proxy = env.get("NO_PROXY");
  if (!options.no_proxy) options.no_proxy = env.get("no_proxy");
  return options;
}

namespace {

constexpr size_t k_max_body = size_t{64} * 1024;  // STS answers are a few KiB; refuse to buffer a flood

struct BodySink {
  std::string* body;
  bool too_large = false;
};

size_t append_body(char* data, size_t size, size_t count, void* user) {
  auto* sink = static_cast<BodySink*>(user);
  if (sink->body->size() + size * count > k_max_body) {
    sink->too_large = true;
    return 0;  // makes curl stop with a write error, reported below as what it is
  }
  sink->body->append(data, size * count);
  return size * count;
}

// libcurl, loaded on first use. Linking it would load ~30 libraries (gnutls, krb5, ldap, p11-kit) and run
// their constructors in every kura process: ~11 ms, most of a cache hit's budget, for a run that makes no
// HTTP call.
struct Curl {
  decltype(&curl_global_init) global_init = nullptr;
  decltype(&curl_easy_init) easy_init = nullptr;
  decltype(&curl_easy_setopt) easy_setopt = nullptr;
  decltype(&curl_easy_perform) easy_perform = nullptr;
  decltype(&curl_easy_getinfo) easy_getinfo = nullptr;
  decltype(&curl_easy_cleanup) easy_cleanup = nullptr;
  decltype(&curl_easy_strerror) easy_strerror = nullptr;
  decltype(&curl_slist_append) slist_append = nullptr;
  decltype(&curl_slist_free_all) slist_free_all = nullptr;

  static Result<const Curl*> load() {
    static Curl curl;
    static std::string failure;
    static std::once_flag once;
    std::call_once(once, [] {
      DynamicLibrary lib("libcurl.so.4");
      lib.bind(curl.global_init, "curl_global_init");
      lib.bind(curl.easy_init, "curl_easy_init");
      lib.bind(curl.easy_setopt, "curl_easy_setopt");
      lib.bind(curl.easy_perform, "curl_easy_perform");
      lib.bind(curl.easy_getinfo, "curl_easy_getinfo");
      lib.bind(curl.easy_cleanup, "curl_easy_cleanup");
      lib.bind(curl.easy_strerror, "curl_easy_strerror");
      lib.bind(curl.slist_append, "curl_slist_append");
      lib.bind(curl.slist_free_all, "curl_slist_free_all");
      failure = lib.failure();
      if (failure.empty()) curl.global_init(CURL_GLOBAL_DEFAULT);
    });
    if (!failure.empty()) {
      return make_error("cannot load libcurl: " + failure, "install it: apt-get install libcurl4");
    }
    return &curl;
  }
};

class CurlTransport final : public HttpTransport {
 public:
  explicit CurlTransport(HttpOptions options) : m_options(std::move(options)) {}

  Result<HttpResponse> send(const HttpRequest& request) override {
    auto lib = Curl::load();
    if (!lib) return lib.error();
    const Curl& c = **lib;
    CURL* curl = c.easy_init();
    if (!curl) return make_error("cannot initialise libcurl");
    HttpResponse response;
    response.body.reserve(k_max_body);  // credentials arrive here: no reallocation, so no stray unwiped copy
    curl_slist* headers = nullptr;
    for (const auto& [name, value] : request.headers) {
      if (name == "Host" || name == "host") continue;  // curl derives Host from the URL
      headers = c.slist_append(headers, (name + ": " + value).c_str());
    }
    headers = c.slist_append(headers, "Expect:");
    c.easy_setopt(curl, CURLOPT_URL, request.url.c_str());
    c.easy_setopt(curl, CURLOPT_CUSTOMREQUEST, request.method.c_str());
    if (request.method == "POST") {
      c.easy_setopt(curl, CURLOPT_POSTFIELDS, request.body.data());
      c.easy_setopt(curl, CURLOPT_POSTFIELDSIZE, static_cast<long>(request.body.size()));
    }
    c.easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
    c.easy_setopt(curl, CURLOPT_WRITEFUNCTION, append_body);
    BodySink sink{&response.body};
    c.easy_setopt(curl, CURLOPT_WRITEDATA, &sink);
    c.easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(m_options.connect_timeout.count()));
    c.easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(m_options.total_timeout.count()));
    c.easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    c.easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
    c.easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
    if (m_options.ca_bundle) c.easy_setopt(curl, CURLOPT_CAINFO, m_options.ca_bundle->c_str());
    // Set explicitly so HTTPS_PROXY in capitals and NO_PROXY behave as in the AWS CLI, whatever curl's
    // defaults.
    const auto& proxy = request.url.rfind("https://", 0) == 0 ? m_options.proxy : m_options.http_proxy;
    c.easy_setopt(curl, CURLOPT_PROXY, proxy ? proxy->c_str() : "");
    if (m_options.no_proxy) c.easy_setopt(curl, CURLOPT_NOPROXY, m_options.no_proxy->c_str());
    char error_buffer[CURL_ERROR_SIZE] = {0};
    c.easy_setopt(curl, CURLOPT_ERRORBUFFER, error_buffer);

    CURLcode code = c.easy_perform(curl);
    if (code == CURLE_OK) c.easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &response.status);
    c.slist_free_all(headers);
    c.easy_cleanup(curl);
    if (sink.too_large) {
      wipe_string(response.body);
      return make_error("the response from " + request.url + " is larger than " +
                            std::to_string(k_max_body / 1024) + " KiB; kura refused it",
                        "check the endpoint (AWS_ENDPOINT_URL_STS, a proxy): STS answers are a few KiB");
    }
    if (code != CURLE_OK) {
      std::string detail = error_buffer[0] ? error_buffer : c.easy_strerror(code);
      return make_error("cannot reach " + request.url + ": " + detail,
                        "check the network, HTTPS_PROXY/NO_PROXY, and the endpoint (AWS_ENDPOINT_URL_STS)");
    }
    return response;
  }

 private:
  HttpOptions m_options;
};

}  // namespace

std::unique_ptr<HttpTransport> make_curl_transport(HttpOptions options) {
  need_full_build("a request");  // before anything is sent or asked: libcurl is the full build's
  return std::make_unique<CurlTransport>(std::move(options));
}

RetryingTransport::RetryingTransport(HttpTransport& inner, Clock& clock, int max_attempts,
                                     std::chrono::milliseconds base_delay,
                                     std::chrono::milliseconds max_delay)
    : m_inner(inner),
      m_clock(clock),
      m_max_attempts(max_attempts),
      m_base_delay(base_delay),
      m_max_delay(max_delay),
      m_random(std::random_device{}()) {}

bool RetryingTransport::is_retryable(const HttpResponse& response) {
  if (response.status >= 500 || response.status == 429) return true;
  if (response.status == 400) {
    for (const char* code : {"<Code>Throttling</Code>", "<Code>ThrottlingException</Code>",
                             "<Code>RequestLimitExceeded</Code>", "<Code>TooManyRequestsException</Code>"}) {
      if (response.body.find(code) != std::string::npos) return true;
    }
  }
  return false;
}

Result<HttpResponse> RetryingTransport::send(const HttpRequest& request) {
  for (int attempt = 1;; ++attempt) {
    auto response = m_inner.send(request);
    bool retry = !response || is_retryable(*response);
    if (!retry || attempt >= m_max_attempts) return response;
    // Full jitter: a random delay up to base * 2^(attempt-1), capped.
    long long ceiling =
        std::min<long long>(m_max_delay.count(), m_base_delay.count() * (1LL << (attempt - 1)));
    std::uniform_int_distribution<long long> pick(0, ceiling);
    auto delay = std::chrono::milliseconds(pick(m_random));
    log_debug("http: attempt " + std::to_string(attempt) + " failed (" +
              (response ? "status " + std::to_string(response->status) : response.error().message) +
              "), retrying in " + std::to_string(delay.count()) + " ms");
    m_clock.sleep_for(delay);
  }
}

}  // namespace kura
