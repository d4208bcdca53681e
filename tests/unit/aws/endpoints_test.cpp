// Region and STS endpoint rules, as the AWS CLI applies them.
#include "aws/endpoints.h"

#include <gtest/gtest.h>

namespace kura {
namespace {

TEST(Region, PrecedenceFlagEnvProfileDefault) {
  Profile p;
  p.region = "eu-west-1";
  Environment env({{"AWS_REGION", "ap-south-1"}, {"AWS_DEFAULT_REGION", "us-west-2"}});
  EXPECT_EQ(resolve_region(std::string("ca-central-1"), p, env), "ca-central-1");
  EXPECT_EQ(resolve_region(std::nullopt, p, env), "ap-south-1");
  env.unset("AWS_REGION");
  EXPECT_EQ(resolve_region(std::nullopt, p, env), "us-west-2");
  env.unset("AWS_DEFAULT_REGION");
  EXPECT_EQ(resolve_region(std::nullopt, p, env), "eu-west-1");
  EXPECT_EQ(resolve_region(std::nullopt, Profile{}, env), "us-east-1");
}

TEST(StsEndpoint, RegionalByDefaultPerPartition) {
  Environment env;
  EXPECT_EQ(resolve_sts_endpoint("eu-west-1", Profile{}, env).url, "https://sts.eu-west-1.amazonaws.com");
  auto cn = resolve_sts_endpoint("cn-north-1", Profile{}, env);
  EXPECT_EQ(cn.url, "https://sts.cn-north-1.amazonaws.com.cn");
  EXPECT_EQ(cn.partition, "aws-cn");
  auto gov = resolve_sts_endpoint("us-gov-west-1", Profile{}, env);
  EXPECT_EQ(gov.url, "https://sts.us-gov-west-1.amazonaws.com");
  EXPECT_EQ(gov.partition, "aws-us-gov");
  EXPECT_EQ(gov.signing_region, "us-gov-west-1");
}

TEST(StsEndpoint, LegacyGlobalOnlyForLegacyRegions) {
  Profile legacy;
  legacy.sts_regional_endpoints = "legacy";
  auto global = resolve_sts_endpoint("eu-west-1", legacy, Environment());
  EXPECT_EQ(global.url, "https://sts.amazonaws.com");
  EXPECT_EQ(global.signing_region, "us-east-1");
  EXPECT_EQ(resolve_sts_endpoint("af-south-1", legacy, Environment()).url,
            "https://sts.af-south-1.amazonaws.com");
  Environment env(std::map<std::string, std::string>{{"AWS_STS_REGIONAL_ENDPOINTS", "regional"}});
  EXPECT_EQ(resolve_sts_endpoint("eu-west-1", legacy, env).url, "https://sts.eu-west-1.amazonaws.com");
}

TEST(StsEndpoint, ConfiguredUrlsInTheAwsCliOrder) {
  Profile p;
  p.sts_endpoint_url = "http://profile:1/";
  Environment env(
      {{"AWS_ENDPOINT_URL_STS", "http://sts-env:2"}, {"AWS_ENDPOINT_URL", "http://global-env:3"}});
  EXPECT_EQ(resolve_sts_endpoint("us-east-1", p, env).url, "http://sts-env:2");
  env.unset("AWS_ENDPOINT_URL_STS");
  EXPECT_EQ(resolve_sts_endpoint("us-east-1", p, env).url, "http://global-env:3");
  env.unset("AWS_ENDPOINT_URL");
  EXPECT_EQ(resolve_sts_endpoint("us-east-1", p, env).url, "http://profile:1");
  env.set("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true");
  EXPECT_EQ(resolve_sts_endpoint("us-east-1", p, env).url, "https://sts.us-east-1.amazonaws.com");
}

}  // namespace
}  // namespace kura
