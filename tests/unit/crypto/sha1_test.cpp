// SHA-1 against FIPS 180 vectors (one and two blocks, a million bytes) and the AWS CLI's SSO cache names.
#include <gtest/gtest.h>

#include <string>

#include "crypto/hash.h"

namespace kura {
namespace {

TEST(Sha1, FipsVectors) {
  EXPECT_EQ(sha1_hex(""), "da39a3ee5e6b4b0d3255bfef95601890afd80709");
  EXPECT_EQ(sha1_hex("abc"), "a9993e364706816aba3e25717850c26c9cd0d89d");
  EXPECT_EQ(sha1_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "84983e441c3bd26ebaae4aa1f95129e5e54670f1");  // 56 bytes: the length spills into a second block
  EXPECT_EQ(sha1_hex(std::string(1000000, 'a')), "34aa973cd4c4daa4f61eeb2bdbad27316534016f");
}

// What botocore names ~/.aws/sso/cache/<name>.json after: the session name, or a legacy profile's start URL.
TEST(Sha1, SsoCacheNames) {
  EXPECT_EQ(sha1_hex("my-sso"), "0ad374308c5a4e22f723adf10145eafad7c4031c");
  EXPECT_EQ(sha1_hex("https://my-sso-portal.awsapps.com/start"), "c7aaaf71fcc8777ae2475525ed049d39fe16c484");
}

}  // namespace
}  // namespace kura
