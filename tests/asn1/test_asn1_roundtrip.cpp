// Every ASN.1 sample of the reference kit decodes with our modules and re-encodes to the same
// bytes: certificates (DER and PEM, SGP.26 and production CI), every DER object of the recorded
// ES9+ sessions, the ASN.1 fields of their JSON bodies, the BPP vectors, the SAIP profile packages
// (as ProfileElement streams) and the examples in es9p/JSON_EXAMPLES.md and es10/APDU_EXAMPLES.md.
//
// Each file of certs/ and vectors/ must be covered by one rule below, either mapped to a type or
// excluded with a reason, and each test checks that it handled as many files as it found: a new
// file in the kit, or one that a rule no longer matches, fails a test instead of being skipped.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <map>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "rsp/asn1/codec.hpp"
#include "rsp/asn1/profile_package.hpp"
#include "rsp/asn1/types.hpp"
#include "rsp/tlv.hpp"
#include "support/kit.hpp"

namespace {

namespace fs = std::filesystem;
using namespace rsp;
using rsp::test::require_kit;

// ---------------------------------------------------------------------------------------------
// What each kit file is

enum class Kind {
  Der,             // one DER value of `type`
  ProfilePackage,  // a stream of ProfileElement TLVs
  Pem,             // PEM blocks: CERTIFICATE -> Certificate, PUBLIC KEY -> SubjectPublicKeyInfo
  Es9pJson,        // a recorded ES9+ HTTP body: its base64 fields are DER values
  JsonExamples,    // es9p/JSON_EXAMPLES.md
  ApduExamples,    // es10/APDU_EXAMPLES.md
  Excluded,        // no ASN.1 of ours in it; `type` says why
};

struct Rule {
  Kind kind;
  std::string type;  // the ASN.1 type for Der, the reason for Excluded
};

// der/ and plain/ of a recorded session (vectors/sessions/<name>/), by file name.
const std::map<std::string, Rule>& session_files() {
  static const std::map<std::string, Rule> table = {
      {"01-euiccInfo1.der", {Kind::Der, "EUICCInfo1"}},
      {"01-serverSigned1.der", {Kind::Der, "ServerSigned1"}},
      {"01-serverSignature1.der", {Kind::Der, "EuiccSignPIR"}},  // 5F37: the module's only named [APPLICATION 55]
      {"01-euiccCiPKIdToBeUsed.der", {Kind::Der, "SubjectKeyIdentifier"}},
      {"01-serverCertificate.der", {Kind::Der, "Certificate"}},
      {"02-euiccSigned1.der", {Kind::Der, "EuiccSigned1"}},
      {"02-euiccSignature1.der", {Kind::Der, "EuiccSignPIR"}},
      {"02-euiccCertificate.der", {Kind::Der, "Certificate"}},
      {"02-eumCertificate.der", {Kind::Der, "Certificate"}},
      {"02-authenticateServerResponse.der", {Kind::Der, "AuthenticateServerResponse"}},
      {"02-profileMetadata.der", {Kind::Der, "StoreMetadataRequest"}},
      {"02-smdpSigned2.der", {Kind::Der, "SmdpSigned2"}},
      {"02-smdpSignature2.der", {Kind::Der, "EuiccSignPIR"}},
      {"02-smdpCertificate.der", {Kind::Der, "Certificate"}},
      {"03-euiccSigned2.der", {Kind::Der, "EUICCSigned2"}},
      {"03-euiccSignature2.der", {Kind::Der, "EuiccSignPIR"}},
      {"03-prepareDownloadResponse.der", {Kind::Der, "PrepareDownloadResponse"}},
      {"03-boundProfilePackage.der", {Kind::Der, "BoundProfilePackage"}},
      {"03-initialiseSecureChannel.der", {Kind::Der, "InitialiseSecureChannelRequest"}},
      {"04-profileInstallationResult.der", {Kind::Der, "ProfileInstallationResult"}},
      {"ci-certificate.der", {Kind::Der, "Certificate"}},
      {"tls-serverCertificate.der", {Kind::Der, "Certificate"}},
      {"A0-ConfigureISDP.der", {Kind::Der, "ConfigureISDPRequest"}},
      {"A1-StoreMetadata.der", {Kind::Der, "StoreMetadataRequest"}},
      {"A2-ReplaceSessionKeys.der", {Kind::Der, "ReplaceSessionKeysRequest"}},
      {"A3-UPP.der", {Kind::ProfilePackage, ""}},
      {"otSK.EUICC.pem", {Kind::Pem, ""}},
      {"keys.json", {Kind::Excluded, "eUICC-side secrets as hex in JSON"}},
      {"manifest.json", {Kind::Excluded, "recording metadata (sizes, hashes, HTTP headers)"}},
      {"README.md", {Kind::Excluded, "documentation"}},
  };
  return table;
}

// The ES9+ JSON fields (SGP.22 §6.5.2) that carry base64 DER, and the fields that carry none.
const std::map<std::string, std::string>& es9p_asn1_fields() {
  static const std::map<std::string, std::string> table = {
      {"euiccInfo1", "EUICCInfo1"},
      {"serverSigned1", "ServerSigned1"},
      {"serverSignature1", "EuiccSignPIR"},
      {"euiccCiPKIdToBeUsed", "SubjectKeyIdentifier"},
      {"serverCertificate", "Certificate"},
      {"authenticateServerResponse", "AuthenticateServerResponse"},
      {"profileMetadata", "StoreMetadataRequest"},
      {"smdpSigned2", "SmdpSigned2"},
      {"smdpSignature2", "EuiccSignPIR"},
      {"smdpCertificate", "Certificate"},
      {"prepareDownloadResponse", "PrepareDownloadResponse"},
      {"boundProfilePackage", "BoundProfilePackage"},
      {"pendingNotification", "PendingNotification"},
      {"cancelSessionResponse", "CancelSessionResponse"},
  };
  return table;
}
bool es9p_plain_field(const std::string& field) {
  static const std::vector<std::string> plain = {"header",
                                                 "transactionId",
                                                 "smdpAddress",
                                                 "euiccChallenge",  // JSON objects, hex, text, raw octets
                                                 "functionExecutionStatus",
                                                 "status",
                                                 "statusCodeData",
                                                 "subjectCode",
                                                 "reasonCode",
                                                 "message"};
  return std::find(plain.begin(), plain.end(), field) != plain.end();
}

// ES10 STORE DATA payloads by outer tag (SGP.22 §5.7): request type, response type.
const std::map<tlv::Tag, std::pair<std::string, std::string>>& es10_types() {
  static const std::map<tlv::Tag, std::pair<std::string, std::string>> table = {
      {0xBF20, {"GetEuiccInfo1Request", "EUICCInfo1"}},
      {0xBF22, {"GetEuiccInfo2Request", "EUICCInfo2"}},
      {0xBF2E, {"GetEuiccChallengeRequest", "GetEuiccChallengeResponse"}},
      {0xBF3E, {"GetEuiccDataRequest", "GetEuiccDataResponse"}},
      {0xBF28, {"ListNotificationRequest", "ListNotificationResponse"}},
      {0xBF2B, {"RetrieveNotificationsListRequest", "RetrieveNotificationsListResponse"}},
      {0xBF30, {"NotificationSentRequest", "NotificationSentResponse"}},
      {0xBF2D, {"ProfileInfoListRequest", "ProfileInfoListResponse"}},
      {0xBF31, {"EnableProfileRequest", "EnableProfileResponse"}},
      {0xBF32, {"DisableProfileRequest", "DisableProfileResponse"}},
      {0xBF33, {"DeleteProfileRequest", "DeleteProfileResponse"}},
      {0xBF29, {"SetNicknameRequest", "SetNicknameResponse"}},
      {0xBF38, {"AuthenticateServerRequest", "AuthenticateServerResponse"}},
      {0xBF21, {"PrepareDownloadRequest", "PrepareDownloadResponse"}},
      {0xBF41, {"CancelSessionRequest", "CancelSessionResponse"}},
  };
  return table;
}

// The rule for a file, by its path relative to the kit; nullopt means "no rule": a test failure.
std::optional<Rule> classify(const fs::path& relative) {
  const std::string path = relative.generic_string();
  const std::string name = relative.filename().string();
  const std::string ext = relative.extension().string();
  auto under = [&](const char* prefix) { return path.rfind(prefix, 0) == 0; };

  if (under("certs/")) {
    if (ext == ".md") return Rule{Kind::Excluded, "documentation"};
    if (path == "certs/DPauth/data_sig.der")
      return Rule{Kind::Excluded, "a bare ECDSA-Sig-Value (RFC 5480); no such type in our modules"};
    if (ext == ".der") return Rule{Kind::Der, "Certificate"};
    if (ext == ".pem") return Rule{Kind::Pem, ""};
    return std::nullopt;
  }
  if (under("vectors/sessions/")) {
    if (relative.parent_path().parent_path() == "vectors/sessions" && name != "README.md" && name != "manifest.json")
      return std::nullopt;  // only README.md and manifest.json sit at the top of a session
    if (relative.parent_path().filename() == "es9p" && ext == ".json") return Rule{Kind::Es9pJson, ""};
    auto it = session_files().find(name);
    if (it != session_files().end()) return it->second;
    return std::nullopt;
  }
  if (under("vectors/bsp/")) {
    if (name == "bpp_testbspdecode.der") return Rule{Kind::Der, "BoundProfilePackage"};
    if (name == "bpp_testbspdecode_plain_upp.der") return Rule{Kind::ProfilePackage, ""};
    return std::nullopt;
  }
  if (under("vectors/saip/") && ext == ".der") return Rule{Kind::ProfilePackage, ""};
  if (path == "vectors/es9p/JSON_EXAMPLES.md") return Rule{Kind::JsonExamples, ""};
  if (path == "vectors/es10/APDU_EXAMPLES.md") return Rule{Kind::ApduExamples, ""};
  if (under("vectors/es2p/")) return Rule{Kind::Excluded, "ES2+ is a JSON-only interface (no ASN.1)"};
  if (path == "vectors/README.md" || path == "vectors/SOURCES.md") return Rule{Kind::Excluded, "documentation"};
  return std::nullopt;
}

std::vector<fs::path> files_under(const fs::path& kit, const fs::path& dir) {
  std::vector<fs::path> out;
  for (const auto& entry : fs::recursive_directory_iterator(kit / dir))
    if (entry.is_regular_file()) out.push_back(fs::relative(entry.path(), kit));
  std::sort(out.begin(), out.end());
  return out;
}

// ---------------------------------------------------------------------------------------------
// Round trips

// Empty if `der` decodes as `type_name` and re-encodes to the same bytes, else what went wrong.
std::string roundtrip_problem(const std::string& type_name, ByteView der) {
  const auto* type = asn1::find_type(type_name);
  if (!type) return "type " + type_name + " is not in the PDU collection";
  auto value = asn1::decode(*type, der);
  if (!value) return "decode: " + value.error().message();
  auto again = asn1::encode(*value);
  if (!again) return "encode: " + again.error().message;
  if (again->size() == der.size() && std::equal(again->begin(), again->end(), der.begin())) return {};
  size_t at = 0;
  while (at < again->size() && at < der.size() && (*again)[at] == der[at]) ++at;
  return "re-encoding differs: " + std::to_string(der.size()) + " bytes in, " + std::to_string(again->size()) +
         " out, first difference at byte " + std::to_string(at);
}

struct PackageStats {
  size_t elements = 0, decoded = 0;
};

std::string package_problem(ByteView stream, PackageStats& stats) {
  auto parsed = asn1::parse_profile_package(stream);
  if (!parsed) return "parse: " + parsed.error().message();
  for (const auto& e : *parsed) {
    ++stats.elements;
    if (e.decoded) {
      ++stats.decoded;
      // Each decoded element on its own must re-encode to its original bytes too.
      auto der = asn1::encode(*e.decoded);
      if (!der) return "element " + asn1::profile_element_name(e.tag) + ": " + der.error().message;
      if (*der != e.raw)
        return "element " + asn1::profile_element_name(e.tag) + " at byte " + std::to_string(e.offset) +
               " re-encodes differently";
    }
  }
  auto again = asn1::serialize_profile_package(*parsed);
  if (!again) return "serialize: " + again.error().message;
  if (!std::equal(again->begin(), again->end(), stream.begin(), stream.end())) return "re-emitted stream differs";
  return {};
}

#define CHECK_ROUNDTRIP(label, type_name, der)          \
  do {                                                  \
    INFO((label) << " as " << (type_name));             \
    CHECK(roundtrip_problem((type_name), (der)) == ""); \
  } while (0)

// ---------------------------------------------------------------------------------------------
// PEM

struct PemBlock {
  std::string label;
  std::optional<Bytes> der;
};

std::vector<PemBlock> pem_blocks(const std::string& text) {
  std::vector<PemBlock> out;
  std::istringstream in(text);
  std::string line, label, body;
  bool inside = false;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.rfind("-----BEGIN ", 0) == 0) {
      label = line.substr(11, line.size() - 16);
      body.clear();
      inside = true;
    } else if (line.rfind("-----END ", 0) == 0 && inside) {
      out.push_back({label, from_base64(body)});
      inside = false;
    } else if (inside) {
      body += line;
    }
  }
  return out;
}

