// SigV4: a pure signing function (no I/O, no clock) checked against AWS's own known-answer suite.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "util/time.h"

namespace kura {

using HeaderList = std::vector<std::pair<std::string, std::string>>;

struct SignableRequest {
  std::string method;
  std::string path = "/";                                  // raw (not percent-encoded)
  std::vector<std::pair<std::string, std::string>> query;  // raw (decoded) name/value pairs
  HeaderList headers;                                      // must include Host
  std::string body;
};

struct SigningParams {
  std::string_view access_key_id;
  std::string_view secret_access_key;
  std::string_view session_token;  // empty for long-term keys
  std::string region;
  std::string service;
  TimePoint time;
  bool normalize_path = true;       // false for S3-style paths
  bool add_content_sha256 = false;  // x-amz-content-sha256 header
  bool sign_session_token = true;   // false: token header added after signing
};

struct Signature {
  std::string canonical_request;
  std::string string_to_sign;
  std::string signature;  // hex
};

// Adds X-Amz-Date, X-Amz-Security-Token, x-amz-content-sha256 as asked, and Authorization to the request.
Signature sign_request(SignableRequest& request, const SigningParams& params);

// Removes "." and ".." segments and collapses repeated slashes, keeping a trailing slash.
std::string normalize_path(std::string_view path);

}  // namespace kura
