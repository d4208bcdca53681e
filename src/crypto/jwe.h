// Decrypting JWE compact tokens with PBES2-HS256+A128KW and A256GCM, the format of aws-vault's file backend.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "util/result.h"
#include "util/secret.h"

namespace kura {

// The payload, or an error: a wrong passphrase and a damaged token both fail authentication.
Result<Secret> jwe_decrypt_pbes2(std::string_view token, std::string_view passphrase);

std::optional<std::string> base64url_decode(std::string_view text);

}  // namespace kura
