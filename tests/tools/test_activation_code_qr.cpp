// Activation codes as QR codes (rsp_qr): the SVG is a well-formed document whose one path draws exactly the
// modules qrencode produced for the text, with the finder patterns at three corners and a light quiet zone;
// the terminal drawing carries the same modules two rows a line; the text is encoded as given.
#include <catch2/catch.hpp>

#include <qrencode.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <memory>
#include <regex>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "rsp/activation_code_qr.hpp"

namespace {

using namespace rsp;
using Module = std::pair<int, int>;  // x, y

const std::string kUpper = "LPA:1$SMDP.EXAMPLE.COM$04386-AGYFT-A74Y8-3F815";

// The dark modules qrencode gives for exactly this text, independent of rsp_qr.
std::set<Module> qrencode_dark(const std::string& text, QRecLevel level, int* size = nullptr) {
  std::unique_ptr<QRcode, decltype(&QRcode_free)> code(QRcode_encodeString(text.c_str(), 0, level, QR_MODE_8, 1),
                                                       &QRcode_free);
  REQUIRE(code);
  if (size) *size = code->width;
  std::set<Module> dark;
  for (int y = 0; y < code->width; ++y)
    for (int x = 0; x < code->width; ++x)
      if (code->data[y * code->width + x] & 1) dark.insert({x, y});
  return dark;
}

std::set<Module> matrix_dark(const QrMatrix& m) {
  std::set<Module> dark;
  for (int y = 0; y < m.size; ++y)
    for (int x = 0; x < m.size; ++x)
      if (m.at(x, y)) dark.insert({x, y});
  return dark;
}

// The modules the SVG's path paints, read back from its "M x y h n v1 h-n z" runs (quiet zone included).
std::set<Module> svg_dark(const std::string& svg) {
  auto start = svg.find(" d=\"");
  REQUIRE(start != std::string::npos);
  start += 4;
  const std::string d = svg.substr(start, svg.find('"', start) - start);
  static const std::regex run(R"(M(\d+) (\d+)h(\d+)v1h-(\d+)z)");
  std::set<Module> dark;
  size_t covered = 0;
  for (std::sregex_iterator it(d.begin(), d.end(), run), end; it != end; ++it) {
    const auto& match = *it;
    CHECK(match.position() == static_cast<long>(covered));  // nothing between the runs
    covered += match.length();
    const int x = std::stoi(match[1]), y = std::stoi(match[2]), n = std::stoi(match[3]);
    CHECK(std::stoi(match[4]) == n);
    for (int i = 0; i < n; ++i) CHECK(dark.insert({x + i, y}).second);  // no module painted twice
  }
  CHECK(covered == d.size());
  return dark;
}

std::set<Module> shifted(const std::set<Module>& modules, int by) {
  std::set<Module> out;
  for (auto [x, y] : modules) out.insert({x + by, y + by});
  return out;
}

// A finder pattern with its top-left module at (x0, y0): dark 7x7 ring, light ring, dark 3x3 centre.
bool finder_at(const std::set<Module>& dark, int x0, int y0) {
  for (int dy = 0; dy < 7; ++dy)
    for (int dx = 0; dx < 7; ++dx) {
      const int ring = std::max(std::abs(dx - 3), std::abs(dy - 3));
      const bool want_dark = ring != 2;
      if (dark.count({x0 + dx, y0 + dy}) != (want_dark ? 1u : 0u)) return false;
    }
  return true;
}

int svg_number(const std::string& svg, const std::string& attribute) {
  auto at = svg.find(attribute + "=\"");
  REQUIRE(at != std::string::npos);
  return std::stoi(svg.substr(at + attribute.size() + 2));
}

}  // namespace

