// QR codes as half blocks: read back into modules, they have a QR code's shape (size, quiet zone, finder
// patterns), both inks draw the same code, and zbarimg (when installed) decodes them to the text.
#include "prompt/qr.h"

#include <gtest/gtest.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <fstream>
#include <string>
#include <vector>

namespace kura {
namespace {

constexpr const char* k_uri =
    "otpauth://totp/Amazon%20Web%20Services:alice@111122223333?secret="
    "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXPGEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Amazon%20Web%20Services";

using Modules = std::vector<std::vector<bool>>;  // [row][column], true for an inked half

// The drawing read back: each character is two stacked halves, each line two rows.
Modules inked_halves(std::string_view drawing) {
  Modules rows;
  size_t start = 0;
  while (start < drawing.size()) {
    size_t end = drawing.find('\n', start);
    EXPECT_NE(end, std::string_view::npos) << "every line ends in a newline";
    if (end == std::string_view::npos) break;
    std::string_view line = drawing.substr(start, end - start);
    std::vector<bool> upper, lower;
    for (size_t i = 0; i < line.size();) {
      if (line[i] == ' ') {
        upper.push_back(false);
        lower.push_back(false);
        ++i;
        continue;
      }
      std::string_view glyph = line.substr(i, 3);
      upper.push_back(glyph == "\u2588" || glyph == "\u2580");
      lower.push_back(glyph == "\u2588" || glyph == "\u2584");
      EXPECT_TRUE(glyph == "\u2588" || glyph == "\u2580" || glyph == "\u2584") << "unexpected character";
      i += 3;
    }
    rows.push_back(upper);
    rows.push_back(lower);
    start = end + 1;
  }
  return rows;
}

// Dark modules of a drawing in the given ink.
Modules dark_modules(std::string_view drawing, QrInk ink) {
  Modules rows = inked_halves(drawing);
  if (ink == QrInk::light_modules) {
    for (auto& row : rows) row.flip();
  }
  return rows;
}

Modules render(const std::string& text, QrInk ink) {
  auto drawing = render_qr_half_blocks(text, ink);
  EXPECT_TRUE(drawing) << drawing.error().message;
  return drawing ? dark_modules(drawing->view(), ink) : Modules{};
}

// A finder pattern's 7x7 square with its top-left corner at (x, y): a dark ring, a light ring, a dark 3x3.
bool finder_at(const Modules& m, size_t x, size_t y) {
  for (size_t dy = 0; dy < 7; ++dy) {
    for (size_t dx = 0; dx < 7; ++dx) {
      const size_t ring = std::min(std::min(dx, dy), std::min(6 - dx, 6 - dy));
      if (m[y + dy][x + dx] != (ring != 1)) return false;
    }
  }
  return true;
}

TEST(QrCode, HasAQrCodesShapeInsideAQuietZone) {
  const Modules m = render(k_uri, QrInk::light_modules);
  ASSERT_GE(m.size(), 25u);
  const size_t columns = m[0].size();
  for (const auto& row : m) ASSERT_EQ(row.size(), columns);
  const size_t size = columns - 4;  // a quiet zone of 2 each side
  EXPECT_EQ((size - 17) % 4, 0u) << "a version's size is 17 + 4 * version: " << size;
  EXPECT_EQ(m.size(), size + 5) << "2 quiet rows above, 3 below (the last line's lower half)";
  for (size_t y = 0; y < m.size(); ++y) {
    for (size_t x = 0; x < columns; ++x) {
      const bool quiet = y < 2 || y >= size + 2 || x < 2 || x >= size + 2;
      if (quiet) {
        EXPECT_FALSE(m[y][x]) << "the quiet zone is light at " << x << "," << y;
      }
    }
  }
  EXPECT_TRUE(finder_at(m, 2, 2));
  EXPECT_TRUE(finder_at(m, 2 + size - 7, 2));
  EXPECT_TRUE(finder_at(m, 2, 2 + size - 7));
  EXPECT_FALSE(finder_at(m, 2 + size - 7, 2 + size - 7));
}

TEST(QrCode, BothInksDrawTheSameCode) {
  const Modules light = render(k_uri, QrInk::light_modules);
  const Modules dark = render(k_uri, QrInk::dark_modules);
  EXPECT_EQ(light, dark);
  auto drawing = render_qr_half_blocks("x", QrInk::light_modules);
  ASSERT_TRUE(drawing);
  // Light modules inked: the quiet zone's top rows are full blocks.
  EXPECT_EQ(drawing->view().substr(0, 3), "\u2588");
}

TEST(QrCode, RefusesWhatNoQrCodeHolds) {
  EXPECT_FALSE(render_qr_half_blocks(""));
  EXPECT_FALSE(render_qr_half_blocks(std::string_view("a\0b", 3)));
  auto too_long = render_qr_half_blocks(std::string(3000, 'x'));
  ASSERT_FALSE(too_long);
  EXPECT_NE(too_long.error().message.find("too long"), std::string::npos) << too_long.error().message;
  EXPECT_TRUE(render_qr_half_blocks(std::string(2000, 'x')));
}

// The modules as a PBM image (4 pixels a module; 1 is black), for zbarimg.
std::string pbm(const Modules& m) {
  constexpr size_t k_scale = 4;
  std::string out =
      "P1\n" + std::to_string(m[0].size() * k_scale) + " " + std::to_string(m.size() * k_scale) + "\n";
  for (const auto& row : m) {
    for (size_t repeat = 0; repeat < k_scale; ++repeat) {
      for (bool dark : row) {
        for (size_t i = 0; i < k_scale; ++i) out += dark ? "1 " : "0 ";
      }
      out += '\n';
    }
  }
  return out;
}

std::string scan(const Modules& m) {
  char pattern[] = "/tmp/kura-qr-XXXXXX";
  const int fd = mkstemp(pattern);
  if (fd < 0) return "<no temporary file>";
  close(fd);
  std::ofstream(pattern) << pbm(m);
  std::string out;
  FILE* pipe = popen(("zbarimg --raw -q '" + std::string(pattern) + "' 2>/dev/null").c_str(), "r");
  if (pipe) {
    char buffer[4096];
    while (size_t n = fread(buffer, 1, sizeof buffer, pipe)) out.append(buffer, n);
    pclose(pipe);
  }
  unlink(pattern);
  if (!out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

TEST(QrCode, ZbarimgReadsTheTextBack) {
  if (std::system("command -v zbarimg >/dev/null 2>&1") != 0) {
    GTEST_SKIP() << "zbarimg (zbar-tools) is needed to scan the codes";
  }
  EXPECT_EQ(scan(render(k_uri, QrInk::light_modules)), k_uri);
  EXPECT_EQ(scan(render(k_uri, QrInk::dark_modules)), k_uri);
  EXPECT_EQ(scan(render("kura", QrInk::light_modules)), "kura");
}

}  // namespace
}  // namespace kura
