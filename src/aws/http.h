// HTTP: the transport seam, libcurl behind it, and a retrying decorator with jittered backoff.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <random>
#include <string>

#include "aws/sigv4.h"
#include "util/env.h"
#include "util/result.h"
#include "util/time.h"

namespace kura {

struct HttpRequest {
  std::string method = "POST";
  std::string url;
  HeaderList headers;
  std::string body;
};

struct HttpResponse {
  long status = 0;
  std::string body;
};

// The seam: the real transport is libcurl; unit tests use a fake. An Error means no HTTP answer at all.
struct HttpTransport {
  virtual ~HttpTransport() = default;
  virtual Result<HttpResponse> send(const HttpRequest& request) = 0;
};

struct HttpOptions {
  std::chrono::milliseconds connect_timeout{5000};
  std::chrono::milliseconds total_timeout{30000};
  std::optional<std::string> ca_bundle;   // AWS_CA_BUNDLE or ca_bundle
  std::optional<std::string> proxy;       // HTTPS_PROXY / https_proxy, for https:// URLs
  std::optional<std::string> http_proxy;  // HTTP_PROXY / http_proxy, for http:// URLs (local endpoints)
  std::optional<std::string> no_proxy;    // NO_PROXY / no_proxy

  static HttpOptions from_environment(const Environment& env,
                                      const std::optional<std::string>& profile_ca_bundle);
};

std::unique_ptr<HttpTransport> make_curl_transport(HttpOptions options);

// Retries connection errors, 5xx and throttling (429, or a 400 whose code says throttling); never other 4xx.
class RetryingTransport final : public HttpTransport {
 public:
  RetryingTransport(HttpTransport& inner, Clock& clock, int max_attempts = 3,
                    std::chrono::milliseconds base_delay = std::chrono::milliseconds(200),
                    std::chrono::milliseconds max_delay = std::chrono::milliseconds(5000));
  Result<HttpResponse> send(const HttpRequest& request) override;

  static bool is_retryable(const HttpResponse& response);

 private:
  HttpTransport& m_inner;
  Clock& m_clock;
  int m_max_attempts;
  std::chrono::milliseconds m_base_delay;
  std::chrono::milliseconds m_max_delay;
  std::mt19937_64 m_random;
};

// A RetryingTransport that owns the transport it wraps (for callers that make one per use).
class OwningRetryingTransport final : public HttpTransport {
 public:
  OwningRetryingTransport(std::unique_ptr<HttpTransport> inner, Clock& clock)
      : m_inner(std::move(inner)), m_retrying(*m_inner, clock) {}
  Result<HttpResponse> send(const HttpRequest& request) override { return m_retrying.send(request); }

 private:
  std::unique_ptr<HttpTransport> m_inner;
  RetryingTransport m_retrying;
};

}  // namespace kura
