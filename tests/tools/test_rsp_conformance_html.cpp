// rsp-conformance --html and the exchange log: the escaper leaves no '<' from data, ES10 messages
// decode by their tag (request or response), and a run against euicc-sim --listen writes one report
// with every case, the JUnit counts, decoded EUICCInfo1 and per-case APDU counts that match --json.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>
#include <string>

#include "html_report.hpp"
#include "rsp/bytes.hpp"
#include "support/child_process.hpp"
#include "support/command.hpp"
#include "support/kit.hpp"

namespace {

std::string run_conformance(const std::string& args) {
  auto r =
      rsp::test::run_command("timeout 20 " + std::string(RSP_BINARY_DIR) + "/rsp-conformance " + args + " 2>/dev/null");
  return r.out;
}

std::string attribute(const std::string& xml, const std::string& name) {
  std::smatch m;
  REQUIRE(std::regex_search(xml, m, std::regex(" " + name + "=\"(\\d+)\"")));
  return m[1];
}

std::string cell(const std::string& html, const std::string& id) {
  std::smatch m;
  REQUIRE(std::regex_search(html, m, std::regex("id=\"" + id + "\">(\\d+)<")));
  return m[1];
}

}  // namespace

TEST_CASE("html_escape leaves no markup from data", "[conformance][html]") {
  std::string escaped = conformance::html_escape("got: <script>alert('x')</script> & \"q\"");
  CHECK(escaped.find('<') == std::string::npos);
  CHECK(escaped.find('>') == std::string::npos);
  CHECK(escaped.find('"') == std::string::npos);
  CHECK(escaped == "got: &lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot;");

  conformance::Case c{"X.Y.<script>", "euicc", "§1", "<script>", "<b>", {}};
  conformance::Result r{&c,
                        conformance::fail("expected <a>, got <script>"),
                        0.1,
                        {{"apdu", {}, {0x80, 0xE2, 0x91, 0x00, 0x00}, {0x90, 0x00}}}};
  std::string html = conformance::html_report({"euicc", "tcp:<host>", "2026"}, {r});
  CHECK(html.find("<script") == std::string::npos);
  CHECK(html.find("&lt;script&gt;") != std::string::npos);
  CHECK(html.find("1 (7 bytes)") != std::string::npos);
}

TEST_CASE("decode_es10 picks the type by tag and direction", "[conformance][html]") {
  auto request = *rsp::from_hex("BF2000");
  CHECK(conformance::decode_es10(request, true).find("GetEuiccInfo1Request") != std::string::npos);
  CHECK(conformance::decode_es10(request, false).find("GetEuiccInfo1Request") == std::string::npos);
  CHECK(conformance::decode_es10(*rsp::from_hex("BF2001"), true).empty());    // truncated
  CHECK(conformance::decode_es10(*rsp::from_hex("BF200000"), true).empty());  // trailing byte
  CHECK(conformance::decode_es10(*rsp::from_hex("DF7F00"), false).empty());   // no such type
}

TEST_CASE("rsp-conformance --html reports every case with its decoded exchange", "[conformance][html][cli]") {
  rsp::test::TempDir dir;
  rsp::test::ChildProcess card("euicc-sim", dir.path(),
                               {"--state", (dir.path() / "card").string(), "--listen", "127.0.0.1:0"});
  std::string euicc = "tcp:127.0.0.1:" + card.wait_for("listening on 127\\.0\\.0\\.1:(\\d+)");
  auto html_path = dir.path() / "report.html", junit_path = dir.path() / "junit.xml";
  std::string json = run_conformance("run --role euicc --euicc " + euicc + " --json --html " + html_path.string() +
                                     " --junit " + junit_path.string());
  std::string html = rsp::test::read_text(html_path);
  std::string xml = rsp::test::read_text(junit_path);
  REQUIRE(html.rfind("<!DOCTYPE html>", 0) == 0);
  CHECK(html.find("</html>") != std::string::npos);
  CHECK(html.find("<script") == std::string::npos);
  CHECK(html.find(euicc) != std::string::npos);

  CHECK(cell(html, "total") == attribute(xml, "tests"));
  CHECK(cell(html, "failed") == attribute(xml, "failures"));
  CHECK(cell(html, "not-applicable") == attribute(xml, "skipped"));
  CHECK(html.find("EUICCInfo1 ::= {") != std::string::npos);
  CHECK(html.find("euiccCiPKIdListForVerification") != std::string::npos);
  CHECK(html.find("GetEuiccInfo1Request ::=") != std::string::npos);

  std::istringstream lines(json);
  int cases = 0;
  for (std::string line; std::getline(lines, line); ++cases) {
    auto j = nlohmann::json::parse(line);
    std::string id = j.at("case");
    INFO(id);
    auto section = html.find("<section id=\"" + id + "\">");
    REQUIRE(section != std::string::npos);
    auto end = html.find("</section>", section);
    std::string one = html.substr(section, end - section);
    CHECK(one.find("<th>APDUs</th><td>" + std::to_string(j.at("apdus").get<int>()) + " (" +
                   std::to_string(j.at("apdu_bytes").get<int>()) + " bytes)") != std::string::npos);
    if (j.at("verdict") == "n/a") continue;  // the download cases without --pki send nothing
    CHECK(j.at("apdus").get<int>() >= 1);
    CHECK(j.at("apdu_bytes").get<int>() > 4 * j.at("apdus").get<int>());
    CHECK(one.find("-&gt; ") != std::string::npos);
  }
  CHECK(std::to_string(cases) == attribute(xml, "tests"));
  CHECK(cases == 79);
}
