// The otpauth:// key URI for TOTP seeds
// (https://github.com/google/google-authenticator/wiki/Key-Uri-Format).
#include "crypto/otpauth.h"

#include "util/sized_text.h"
#include "util/strings.h"

namespace kura {

namespace {

constexpr size_t k_min_seed = 16;
constexpr size_t k_max_seed = 1024;
constexpr size_t k_max_label_part = 256;

bool base32_character(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= '2' && c <= '7');
}

std::string_view without_padding(std::string_view seed) {
  while (!seed.empty() && seed.back() == '=') seed.remove_suffix(1);
  return seed;
}

// RFC 3986 percent-encoding of a label part or query value; '@' is kept as the format's examples keep it
// ("ACME%20Co:john.doe@email.com"), which RFC 3986 allows in both places.
std::string encode_part(std::string_view text) {
  std::string out;
  size_t start = 0;
  for (size_t at = text.find('@'); at != std::string_view::npos; at = text.find('@', start)) {
    out += uri_encode(text.substr(start, at - start)) + '@';
    start = at + 1;
  }
  return out + uri_encode(text.substr(start));
}

Result<void> check_label_part(std::string_view text, const char* what) {
  if (text.empty()) return make_error(std::string("otpauth URI: the ") + what + " is empty");
  if (text.size() > k_max_label_part)
    return make_error(std::string("otpauth URI: the ") + what + " is too long");
  if (text.find(':') != std::string_view::npos) {
    return make_error(
        std::string("otpauth URI: the ") + what + " '" + printable(text, 64) + "' holds a colon",
        "the key URI format separates issuer and account with a colon: neither may hold one");
  }
  return {};
}

}  // namespace

bool is_base32_seed(std::string_view text) {
  if (text.size() > k_max_seed) return false;
  std::string_view seed = without_padding(text);
  if (seed.size() < k_min_seed || text.size() - seed.size() > 6) return false;
  for (char c : seed) {
    if (!base32_character(c)) return false;
  }
  return true;
}

Result<Secret> otpauth_totp_uri(std::string_view issuer, std::string_view account,
                                const Secret& base32_seed) {
  if (auto valid = check_label_part(issuer, "issuer"); !valid) return std::move(valid).error();
  if (auto valid = check_label_part(account, "account name"); !valid) return std::move(valid).error();
  if (!is_base32_seed(base32_seed.view())) {
    return make_error("otpauth URI: the seed is not base32 text (A-Z and 2-7, at least 16 characters)");
  }
  const std::string encoded_issuer = encode_part(issuer);
  const std::string encoded_account = encode_part(account);
  const std::string_view seed = without_padding(base32_seed.view());
  return sized_text([&](TextWriter& w) {
    w.put("otpauth://totp/");
    w.put(encoded_issuer);
    w.put(':');
    w.put(encoded_account);
    w.put("?secret=");
    w.put(seed);
    w.put("&issuer=");
    w.put(encoded_issuer);
  });
}

}  // namespace kura