// The contents octets of the first INTEGER in the TBSCertificate: the serial number.
size_t serial_number_size(ByteView certificate) {
  auto cert = tlv::read(certificate);
  if (!cert) return 0;
  auto tbs = tlv::read(cert->value);
  if (!tbs) return 0;
  auto serial = tlv::find(tbs->value, 0x02);
  return serial ? serial->value.size() : 0;
}

Bytes base64_field(const std::string& field, const std::string& value) {
  auto bytes = from_base64(value);
  INFO("field " << field);
  REQUIRE(bytes.has_value());
  return *bytes;
}

}  // namespace

TEST_CASE("every file of the kit's certs/ and vectors/ has a rule", "[asn1][roundtrip][kit]") {
  auto kit = require_kit();
  std::map<Kind, size_t> per_kind;
  size_t total = 0;
  for (const char* dir : {"certs", "vectors"}) {
    for (const auto& file : files_under(kit, dir)) {
      INFO(file.generic_string());
      auto rule = classify(file);
      CHECK(rule.has_value());
      if (rule) ++per_kind[rule->kind];
      ++total;
    }
  }
  std::printf(
      "kit files: %zu (DER %zu, profile packages %zu, PEM %zu, ES9+ JSON bodies %zu, example docs %zu, "
      "excluded %zu)\n",
      total, per_kind[Kind::Der], per_kind[Kind::ProfilePackage], per_kind[Kind::Pem], per_kind[Kind::Es9pJson],
      per_kind[Kind::JsonExamples] + per_kind[Kind::ApduExamples], per_kind[Kind::Excluded]);
  CHECK(per_kind[Kind::Der] > 0);
}

