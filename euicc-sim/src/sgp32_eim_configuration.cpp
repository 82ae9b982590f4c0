// SGP.32 v1.2 eIM association: §5.9.x ES10b.GetEimConfigurationData, ES10b.GetCerts,
// ES10b.AddInitialEim, and the eCO addEim / deleteEim / updateEim / listEim.
//
// A configuration is kept as the EimConfigurationData received, without counterValue [3] and
// associationToken [4]: those two live in EimConfiguration (the counter moves with every package,
// the token is the card's own) and are put back in place when the data is read out.
#include "sgp32_eim_configuration.hpp"

#include <AddInitialEimRequest.h>
#include <GetCertsRequest.h>
#include <GetEimConfigurationDataRequest.h>

#include <map>

#include "rsp/asn1/codec.hpp"
#include "rsp/asn1/primitives.hpp"
#include "rsp/crypto/certificate_chain.hpp"
#include "state_change.hpp"

namespace euicc {
namespace {

using rsp::apdu::sw::kIncorrectData;
using rsp::crypto::Certificate;
using rsp::crypto::PublicKey;
using rsp::tlv::Tag;

// Re-tags an implicitly tagged SEQUENCE (A0/A1/A5/A6 ...) as the universal SEQUENCE (30) it
// stands for, so that X.509 / SPKI parsers read it.
Bytes as_sequence(ByteView contents) { return tlv(0x30, contents); }

// The key of eimPublicKeyData (A5 { A0 spki | A1 certificate }), the certificate checked against
// the card's CIs when `card` is given.
rsp::Expected<PublicKey, long> key_of(const CardContext* card, ByteView public_key_data) {
  auto choice = rsp::tlv::read(public_key_data);
  if (!choice) return rsp::Unexpected{eim_result::kCommandError};
  if (choice->tag == 0xA0) {
    // Only the RSP curves (NIST P-256, brainpoolP256r1) are accepted.
    auto key = PublicKey::from_spki_der(as_sequence(choice->value));
    if (!key) return rsp::Unexpected{eim_result::kCommandError};
    return std::move(*key);
  }
  if (choice->tag != 0xA1) return rsp::Unexpected{eim_result::kCommandError};
  auto certificate = Certificate::from_der(as_sequence(choice->value));
  if (!certificate) return rsp::Unexpected{eim_result::kCommandError};
  if (card) {
    rsp::crypto::TrustedCis cis;
    for (const auto& ci : card->trusted_cis) cis.add(ci);
    auto chain = rsp::crypto::verify_chain(*certificate, rsp::crypto::Role::eim, {}, cis, card->now());
    if (!chain) {
      auto e = chain.error().error;
      bool unknown = e == rsp::crypto::ChainError::unknown_ci || e == rsp::crypto::ChainError::issuer_not_found;
      return rsp::Unexpected{unknown ? eim_result::kCiPkUnknown : eim_result::kCommandError};
    }
  }
  auto key = certificate->public_key();
  if (!key) return rsp::Unexpected{eim_result::kCommandError};
  return std::move(*key);
}

// An EimConfigurationData that passed the checks, ready to keep.
struct Checked {
  EimConfiguration eim;
  bool token_requested = false;  // associationToken present: the eIM wants the card to issue one
};

// The checks shared by AddInitialEim, addEim and updateEim (`key_required` false for updateEim,
// which may keep the key it has).
rsp::Expected<Checked, long> check(const CardContext& card, const EimConfigurationData_t& data, ByteView contents,
                                   bool key_required) {
  auto children = rsp::tlv::read_all(contents);
  if (!children) return rsp::Unexpected{eim_result::kCommandError};
  Checked out;
  out.eim.eim_id = rsp::asn1::text(data.eimId);  // SIZE(1..128) characters: the decoder checked it
  if (data.counterValue) {
    auto counter = rsp::asn1::to_long(*data.counterValue);
    if (!counter || *counter < 0 || *counter > kMaxCounterValue)
      return rsp::Unexpected{eim_result::kCounterValueOutOfRange};
    out.eim.counter_value = static_cast<uint64_t>(*counter);
  }
  if (data.euiccCiPKId && !card.credentials_for(rsp::asn1::view(*data.euiccCiPKId)))
    return rsp::Unexpected{eim_result::kCiPkUnknown};
  bool has_key = false;
  Bytes kept;
  for (const auto& c : *children) {
    if (c.tag == 0xA5) {
      if (auto key = key_of(&card, c.value); !key) return rsp::Unexpected{key.error()};
      has_key = true;
    }
    if (c.tag != 0x83 && c.tag != 0x84) kept.insert(kept.end(), c.whole.begin(), c.whole.end());
  }
  if (key_required && !has_key) return rsp::Unexpected{eim_result::kCommandError};
  out.eim.configuration = tlv(0x30, kept);
  out.token_requested = data.associationToken != nullptr;
  return out;
}

// Keeps a checked eIM; issues its association token when asked for one.
EimConfiguration& keep(CardState& state, Checked checked) {
  if (checked.token_requested) checked.eim.association_token = state.next_association_token++;
  state.eims.push_back(std::move(checked.eim));
  return state.eims.back();
}

// The order of EimConfigurationData's members by tag number: 80 81 82 83 84 A5 A6 87 88 89, then
// any extension. Used to put counterValue and associationToken back in place.
int member_order(Tag tag) { return tag <= 0xFF ? static_cast<int>(tag & 0x1F) : 0x100; }

// EimConfigurationData as the card reports it: as kept, with the current counter and the token.
Bytes configuration_data(const EimConfiguration& eim) {
  std::multimap<int, Bytes> members;
  if (auto kept = rsp::tlv::read(eim.configuration))
    if (auto children = rsp::tlv::read_all(kept->value))
      for (const auto& c : *children) members.emplace(member_order(c.tag), Bytes(c.whole.begin(), c.whole.end()));
  members.emplace(member_order(0x83), tlv_integer(0x83, static_cast<long>(eim.counter_value)));
  if (eim.association_token) members.emplace(member_order(0x84), tlv_integer(0x84, *eim.association_token));
  Bytes out;
  for (const auto& [order, member] : members) out.insert(out.end(), member.begin(), member.end());
  return tlv(0x30, out);
}

// A member of the kept configuration, by tag.
std::optional<Bytes> member(const EimConfiguration& eim, Tag tag) {
  auto kept = rsp::tlv::read(eim.configuration);
  if (!kept) return std::nullopt;
  auto m = rsp::tlv::find(kept->value, tag);
  if (!m) return std::nullopt;
  return Bytes(m->whole.begin(), m->whole.end());
}

}  // namespace

EimConfiguration* find_eim(CardState& state, std::string_view eim_id) {
  for (auto& e : state.eims)
    if (e.eim_id == eim_id) return &e;
  return nullptr;
}

rsp::Expected<PublicKey> eim_public_key(const EimConfiguration& eim) {
  auto data = member(eim, 0xA5);
  if (!data) return rsp::fail("eIM " + eim.eim_id + " has no eimPublicKeyData");
  auto a5 = rsp::tlv::read(*data);
  auto key = key_of(nullptr, a5->value);  // checked when it was added
  if (!key) return rsp::fail("eIM " + eim.eim_id + ": eimPublicKeyData holds no usable key");
  return std::move(*key);
}

const Credentials& eim_signing_credentials(const CardContext& card, const EimConfiguration& eim) {
  if (auto ski = member(eim, 0x88))
    if (auto t = rsp::tlv::read(*ski))
      if (const Credentials* c = card.credentials_for(t->value)) return *c;
  return card.credentials.front();
}

namespace eim_operations {

// SGP.32 v1.2 eCO addEim
Bytes add(CardContext& card, const EimConfigurationData_t& data, ByteView contents, long* code_out) {
  auto refuse = [&](long code) {
    *code_out = code;
    return tlv_integer(0x02, code);
  };
  auto checked = check(card, data, contents, true);
  if (!checked) return refuse(checked.error());
  if (find_eim(card.state, checked->eim.eim_id)) return refuse(eim_result::kAssociatedEimAlreadyExists);
  if (card.state.eims.size() >= kMaxEims) return refuse(eim_result::kInsufficientMemory);
  const EimConfiguration& kept = keep(card.state, std::move(*checked));
  *code_out = eim_result::kOk;
  if (kept.association_token) return tlv_integer(0x84, *kept.association_token);
  return tlv_integer(0x02, eim_result::kOk);
}

// SGP.32 v1.2 eCO deleteEim. Deleting the last eIM is allowed and says so (lastEimDeleted): the
// card is then open to AddInitialEim again.
long remove(CardContext& card, std::string_view eim_id) {
  auto& eims = card.state.eims;
  auto found = std::find_if(eims.begin(), eims.end(), [&](const EimConfiguration& e) { return e.eim_id == eim_id; });
  if (found == eims.end()) return eim_result::kEimNotFound;
  eims.erase(found);
  return eims.empty() ? eim_result::kLastEimDeleted : eim_result::kOk;
}

// SGP.32 v1.2 eCO updateEim: the members given replace the kept ones, the others stay (so an
// update need not repeat the key); a counterValue given resets the replay counter; the
// association token stays.
long update(CardContext& card, const EimConfigurationData_t& data, ByteView contents) {
  auto checked = check(card, data, contents, false);
  if (!checked) return checked.error();
  EimConfiguration* eim = find_eim(card.state, checked->eim.eim_id);
  if (!eim) return eim_result::kEimNotFound;
  std::map<int, Bytes> members;
  for (auto* source : {&eim->configuration, &checked->eim.configuration})
    if (auto t = rsp::tlv::read(*source))
      if (auto children = rsp::tlv::read_all(t->value))
        for (const auto& c : *children)
          members[member_order(c.tag) * 0x10000 + static_cast<int>(c.tag & 0xFFFF)] =
              Bytes(c.whole.begin(), c.whole.end());
  Bytes merged;
  for (const auto& [order, m] : members) merged.insert(merged.end(), m.begin(), m.end());
  eim->configuration = tlv(0x30, merged);
  if (data.counterValue) eim->counter_value = checked->eim.counter_value;
  return eim_result::kOk;
}

// SGP.32 v1.2 eCO listEim
Bytes list(const CardState& state) {
  Bytes entries;
  for (const auto& e : state.eims) {
    Bytes id_type = member(e, 0x82).value_or(Bytes{});
    Bytes entry = tlv(0x30, {tlv(0x80, rsp::to_bytes(e.eim_id)), id_type});
    entries.insert(entries.end(), entry.begin(), entry.end());
  }
  return tlv(0xA0, entries);
}

}  // namespace eim_operations

// SGP.32 v1.2 §5.9.x ES10b.GetEimConfigurationData
Es10Result get_eim_configuration_data(CardContext& card, const Tlv& request) {
  auto decoded =
      rsp::asn1::decode_as<GetEimConfigurationDataRequest_t>(asn_DEF_GetEimConfigurationDataRequest, request.whole);
  if (!decoded) return rsp::Unexpected{kIncorrectData};
  std::optional<std::string> wanted;
  if (const auto* criteria = (*decoded)->searchCriteria) {
    if (criteria->present != GetEimConfigurationDataRequest__searchCriteria_PR_eimId)
      return rsp::Unexpected{kIncorrectData};
    wanted = rsp::asn1::text(criteria->choice.eimId);
  }
  // An eimId the card does not know gives an empty list: the response has no error alternative.
  Bytes list;
  for (const auto& e : card.state.eims)
    if (!wanted || e.eim_id == *wanted) {
      Bytes data = configuration_data(e);
      list.insert(list.end(), data.begin(), data.end());
    }
  return tlv(0xBF55, tlv(0xA0, list));
}

// SGP.32 v1.2 §5.9.x ES10b.GetCerts: the EUM and eUICC certificates of the chain under the CI
// named (the first chain without one), implicitly re-tagged A5 / A6.
Es10Result get_certs(CardContext& card, const Tlv& request) {
  auto decoded = rsp::asn1::decode_as<GetCertsRequest_t>(asn_DEF_GetCertsRequest, request.whole);
  if (!decoded) return rsp::Unexpected{kIncorrectData};
  const Credentials* credentials = &card.credentials.front();
  if ((*decoded)->euiccCiPKId) {
    credentials = card.credentials_for(rsp::asn1::view(*(*decoded)->euiccCiPKId));
    if (!credentials) return tlv(0xBF56, tlv_integer(0x81, 1));  // invalidCiPKId
  }
  Bytes eum = credentials->eum.der();
  Bytes euicc = credentials->euicc.der();
  return tlv(0xBF56, tlv(0xA0, {tlv(0xA5, rsp::tlv::read(eum)->value), tlv(0xA6, rsp::tlv::read(euicc)->value)}));
}

// SGP.32 v1.2 §5.9.x ES10b.AddInitialEim: only while the card has no eIM; every configuration is
// checked before any is kept, so the command adds all of them or none.
Es10Result add_initial_eim(CardContext& card, const Tlv& request) {
  auto decoded = rsp::asn1::decode_as<AddInitialEimRequest_t>(asn_DEF_AddInitialEimRequest, request.whole);
  if (!decoded) return rsp::Unexpected{kIncorrectData};
  auto error = [](long code) { return tlv(0xBF57, tlv_integer(0x81, code)); };
  if (!card.state.eims.empty()) return error(eim_result::kAssociatedEimAlreadyExists);
  // The raw EimConfigurationData TLVs, in the order the decoder listed them.
  auto list = rsp::tlv::find(request.value, 0xA0);
  auto raw = list ? rsp::tlv::read_all(list->value) : rsp::Expected<std::vector<Tlv>>(rsp::fail("no list"));
  const auto& configurations = (*decoded)->eimConfigurationDataList.list;
  if (!raw || raw->size() != static_cast<size_t>(configurations.count) || raw->empty())
    return error(eim_result::kCommandError);
  if (raw->size() > kMaxEims) return error(eim_result::kInsufficientMemory);
  std::vector<Checked> checked;
  for (size_t i = 0; i < raw->size(); ++i) {
    auto c = check(card, *configurations.array[i], (*raw)[i].value, true);
    if (!c) return error(c.error());
    for (const auto& earlier : checked)
      if (earlier.eim.eim_id == c->eim.eim_id) return error(eim_result::kCommandError);  // one eimId twice
    checked.push_back(std::move(*c));
  }
  Bytes results;
  bool committed = commit_change(card, [&] {
    for (auto& c : checked) {
      const EimConfiguration& kept = keep(card.state, std::move(c));
      Bytes r = kept.association_token ? tlv_integer(0x84, *kept.association_token) : tlv(0x05, Bytes{});  // addOk
      results.insert(results.end(), r.begin(), r.end());
    }
  });
  if (!committed) return error(eim_result::kUndefinedError);
  return tlv(0xBF57, tlv(0xA0, results));
}

}  // namespace euicc
