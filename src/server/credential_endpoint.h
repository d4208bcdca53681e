// Local credential endpoints: the ECS container-credentials protocol and IMDSv2, answering from credentials
// that RenewingCredentials keeps fresh.
#pragma once

#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "aws/credentials.h"
#include "server/http_server.h"
#include "server/renewing_credentials.h"
#include "util/secret.h"
#include "util/time.h"

namespace kura {

// Credentials for other roles, assumed with the served credentials: the ECS endpoint's /role-arn/<arn> route,
// only when enabled. Each role's session is cached until shortly before it expires.
class RoleArnAssumer {
 public:
  using Assume = std::function<Result<Credentials>(const std::string& role_arn, const Credentials& caller)>;
  RoleArnAssumer(Assume assume, Seconds refresh_window, const Clock& clock)
      : m_assume(std::move(assume)), m_window(refresh_window), m_clock(clock) {}
  // The ECS JSON for the role, or an error response.
  HttpServerResponse respond(const std::string& role_arn, const RenewingCredentials& served);

 private:
  Assume m_assume;
  Seconds m_window;
  const Clock& m_clock;
  std::mutex m_mutex;
  static constexpr size_t k_max_cached_roles = 64;
  std::map<std::string, Credentials> m_cache;
};

// The ECS handler: GET / (or /role-arn/<arn> when `roles` is given) with the exact token (compared in
// constant time) and a loopback Host; 403 otherwise.
HttpServerResponse handle_ecs(const HttpServerRequest& request, const std::string& token, uint16_t port,
                              const RenewingCredentials& credentials, RoleArnAssumer* roles = nullptr);

// IMDS: IMDSv2 session tokens (PUT /latest/api/token), then credentials under iam/security-credentials/,
// iam/info, the instance identity document and placement/region. IMDSv1 (no token) only when allowed.
//
// Tokens are stateless: hex(8-byte big-endian expiry in unix seconds || a 24-byte BLAKE2b MAC of it under a
// random key made when the endpoint starts), 64 characters. Checking one recomputes the MAC, so there is no
// table for a client to fill and no token of one client that another can push out. Two requests for the same
// expiry get the same token; that gives nothing away, since anyone who may connect may ask for one.
class ImdsEndpoint {
 public:
  ImdsEndpoint(const RenewingCredentials& credentials, std::string profile, std::string region, bool allow_v1,
               const Clock& clock);
  HttpServerResponse handle(const HttpServerRequest& request, uint16_t port) const;

 private:
  std::string token_expiring_at(uint64_t expiry) const;
  bool token_valid(std::string_view token) const;
  const RenewingCredentials& m_credentials;
  std::string m_profile;
  std::string m_region;
  bool m_allow_v1;
  const Clock& m_clock;
  Secret m_token_key;
};

// 256 random bits, hex.
std::string new_endpoint_token();

}  // namespace kura
