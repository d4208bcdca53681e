// SigV4 header signing, following the published canonical request rules.
#include "aws/sigv4.h"

#include <algorithm>
#include <map>

#include "crypto/hash.h"
#include "util/secret.h"
#include "util/strings.h"

namespace kura {

std::string normalize_path(std::string_view path) {
  std::vector<std::string> out;
  for (const std::string& segment : split(path, '/')) {
    if (segment.empty() || segment == ".") continue;
    if (segment == "..") {
      if (!out.empty()) out.pop_back();
      continue;
    }
    out.push_back(segment);
  }
  std::string result = "/" + join(out, "/");
  bool trailing = !path.empty() && path.back() == '/';
  if (trailing && result.size() > 1) result += '/';
  return result;
}

namespace {

// Trims, collapses runs of spaces, and folds multi-line values into one line.
std::string canonical_header_value(std::string_view value) {
  std::string out;
  bool in_space = false;
  for (char c : trim(value)) {
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      in_space = true;
      continue;
    }
    if (in_space && !out.empty()) out += ' ';
    in_space = false;
    out += c;
  }
  return out;
}

// HMAC(HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), service), "aws4_request"), string to sign). Every
// intermediate is a key derived from the secret: each is wiped before its memory is given back.
std::string signing_mac(const SigningParams& params, const std::string& date,
                        std::string_view string_to_sign) {
  std::string seed;
  seed.reserve(4 + params.secret_access_key.size());
  seed.append("AWS4").append(params.secret_access_key);
  std::string key = hmac_sha256(seed, date);
  wipe_string(seed);
  for (std::string_view part : {std::string_view(params.region), std::string_view(params.service),
                                std::string_view("aws4_request")}) {
    std::string next = hmac_sha256(key, part);
    wipe_string(key);
    key = std::move(next);
  }
  std::string mac = hmac_sha256(key, string_to_sign);
  wipe_string(key);
  return mac;
}

}  // namespace

Signature sign_request(SignableRequest& request, const SigningParams& params) {
  const std::string amz_date = format_amz_date(params.time);
  const std::string date = amz_date.substr(0, 8);
  const std::string payload_hash = sha256_hex(request.body);

  request.headers.emplace_back("X-Amz-Date", amz_date);
  if (params.add_content_sha256) request.headers.emplace_back("x-amz-content-sha256", payload_hash);
  if (!params.session_token.empty() && params.sign_session_token) {
    request.headers.emplace_back("X-Amz-Security-Token", std::string(params.session_token));
  }

  // Canonical headers: lowercase names, sorted, duplicate names joined with commas.
  std::map<std::string, std::string> headers;
  for (const auto& [name, value] : request.headers) {
    std::string key = to_lower(trim(name));
    std::string canonical = canonical_header_value(value);
    auto [it, inserted] = headers.emplace(key, canonical);
    if (!inserted) it->second += "," + canonical;
  }
  std::string canonical_headers;
  std::vector<std::string> names;
  for (const auto& [name, value] : headers) {
    canonical_headers += name + ":" + value + "\n";
    names.push_back(name);
  }
  const std::string signed_headers = join(names, ";");

  std::vector<std::pair<std::string, std::string>> query;
  for (const auto& [name, value] : request.query) query.emplace_back(uri_encode(name), uri_encode(value));
  std::sort(query.begin(), query.end());
  std::string canonical_query;
  for (const auto& [name, value] : query) {
    if (!canonical_query.empty()) canonical_query += '&';
    canonical_query += name + "=" + value;
  }

  std::string path = params.normalize_path ? normalize_path(request.path) : request.path;
  Signature result;
  result.canonical_request = request.method + "\n" + uri_encode(path, true) + "\n" + canonical_query + "\n" +
                             canonical_headers + "\n" + signed_headers + "\n" + payload_hash;

  const std::string scope = date + "/" + params.region + "/" + params.service + "/aws4_request";
  result.string_to_sign =
      "AWS4-HMAC-SHA256\n" + amz_date + "\n" + scope + "\n" + sha256_hex(result.canonical_request);

  result.signature = hex_encode(signing_mac(params, date, result.string_to_sign));

  if (!params.session_token.empty() && !params.sign_session_token) {
    request.headers.emplace_back("X-Amz-Security-Token", std::string(params.session_token));
  }
  request.headers.emplace_back(
      "Authorization", "AWS4-HMAC-SHA256 Credential=" + std::string(params.access_key_id) + "/" + scope +
                           ", SignedHeaders=" + signed_headers + ", Signature=" + result.signature);
  return result;
}

}  // namespace kura
