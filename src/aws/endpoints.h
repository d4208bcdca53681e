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

}  // namespace kura