TEST_CASE("certificates and public keys under certs/ round-trip (DER and PEM)", "[asn1][roundtrip][kit]") {
  auto kit = require_kit();
  size_t found = 0, handled = 0, der_certs = 0, pem_certs = 0, pem_public_keys = 0, private_key_blocks = 0,
         excluded = 0, long_serials = 0;
  for (const auto& file : files_under(kit, "certs")) {
    ++found;
    INFO(file.generic_string());
    auto rule = classify(file);
    REQUIRE(rule.has_value());
    switch (rule->kind) {
      case Kind::Der: {
        Bytes der = test::read_file(kit / file);
        CHECK_ROUNDTRIP(file.generic_string(), rule->type, der);
        ++der_certs;
        ++handled;
        break;
      }
      case Kind::Pem: {
        auto blocks = pem_blocks(test::read_text(kit / file));
        CHECK_FALSE(blocks.empty());
        for (const auto& block : blocks) {
          INFO("PEM block " << block.label);
          REQUIRE(block.der.has_value());
          if (block.label == "CERTIFICATE") {
            CHECK_ROUNDTRIP(file.generic_string(), "Certificate", *block.der);
            ++pem_certs;
            if (serial_number_size(*block.der) >= 16) ++long_serials;
            if (file.generic_string().find("production-ci") != std::string::npos)
              CHECK(serial_number_size(*block.der) >= 16);
          } else if (block.label == "PUBLIC KEY") {
            CHECK_ROUNDTRIP(file.generic_string(), "SubjectPublicKeyInfo", *block.der);
            ++pem_public_keys;
          } else if (block.label == "EC PARAMETERS" || block.label == "EC PRIVATE KEY" ||
                     block.label == "PRIVATE KEY") {
            ++private_key_blocks;  // SEC 1 / PKCS #8: not in our modules
          } else {
            FAIL("PEM block " << block.label << " has no rule");
          }
        }
        ++handled;
        break;
      }
      case Kind::Excluded:
        ++excluded;
        ++handled;
        break;
      default: FAIL("unexpected rule for a file under certs/");
    }
  }
  std::printf(
      "certs/: %zu files: %zu DER certificates, %zu PEM certificates (%zu with 16/20-byte serials), "
      "%zu PEM public keys round-trip; %zu private-key PEM blocks and %zu files excluded\n",
      found, der_certs, pem_certs, long_serials, pem_public_keys, private_key_blocks, excluded);
  CHECK(handled == found);
  CHECK(der_certs > 0);
  CHECK(pem_certs > 0);
  CHECK(long_serials >= 2);  // the two production GSMA CI roots
}

