// Endpoint rules for STS: region precedence, partitions, regional vs legacy global, configured endpoint URLs.
#pragma once

#include <optional>
#include <string>

#include "config/profiles.h"
#include "util/env.h"

namespace kura {

struct StsEndpoint {
  std::string url;             // "https://sts.eu-west-1.amazonaws.com"
  std::string signing_region;  // "eu-west-1"
  std::string partition;       // "aws", "aws-cn", "aws-us-gov"
};

// --region, then AWS_REGION, AWS_DEFAULT_REGION, the profile's region, and us-east-1 when nothing is set.
std::string resolve_region(const std::optional<std::string>& flag, const Profile& profile,
                           const Environment& env);

std::string partition_of_region(const std::string& region);

// AWS_ENDPOINT_URL_STS, AWS_ENDPOINT_URL, the profile's services/endpoint_url (unless ignored), else the
// partition's regional endpoint (or the legacy global one when sts_regional_endpoints = legacy).
StsEndpoint resolve_sts_endpoint(const std::string& region, const Profile& profile, const Environment& env);

// A service's configured endpoint, as the AWS CLI looks for one: AWS_ENDPOINT_URL_<ENV_SUFFIX>, then
// AWS_ENDPOINT_URL, then the profile's services section (`<services_key> =` block's endpoint_url), then the
// profile's endpoint_url; nothing with AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true or the profile's
// ignore_configured_endpoint_urls. Trailing slashes dropped. An error when the named services section is
// missing or does not parse.
Result<std::optional<std::string>> configured_endpoint_url(const std::string& env_suffix,
                                                           const std::string& services_key,
                                                           const Profile& profile, const ConfigFiles* files,
                                                           const Environment& env);

}  // namespace kura
