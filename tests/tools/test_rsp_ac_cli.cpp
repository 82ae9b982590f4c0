// The rsp-ac tool, run as a process: `make` prints the code with its fields as given, `parse` shows the
// fields (or JSON), `qr` writes the SVG 0644 or draws on the terminal; a bad code exits 1, bad usage 2,
// each with one line on stderr.
#include <catch2/catch.hpp>

#include <sys/stat.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <string>

#include "rsp/activation_code_qr.hpp"
#include "support/command.hpp"
#include "support/kit.hpp"

namespace {

using namespace rsp;
using Run = rsp::test::CommandResult;

// Single quotes around TEXT arguments keep the '$' away from the shell.
Run rsp_ac(const std::string& args, bool with_stderr = true) {
  return rsp::test::run_command(std::string(RSP_BINARY_DIR) + "/rsp-ac " + args +
                                (with_stderr ? " 2>&1" : " 2>/dev/null"));
}

bool one_line(const std::string& text) { return std::count(text.begin(), text.end(), '\n') == 1; }

}  // namespace

TEST_CASE("rsp-ac make prints the activation code with its fields exactly as given", "[activation-code][cli]") {
  Run plain = rsp_ac("make --smdp Smdp.Example.COM --matching-id 04386-agyft-A74Y8");
  CHECK(plain.status == 0);
  CHECK(plain.out == "LPA:1$Smdp.Example.COM$04386-agyft-A74Y8\n");
  Run full = rsp_ac(
      "make --smdp SMDP.GSMA.COM --matching-id 04386-AGYFT-A74Y8-3F815 --oid 1.3.6.1.4.1.31746 "
      "--confirmation-code-required");
  CHECK(full.status == 0);
  CHECK(full.out == "LPA:1$SMDP.GSMA.COM$04386-AGYFT-A74Y8-3F815$1.3.6.1.4.1.31746$1\n");
  Run flag_only = rsp_ac("make --smdp SMDP.GSMA.COM --matching-id X --confirmation-code-required");
  CHECK(flag_only.out == "LPA:1$SMDP.GSMA.COM$X$$1\n");
  Run json = rsp_ac("make --smdp smdp.example.com --matching-id X --json");
  REQUIRE(json.status == 0);
  auto j = nlohmann::json::parse(json.out);
  CHECK(j["activationCode"] == "LPA:1$smdp.example.com$X");
  CHECK(j["confirmationCodeRequired"] == false);
  CHECK_FALSE(j.contains("smdpOid"));
}

TEST_CASE("rsp-ac make refuses a field it cannot carry (1) and bad usage (2)", "[activation-code][cli]") {
  Run dollar = rsp_ac("make --smdp smdp.example.com --matching-id 'A$1.2'");
  CHECK(dollar.status == 1);
  CHECK(one_line(dollar.out));
  CHECK(dollar.out.find("--matching-id must not contain '$'") != std::string::npos);
  Run oid = rsp_ac("make --smdp smdp.example.com --matching-id A --oid 1.x");
  CHECK(oid.status == 1);
  CHECK(one_line(oid.out));
  CHECK(rsp_ac("make --smdp 'smdp example' --matching-id A").status == 1);
  Run missing = rsp_ac("make --smdp smdp.example.com");
  CHECK(missing.status == 2);
  CHECK(one_line(missing.out));
  CHECK(missing.out.find("--matching-id") != std::string::npos);
  CHECK(rsp_ac("").status == 2);
  CHECK(rsp_ac("frobnicate").status == 2);
}

TEST_CASE("rsp-ac parse prints the fields or JSON, and a bad code exits 1 with one line", "[activation-code][cli]") {
  Run text = rsp_ac("parse 'LPA:1$Smdp.Example.COM$abc-DEF$1.3.6.1.4.1.31746$1'");
  REQUIRE(text.status == 0);
  CHECK(text.out.find("SM-DP+ address     Smdp.Example.COM\n") != std::string::npos);
  CHECK(text.out.find("matching ID        abc-DEF\n") != std::string::npos);
  CHECK(text.out.find("SM-DP+ OID         1.3.6.1.4.1.31746\n") != std::string::npos);
  CHECK(text.out.find("confirmation code  required\n") != std::string::npos);

  Run json = rsp_ac("parse '1$SMDP.GSMA.COM$$1.3.6.1.4.1.31746' --json");
  REQUIRE(json.status == 0);
  auto j = nlohmann::json::parse(json.out);
  CHECK(j["smdpAddress"] == "SMDP.GSMA.COM");
  CHECK(j["matchingId"] == "");
  CHECK(j["smdpOid"] == "1.3.6.1.4.1.31746");
  CHECK(j["confirmationCodeRequired"] == false);
  CHECK(j["activationCode"] == "LPA:1$SMDP.GSMA.COM$$1.3.6.1.4.1.31746");

  Run bad = rsp_ac("parse 'LPA:2$smdp.example.com$X'");
  CHECK(bad.status == 1);
  CHECK(one_line(bad.out));
  CHECK(bad.out.rfind("rsp-ac parse: ", 0) == 0);
  CHECK(rsp_ac("parse").status == 2);
}

TEST_CASE("rsp-ac qr writes the SVG 0644 or draws on the terminal, and refusals write nothing",
          "[activation-code][cli]") {
  test::TempDir dir;
  const std::string code = "LPA:1$Smdp.Example.COM$04386-AGYFT-a74y8";
  auto svg_path = dir.path() / "ac.svg";
  Run wrote = rsp_ac("qr '" + code + "' --svg " + svg_path.string());
  INFO(wrote.out);
  REQUIRE(wrote.status == 0);
  CHECK(wrote.out.find(code) != std::string::npos);
  struct stat st {};
  REQUIRE(::stat(svg_path.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0644);
  CHECK(test::read_text(svg_path) == activation_code_svg(code).value());

  QrOptions high;
  high.error_correction = QrErrorCorrection::high;
  REQUIRE(rsp_ac("qr '" + code + "' --level H --svg " + svg_path.string()).status == 0);
  CHECK(test::read_text(svg_path) == activation_code_svg(code, high).value());

  Run drawn = rsp_ac("qr '" + code + "'", false);
  REQUIRE(drawn.status == 0);
  CHECK(drawn.out == activation_code_text_qr(code).value());
  QrTerminalOptions inverted;
  inverted.dark_on_light = true;
  CHECK(rsp_ac("qr '" + code + "' --dark-on-light", false).out == activation_code_text_qr(code, inverted).value());

  auto refused = dir.path() / "refused.svg";
  Run bad = rsp_ac("qr 'https://example.com/' --svg " + refused.string());
  CHECK(bad.status == 1);
  CHECK(one_line(bad.out));
  CHECK_FALSE(std::filesystem::exists(refused));
  CHECK(rsp_ac("qr '" + code + "' --level X --svg " + refused.string()).status == 2);
  CHECK_FALSE(std::filesystem::exists(refused));
  CHECK(rsp_ac("qr '" + code + "' --svg " + (dir.path() / "missing" / "ac.svg").string()).status == 1);
}
