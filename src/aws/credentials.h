// Credentials: an access key with its secret and, for temporary ones, a session token and expiry.
#pragma once

#include <optional>
#include <string>

#include "util/secret.h"
#include "util/time.h"

namespace kura {

struct Credentials {
  std::string access_key_id;
  Secret secret_access_key;
  Secret session_token;                 // empty for long-term keys
  std::optional<TimePoint> expiration;  // empty for long-term keys

  Credentials clone() const {
    return Credentials{access_key_id, secret_access_key.clone(), session_token.clone(), expiration};
  }
};

}  // namespace kura
