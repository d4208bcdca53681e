// STS endpoint resolution.
#include "aws/endpoints.h"

#include <algorithm>
#include <array>

#include "util/strings.h"

namespace kura {

std::string resolve_region(const std::optional<std::string>& flag, const Profile& profile,
                           const Environment& env) {
  if (flag && !flag->empty()) return *flag;
  if (auto region = env.get("AWS_REGION")) return *region;
  if (auto region = env.get("AWS_DEFAULT_REGION")) return *region;
  if (profile.region) return *profile.region;
  return "us-east-1";
}

std::string partition_of_region(const std::string& region) {
  if (region.rfind("cn-", 0) == 0) return "aws-cn";
  if (region.rfind("us-gov-", 0) == 0) return "aws-us-gov";
  return "aws";
}

StsEndpoint resolve_sts_endpoint(const std::string& region, const Profile& profile, const Environment& env) {
  StsEndpoint endpoint;
  endpoint.signing_region = region;
  endpoint.partition = partition_of_region(region);

  bool ignore_configured = profile.ignore_configured_endpoint_urls;
  if (auto flag = env.get("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"))
    ignore_configured = to_lower(*flag) == "true";
  if (!ignore_configured) {
    std::optional<std::string> configured = env.get("AWS_ENDPOINT_URL_STS");
    if (!configured) configured = env.get("AWS_ENDPOINT_URL");
    if (!configured) configured = profile.sts_endpoint_url;
    if (configured) {
      endpoint.url = *configured;
      while (endpoint.url.size() > 1 && endpoint.url.back() == '/') endpoint.url.pop_back();
      return endpoint;
    }
  }

  std::string mode =
      env.get("AWS_STS_REGIONAL_ENDPOINTS").value_or(profile.sts_regional_endpoints.value_or("regional"));
  static constexpr std::array<const char*, 16> k_legacy_global = {
      "ap-northeast-1", "ap-south-1", "ap-southeast-1", "ap-southeast-2", "aws-global", "ca-central-1",
      "eu-central-1",   "eu-north-1", "eu-west-1",      "eu-west-2",      "eu-west-3",  "sa-east-1",
      "us-east-1",      "us-east-2",  "us-west-1",      "us-west-2"};
  bool legacy_region =
      std::find(k_legacy_global.begin(), k_legacy_global.end(), region) != k_legacy_global.end();
  if ((to_lower(mode) == "legacy" && legacy_region) || region == "aws-global") {
    endpoint.url = "https://sts.amazonaws.com";
    endpoint.signing_region = "us-east-1";
    return endpoint;
  }
  std::string suffix = endpoint.partition == "aws-cn" ? "amazonaws.com.cn" : "amazonaws.com";
  endpoint.url = "https://sts." + region + "." + suffix;
  return endpoint;
}

namespace {

std::optional<std::string> block_endpoint_url(const IniSection& section, const std::string& service) {
  auto block = section.nested.find(service);
  if (block == section.nested.end()) return std::nullopt;
  auto url = block->second.find("endpoint_url");
  if (url == block->second.end() || url->second.empty()) return std::nullopt;
  return url->second;
}

std::optional<std::string> raw_value(const Profile& profile, const std::string& key) {
  auto it = profile.raw.find(key);
  if (it == profile.raw.end() || it->second.empty()) return std::nullopt;
  return it->second;
}

}  // namespace

Result<std::optional<std::string>> configured_endpoint_url(const std::string& env_suffix,
                                                           const std::string& services_key,
                                                           const Profile& profile, const ConfigFiles* files,
                                                           const Environment& env) {
  bool ignore_configured = profile.ignore_configured_endpoint_urls;
  if (auto flag = env.get("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"))
    ignore_configured = to_lower(*flag) == "true";
  if (ignore_configured) return std::optional<std::string>();
  std::optional<std::string> configured = env.get("AWS_ENDPOINT_URL_" + env_suffix);
  if (!configured) configured = env.get("AWS_ENDPOINT_URL");
  if (!configured && files) {
    if (auto services = raw_value(profile, "services")) {
      auto section = files->read_services_section(*services);
      if (!section) return section.error();
      if (!*section) {
        return make_error("profile '" + profile.name + "': services section '" + *services + "' not found");
      }
      configured = block_endpoint_url(**section, services_key);
    }
  }
  if (!configured) configured = raw_value(profile, "endpoint_url");
  if (configured) {
    while (configured->size() > 1 && configured->back() == '/') configured->pop_back();
  }
  return configured;
}

}  // namespace kura
