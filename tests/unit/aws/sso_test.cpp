// SSO configuration as botocore reads it, the OIDC and portal endpoints, and the token cache file.
#include "aws/sso.h"

#include <gtest/gtest.h>

namespace kura {
namespace {

Result<std::optional<SsoProfileConfig>> sso_of(const std::string& config, const std::string& profile) {
  auto files = ConfigFiles::from_text(config, "");
  if (!files) return files.error();
  auto resolved = resolve_profile(*files, profile);
  if (!resolved) return resolved.error();
  return sso_config_of(*resolved, *files);
}

constexpr const char* k_config =
    "[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = eu-west-1\n"
    "sso_registration_scopes = sso:account:access, extra:scope\n\n"
    "[profile dev]\nsso_session = corp\nsso_account_id = 111111111111\nsso_role_name = Admin\n\n"
    "[profile legacy]\nsso_start_url = https://old.awsapps.com/start\nsso_region = us-east-1\n"
    "sso_account_id = 222222222222\nsso_role_name = ReadOnly\n\n"
    "[profile plain]\nregion = eu-west-1\n\n"
    "[profile missing-session]\nsso_session = nope\nsso_account_id = 1\nsso_role_name = R\n\n"
    "[profile no-role]\nsso_session = corp\nsso_account_id = 111111111111\n\n"
    "[profile differs]\nsso_session = corp\nsso_start_url = https://other/start\nsso_account_id = 1\n"
    "sso_role_name = R\n\n"
    "[sso-session   spaced ]\nsso_start_url = https://spaced/start\nsso_region = us-west-2\n\n"
    "[profile spaced-user]\nsso_session = spaced\nsso_account_id = 3\nsso_role_name = R\n";

TEST(SsoConfig, SessionAndLegacyProfiles) {
  auto dev = sso_of(k_config, "dev");
  ASSERT_TRUE(dev && *dev) << (dev ? "none" : dev.error().message);
  EXPECT_EQ((*dev)->session.name, "corp");
  EXPECT_EQ((*dev)->session.start_url, "https://corp.awsapps.com/start");
  EXPECT_EQ((*dev)->session.region, "eu-west-1");
  EXPECT_EQ((*dev)->session.scopes, (std::vector<std::string>{"sso:account:access", "extra:scope"}));
  EXPECT_EQ((*dev)->session.cache_key(), "corp");
  EXPECT_EQ((*dev)->account_id, "111111111111");
  EXPECT_EQ((*dev)->role_name, "Admin");

  auto legacy = sso_of(k_config, "legacy");
  ASSERT_TRUE(legacy && *legacy);
  EXPECT_EQ((*legacy)->session.cache_key(), "https://old.awsapps.com/start");  // the start URL names the file
  EXPECT_EQ((*legacy)->session.scopes, (std::vector<std::string>{"sso:account:access"}));

  auto plain = sso_of(k_config, "plain");
  ASSERT_TRUE(plain);
  EXPECT_FALSE(*plain);  // no SSO at all

  auto spaced = sso_of(k_config, "spaced-user");  // [sso-session   spaced ] is found as botocore finds it
  ASSERT_TRUE(spaced && *spaced) << (spaced ? "none" : spaced.error().message);
  EXPECT_EQ((*spaced)->session.region, "us-west-2");
}

TEST(SsoConfig, ErrorsNameTheProfileAndTheSection) {
  auto missing = sso_of(k_config, "missing-session");
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().message.find("[sso-session nope]"), std::string::npos) << missing.error().message;
  auto no_role = sso_of(k_config, "no-role");
  ASSERT_FALSE(no_role);
  EXPECT_NE(no_role.error().message.find("sso_role_name"), std::string::npos);
  auto differs = sso_of(k_config, "differs");
  ASSERT_FALSE(differs);
  EXPECT_NE(differs.error().message.find("differs from [sso-session corp]"), std::string::npos);
  auto incomplete = sso_of(
      "[sso-session s]\nsso_region = x\n[profile p]\nsso_session = s\n"
      "sso_account_id = 1\nsso_role_name = R\n",
      "p");
  ASSERT_FALSE(incomplete);
  EXPECT_NE(incomplete.error().message.find("needs sso_start_url and sso_region"), std::string::npos);
}

TEST(SsoEndpoints, PartitionDefaultsAndTheAwsCliOverrides) {
  auto files = ConfigFiles::from_text(
      "[profile p]\nservices = local\n[services local]\nsso_oidc =\n  endpoint_url = http://127.0.0.1:1/\n"
      "[profile q]\nendpoint_url = http://127.0.0.1:2\n[profile r]\n",
      "");
  ASSERT_TRUE(files);
  auto p = resolve_profile(*files, "p");
  auto q = resolve_profile(*files, "q");
  auto r = resolve_profile(*files, "r");
  ASSERT_TRUE(p && q && r);
  auto plain = resolve_sso_endpoints("eu-west-1", *r, &*files, Environment());
  ASSERT_TRUE(plain);
  EXPECT_EQ(plain->oidc, "https://oidc.eu-west-1.amazonaws.com");
  EXPECT_EQ(plain->portal, "https://portal.sso.eu-west-1.amazonaws.com");
  auto china = resolve_sso_endpoints("cn-north-1", *r, &*files, Environment());
  ASSERT_TRUE(china);
  EXPECT_EQ(china->oidc, "https://oidc.cn-north-1.amazonaws.com.cn");
  auto services = resolve_sso_endpoints("eu-west-1", *p, &*files, Environment());
  ASSERT_TRUE(services);
  EXPECT_EQ(services->oidc, "http://127.0.0.1:1");  // the services block, trailing slash dropped
  EXPECT_EQ(services->portal, "https://portal.sso.eu-west-1.amazonaws.com");
  auto endpoint_url = resolve_sso_endpoints("eu-west-1", *q, &*files, Environment());
  ASSERT_TRUE(endpoint_url);
  EXPECT_EQ(endpoint_url->portal, "http://127.0.0.1:2");
  Environment env(std::map<std::string, std::string>{{"AWS_ENDPOINT_URL_SSO", "http://127.0.0.1:3"},
                                                     {"AWS_ENDPOINT_URL", "http://127.0.0.1:4"}});
  auto from_env = resolve_sso_endpoints("eu-west-1", *p, &*files, env);
  ASSERT_TRUE(from_env);
  EXPECT_EQ(from_env->portal, "http://127.0.0.1:3");  // the service's own variable first
  EXPECT_EQ(from_env->oidc, "http://127.0.0.1:4");    // then AWS_ENDPOINT_URL, before the config
  env.set("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true");
  auto ignored = resolve_sso_endpoints("eu-west-1", *p, &*files, env);
  ASSERT_TRUE(ignored);
  EXPECT_EQ(ignored->oidc, "https://oidc.eu-west-1.amazonaws.com");
}

TEST(SsoToken, CachePathAndTheCliFormatBothWays) {
  SsoSessionConfig session;
  session.name = "my-sso";
  EXPECT_EQ(sso_cache_path(Environment(std::map<std::string, std::string>{{"HOME", "/h"}}), session),
            "/h/.aws/sso/cache/0ad374308c5a4e22f723adf10145eafad7c4031c.json");

  // As botocore writes it.
  const std::string cli =
      R"({"startUrl": "https://corp.awsapps.com/start", "region": "eu-west-1", "accessToken": "aoa",)"
      R"( "expiresAt": "2026-11-23T20:00:00Z", "clientId": "cid", "clientSecret": "csecret",)"
      R"( "registrationExpiresAt": "2027-02-21T20:00:00Z", "refreshToken": "aor"})";
  auto token = parse_sso_token(cli, "cache.json");
  ASSERT_TRUE(token) << token.error().message;
  EXPECT_EQ(token->access_token.view(), "aoa");
  EXPECT_EQ(token->refresh_token.view(), "aor");
  EXPECT_EQ(format_iso8601(token->expires_at), "2026-11-23T20:00:00Z");
  ASSERT_TRUE(token->registration_expires_at);
  Secret rendered = render_sso_token(*token);
  auto again = parse_sso_token(rendered.view(), "rendered");
  ASSERT_TRUE(again);
  EXPECT_EQ(again->client_secret.view(), "csecret");
  EXPECT_NE(rendered.view().find(R"("expiresAt":"2026-11-23T20:00:00Z")"), std::string::npos)
      << rendered.view();

  // The other spellings botocore's readers accept; a token with no registration has no refresh.
  auto offset = parse_sso_token(
      R"({"startUrl":"u","region":"r","accessToken":"a","expiresAt":"2026-11-23T20:00:00+00:00"})", "f");
  ASSERT_TRUE(offset) << offset.error().message;
  EXPECT_TRUE(offset->refresh_token.empty());
  EXPECT_EQ(render_sso_token(*offset).view().find("clientId"), std::string::npos);
  EXPECT_TRUE(parse_sso_token(
      R"({"startUrl":"u","region":"r","accessToken":"a","expiresAt":"2026-11-23T20:00:00UTC"})", "f"));
}

TEST(SsoToken, BadFilesNameThemselves) {
  for (std::string_view bad :
       {R"({})", R"({"startUrl":"u","region":"r","expiresAt":"2026-11-23T20:00:00Z"})",
        R"({"startUrl":"u","region":"r","accessToken":"a","expiresAt":"soon"})", R"(not json)",
        R"({"startUrl":"u","region":"r","accessToken":"","expiresAt":"x"})"}) {
    auto token = parse_sso_token(bad, "/h/.aws/sso/cache/x.json");
    ASSERT_FALSE(token) << bad;
    EXPECT_EQ(token.error().message.rfind("/h/.aws/sso/cache/x.json: ", 0), 0u) << token.error().message;
  }
}

}  // namespace
}  // namespace kura
