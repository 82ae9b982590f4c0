// Log injection (issue 13, finding 2): `smdp serve` logs one logfmt line per ES9+ and ES2+ request,
// and some of its fields come from the request (transactionId, error text). Hostile values in every
// client-supplied field of both bindings of ES9+ and of ES2+ (NUL, CR LF with a forged line after
// it, terminal escapes, malformed UTF-8, 1 MB) must leave one line per request, with no raw control
// byte and of bounded length.
#include <catch2/catch.hpp>

#include <sstream>

#include "rsp/server/log.hpp"
#include "rsp/tlv.hpp"
#include "smdp/es9plus_asn1.hpp"
#include "smdp_process_fixture.hpp"
#include "support/child_process.hpp"

namespace {

using nlohmann::json;
using namespace std::string_literals;

// A JSON string of `v`: escaped by the JSON library when `v` is UTF-8, else its raw bytes in quotes
// (what an attacker sends; the server's parser refuses it).
std::string json_string(const std::string& v) {
  try {
    return json(v).dump();
  } catch (const json::exception&) {
    return "\"" + v + "\"";
  }
}

// {"k1":v1,...} with each value one hostile string, or an object built the same way.
std::string object(std::initializer_list<std::pair<std::string, std::string>> members) {
  std::string body = "{";
  for (const auto& [key, value] : members) body += (body.size() > 1 ? "," : "") + json(key).dump() + ":" + value;
  return body + "}";
}

}  // namespace

TEST_CASE(
    "smdp serve: hostile values in every logged ES9+ and ES2+ field leave one printable, bounded line per request",
    "[smdp][process][log]") {
  smdp::test::SmdpProcessSetup setup("8949449999999990072", "001010000000072");
  rsp::test::ChildProcess smdp("smdp", setup.dir.path(),
                               setup.serve_args({"--es9-listen", "127.0.0.1:0", "--es2-listen", "127.0.0.1:0"}));
  std::string es9_port = smdp.wait_for("ES9\\+ of localhost on https://127.0.0.1:(\\d+)");
  std::string es2 = "https://localhost:" + smdp.wait_for("ES2\\+ on port (\\d+)") + "/gsma/rsp2/es2plus/";
  std::string es9 = "https://localhost:" + es9_port + "/gsma/rsp2/es9plus/";
  std::string es9_asn1 = "https://localhost:" + es9_port + std::string(smdp::kEs9Asn1Path);
  auto device = rsp::test::client_trusting(setup.ci());
  auto operator_client = setup.operator_client();

  std::string megabyte;
  for (size_t i = 0; megabyte.size() < 1024 * 1024; ++i) megabyte += i % 64 == 63 ? '\n' : 'A';
  const std::vector<std::string> hostile{
      "id\0\r\ntime=2026-01-01T00:00:00.000Z interface=es9 function=forged outcome=Executed-Success"s,
      "\x1b[2J\x1b]0;owned\x07\xc2\x9b"
      "31m\x7f",
      "\xff\xfe\xc0\xaf\xed\xa0\x80",
      megabyte,
  };
  const rsp::http::Headers json_headers{{"Content-Type", "application/json"}, {"X-Admin-Protocol", "gsma/rsp/v2.2.2"}};
  const rsp::http::Headers asn1_headers{{"Content-Type", std::string(smdp::kEs9Asn1ContentType)},
                                        {"X-Admin-Protocol", "gsma/rsp/v2.2.2"}};
  size_t requests = 0;
  auto send = [&](const rsp::http::Client& client, const std::string& url, const std::string& body,
                  const rsp::http::Headers& headers) {
    auto r = client.post(url, body, headers);
    INFO(url << ": " << (r ? r->body.substr(0, 200) : r.error().message));
    REQUIRE(r);
    CHECK(r->status < 500);
    ++requests;
  };
  for (const auto& raw : hostile) {
    std::string v = json_string(raw);
    std::string small = raw.size() > 100000 ? "\"x\"" : v;  // ES2+ bodies stay under the 4 MB body limit
    // ES9+, JSON binding: every member of every function.
    send(device, es9 + "initiateAuthentication",
         object({{"euiccChallenge", v}, {"euiccInfo1", small}, {"smdpAddress", small}}), json_headers);
    for (const char* function : {"authenticateClient", "getBoundProfilePackage", "cancelSession"})
      send(device, es9 + function,
           object({{"transactionId", v},
                   {"authenticateServerResponse", small},
                   {"prepareDownloadResponse", small},
                   {"cancelSessionResponse", small}}),
           json_headers);
    send(device, es9 + "handleNotification", object({{"pendingNotification", v}}), json_headers);
    // ES9+, ASN.1 binding: the value as an AuthenticateClientRequest's transactionId, and as the body.
    rsp::Bytes bytes(raw.begin(), raw.end());
    rsp::Bytes request = rsp::tlv::encode(0xA2, rsp::tlv::encode(0xBF3B, rsp::tlv::encode(0x80, bytes)));
    send(device, es9_asn1, std::string(request.begin(), request.end()), asn1_headers);
    send(device, es9_asn1, raw, asn1_headers);
    // ES2+: the header and the members the functions read.
    std::string header = object({{"functionRequesterIdentifier", v}, {"functionCallIdentifier", small}});
    for (const char* function : {"downloadOrder", "confirmOrder", "cancelOrder", "releaseProfile"})
      send(operator_client, es2 + function,
           object({{"header", header},
                   {"iccid", small},
                   {"eid", small},
                   {"profileType", small},
                   {"matchingId", small},
                   {"confirmationCode", small},
                   {"finalProfileStatusIndicator", small}}),
           json_headers);
  }

  // Every request logged before its answer; the lines, once all are there.
  std::vector<std::string> lines, request_lines;
  for (int attempt = 0; attempt < 100 && request_lines.size() < requests; ++attempt) {
    if (attempt) std::this_thread::sleep_for(std::chrono::milliseconds(20));
    lines.clear();
    request_lines.clear();
    std::istringstream text(smdp.output());
    for (std::string line; std::getline(text, line);) {
      lines.push_back(line);
      if (line.rfind("time=", 0) == 0 && line.find(" interface=es") == 29) request_lines.push_back(line);
    }
  }
  CHECK(request_lines.size() == requests);
  for (const auto& line : lines) {
    INFO(line.substr(0, 300));
    // smdp's own lines on stdout, else log lines: none glued to another or forged inside a value.
    CHECK((line.rfind("smdp: ", 0) == 0 || line.rfind("time=", 0) == 0));
    CHECK(line.size() < 16 * rsp::server::kLogValueLimit);
    bool printable = true;
    for (size_t i = 0; i < line.size(); ++i) {
      auto byte = static_cast<unsigned char>(line[i]);
      if (byte < 0x20 || byte == 0x7F ||
          (byte == 0xC2 && i + 1 < line.size() && static_cast<unsigned char>(line[i + 1]) < 0xA0))
        printable = false;
    }
    CHECK(printable);
  }
  // The hostile transactionId is in the log, escaped, and the 1 MB one cut with its count.
  std::string all = smdp.output();
  CHECK(all.find(R"(transactionId="id\x00\r\ntime=2026-01-01T00:00:00.000Z interface=es9 function=forged)") !=
        std::string::npos);
  CHECK(all.find("function=forged outcome=Executed-Success\n") == std::string::npos);
  CHECK(all.find("bytes)\"") != std::string::npos);
}
