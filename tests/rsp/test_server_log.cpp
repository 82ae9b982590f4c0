// rsp::server::log_value: whatever bytes a client sends as a logged field, its text in a log line is
// printable, one line, and bounded (issue 13, finding 2: log injection).
#include <catch2/catch.hpp>

#include <string>

#include "rsp/server/log.hpp"

using rsp::server::kLogValueLimit;
using rsp::server::log_fields;
using rsp::server::log_value;
using namespace std::string_literals;

namespace {

// No byte a terminal or a line-oriented reader acts on: C0 controls, DEL, or C1 (as UTF-8 C2 80-9F).
bool printable(const std::string& text) {
  for (size_t i = 0; i < text.size(); ++i) {
    auto byte = static_cast<unsigned char>(text[i]);
    if (byte < 0x20 || byte == 0x7F) return false;
    if (byte == 0xC2 && i + 1 < text.size() && static_cast<unsigned char>(text[i + 1]) < 0xA0) return false;
  }
  return true;
}

}  // namespace

TEST_CASE("log_value: plain identifiers stay bare, the rest is quoted and escaped", "[log]") {
  CHECK(log_value("8949449999999990031") == "8949449999999990031");
  CHECK(log_value("Executed-Success") == "Executed-Success");
  CHECK(log_value("a b") == "\"a b\"");
  CHECK(log_value("k=v") == "\"k=v\"");
  CHECK(log_value(R"(say "hi" \o/)") == R"("say \"hi\" \\o/")");
  CHECK(log_value("one\r\ntwo\tthree") == R"("one\r\ntwo\tthree")");
  CHECK(log_value("cut\0here"s) == R"("cut\x00here")");
  CHECK(log_value("\x1b[2J\x1b]0;owned\x07\x7f") == R"("\x1b[2J\x1b]0;owned\x07\x7f")");
  // Well-formed UTF-8 is kept; C1 controls are escaped; malformed bytes, overlongs, surrogates and
  // code points above U+10FFFF become \xNN.
  CHECK(log_value("Grüße-€-😀") == "Grüße-€-😀");
  CHECK(log_value("\xc2\x9b"
                  "31m\xc2\x85") == R"("\u009b31m\u0085")");
  CHECK(log_value("\xff\xfe") == R"("\xff\xfe")");
  CHECK(log_value("\xc0\xaf") == R"("\xc0\xaf")");                  // overlong '/'
  CHECK(log_value("\xed\xa0\x80") == R"("\xed\xa0\x80")");          // surrogate U+D800
  CHECK(log_value("\xf4\x90\x80\x80") == R"("\xf4\x90\x80\x80")");  // U+110000
  CHECK(log_value("\xe2\x82") == R"("\xe2\x82")");                  // truncated sequence
  // A forged line cannot start: the newline is escaped, so "time=" stays inside the quoted value.
  std::string forged = log_value("x\ntime=2026-01-01T00:00:00.000Z interface=es9 outcome=Executed-Success");
  CHECK(forged.find('\n') == std::string::npos);
  CHECK(forged.front() == '"');
  CHECK(forged.back() == '"');
}

TEST_CASE("log_value: a long value is cut at the limit, never inside an escape or a character", "[log]") {
  std::string megabyte(1024 * 1024, 'A');
  std::string text = log_value(megabyte);
  CHECK(text == "\"" + std::string(kLogValueLimit, 'A') + "...(+" + std::to_string(megabyte.size() - kLogValueLimit) +
                    " bytes)\"");

  // 255 bytes of text, then an escape of 4: the escape is left out whole.
  std::string escapes = std::string(kLogValueLimit - 1, 'B') + "\x01" + std::string(100, 'C');
  CHECK(log_value(escapes) == "\"" + std::string(kLogValueLimit - 1, 'B') + "...(+101 bytes)\"");
  // A 4-byte character at the limit is left out whole.
  std::string wide = std::string(kLogValueLimit - 2, 'D') + "😀";
  CHECK(log_value(wide) == "\"" + std::string(kLogValueLimit - 2, 'D') + "...(+4 bytes)\"");

  // Every byte escaped: the text still stays within the limit plus the marker and the quotes.
  std::string hostile;
  for (int i = 0; i < 4096; ++i) hostile += static_cast<char>(i % 256);
  std::string escaped = log_value(hostile);
  CHECK(printable(escaped));
  CHECK(escaped.size() <= kLogValueLimit + 32);
  CHECK(escaped.find("...(+") != std::string::npos);
}

TEST_CASE("log_fields: every value escaped, empty ones left out, one line whatever the values", "[log]") {
  std::string nul_id = "id\0\r\ntime=forged"s;
  std::string line = log_fields(
      {{"interface", "es9"}, {"transactionId", nul_id}, {"message", ""}, {"peer", std::string(5000, '\xff')}});
  CHECK(printable(line));
  CHECK(line.rfind(R"( interface=es9 transactionId="id\x00\r\ntime=forged" peer="\xff)", 0) == 0);
  CHECK(line.find("message=") == std::string::npos);
  CHECK(line.size() < 3 * kLogValueLimit);
}
