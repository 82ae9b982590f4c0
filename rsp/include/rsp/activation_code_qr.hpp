#pragma once
// The activation code as a QR code (SGP.22 v2.5 §4.1): the symbol carries "LPA:" followed by the activation
// code, encoded by libqrencode (ISO/IEC 18004) and drawn here as a standalone SVG or as Unicode half
// blocks for a terminal.
//
// The text is encoded exactly as given (case and every character kept): qrencode splits it into segments
// and picks alphanumeric mode where it can (upper-case letters, digits, space, "$%*+-./:"), byte mode
// elsewhere, so an upper-case SM-DP+ address and AC token give the smallest symbol.
//
// Error correction: SGP.22 names no level; M (about 15% of the symbol recoverable) is the default, a
// common choice for codes printed on paper or shown on screens. L gives the smallest symbol, Q and H
// survive more damage.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "rsp/expected.hpp"

namespace rsp {

enum class QrErrorCorrection { low, medium, quartile, high };  // L, M, Q, H

// The modules of one QR symbol, without quiet zone; row-major, true = dark.
struct QrMatrix {
  int version = 0;  // 1..40
  int size = 0;     // modules per side: 17 + 4 * version
  std::vector<bool> dark;

  bool at(int x, int y) const {
    return dark[static_cast<size_t>(y) * static_cast<size_t>(size) + static_cast<size_t>(x)];
  }
};

struct QrOptions {
  QrErrorCorrection error_correction = QrErrorCorrection::medium;
  int quiet_zone = 4;     // light modules around the symbol (ISO/IEC 18004 asks for 4)
  int module_pixels = 8;  // SVG only: width and height attributes are (size + 2 * quiet_zone) * module_pixels
};

// The QR text of an activation code: `text` must parse as an activation code (with or without "LPA:");
// "LPA:" is put in front when missing, nothing else changes.
Expected<std::string> activation_code_qr_text(std::string_view text);

// The symbol of activation_code_qr_text(text), in the smallest version that holds it.
Expected<QrMatrix> activation_code_matrix(std::string_view text, const QrOptions& options = {});

// A standalone SVG document: a white background and one <path> of the dark modules, the viewBox in
// modules (quiet zone included), so the image scales without blurring.
Expected<std::string> activation_code_svg(std::string_view text, const QrOptions& options = {});

// For a terminal, in UTF-8: each line shows two rows of modules with the half blocks U+2580/U+2584 and
// the full block U+2588. By default the characters paint the light modules and the quiet zone, for a
// terminal with light text on a dark background; `dark_on_light` paints the dark modules instead.
struct QrTerminalOptions {
  QrErrorCorrection error_correction = QrErrorCorrection::medium;
  int quiet_zone = 4;
  bool dark_on_light = false;
};
Expected<std::string> activation_code_text_qr(std::string_view text, const QrTerminalOptions& options = {});

}  // namespace rsp
