// ipa eim add-initial | list: the eUICC's eIMs (SGP.32 v1.2 §5.9 ES10b.AddInitialEim,
// ES10b.GetEimConfigurationData; EimConfigurationData as FACTS §5.4 lays it out). add-initial is the
// factory step: the first eIM, with the key its eUICC packages are signed with.
#include <algorithm>
#include <array>
#include <cctype>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <EimConfigurationData.h>

#include "cli.hpp"
#include "es10_call.hpp"
#include "ipa/sgp32_es10b.hpp"
#include "rsp/crypto/certificate.hpp"
#include "rsp/crypto/keys.hpp"
#include "rsp/files.hpp"
#include "rsp/tlv.hpp"

namespace ipa::cli {
namespace {

using rsp::tlv::encode;

// EimIdType and EimSupportedProtocol's named values, under the CLI's words.
const std::map<std::string, long> kIdTypes = {{"oid", 1}, {"fqdn", 2}, {"proprietary", 3}};
constexpr std::array<std::string_view, 5> kProtocols = {"retrieve-https", "retrieve-coaps", "inject-https",
                                                        "inject-coaps", "proprietary"};

struct AddArguments {
  std::string eim_id;
  std::string eim_fqdn;
  std::string eim_id_type;
  std::optional<long> counter_value;
  bool association_token = false;
  std::string eim_certificate, eim_public_key;  // files, one of them
  std::string tls_certificate, tls_public_key;  // files, at most one
  std::vector<std::string> protocols;
  std::string euicc_ci_pkid;  // hex
  bool indirect_profile_download = false;
};

std::string_view as_text(const Bytes& b) { return {reinterpret_cast<const char*>(b.data()), b.size()}; }

// A certificate file (PEM or DER) as the contents of its X.509 SEQUENCE, for an implicit [1].
rsp::Expected<Bytes> certificate_contents(const std::string& file) {
  auto bytes = rsp::files::read(file);
  if (!bytes) return rsp::Unexpected{bytes.error()};
  auto certificate = rsp::crypto::Certificate::parse(*bytes);
  if (!certificate) return rsp::fail(file + " is not an X.509 certificate (PEM or DER)");
  Bytes der = certificate->der();
  auto sequence = rsp::tlv::read(der);
  return Bytes(sequence->value.begin(), sequence->value.end());
}

// A public key file (PEM "PUBLIC KEY" or DER SubjectPublicKeyInfo) as the contents of its SPKI
// SEQUENCE, for an implicit [0]. The eIM's signing key must be on an RSP curve (`rsp_curve`); the
// TLS key is only read as an SPKI (the schema check below).
rsp::Expected<Bytes> public_key_contents(const std::string& file, bool rsp_curve) {
  auto bytes = rsp::files::read(file);
  if (!bytes) return rsp::Unexpected{bytes.error()};
  std::string_view text = as_text(*bytes);
  if (text.find("PRIVATE KEY-----") != std::string_view::npos)
    return rsp::fail(file + " holds a private key; give the public key (openssl pkey -pubout) or the certificate");
  Bytes der = *bytes;
  constexpr std::string_view kBegin = "-----BEGIN PUBLIC KEY-----", kEnd = "-----END PUBLIC KEY-----";
  if (auto begin = text.find(kBegin); begin != std::string_view::npos) {
    auto end = text.find(kEnd, begin);
    std::string base64;
    for (char c : text.substr(begin + kBegin.size(), end == std::string_view::npos ? 0 : end - begin - kBegin.size()))
      if (!std::isspace(static_cast<unsigned char>(c))) base64 += c;
    auto decoded = rsp::from_base64(base64);
    if (end == std::string_view::npos || !decoded) return rsp::fail(file + " is not a PEM public key");
    der = std::move(*decoded);
  }
  auto spki = rsp::tlv::read(der);
  if (!spki || spki->tag != 0x30 || spki->whole.size() != der.size())
    return rsp::fail(file + " is not a public key (PEM or DER SubjectPublicKeyInfo)");
  if (rsp_curve && !rsp::crypto::PublicKey::from_spki_der(der))
    return rsp::fail(file + " is not a public key on NIST P-256 or brainpoolP256r1");
  return Bytes(spki->value.begin(), spki->value.end());
}

// The EimConfigurationData the arguments describe, checked against the schema; an error is the
// user's (exit 2).
rsp::Expected<Bytes> eim_configuration_data(const AddArguments& a) {
  Bytes members = encode(0x80, rsp::to_bytes(a.eim_id));
  auto add = [&members](const Bytes& member) { members.insert(members.end(), member.begin(), member.end()); };
  if (!a.eim_fqdn.empty()) add(encode(0x81, rsp::to_bytes(a.eim_fqdn)));
  if (!a.eim_id_type.empty()) {
    auto type = kIdTypes.find(a.eim_id_type);
    if (type == kIdTypes.end()) return rsp::fail("--eim-id-type: oid, fqdn or proprietary, not " + a.eim_id_type);
    add(encode(0x82, detail::integer_contents(type->second)));
  }
  if (a.counter_value) add(encode(0x83, detail::integer_contents(*a.counter_value)));
  // The value is the card's to choose: its presence asks for one.
  if (a.association_token) add(encode(0x84, detail::integer_contents(0)));
  // eimPublicKeyData [5]: eimPublicKey [0] SubjectPublicKeyInfo | eimCertificate [1] Certificate.
  if (a.eim_certificate.empty() == a.eim_public_key.empty())
    return rsp::fail("the eIM's key: one of --eim-certificate FILE or --eim-public-key FILE");
  auto key =
      a.eim_certificate.empty() ? public_key_contents(a.eim_public_key, true) : certificate_contents(a.eim_certificate);
  if (!key) return rsp::Unexpected{key.error()};
  add(encode(0xA5, encode(a.eim_certificate.empty() ? 0xA0 : 0xA1, *key)));
  // trustedPublicKeyDataTls [6]: trustedEimPkTls [0] | trustedCertificateTls [1].
  if (!a.tls_certificate.empty() || !a.tls_public_key.empty()) {
    if (!a.tls_certificate.empty() && !a.tls_public_key.empty())
      return rsp::fail("the eIM's TLS trust: --tls-certificate FILE or --tls-public-key FILE, not both");
    auto tls = a.tls_certificate.empty() ? public_key_contents(a.tls_public_key, false)
                                         : certificate_contents(a.tls_certificate);
    if (!tls) return rsp::Unexpected{tls.error()};
    add(encode(0xA6, encode(a.tls_certificate.empty() ? 0xA0 : 0xA1, *tls)));
  }
  if (!a.protocols.empty()) {
    std::array<bool, kProtocols.size()> bits{};
    for (const auto& p : a.protocols) {
      auto found = std::find(kProtocols.begin(), kProtocols.end(), p);
      if (found == kProtocols.end())
        return rsp::fail("--protocol: retrieve-https, retrieve-coaps, inject-https, inject-coaps or proprietary, not " +
                         p);
      bits[static_cast<size_t>(found - kProtocols.begin())] = true;
    }
    add(encode(0x87, detail::named_bits({bits[0], bits[1], bits[2], bits[3], bits[4]})));
  }
  if (!a.euicc_ci_pkid.empty()) {
    auto ski = rsp::from_hex(a.euicc_ci_pkid);
    if (!ski || ski->empty())
      return rsp::fail("--euicc-ci-pkid: the CI's key identifier in hex, not " + a.euicc_ci_pkid);
    add(encode(0x88, *ski));
  }
  if (a.indirect_profile_download) add(encode(0x89, Bytes{}));
  Bytes data = encode(0x30, members);
  if (auto checked = rsp::asn1::decode(asn_DEF_EimConfigurationData, data); !checked)
    return rsp::fail("not a valid EimConfigurationData: " + checked.error().message());
  return data;
}

// SGP.32 v1.2 §5.9 ES10b.AddInitialEim
int add_initial(Context& context, const AddArguments& args) {
  Output& out = context.out();
  auto data = eim_configuration_data(args);
  if (!data) return out.usage("eim add-initial: " + data.error().message);
  auto* channel = context.card();
  if (!channel) return kFailed;
  auto added = sgp32::add_initial_eim(*channel, {*data});
  if (!added) {
    json failed = {{"eimId", args.eim_id}};
    if (added.error().kind == Es10Error::Kind::result) failed["resultCode"] = added.error().code;
    return out.failure("eim add-initial: " + added.error().message, std::move(failed));
  }
  json token = nullptr;  // addOk: none asked for
  std::string line = "eIM " + args.eim_id + " added";
  if (!added->empty() && added->front()) {
    token = *added->front();
    line += ", association token " + std::to_string(*added->front());
  }
  out.text(line);
  return out.success({{"eimId", args.eim_id}, {"associationToken", std::move(token)}});
}

// The members of one EimConfigurationData for people: what it says, not its keys.
json configuration_json(const sgp32::EimConfiguration& e) {
  json out = {{"eimId", e.eim_id},
              {"eimFqdn", e.eim_fqdn.empty() ? json() : json(e.eim_fqdn)},
              {"eimIdType", nullptr},
              {"counterValue", e.counter_value ? json(*e.counter_value) : json()},
              {"associationToken", e.association_token ? json(*e.association_token) : json()},
              {"eimPublicKeyData", nullptr},
              {"trustedPublicKeyDataTls", nullptr},
              {"eimSupportedProtocol", json::array()},
              {"euiccCiPKId", nullptr},
              {"indirectProfileDownload", false}};
  auto outer = rsp::tlv::read(e.tlv);
  if (!outer) return out;
  auto members = rsp::tlv::read_all(outer->value);
  if (!members) return out;
  auto key_kind = [](const rsp::tlv::Tlv& m) -> json {
    auto choice = rsp::tlv::read(m.value);
    if (!choice) return nullptr;
    return choice->tag == 0xA1 ? "certificate" : choice->tag == 0xA0 ? "publicKey" : json();
  };
  for (const auto& m : *members) {
    switch (m.tag) {
      case 0x82:
        if (auto type = detail::integer(m.value)) {
          out["eimIdType"] = *type;
          for (const auto& [name, value] : kIdTypes)
            if (value == *type) out["eimIdType"] = name;
        }
        break;
      case 0xA5: out["eimPublicKeyData"] = key_kind(m); break;
      case 0xA6: out["trustedPublicKeyDataTls"] = key_kind(m); break;
      case 0x87:
        for (size_t bit = 0; bit < kProtocols.size(); ++bit)
          if (m.value.size() > 1 + bit / 8 && (m.value[1 + bit / 8] & (0x80 >> (bit % 8))))
            out["eimSupportedProtocol"].push_back(kProtocols[bit]);
        break;
      case 0x88: out["euiccCiPKId"] = rsp::to_hex(m.value); break;
      case 0x89: out["indirectProfileDownload"] = true; break;
      default: break;
    }
  }
  return out;
}

// SGP.32 v1.2 §5.9 ES10b.GetEimConfigurationData
int list(Context& context, const std::string& eim_id) {
  Output& out = context.out();
  auto* channel = context.card();
  if (!channel) return kFailed;
  auto eims = sgp32::get_eim_configuration_data(*channel, eim_id.empty() ? std::nullopt : std::optional(eim_id));
  if (!eims) return out.failure("eim list: " + eims.error().message);
  if (eims->empty() && !eim_id.empty())
    return out.failure("eim list: no eIM " + eim_id + " on the eUICC", json::array());
  json data = json::array();
  auto field = [](const std::string& s) { return s.empty() ? std::string("-") : s; };
  auto number = [](const std::optional<long>& n) { return n ? std::to_string(*n) : std::string("-"); };
  for (const auto& e : *eims) {
    data.push_back(configuration_json(e));
    out.text(e.eim_id + "\t" + field(e.eim_fqdn) + "\t" + number(e.counter_value) + "\t" + number(e.association_token));
  }
  if (eims->empty()) out.text("no eIMs");
  return out.success(std::move(data));
}

}  // namespace

void add_eim_commands(CLI::App& app, Action& action) {
  auto* eim = app.add_subcommand("eim", "the eUICC's eIMs (SGP.32)");
  eim->require_subcommand(1);

  auto args = std::make_shared<AddArguments>();
  auto* add = eim->add_subcommand("add-initial",
                                  "AddInitialEim: the first eIM, the factory step (refused once the card has one)");
  add->add_option("--eim-id", args->eim_id, "eimId, 1 to 128 characters")->required();
  add->add_option("--eim-fqdn", args->eim_fqdn, "eimFqdn: where the IPA reaches the eIM");
  add->add_option("--eim-id-type", args->eim_id_type, "eimIdType: oid, fqdn or proprietary");
  add->add_option("--counter-value", args->counter_value,
                  "counterValue: the initial value of the eIM's package counter");
  add->add_flag("--association-token", args->association_token, "ask the eUICC for an association token");
  auto* certificate =
      add->add_option(
             "--eim-certificate", args->eim_certificate,
             "eimPublicKeyData: the eIM's signing certificate (PEM or DER), checked by the card against its CIs")
          ->check(CLI::ExistingFile);
  add->add_option("--eim-public-key", args->eim_public_key,
                  "eimPublicKeyData: the eIM's signing public key (PEM or DER SPKI)")
      ->check(CLI::ExistingFile)
      ->excludes(certificate);
  auto* tls_certificate = add->add_option("--tls-certificate", args->tls_certificate,
                                          "trustedPublicKeyDataTls: the eIM's TLS certificate or its CA's (PEM or DER)")
                              ->check(CLI::ExistingFile);
  add->add_option("--tls-public-key", args->tls_public_key,
                  "trustedPublicKeyDataTls: the eIM's TLS public key (PEM or DER SPKI)")
      ->check(CLI::ExistingFile)
      ->excludes(tls_certificate);
  add->add_option(
      "--protocol", args->protocols,
      "eimSupportedProtocol (repeatable): retrieve-https, retrieve-coaps, inject-https, inject-coaps, proprietary");
  add->add_option("--euicc-ci-pkid", args->euicc_ci_pkid,
                  "euiccCiPKId: the CI key (SKI, hex) the card signs this eIM's results under");
  add->add_flag("--indirect-profile-download", args->indirect_profile_download,
                "indirectProfileDownload: the eIM relays ES9+");
  add->callback([&action, args] { action = [args](Context& c) { return add_initial(c, *args); }; });

  auto eim_id = std::make_shared<std::string>();
  auto* list_command =
      eim->add_subcommand("list", "GetEimConfigurationData: eimId, FQDN, counter value, association token per line");
  list_command->add_option("--eim-id", *eim_id, "only this eIM");
  list_command->callback([&action, eim_id] { action = [eim_id](Context& c) { return list(c, *eim_id); }; });
}

}  // namespace ipa::cli