TEST_CASE("activation_code_svg: a standalone SVG with the viewBox of the chosen version", "[activation-code][qr]") {
  auto m = activation_code_matrix(kUpper);
  REQUIRE(m);
  CHECK(m->size == 17 + 4 * m->version);
  auto svg = activation_code_svg(kUpper);
  REQUIRE(svg);
  INFO(*svg);
  CHECK(svg->rfind("<svg xmlns=\"http://www.w3.org/2000/svg\"", 0) == 0);
  CHECK(svg->size() > 7);
  CHECK(svg->substr(svg->size() - 7) == "</svg>\n");
  const int side = m->size + 2 * 4;
  CHECK(svg->find("viewBox=\"0 0 " + std::to_string(side) + " " + std::to_string(side) + "\"") != std::string::npos);
  CHECK(svg_number(*svg, "width") == side * 8);
  CHECK(svg_number(*svg, "height") == side * 8);
  // One path, one background, nothing else drawn; every element closed.
  CHECK(svg->find("<path") != std::string::npos);
  CHECK(svg->find("<path", svg->find("<path") + 1) == std::string::npos);
  CHECK(std::count(svg->begin(), svg->end(), '<') == 4);
  CHECK(std::count(svg->begin(), svg->end(), '>') == 4);
  CHECK(svg->find("<rect width=\"" + std::to_string(side) + "\" height=\"" + std::to_string(side)) !=
        std::string::npos);

  QrOptions bigger;
  bigger.module_pixels = 3;
  bigger.quiet_zone = 2;
  auto small = activation_code_svg(kUpper, bigger);
  REQUIRE(small);
  CHECK(small->find("viewBox=\"0 0 " + std::to_string(m->size + 4) + " ") != std::string::npos);
  CHECK(svg_number(*small, "width") == (m->size + 4) * 3);
}

TEST_CASE("activation_code_svg: the path paints exactly qrencode's dark modules, finders at three corners",
          "[activation-code][qr]") {
  struct Case {
    std::string text;
    QrErrorCorrection level;
    QRecLevel qrencode_level;
  };
  for (const auto& c :
       {Case{kUpper, QrErrorCorrection::medium, QR_ECLEVEL_M},
        Case{"LPA:1$smdp.example.com$abc-Def$1.3.6.1.4.1.31746$1", QrErrorCorrection::low, QR_ECLEVEL_L},
        Case{kUpper, QrErrorCorrection::high, QR_ECLEVEL_H},
        Case{"LPA:1$rsp.Example.org$" + std::string(150, 'A'), QrErrorCorrection::quartile, QR_ECLEVEL_Q}}) {
    INFO(c.text);
    QrOptions options;
    options.error_correction = c.level;
    auto svg = activation_code_svg(c.text, options);
    REQUIRE(svg);
    int size = 0;
    const auto expected = qrencode_dark(c.text, c.qrencode_level, &size);
    const auto painted = svg_dark(*svg);
    CHECK(painted == shifted(expected, 4));
    auto m = activation_code_matrix(c.text, options);
    REQUIRE(m);
    CHECK(m->size == size);
    CHECK(matrix_dark(*m) == expected);

    // Quiet zone: nothing painted outside the symbol.
    for (auto [x, y] : painted) {
      CHECK(x >= 4);
      CHECK(y >= 4);
      CHECK(x < 4 + size);
      CHECK(y < 4 + size);
    }
    CHECK(finder_at(painted, 4, 4));
    CHECK(finder_at(painted, 4 + size - 7, 4));
    CHECK(finder_at(painted, 4, 4 + size - 7));
    CHECK_FALSE(finder_at(painted, 4 + size - 7, 4 + size - 7));
  }
}