TEST_CASE("recorded sessions: every DER object and decrypted BPP part round-trips", "[asn1][roundtrip][kit]") {
  auto kit = require_kit();
  size_t found = 0, handled = 0, sessions = 0;
  std::map<std::string, size_t> per_type;
  for (const auto& session : fs::directory_iterator(kit / "vectors/sessions")) {
    if (!session.is_directory()) continue;
    ++sessions;
    for (const char* part : {"der", "plain"}) {
      for (const auto& file : files_under(kit, fs::relative(session.path(), kit) / part)) {
        ++found;
        INFO(file.generic_string());
        auto rule = classify(file);
        REQUIRE(rule.has_value());
        Bytes bytes = test::read_file(kit / file);
        if (rule->kind == Kind::Der) {
          CHECK_ROUNDTRIP(file.generic_string(), rule->type, bytes);
          ++per_type[rule->type];
        } else if (rule->kind == Kind::ProfilePackage) {
          PackageStats stats;
          CHECK(package_problem(bytes, stats) == "");
          ++per_type["ProfileElement stream"];
        } else {
          FAIL("no round-trip rule for " << file.generic_string());
        }
        ++handled;
      }
    }
  }
  std::printf("sessions: %zu recordings, %zu DER files:", sessions, found);
  for (const auto& [type, count] : per_type) std::printf(" %s %zu,", type.c_str(), count);
  std::printf("\n");
  CHECK(handled == found);
  CHECK(sessions >= 2);
  CHECK(found >= 2 * 26);  // 22 der/ + 4 plain/ files per session
}

