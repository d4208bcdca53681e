// QR codes for the terminal: text (an otpauth:// URI, so a secret) drawn with Unicode half blocks, encoded by
// libqrencode, which is loaded on first use so that no other run of kura pays for it.
#pragma once

#include <string_view>

#include "util/result.h"
#include "util/secret.h"

namespace kura {

// Which modules the block characters draw. Terminal text is drawn in the foreground colour, so the blocks
// must be the light modules on a terminal with light text on a dark background (most of them), and the dark
// modules on one with dark text on a light background; either way the camera sees dark on light.
enum class QrInk { light_modules, dark_modules };

// The QR code of `text` (error correction L, the smallest version that holds it, byte mode where needed),
// inside a quiet zone of 2 modules (3 below, to fill the last line), two module rows per line: "█", "▀", "▄"
// and spaces, each line ending in '\n'. The result is a Secret, and libqrencode's module matrix is wiped
// before it is freed (its internal working copies of the input are freed by libqrencode itself, unwiped).
// An error when libqrencode cannot be loaded or the text is empty, holds a NUL, or is too long for a QR code.
Result<Secret> render_qr_half_blocks(std::string_view text, QrInk ink = QrInk::light_modules);

}  // namespace kura
