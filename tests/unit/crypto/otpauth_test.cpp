// The otpauth:// key URI (Google Authenticator's Key Uri Format), base32 seeds, and base64 into a Secret.
#include "crypto/otpauth.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "crypto/hash.h"

namespace kura {
namespace {

constexpr const char* k_seed = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";

TEST(Otpauth, TheFormatsOwnExample) {
  auto uri = otpauth_totp_uri("ACME Co", "john.doe@email.com",
                              Secret(std::string("HXDMVJECJJWSRB3HWIZR4IFUGFTMXBOZ")));
  ASSERT_TRUE(uri) << uri.error().message;
  EXPECT_EQ(
      uri->view(),
      "otpauth://totp/ACME%20Co:john.doe@email.com?secret=HXDMVJECJJWSRB3HWIZR4IFUGFTMXBOZ&issuer=ACME%20Co");
}

TEST(Otpauth, LabelPartsArePercentEncodedAndPaddingDropped) {
  auto uri = otpauth_totp_uri("Amazon Web Services", "alice+ops/x&y=z@111122223333",
                              Secret(std::string("JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXPGE======")));
  ASSERT_TRUE(uri) << uri.error().message;
  EXPECT_EQ(uri->view(),
            "otpauth://totp/Amazon%20Web%20Services:alice%2Bops%2Fx%26y%3Dz@111122223333"
            "?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXPGE&issuer=Amazon%20Web%20Services");
  auto utf8 = otpauth_totp_uri("K\xc3\xbcra", "a", Secret(std::string(k_seed)));
  ASSERT_TRUE(utf8);
  EXPECT_EQ(utf8->view(), std::string("otpauth://totp/K%C3%BCra:a?secret=") + k_seed + "&issuer=K%C3%BCra");
}

TEST(Otpauth, RefusesColonsEmptyPartsAndSeedsThatAreNotBase32) {
  const Secret seed{std::string(k_seed)};
  EXPECT_FALSE(otpauth_totp_uri("AWS", "arn:aws:iam::111122223333:user/alice", seed));
  EXPECT_FALSE(otpauth_totp_uri("A:B", "alice", seed));
  EXPECT_FALSE(otpauth_totp_uri("", "alice", seed));
  EXPECT_FALSE(otpauth_totp_uri("AWS", "", seed));
  for (const std::string& bad :
       std::vector<std::string>{"jbswy3dpehpk3pxpjbswy3dpehpk3pxp", "JBSWY3DPEHPK3PX1", "JBSWY3DPEHPK3PX", "",
                                "JBSWY3DPEHPK3PXP=======", "JBSWY3DP=EHPK3PXP", std::string(1100, 'A')}) {
    auto uri = otpauth_totp_uri("AWS", "alice", Secret(bad));
    ASSERT_FALSE(uri) << bad;
    if (!bad.empty()) {
      EXPECT_EQ(uri.error().message.find(bad.substr(0, 8)), std::string::npos) << uri.error().message;
    }
  }
  EXPECT_TRUE(is_base32_seed("JBSWY3DPEHPK3PXP"));
  EXPECT_TRUE(is_base32_seed("JBSWY3DPEHPK3PXPGE======"));
}

TEST(Base64, DecodesIntoASecret) {
  auto decoded = base64_decode_secret("SkJTV1kzRFBFSFBLM1BYUA==");
  ASSERT_TRUE(decoded);
  EXPECT_EQ(decoded->view(), "JBSWY3DPEHPK3PXP");
  EXPECT_FALSE(base64_decode_secret("SkJTV1kz!!"));
  EXPECT_FALSE(base64_decode_secret("SkJTV1kzRFBFSFBLM1BYUA= ="));
  auto empty = base64_decode_secret("");
  ASSERT_TRUE(empty);
  EXPECT_TRUE(empty->empty());
}

}  // namespace
}  // namespace kura