TEST_CASE("activation codes are encoded as given: case kept, LPA: added only when missing", "[activation-code][qr]") {
  CHECK(activation_code_qr_text(kUpper).value() == kUpper);
  CHECK(activation_code_qr_text("1$Smdp.Example.COM$aBc-1").value() == "LPA:1$Smdp.Example.COM$aBc-1");
  CHECK(activation_code_qr_text("1$SMDP.GSMA.COM$$1.3.6.1.4.1.31746").value() ==
        "LPA:1$SMDP.GSMA.COM$$1.3.6.1.4.1.31746");

  // With or without the prefix, the same symbol; a text differing only in case gives another symbol.
  const std::string mixed = "LPA:1$Smdp.Example.COM$aBc-1";
  auto with = activation_code_matrix(mixed);
  auto without = activation_code_matrix("1$Smdp.Example.COM$aBc-1");
  auto upper = activation_code_matrix("LPA:1$SMDP.EXAMPLE.COM$ABC-1");
  REQUIRE(with);
  REQUIRE(without);
  REQUIRE(upper);
  CHECK(with->dark == without->dark);
  CHECK(matrix_dark(*with) == qrencode_dark(mixed, QR_ECLEVEL_M));
  CHECK(with->dark != upper->dark);

  // Upper case fits alphanumeric mode: a smaller symbol than the same code in lower case (byte mode).
  const std::string long_upper = "LPA:1$SMDP.EXAMPLE.COM$04386-AGYFT-A74Y8-3F815-04386-AGYFT-A74Y8-3F815";
  std::string long_lower = long_upper;
  for (size_t i = 4; i < long_lower.size(); ++i)
    long_lower[i] = static_cast<char>(std::tolower(static_cast<unsigned char>(long_lower[i])));
  auto upper_code = activation_code_matrix(long_upper);
  auto lower_code = activation_code_matrix(long_lower);
  REQUIRE(upper_code);
  REQUIRE(lower_code);
  CHECK(upper_code->version < lower_code->version);

  // More error correction never makes the symbol smaller.
  QrOptions low, high;
  low.error_correction = QrErrorCorrection::low;
  high.error_correction = QrErrorCorrection::high;
  CHECK(activation_code_matrix(kUpper, low)->version <= activation_code_matrix(kUpper, high)->version);
}

TEST_CASE("activation code QR refusals: not an activation code, NUL, too long, bad layout", "[activation-code][qr]") {
  CHECK_FALSE(activation_code_svg("https://example.com/"));
  CHECK_FALSE(activation_code_svg("LPA:2$smdp.example.com$X"));
  CHECK_FALSE(activation_code_text_qr("LPA:1$smdp.example.com"));
  CHECK_FALSE(activation_code_svg(std::string("LPA:1$smdp.example.com$A\0B", 26)));
  auto too_long = activation_code_svg("LPA:1$smdp.example.com$" + std::string(3000, 'a'), {QrErrorCorrection::high});
  REQUIRE_FALSE(too_long);
  CHECK(too_long.error().message.find("too long") != std::string::npos);
  QrOptions negative;
  negative.quiet_zone = -1;
  CHECK_FALSE(activation_code_svg(kUpper, negative));
  QrOptions zero_pixels;
  zero_pixels.module_pixels = 0;
  CHECK_FALSE(activation_code_svg(kUpper, zero_pixels));
}

TEST_CASE("activation_code_text_qr: two rows of modules a line in half blocks, both colour schemes",
          "[activation-code][qr]") {
  auto m = activation_code_matrix(kUpper);
  REQUIRE(m);
  const int side = m->size + 8;
  for (bool dark_on_light : {false, true}) {
    QrTerminalOptions options;
    options.dark_on_light = dark_on_light;
    auto drawn = activation_code_text_qr(kUpper, options);
    REQUIRE(drawn);
    INFO(*drawn);
    // Read the blocks back into painted modules.
    std::set<Module> painted;
    int line = 0;
    size_t pos = 0;
    while (pos < drawn->size()) {
      size_t end = drawn->find('\n', pos);
      REQUIRE(end != std::string::npos);
      const std::string text = drawn->substr(pos, end - pos);
      int x = 0;
      for (size_t i = 0; i < text.size(); ++x) {
        if (text[i] == ' ') {
          ++i;
          continue;
        }
        const std::string block = text.substr(i, 3);
        i += 3;
        if (block == "\u2588" || block == "\u2580") painted.insert({x, 2 * line});
        if (block == "\u2588" || block == "\u2584") painted.insert({x, 2 * line + 1});
        CHECK((block == "\u2588" || block == "\u2580" || block == "\u2584"));
      }
      CHECK(x == side);
      ++line;
      pos = end + 1;
    }
    CHECK(line == (side + 1) / 2);
    const auto dark = shifted(matrix_dark(*m), 4);
    if (dark_on_light) {
      CHECK(painted == dark);
    } else {
      std::set<Module> light;
      for (int y = 0; y < side; ++y)
        for (int x = 0; x < side; ++x)
          if (!dark.count({x, y})) light.insert({x, y});
      CHECK(painted == light);
    }
  }
}