TEST_CASE("recorded sessions: the ASN.1 fields of the ES9+ JSON bodies round-trip", "[asn1][roundtrip][kit]") {
  auto kit = require_kit();
  size_t bodies = 0, fields = 0, plain_fields = 0;
  std::map<std::string, size_t> per_type;
  for (const auto& file : files_under(kit, "vectors/sessions")) {
    auto rule = classify(file);
    if (!rule || rule->kind != Kind::Es9pJson) continue;
    ++bodies;
    INFO(file.generic_string());
    auto body = nlohmann::json::parse(test::read_text(kit / file));
    REQUIRE(body.is_object());
    for (const auto& [field, value] : body.items()) {
      INFO("field " << field);
      auto it = es9p_asn1_fields().find(field);
      if (it == es9p_asn1_fields().end()) {
        CHECK(es9p_plain_field(field));  // an unknown field fails: it might carry DER we skip
        ++plain_fields;
        if (field == "euiccChallenge") CHECK(base64_field(field, value.get<std::string>()).size() == 16);
        continue;
      }
      REQUIRE(value.is_string());
      CHECK_ROUNDTRIP(file.generic_string() + " " + field, it->second, base64_field(field, value.get<std::string>()));
      ++per_type[it->second];
      ++fields;
    }
  }
  std::printf("ES9+ JSON bodies: %zu bodies, %zu base64 DER fields round-trip:", bodies, fields);
  for (const auto& [type, count] : per_type) std::printf(" %s %zu,", type.c_str(), count);
  std::printf(" (%zu fields without DER)\n", plain_fields);
  CHECK(bodies >= 14);
  CHECK(fields >= 2 * 13);
}

