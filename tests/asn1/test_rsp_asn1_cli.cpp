// The rsp-asn1 tool, run as a process: decode (DER, hex, stdin), encode round trip, type listing,
// profile package streams, and its exit codes (1 bad input, 2 usage error such as an unknown type).
#include <catch2/catch.hpp>

#include <sys/wait.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <fstream>
#include <string>

#include "asn1/samples.hpp"
#include "rsp/asn1/types.hpp"
#include "support/command.hpp"
#include "support/kit.hpp"

namespace {

using namespace rsp;
using namespace rsp::test;

struct Run {
  int status = -1;  // exit code, or -1 if the process did not exit normally
  std::string out;
  std::string err;
};

std::string read_all(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// Runs `rsp-asn1 <args>` through the shell; stdout and stderr are captured separately.
Run rsp_asn1(const std::string& args) {
  static TempDir scratch;
  const auto err_file = scratch.path() / "stderr";
  auto result = rsp::test::run_command(std::string(RSP_BINARY_DIR) + "/rsp-asn1 " + args + " 2>" + err_file.string());
  Run r;
  r.status = result.status;
  r.out = std::move(result.out);
  r.err = read_all(err_file);
  return r;
}

std::filesystem::path write(const TempDir& dir, const std::string& name, const std::string& content) {
  auto path = dir.path() / name;
  std::ofstream(path, std::ios::binary) << content;
  return path;
}
std::filesystem::path write(const TempDir& dir, const std::string& name, const Bytes& content) {
  return write(dir, name, std::string(content.begin(), content.end()));
}

// Hex as a person would paste it: lower case, spaced, wrapped.
std::string spaced_hex(ByteView bytes) {
  std::string hex = to_hex(bytes), out;
  for (size_t i = 0; i < hex.size(); i += 2) {
    out += static_cast<char>(std::tolower(hex[i]));
    out += static_cast<char>(std::tolower(hex[i + 1]));
    out += (i / 2) % 16 == 15 ? '\n' : ' ';
  }
  return out;
}

}  // namespace

TEST_CASE("rsp-asn1 decodes a certificate from DER, hex and stdin alike", "[asn1][cli]") {
  TempDir dir;
  Bytes cert = samples::certificate();
  auto der = write(dir, "cert.der", cert);
  auto hex_file = write(dir, "cert.hex", spaced_hex(cert));

  Run from_der = rsp_asn1("decode Certificate " + der.string());
  INFO(from_der.err);
  REQUIRE(from_der.status == 0);
  CHECK_THAT(from_der.out, Catch::Contains("Certificate ::= {"));
  CHECK_THAT(from_der.out, Catch::Contains("serialNumber: 00:B8:74:F3:AB:FA:6C:44:D3"));
  CHECK_THAT(from_der.out, Catch::Contains("{ 1.2.840.10045.4.3.2 }"));
  CHECK(from_der.err.empty());

  Run from_hex = rsp_asn1("decode Certificate " + hex_file.string());
  REQUIRE(from_hex.status == 0);
  CHECK(from_hex.out == from_der.out);

  Run from_stdin = rsp_asn1("decode Certificate - < " + der.string());
  REQUIRE(from_stdin.status == 0);
  CHECK(from_stdin.out == from_der.out);
}

TEST_CASE("rsp-asn1 encode reproduces the DER, as binary or with --hex", "[asn1][cli]") {
  TempDir dir;
  Bytes cert = samples::certificate();
  auto der = write(dir, "cert.der", cert);
  auto hex_file = write(dir, "cert.hex", spaced_hex(cert));

  Run binary = rsp_asn1("encode Certificate " + der.string());
  REQUIRE(binary.status == 0);
  CHECK(binary.out == std::string(cert.begin(), cert.end()));

  Run as_hex = rsp_asn1("encode Certificate " + hex_file.string() + " --hex");
  REQUIRE(as_hex.status == 0);
  CHECK(as_hex.out == to_hex(cert) + "\n");

  // BER in, DER out: a long-form length where the short form fits is re-encoded minimally.
  Bytes info = samples::euicc_info1();
  Bytes ber = concat({hex("BF2081"), ByteView(info).subspan(2)});
  Run canonical = rsp_asn1("encode EUICCInfo1 " + write(dir, "info.ber", ber).string() + " --hex");
  REQUIRE(canonical.status == 0);
  CHECK(canonical.out == to_hex(info) + "\n");
}

TEST_CASE("rsp-asn1 decode/encode ProfileElement takes a whole profile package", "[asn1][cli]") {
  TempDir dir;
  Bytes package = samples::profile_package();
  auto file = write(dir, "upp.der", package);

  Run decoded = rsp_asn1("decode ProfileElement " + file.string());
  INFO(decoded.err);
  REQUIRE(decoded.status == 0);
  CHECK_THAT(decoded.out, Catch::Contains("ProfileHeader ::= {"));
  CHECK_THAT(decoded.out, Catch::Contains("<element tag B2, " + std::to_string(samples::profile_telecom().size()) +
                                          " bytes, not decoded>"));
  CHECK_THAT(decoded.out, Catch::Contains("PE-End ::= {"));

  Run encoded = rsp_asn1("encode ProfileElement " + file.string());
  REQUIRE(encoded.status == 0);
  CHECK(encoded.out == std::string(package.begin(), package.end()));

  Run broken = rsp_asn1("decode ProfileElement " + write(dir, "bad.der", concat({package, hex("3000")})).string());
  CHECK(broken.status == 1);
  CHECK_THAT(broken.err, Catch::Contains("ProfileElement"));
  CHECK_THAT(broken.err, Catch::Contains("at byte " + std::to_string(package.size())));
}

TEST_CASE("rsp-asn1 types lists every type of the modules", "[asn1][cli]") {
  Run types = rsp_asn1("types");
  REQUIRE(types.status == 0);
  size_t lines = static_cast<size_t>(std::count(types.out.begin(), types.out.end(), '\n'));
  CHECK(lines == asn1::all_types().size());
  for (const char* name : {"Certificate", "EUICCInfo1", "BoundProfilePackage", "ProfileElement", "SGP32-EUICCInfo2",
                           "EsipaMessageFromIpaToEim", "EuiccSignPIR"})
    CHECK_THAT(types.out, Catch::Contains(std::string("\n") + name + "\n"));
}

TEST_CASE("rsp-asn1 exit codes: 2 for usage errors, 1 for bad input", "[asn1][cli]") {
  TempDir dir;
  auto cert = write(dir, "cert.der", samples::certificate());

  Run unknown = rsp_asn1("decode Certifcate " + cert.string());
  CHECK(unknown.status == 2);
  CHECK_THAT(unknown.err, Catch::Contains("unknown type 'Certifcate'"));
  CHECK_THAT(unknown.err, Catch::Contains("Certificate"));
  CHECK(unknown.out.empty());

  Run case_typo = rsp_asn1("encode EuiccInfo1 " + cert.string());
  CHECK(case_typo.status == 2);
  CHECK_THAT(case_typo.err, Catch::Contains("EUICCInfo1"));

  Run wrong_type = rsp_asn1("decode EUICCInfo1 " + cert.string());
  CHECK(wrong_type.status == 1);
  CHECK_THAT(wrong_type.err, Catch::Contains("EUICCInfo1: "));
  CHECK_THAT(wrong_type.err, Catch::Contains("at byte 0"));

  Bytes truncated = samples::certificate();
  truncated.resize(truncated.size() / 2);
  Run cut = rsp_asn1("decode Certificate " + write(dir, "cut.der", truncated).string());
  CHECK(cut.status == 1);
  CHECK_THAT(cut.err, Catch::Contains("Certificate: "));

  Run trailing = rsp_asn1("encode Certificate " +
                          write(dir, "trailing.der", concat({samples::certificate(), hex("00")})).string());
  CHECK(trailing.status == 1);
  CHECK_THAT(trailing.err, Catch::Contains("at byte " + std::to_string(samples::certificate().size())));
  CHECK(trailing.out.empty());

  Run constraint = rsp_asn1("decode ServerSigned1 " + write(dir, "tid.der", samples::server_signed1(17)).string());
  CHECK(constraint.status == 1);
  CHECK_THAT(constraint.err, Catch::Contains("constraint"));

  CHECK(rsp_asn1("decode Certificate " + (dir.path() / "missing.der").string()).status == 1);
  CHECK(rsp_asn1("decode Certificate " + write(dir, "odd.hex", std::string("30 8")).string()).status == 1);
  CHECK(rsp_asn1("").status == 2);
  CHECK(rsp_asn1("decode Certificate").status == 2);
  CHECK(rsp_asn1("frobnicate").status == 2);
  CHECK(rsp_asn1("--help").status == 0);
}

TEST_CASE("rsp-asn1 handles the kit's certificates and profile packages", "[asn1][cli][kit]") {
  auto kit = require_kit();
  auto ci = kit / "certs/production-ci/GSMA_CI_OISTE_G1_NIST.pem";
  // PEM is not one of the input forms: the tool says so through the decoder.
  CHECK(rsp_asn1("decode Certificate " + ci.string()).status == 1);

  auto cert = kit / "certs/CertificateIssuer/CERT_CI_ECDSA_NIST.der";
  Run encoded = rsp_asn1("encode Certificate " + cert.string());
  REQUIRE(encoded.status == 0);
  CHECK(encoded.out == read_all(cert));

  auto upp = kit / "vectors/saip/TS48v5_SAIP2.3_BERTLV_SUCI.der";
  Run package = rsp_asn1("encode ProfileElement " + upp.string());
  REQUIRE(package.status == 0);
  CHECK(package.out == read_all(upp));
  Run dump = rsp_asn1("decode ProfileElement " + upp.string());
  REQUIRE(dump.status == 0);
  CHECK_THAT(dump.out, Catch::Contains("not decoded>"));
}
