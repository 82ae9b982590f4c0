// eim lab forge: the command over forge.hpp.
#include "lab/lab_commands.hpp"

#include <ctime>
#include <iostream>

#include "eim/store.hpp"
#include "lab/forge.hpp"
#include "rsp/bytes.hpp"
#include "rsp/files.hpp"
#include "rsp/pki/pki_layout.hpp"

namespace eim::lab {
namespace {

struct ForgeFlags {
  std::string db, pki, eid, kind, iccid, other_eid, eim_id, key;
};

int usage(const std::string& message) {
  std::cerr << "eim: lab forge: " << message << "\n";
  return 2;
}

// The eIM's key from its PKI; for an unknown eIM the stranger's from --key, else a fresh one.
rsp::Expected<rsp::crypto::PrivateKey> signing_key(const ForgeFlags& a, ForgeKind kind) {
  if (kind != ForgeKind::unknown_eim) {
    auto key = rsp::pki::load_key(a.pki, rsp::crypto::Curve::nist_p256, rsp::crypto::Role::eim);
    if (!key) return rsp::fail("the eIM's key in " + a.pki + ": " + key.error().message);
    return key;
  }
  if (a.key.empty()) return rsp::crypto::PrivateKey::generate(rsp::crypto::Curve::nist_p256);
  auto pem = rsp::files::read(a.key);
  if (!pem) return rsp::fail(a.key + ": " + pem.error().message);
  auto key = rsp::crypto::PrivateKey::from_pem(std::string(pem->begin(), pem->end()));
  if (!key) return rsp::fail(a.key + ": " + key.error().message);
  return key;
}

int run_forge(const ForgeFlags& a) {
  auto kind = forge_kind(a.kind);
  if (!kind) return usage("--kind is bad-signature, old-counter, other-eid or unknown-eim");
  if ((*kind == ForgeKind::other_eid) == a.other_eid.empty())
    return usage("--other-eid goes with --kind other-eid, and only there");
  ForgeRequest f;
  f.eid = a.eid;
  f.kind = *kind;
  f.operations = {psmo::disable(a.iccid)};
  f.other_eid = a.other_eid;
  f.eim_id = a.eim_id;
  f.now = static_cast<int64_t>(time(nullptr));
  if (*kind == ForgeKind::unknown_eim && a.eim_id.empty()) return usage("--kind unknown-eim needs --eim-id");
  if (*kind != ForgeKind::unknown_eim && a.pki.empty())
    return usage("--pki (the eIM's signing key) is needed for this kind");
  auto key = signing_key(a, *kind);
  if (!key) return usage(key.error().message);
  auto store = open_eim_store(a.db);
  if (!store) {
    std::cerr << "eim: lab forge: " << store.error().message << "\n";
    return 1;
  }
  auto queued = forge(**store, f, *key);
  if (!queued) {
    std::cerr << "eim: lab forge: " << queued.error().message << "\n";
    return 1;
  }
  for (size_t i = 0; i < queued->size(); ++i) {
    const auto& p = (*queued)[i];
    std::cout << "queued #" << p.id << " counter " << p.counter_value << " transaction "
              << rsp::to_hex(*p.eim_transaction_id)
              << (i + 1 < queued->size() ? " (genuine listProfileInfo, runs first)" : " (" + a.kind + ")") << "\n";
  }
  return 0;
}

}  // namespace

void add_lab_commands(CLI::App& app) {
  auto* lab = app.add_subcommand("lab", "lab only: packages a card must refuse, for demos and tests");
  lab->require_subcommand(1);
  auto f = std::make_shared<ForgeFlags>();
  auto* forge_command =
      lab->add_subcommand("forge", "queue a forged, old-counter, other-EID or unknown-eIM package for a device");
  forge_command->add_option("--db", f->db, "the eIM's database (sqlite:FILE or postgresql://...)")->required();
  forge_command->add_option("--pki", f->pki, "the eIM's PKI directory (its signing key nist/eim.key.pem)");
  forge_command->add_option("--eid", f->eid, "the device whose queue gets the package")->required();
  forge_command->add_option("--kind", f->kind, "bad-signature, old-counter, other-eid or unknown-eim")->required();
  forge_command->add_option("--disable", f->iccid, "what the package asks: disable the profile ICCID")->required();
  forge_command->add_option("--other-eid", f->other_eid, "other-eid: the EID written into the package");
  forge_command->add_option("--eim-id", f->eim_id, "unknown-eim: the eimId the card does not know");
  forge_command->add_option("--key", f->key, "unknown-eim: the stranger's signing key (PEM; default a fresh one)");
  forge_command->callback([f] { throw CLI::RuntimeError(run_forge(*f)); });
}

}  // namespace eim::lab