TEST_CASE("BSP vectors: the full BPP and its plaintext profile package round-trip", "[asn1][roundtrip][kit]") {
  auto kit = require_kit();
  size_t found = 0, handled = 0;
  for (const auto& file : files_under(kit, "vectors/bsp")) {
    ++found;
    INFO(file.generic_string());
    auto rule = classify(file);
    REQUIRE(rule.has_value());
    Bytes bytes = test::read_file(kit / file);
    if (rule->kind == Kind::Der) {
      CHECK_ROUNDTRIP(file.generic_string(), rule->type, bytes);
      ++handled;
    } else if (rule->kind == Kind::ProfilePackage) {
      PackageStats stats;
      CHECK(package_problem(bytes, stats) == "");
      ++handled;
    }
  }
  std::printf("bsp/: %zu files round-trip (BoundProfilePackage, ProfileElement stream)\n", handled);
  CHECK(handled == found);
  CHECK(found == 2);
}

TEST_CASE("SAIP profile packages round-trip as ProfileElement streams", "[asn1][roundtrip][kit]") {
  auto kit = require_kit();
  size_t found = 0, handled = 0;
  for (const auto& file : files_under(kit, "vectors/saip")) {
    ++found;
    INFO(file.generic_string());
    auto rule = classify(file);
    REQUIRE(rule.has_value());
    REQUIRE(rule->kind == Kind::ProfilePackage);
    PackageStats stats;
    CHECK(package_problem(test::read_file(kit / file), stats) == "");
    std::printf("saip: %s: %zu elements, %zu decoded, %zu passed through\n", file.filename().c_str(), stats.elements,
                stats.decoded, stats.elements - stats.decoded);
    CHECK(stats.decoded > 0);
    ++handled;
  }
  std::printf("saip/: %zu profile packages round-trip\n", handled);
  CHECK(handled == found);
  CHECK(found >= 6);
}

