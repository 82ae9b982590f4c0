#include "euicc/euicc.hpp"

#include <algorithm>

#include "card_context.hpp"
#include "isdr.hpp"
#include "rsp/crypto/ecdsa.hpp"
#include "rsp/crypto/sealing.hpp"
#include "rsp/eid.hpp"
#include "rsp/files.hpp"
#include "rsp/pki/test_pki.hpp"
#include "usim.hpp"

namespace euicc {
namespace {

namespace fs = std::filesystem;
using rsp::crypto::Certificate;
using rsp::crypto::Curve;
using rsp::crypto::Role;

// First start: the card's credentials come from a given PKI directory, or a fresh test PKI on
// both curves (as SGP.26 test eUICCs carry NIST and brainpool chains).
rsp::Status<> create_credentials(const CardStore& store, const Options& options) {
  auto target = store.pki_dir();
  if (options.pki_dir) {
    auto curves = rsp::pki::curves_present(*options.pki_dir);
    if (curves.empty()) return rsp::fail(options.pki_dir->string() + " holds no nist/ or brainpool/ PKI folder");
    for (Curve curve : curves) {
      for (Role role : {Role::ci, Role::eum, Role::euicc}) {
        auto cert = rsp::pki::load_certificate(*options.pki_dir, curve, role);
        if (!cert) return rsp::Unexpected{cert.error()};
        const rsp::crypto::PrivateKey* key = nullptr;
        std::optional<rsp::crypto::PrivateKey> euicc_key;
        if (role == Role::euicc) {
          auto k = rsp::pki::load_key(*options.pki_dir, curve, role);
          if (!k)
            return rsp::fail("the eUICC key is missing from " + options.pki_dir->string() + ": " + k.error().message);
          euicc_key.emplace(std::move(*k));
          key = &*euicc_key;
        }
        if (auto s = rsp::pki::store(target, curve, role, *cert, key); !s) return s;
      }
    }
    return rsp::Ok{};
  }
  for (Curve curve : {Curve::nist_p256, Curve::brainpool_p256r1}) {
    rsp::pki::MakeOptions make;
    make.curve = curve;
    make.eid = options.eid.value_or(rsp::pki::default_eid());
    if (auto s = rsp::pki::make(target, make); !s) return s;
  }
  return rsp::Ok{};
}

// First start: config.json as the factory left it (or the defaults), the address flags over it,
// and a fresh state that starts with the configured addresses.
rsp::Status<> create_state(const CardStore& store, const Options& options) {
  auto config = store.load_config();
  if (!config) return rsp::Unexpected{config.error()};
  if (options.default_dp_address) config->default_dp_address = *options.default_dp_address;
  if (options.root_ds_address) config->root_ds_address = *options.root_ds_address;
  if (config->root_ds_address.empty()) return rsp::fail("the root SM-DS address may not be empty (rootDsAddress)");
  if (auto s = store.save_config(*config); !s) return s;
  CardState state;
  state.default_dp_address = config->default_dp_address;
  state.root_ds_address = config->root_ds_address;
  return store.save_state(state);
}

// Profile packages sealed at rest (issue 13, finding 10): the key from $EUICC_SIM_PROFILE_KEY, the
// named file or DIR/profile-key (made at first start, unless the state says its packages are
// sealed already); packages written in clear before are sealed now, then the key's id recorded.
// Another key, or a missing one, is refused before anything is written.
rsp::Status<> open_profile_key(CardContext& card, const Options& options) {
  const fs::path file = options.profile_key.value_or(card.store.dir() / "profile-key");
  auto resolved = rsp::crypto::resolve_sealing_key("EUICC_SIM_PROFILE_KEY", file, options.profile_key.has_value());
  if (!resolved) return rsp::Unexpected{resolved.error()};
  const std::string& sealed_with = card.state.profile_key_id;
  if (!*resolved) {
    if (!sealed_with.empty())
      return rsp::fail("the profile key file " + file.string() +
                       " is missing, and the card's profile packages are sealed with key id " + sealed_with);
    auto made = rsp::crypto::create_sealing_key_file(file);
    if (!made) return rsp::Unexpected{made.error()};
    resolved->emplace(rsp::crypto::ResolvedSealingKey{std::move(*made), file.string(), true});
  }
  const rsp::crypto::SealingKey& key = (*resolved)->key;
  if (!sealed_with.empty() && sealed_with != key.id_hex())
    return rsp::fail("the card's profile packages are sealed with key id " + sealed_with +
                     ", not with the profile key from " + (*resolved)->origin + " (key id " + key.id_hex() + ")");
  card.store.use_profile_key(key);
  if (!sealed_with.empty()) return rsp::Ok{};
  for (const auto& profile : card.state.profiles) {
    auto package = card.store.read_profile_package(profile.iccid);
    if (!package) continue;  // no package (a profile without one keeps none)
    if (auto sealed = card.store.write_profile_package(profile.iccid, *package); !sealed) return sealed;
  }
  card.state.profile_key_id = key.id_hex();
  return card.store.save_state(card.state);
}

rsp::Status<> load_credentials(CardContext& card) {
  auto dir = card.store.pki_dir();
  for (Curve curve : rsp::pki::curves_present(dir)) {
    auto ci = rsp::pki::load_certificate(dir, curve, Role::ci);
    auto eum = rsp::pki::load_certificate(dir, curve, Role::eum);
    auto euicc = rsp::pki::load_certificate(dir, curve, Role::euicc);
    auto key = rsp::pki::load_key(dir, curve, Role::euicc);
    if (!ci || !eum || !euicc || !key)
      return rsp::fail("the card's credentials in " + dir.string() + " are incomplete");
    auto ski = ci->subject_key_id();
    if (!ski) return rsp::fail("the CI certificate in " + dir.string() + " has no subject key identifier");
    auto eid = euicc->subject_serial_number().value_or("");
    if (card.eid.empty()) card.eid = eid;
    if (eid != card.eid) return rsp::fail("the eUICC certificates name different EIDs");
    card.trusted_cis.push_back(*ci);
    card.credentials.push_back({curve, std::move(*key), std::move(*euicc), std::move(*eum), std::move(*ci), *ski});
  }
  // Further CIs the card trusts for verifying SM-DP+ certificates (e.g. a production root).
  std::error_code ec;
  if (fs::is_directory(card.store.dir() / "trusted-cis", ec))
    for (const auto& entry : fs::directory_iterator(card.store.dir() / "trusted-cis", ec)) {
      auto bytes = rsp::files::read(entry.path());
      if (!bytes) continue;
      auto cert = Certificate::parse(*bytes);
      if (cert && cert->role() == Role::ci) card.trusted_cis.push_back(std::move(*cert));
    }
  if (card.credentials.empty()) return rsp::fail("no credentials under " + dir.string());
  if (!rsp::eid::valid(card.eid)) return rsp::fail("the eUICC certificate's EID " + card.eid + " is not a valid EID");
  card.eid_bytes = *rsp::eid::to_bytes(card.eid);
  return rsp::Ok{};
}

class SoftwareEuicc final : public Euicc {
 public:
  SoftwareEuicc(std::unique_ptr<CardContext> context, bool created)
      : context_(std::move(context)), created_(created), isdr_(*context_), usim_(*context_) {}
  const std::string& eid() const override { return context_->eid; }
  bool created() const override { return created_; }
  IsdrApplication& isdr() override { return isdr_; }
  UsimApplication& usim() override { return usim_; }

