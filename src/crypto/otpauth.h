// TOTP seeds as authenticator apps take them: base32 text and the otpauth:// key URI (Google Authenticator's
// Key Uri Format), built without leaving a copy of the seed in freed memory.
#pragma once

#include <string_view>

#include "util/result.h"
#include "util/secret.h"

namespace kura {

// RFC 4648 base32 as authenticator apps take it: A-Z and 2-7, '=' padding only at the end, at least 16
// characters (80 bits, RFC 4226's minimum seed).
bool is_base32_seed(std::string_view text);

// otpauth://totp/ISSUER:ACCOUNT?secret=SEED&issuer=ISSUER, issuer and account percent-encoded (RFC 3986;
// spaces as %20, '@' kept), the seed without its '=' padding. An error, which never shows the seed, when the
// seed is not base32 or the issuer or account is empty or holds a colon (the format forbids it there).
Result<Secret> otpauth_totp_uri(std::string_view issuer, std::string_view account, const Secret& base32_seed);

}  // namespace kura