TEST_CASE("es9p/JSON_EXAMPLES.md: the complete base64 DER fields round-trip", "[asn1][roundtrip][kit]") {
  auto kit = require_kit();
  std::string text = test::read_text(kit / "vectors/es9p/JSON_EXAMPLES.md");
  static const std::regex field_re(R"re("([A-Za-z0-9]+)"\s*:\s*"([^"]*)")re");
  size_t samples = 0, abbreviated = 0, plain = 0;
  for (auto it = std::sregex_iterator(text.begin(), text.end(), field_re); it != std::sregex_iterator(); ++it) {
    std::string field = (*it)[1], value = (*it)[2];
    INFO("field " << field << ": " << value);
    auto type = es9p_asn1_fields().find(field);
    if (type == es9p_asn1_fields().end()) {
      CHECK(es9p_plain_field(field));
      ++plain;
      continue;
    }
    if (value.find('<') != std::string::npos || value.find("\xE2\x80\xA6") != std::string::npos) {
      ++abbreviated;  // "<b64 of …>": abbreviated in the document
      continue;
    }
    CHECK_ROUNDTRIP("JSON_EXAMPLES.md " + field, type->second, base64_field(field, value));
    ++samples;
  }
  std::printf("es9p/JSON_EXAMPLES.md: %zu complete DER fields round-trip, %zu abbreviated, %zu without DER\n", samples,
              abbreviated, plain);
  CHECK(samples >= 1);
}

TEST_CASE("es10/APDU_EXAMPLES.md: the complete STORE DATA payloads and responses round-trip",
          "[asn1][roundtrip][kit]") {
  auto kit = require_kit();
  std::istringstream in(test::read_text(kit / "vectors/es10/APDU_EXAMPLES.md"));
  size_t requests = 0, responses = 0, abbreviated = 0, other_apdus = 0;
  bool last_was_es10 = false;  // the previous command was a complete single-block ES10 STORE DATA
  tlv::Tag last_tag = 0;

  // Hex bytes of one side of an exchange; nullopt if part of it is abbreviated (<...>, ...).
  auto parse_side = [](std::string side) -> std::optional<Bytes> {
    if (auto comment = side.find('('); comment != std::string::npos) side.erase(comment);
    if (side.find('<') != std::string::npos || side.find("...") != std::string::npos) return std::nullopt;
    return from_hex(side);
  };
  auto check_payload = [&](const Bytes& data, bool request, const std::string& line) {
    INFO(line);
    auto outer = tlv::read(data);
    REQUIRE(outer.has_value());
    auto types = es10_types().find(outer->tag);
    INFO("tag " << to_hex(tlv::encode_tag(outer->tag)));
    REQUIRE(types != es10_types().end());  // a payload without a mapped type fails, not skipped
    const std::string& type = request ? types->second.first : types->second.second;
    CHECK_ROUNDTRIP("APDU_EXAMPLES.md " + line, type, data);
    return outer->tag;
  };

  std::string line;
  while (std::getline(in, line)) {
    auto cmd = line.find(">>");
    auto rsp_at = line.find("<<");
    if (cmd != std::string::npos) {
      std::string command = line.substr(cmd + 2, rsp_at == std::string::npos ? std::string::npos : rsp_at - cmd - 2);
      auto apdu = parse_side(command);
      last_was_es10 = false;
      if (!apdu) {
        ++abbreviated;
      } else if (apdu->size() > 5 && (*apdu)[1] == 0xE2 && ((*apdu)[2] & 0x80) && (*apdu)[3] == 0x00) {
        // STORE DATA, last block, block number 0: the whole ES10 command in one APDU.
        REQUIRE((*apdu)[4] == apdu->size() - 5);
        Bytes data(apdu->begin() + 5, apdu->end());
        last_tag = check_payload(data, true, line);
        last_was_es10 = true;
        ++requests;
      } else {
        ++other_apdus;  // MANAGE CHANNEL, SELECT, GET RESPONSE, intermediate blocks
      }
    }
    if (rsp_at != std::string::npos) {
      auto response = parse_side(line.substr(rsp_at + 2));
      if (!response) {
        ++abbreviated;
        continue;
      }
      REQUIRE(response->size() >= 2);
      Bytes data(response->begin(), response->end() - 2);
      if (data.empty()) continue;  // status word only
      if (!last_was_es10) {
        ++other_apdus;  // e.g. the channel number of MANAGE CHANNEL
        continue;
      }
      CHECK(check_payload(data, false, line) == last_tag);
      ++responses;
    }
  }
  std::printf(
      "es10/APDU_EXAMPLES.md: %zu ES10 commands and %zu responses round-trip, %zu abbreviated, "
      "%zu other APDUs\n",
      requests, responses, abbreviated, other_apdus);
  CHECK(requests >= 4);
  CHECK(responses >= 3);
}
