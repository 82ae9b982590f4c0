// SGP.22 v2.5 §4.1 Activation Code, as a QR code.
#include "rsp/activation_code_qr.hpp"

#include <qrencode.h>

#include <cerrno>
#include <memory>

#include "rsp/activation_code.hpp"

namespace rsp {
namespace {

QRecLevel qrencode_level(QrErrorCorrection level) {
  switch (level) {
    case QrErrorCorrection::low: return QR_ECLEVEL_L;
    case QrErrorCorrection::medium: return QR_ECLEVEL_M;
    case QrErrorCorrection::quartile: return QR_ECLEVEL_Q;
    case QrErrorCorrection::high: return QR_ECLEVEL_H;
  }
  return QR_ECLEVEL_M;
}

Status<> check_quiet_zone(int quiet_zone) {
  if (quiet_zone < 0 || quiet_zone > 100) return fail("QR quiet zone must be 0 to 100 modules");
  return Ok{};
}

Expected<QrMatrix> encode(std::string_view text, QrErrorCorrection level) {
  auto payload = activation_code_qr_text(text);
  if (!payload) return Unexpected{payload.error()};
  // Version 0: the smallest that holds the text. Case-sensitive, so nothing is upper-cased; the hint
  // QR_MODE_8 lets qrencode use byte mode for what alphanumeric or numeric mode cannot carry.
  errno = 0;
  std::unique_ptr<QRcode, decltype(&QRcode_free)> code(
      QRcode_encodeString(payload->c_str(), 0, qrencode_level(level), QR_MODE_8, 1), &QRcode_free);
  if (!code) {
    if (errno == ERANGE) return fail("activation code is too long for a QR code at this error correction level");
    if (errno == ENOMEM) return fail("QR encoding ran out of memory");
    return fail("QR encoding refused the activation code");
  }
  QrMatrix m;
  m.version = code->version;
  m.size = code->width;
  const auto cells = static_cast<size_t>(code->width) * static_cast<size_t>(code->width);
  m.dark.resize(cells);
  for (size_t i = 0; i < cells; ++i) m.dark[i] = (code->data[i] & 1) != 0;  // bit 0: dark module
  return m;
}

}  // namespace

Expected<std::string> activation_code_qr_text(std::string_view text) {
  // qrencode reads a C string: a NUL inside would cut the code short.
  if (text.find('\0') != std::string_view::npos) return fail("activation code contains a NUL character");
  auto parsed = ActivationCode::parse(text);
  if (!parsed) return Unexpected{parsed.error()};
  if (text.rfind("LPA:", 0) == 0) return std::string(text);
  return "LPA:" + std::string(text);
}

Expected<QrMatrix> activation_code_matrix(std::string_view text, const QrOptions& options) {
  return encode(text, options.error_correction);
}

Expected<std::string> activation_code_svg(std::string_view text, const QrOptions& options) {
  if (auto q = check_quiet_zone(options.quiet_zone); !q) return Unexpected{q.error()};
  if (options.module_pixels < 1 || options.module_pixels > 100) return fail("QR module size must be 1 to 100 pixels");
  auto m = encode(text, options.error_correction);
  if (!m) return Unexpected{m.error()};
  const int q = options.quiet_zone;
  const int side = m->size + 2 * q;
  const std::string side_text = std::to_string(side);
  const std::string pixels = std::to_string(side * options.module_pixels);

  // One subpath per horizontal run of dark modules: "M x y h n v1 h-n z".
  std::string path;
  for (int y = 0; y < m->size; ++y) {
    for (int x = 0; x < m->size;) {
      if (!m->at(x, y)) {
        ++x;
        continue;
      }
      int run = 1;
      while (x + run < m->size && m->at(x + run, y)) ++run;
      path += "M" + std::to_string(x + q) + " " + std::to_string(y + q) + "h" + std::to_string(run) + "v1h-" +
              std::to_string(run) + "z";
      x += run;
    }
  }

  std::string svg;
  svg += "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"" + pixels + "\" height=\"" + pixels +
         "\" viewBox=\"0 0 " + side_text + " " + side_text + "\" shape-rendering=\"crispEdges\">\n";
  svg += "<rect width=\"" + side_text + "\" height=\"" + side_text + "\" fill=\"#ffffff\"/>\n";
  svg += "<path fill=\"#000000\" d=\"" + path + "\"/>\n";
  svg += "</svg>\n";
  return svg;
}

Expected<std::string> activation_code_text_qr(std::string_view text, const QrTerminalOptions& options) {
  if (auto q = check_quiet_zone(options.quiet_zone); !q) return Unexpected{q.error()};
  auto m = encode(text, options.error_correction);
  if (!m) return Unexpected{m.error()};
  const int q = options.quiet_zone;
  const int side = m->size + 2 * q;
  // Whether the character cell paints (x, y) of the symbol with its quiet zone; rows past the end paint nothing.
  auto painted = [&](int x, int y) {
    if (y >= side) return false;
    const bool inside = x >= q && y >= q && x < q + m->size && y < q + m->size;
    const bool dark = inside && m->at(x - q, y - q);
    return options.dark_on_light ? dark : !dark;
  };
  std::string out;
  for (int y = 0; y < side; y += 2) {
    for (int x = 0; x < side; ++x) {
      const bool top = painted(x, y);
      const bool bottom = painted(x, y + 1);
      if (top && bottom)
        out += "\u2588";
      else if (top)
        out += "\u2580";
      else if (bottom)
        out += "\u2584";
      else
        out += " ";
    }
    out += "\n";
  }
  return out;
}

}  // namespace rsp
