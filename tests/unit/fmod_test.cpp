// src/fmod.cpp against exact remainders (from Python's math.fmod, which is correctly rounded): the cases that
// need many FPREM rounds (huge quotients) and the special values.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

extern "C" double fmod(double x, double y);

namespace {

TEST(Fmod, ExactRemainders) {
  struct Case {
    double x, y, expected;
  };
  const Case cases[] = {
      {5.5, 2.0, 1.5},
      {-5.5, 2.0, -1.5},
      {5.5, -2.0, 1.5},
      {1e300, 3.0, 0.0},
      {1e308, 1e-300, 3.0195000970293847e-301},
      {0.1, 0.03, 0.010000000000000009},
      {7.0, 7.0, 0.0},
      {3.0, 1e300, 3.0},
  };
  for (const Case& c : cases) EXPECT_EQ(fmod(c.x, c.y), c.expected) << c.x << " mod " << c.y;
  EXPECT_TRUE(std::signbit(fmod(-0.0, 1.0)));
}

TEST(Fmod, SpecialValues) {
  const double inf = std::numeric_limits<double>::infinity();
  EXPECT_TRUE(std::isnan(fmod(1.0, 0.0)));
  EXPECT_TRUE(std::isnan(fmod(inf, 2.0)));
  EXPECT_TRUE(std::isnan(fmod(std::nan(""), 2.0)));
  EXPECT_EQ(fmod(2.5, inf), 2.5);
}

}  // namespace
