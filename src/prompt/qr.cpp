// QR codes as half blocks, through libqrencode loaded with dlopen on first use.
#include "prompt/qr.h"

#include <qrencode.h>
#include <string.h>

#include <cerrno>
#include <string>

#include "util/dynamic_library.h"
#include "util/sized_text.h"

namespace kura {

namespace {

constexpr int k_quiet_zone = 2;
// Byte-mode capacity of the largest QR code (version 40) at error correction L.
constexpr size_t k_max_text = 2953;

constexpr std::string_view k_full = "\u2588";   // █
constexpr std::string_view k_upper = "\u2580";  // ▀
constexpr std::string_view k_lower = "\u2584";  // ▄

struct LibQrencode {
  decltype(&QRcode_encodeString) encode_string = nullptr;
  decltype(&QRcode_free) free = nullptr;

  static void bind(DynamicLibrary& library, LibQrencode& lib) {
    library.bind(lib.encode_string, "QRcode_encodeString");
    library.bind(lib.free, "QRcode_free");
  }
};

// Owns a QRcode: its module matrix (which encodes the text) is wiped before libqrencode frees it.
class WipedQrCode {
 public:
  WipedQrCode(const LibQrencode& lib, QRcode* code) : m_lib(lib), m_code(code) {}
  WipedQrCode(const WipedQrCode&) = delete;
  WipedQrCode& operator=(const WipedQrCode&) = delete;
  ~WipedQrCode() {
    if (!m_code) return;
    explicit_bzero(m_code->data, static_cast<size_t>(m_code->width) * static_cast<size_t>(m_code->width));
    m_lib.free(m_code);
  }
  // Dark module at (x, y) of the code with its quiet zone; outside the code is the light quiet zone.
  bool dark(int x, int y) const {
    x -= k_quiet_zone;
    y -= k_quiet_zone;
    const int width = m_code->width;
    if (x < 0 || y < 0 || x >= width || y >= width) return false;
    return (m_code->data[static_cast<size_t>(y) * static_cast<size_t>(width) + static_cast<size_t>(x)] & 1) !=
           0;
  }
  int width() const { return m_code->width; }

 private:
  const LibQrencode& m_lib;
  QRcode* m_code;
};

}  // namespace

Result<Secret> render_qr_half_blocks(std::string_view text, QrInk ink) {
  if (text.empty()) return make_error("QR code: nothing to encode");
  if (text.find('\0') != std::string_view::npos) return make_error("QR code: the text holds a NUL character");
  if (text.size() > k_max_text) return make_error("QR code: the text is too long for a QR code");
  auto lib = load_once<LibQrencode>("libqrencode.so.4", &LibQrencode::bind, "libqrencode", "libqrencode4");
  if (!lib) return std::move(lib).error().context("QR code");
  const Secret terminated(text);  // libqrencode takes a C string
  QRcode* encoded = (*lib)->encode_string(terminated.c_str(), 0, QR_ECLEVEL_L, QR_MODE_8, 1);
  if (!encoded) {
    const int error = errno;
    return make_error(std::string("QR code: libqrencode could not encode the text: ") +
                      (error == ERANGE ? "too long for a QR code" : strerror(error)));
  }
  const WipedQrCode code(**lib, encoded);
  const int size = code.width() + 2 * k_quiet_zone;
  const int rows = size + size % 2;  // an odd last row gets one more quiet row below it
  auto inked = [&](int x, int y) { return code.dark(x, y) == (ink == QrInk::dark_modules); };
  return sized_text([&](TextWriter& w) {
    for (int y = 0; y < rows; y += 2) {
      for (int x = 0; x < size; ++x) {
        const bool upper = inked(x, y);
        const bool lower = inked(x, y + 1);
        if (upper && lower) {
          w.put(k_full);
        } else if (upper) {
          w.put(k_upper);
        } else if (lower) {
          w.put(k_lower);
        } else {
          w.put(' ');
        }
      }
      w.put('\n');
    }
  });
}

}  // namespace kura