 private:
  std::unique_ptr<CardContext> context_;
  bool created_;
  Isdr isdr_;
  Usim usim_;
};

}  // namespace

const std::set<std::string>& Euicc::known_faults() {
  // wrong-signature: every signature the card makes is corrupted; skip-mac-check: BPP segments
  // with a bad MAC are accepted; wrong-status-word: ES10 commands are carried out but answered 6F00;
  // skip-signature-check: serverSignature1, smdpSignature2 and eimSignature are not verified;
  // accept-any-challenge: serverSigned1's euiccChallenge is not compared with the card's;
  // reuse-counter: an eUICC Package's counterValue may repeat or go back; skip-segment-order-check:
  // the BPP's groups (ConfigureISDP, StoreMetadata, ReplaceSessionKeys, profile elements) may
  // come in any order; skip-certificate-check: CERT.DPauth's and CERT.DPpb's chain (signature,
  // validity, role) is not verified; answer-without-get-response and ignore-channel-close: the APDU
  // layer's (euicc::Card::set_conformance_faults); undefined-error-codes: ES10c's error results
  // become undefinedError (127); skip-session-checks: a replayed AuthenticateServer goes on, and
  // PrepareDownload's and InitialiseSecureChannel's transactionId are not compared with the session's;
  // skip-bpp-structure-check: the BPP's groups may come in any order, and be missing.
  static const std::set<std::string> faults{
      "wrong-signature",          "skip-mac-check",         "wrong-status-word",
      "skip-signature-check",     "accept-any-challenge",   "reuse-counter",
      "skip-segment-order-check", "skip-certificate-check", "answer-without-get-response",
      "ignore-channel-close",     "undefined-error-codes",  "skip-session-checks",
      "skip-bpp-structure-check"};
  return faults;
}

rsp::Expected<std::unique_ptr<CardContext>> open_card_context(const Options& options) {
  for (const auto& f : options.faults) {
    if (!options.allow_faults) return rsp::fail("fault injection is refused in normal runs (asked for '" + f + "')");
    if (!Euicc::known_faults().count(f)) return rsp::fail("unknown fault '" + f + "'");
  }
  auto context = std::make_unique<CardContext>(CardStore(options.state_dir));
  context->faults = options.faults;
  bool created = !context->store.initialised();
  if (created) {
    std::error_code ec;
    fs::create_directories(options.state_dir, ec);
    if (ec) return rsp::fail("cannot create " + options.state_dir.string() + ": " + ec.message());
    if (!fs::exists(context->store.pki_dir()))
      if (auto s = create_credentials(context->store, options); !s) return rsp::Unexpected{s.error()};
    if (auto s = create_state(context->store, options); !s) return rsp::Unexpected{s.error()};
  }
  auto config = context->store.load_config();
  if (!config) return rsp::Unexpected{config.error()};
  context->config = std::move(*config);
  auto state = context->store.load_state();
  if (!state) return rsp::Unexpected{state.error()};
  context->state = std::move(*state);
  context->store.remove_orphans(context->state);
  if (auto s = open_profile_key(*context, options); !s) return rsp::Unexpected{s.error()};
  if (auto s = load_credentials(*context); !s) return rsp::Unexpected{s.error()};
  context->created = created;
  return context;
}

rsp::Expected<std::unique_ptr<Euicc>> Euicc::open(const Options& options) {
  auto context = open_card_context(options);
  if (!context) return rsp::Unexpected{context.error()};
  bool created = (*context)->created;
  return std::unique_ptr<Euicc>(std::make_unique<SoftwareEuicc>(std::move(*context), created));
}

// CardContext ------------------------------------------------------------------------------

const Credentials* CardContext::credentials_for(ByteView ci_ski) const {
  for (const auto& c : credentials)
    if (std::equal(c.ci_ski.begin(), c.ci_ski.end(), ci_ski.begin(), ci_ski.end())) return &c;
  return nullptr;
}

const rsp::crypto::Certificate* CardContext::trusted_ci(ByteView ski) const {
  for (const auto& ci : trusted_cis) {
    auto s = ci.subject_key_id();
    if (s && std::equal(s->begin(), s->end(), ski.begin(), ski.end())) return &ci;
  }
  return nullptr;
}

std::vector<Bytes> CardContext::verification_skis() const {
  std::vector<Bytes> out;
  for (const auto& ci : trusted_cis)
    if (auto s = ci.subject_key_id(); s && std::find(out.begin(), out.end(), *s) == out.end()) out.push_back(*s);
  return out;
}

std::vector<Bytes> CardContext::signing_skis() const {
  std::vector<Bytes> out;
  for (const auto& c : credentials) out.push_back(c.ci_ski);
  return out;
}

Bytes CardContext::sign(const Credentials& c, ByteView data) const {
  Bytes signature = rsp::crypto::sign(c.key, data);
  if (fault("wrong-signature")) signature[signature.size() / 2] ^= 0x01;
  return signature;
}

}  // namespace euicc
