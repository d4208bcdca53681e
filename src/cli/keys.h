// A long-term key's checks, shared by `add`, `rotate` and `mfa enroll`: whether AWS accepts it
// (GetCallerIdentity), and where a profile's key lives.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "aws/iam.h"
#include "aws/sts.h"
#include "cli/context.h"
#include "creds/store_items.h"

namespace kura {

struct KeyCheck {
  enum class Outcome { accepted, rejected, unreachable };
  Outcome outcome = Outcome::unreachable;
  CallerIdentity identity;  // accepted
  Error error;              // rejected: what AWS said; unreachable: why there was no answer
};

// GetCallerIdentity with `key` at the profile's STS endpoint. `patience`: how long a key AWS does not know
// yet is asked about again (IAM is eventually consistent: a new key may take seconds to work everywhere),
// with growing pauses; zero asks once.
KeyCheck check_key(Context& context, const Profile& profile, const Credentials& key,
                   std::chrono::milliseconds patience = std::chrono::milliseconds(0));

// `identity` as KeyIdentity for the store.
KeyIdentity identity_of(const CallerIdentity& identity);

// Where a profile's long-term key lives: kura's store, or a plaintext section of ~/.aws/credentials
// (aws-mfa's
// `[NAME-long-term]`, or `[NAME]` itself).
struct KeyHome {
  enum class Kind { store, file };
  Kind kind = Kind::store;
  std::string name;  // the store's profile name, or the credentials file's section
  Credentials key;
  std::string describe() const;  // "kura's file store" / "[dev-long-term] in ~/.aws/credentials"
};

// A section of the credentials file holding a long-term key: an id and a secret, and no session token
// (temporary credentials are neither imported nor rotated).
bool holds_long_term_key(const IniSection& section);

// The key of `profile`: stored under its name, else [NAME-long-term], else [NAME] with a long-term key in the
// credentials file, else stored under NAME-long-term (`kura mfa --setup`).
Result<KeyHome> find_key_home(Context& context, const std::string& profile);

// Puts `key` where `home` says (the store, or the credentials file with the lossless editor, other lines
// untouched) and reads it back; `identity` is recorded with a stored key.
Result<void> put_key(Context& context, const KeyHome& home, const Credentials& key,
                     const std::optional<KeyIdentity>& identity);

// The credentials IAM calls are made with: with an MFA device and no --no-session, a short GetSessionToken
// session with a code (IAM refuses session credentials made without MFA); else the long-term key itself.
struct IamCallerFlags {
  std::optional<std::string> mfa_token;  // -t
  bool no_session = false;               // -n
};
Result<Credentials> iam_caller(Context& context, const Profile& profile, const KeyHome& home,
                               const IamCallerFlags& flags);

// An IAM client for the profile's partition (or configured endpoint), owning its transport and retries.
class IamAccess {
 public:
  static Result<std::unique_ptr<IamAccess>> open(Context& context, const Profile& profile);
  IamClient& client() { return m_client; }

 private:
  IamAccess(std::unique_ptr<HttpTransport> transport, Clock& clock, IamEndpoint endpoint)
      : m_transport(std::move(transport), clock), m_client(m_transport, clock, std::move(endpoint)) {}
  OwningRetryingTransport m_transport;
  IamClient m_client;
};

}  // namespace kura
