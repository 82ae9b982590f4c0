// The IPA role's cases: the profile download as the IPA drives it (SGP.22 v2.5 §3.1.3), judged from
// the timeline of what the IPA sent to the harness's eUICC and SM-DP+ (ipa_target.hpp). Where the
// spec leaves the IPA a choice (the order of GetEUICCInfo1 and GetEUICCChallenge, other ES10 calls
// on the way, the STORE DATA block size up to 255, the CancelSession reason among those that fit),
// every choice passes.
#include <algorithm>
#include <nlohmann/json.hpp>
#include <set>

#include "ipa_timeline.hpp"
#include "rsp/apdu.hpp"
#include "rsp/bound_profile_package.hpp"
#include "rsp/tlv.hpp"

namespace conformance {
namespace {

using rsp::Bytes;
using rsp::ByteView;
namespace tlv = rsp::tlv;

// The TLVs inside a constructed TLV, whole.
std::vector<Bytes> members(ByteView der) {
  std::vector<Bytes> out;
  auto outer = tlv::read(der);
  if (!outer) return out;
  auto all = tlv::read_all(outer->value);
  if (!all) return out;
  for (const auto& m : *all) out.emplace_back(m.whole.begin(), m.whole.end());
  return out;
}

// The first TLV with `tag` in a DER body, searched depth first through constructed values.
std::optional<Bytes> find_tlv(ByteView der, tlv::Tag tag) {
  auto all = tlv::read_all(der);
  if (!all) return std::nullopt;
  for (const auto& t : *all) {
    if (t.tag == tag) return Bytes(t.whole.begin(), t.whole.end());
    if (t.constructed())
      if (auto inside = find_tlv(t.value, tag)) return inside;
  }
  return std::nullopt;
}

// The Bound Profile Package in a getBoundProfilePackage answer, in either binding.
std::optional<Bytes> bound_profile_package(ByteView body) {
  if (!body.empty() && body.front() == '{') {
    auto j = nlohmann::json::parse(body.begin(), body.end(), nullptr, false);
    if (j.is_discarded() || !j.contains("boundProfilePackage") || !j["boundProfilePackage"].is_string())
      return std::nullopt;
    return rsp::from_base64(j["boundProfilePackage"].get<std::string>());
  }
  return find_tlv(body, 0xBF36);
}

// notificationMetadata.seqNumber of a ProfileInstallationResult (BF37 { BF27 { .. BF2F { 80 } } }).
std::optional<long> sequence_number(ByteView result) {
  auto top = tlv::read(result);
  auto data = top ? tlv::find(top->value, 0xBF27) : std::nullopt;
  auto metadata = data ? tlv::find(data->value, 0xBF2F) : std::nullopt;
  auto number = metadata ? tlv::find(metadata->value, 0x80) : std::nullopt;
  if (!number) return std::nullopt;
  return integer(number->value);
}

// The installation result the card gave at the end of LoadBoundProfilePackage.
std::optional<size_t> installation_result(const Timeline& t) {
  return first(t, [](const Exchange& e) { return e.kind == "es10" && top_tag(e.received) == 0xBF37; });
}

bool installed(const Exchange& result) {
  auto top = tlv::read(result.received);
  auto data = top ? tlv::find(top->value, 0xBF27) : std::nullopt;
  auto final_result = data ? tlv::find(data->value, 0xA2) : std::nullopt;
  return final_result && tlv::find(final_result->value, 0xA0);
}

// The nominal download's steps in the order the data they carry forces (SGP.22 v2.5 §3.1.3): the
// positions of each, or why they are not there in that order.
struct Steps {
  size_t info1, challenge, initiate, authenticate_server, authenticate_client, prepare, get_bpp, load;
};
rsp::Expected<Steps> download_steps(const IpaRun& run) {
  const Timeline& t = run.timeline;
  auto fail_with = [&](const std::string& what) { return rsp::fail(what + "; got " + steps(t) + ending(run)); };
  auto initiate = first_http(t, "initiateAuthentication");
  if (!initiate) return fail_with("expected initiateAuthentication");
  auto info1 = first_es10(t, 0xBF20);
  auto challenge = first_es10(t, 0xBF2E);
  if (!info1 || *info1 > *initiate || !challenge || *challenge > *initiate)
    return fail_with("expected GetEUICCInfo1 and GetEUICCChallenge (either order) before initiateAuthentication");
  auto authenticate_server = first_es10(t, 0xBF38, *initiate);
  if (!authenticate_server) return fail_with("expected AuthenticateServer after initiateAuthentication");
  auto authenticate_client = first_http(t, "authenticateClient", *authenticate_server);
  if (!authenticate_client) return fail_with("expected authenticateClient after AuthenticateServer");
  auto prepare = first_es10(t, 0xBF21, *authenticate_client);
  if (!prepare) return fail_with("expected PrepareDownload after authenticateClient");
  auto get_bpp = first_http(t, "getBoundProfilePackage", *prepare);
  if (!get_bpp) return fail_with("expected getBoundProfilePackage after PrepareDownload");
  auto load = first_es10(t, 0xBF36, *get_bpp);
  if (!load) return fail_with("expected LoadBoundProfilePackage (BF36 ...) after getBoundProfilePackage");
  return Steps{*info1, *challenge, *initiate, *authenticate_server, *authenticate_client, *prepare, *get_bpp, *load};
}

// The nominal download's steps handed to `judge`, or the failure when they are not all there in order.
template <class Judge>
Outcome with_steps(IpaTarget& target, Judge judge) {
  IpaRun run = target.download({});
  auto s = download_steps(run);
  if (!s) return fail(s.error().message);
  return judge(run.timeline, *s);
}

// SGP.22 v2.5 §3.1.3: the steps in order, ending with the profile installed.
Outcome sequence(IpaTarget& target) {
  IpaRun run = target.download({});
  auto s = download_steps(run);
  if (!s) return fail(s.error().message);
  auto result = installation_result(run.timeline);
  if (!result || !installed(run.timeline[*result]))
    return fail("expected the card's ProfileInstallationResult with successResult; got " + steps(run.timeline) +
                ending(run));
  if (run.exit_status != 0) return fail("expected the IPA to report the installation (exit 0)" + ending(run));
  return pass();
}

// GlobalPlatform CS v2.3 §11.11 as SGP.22 v2.5 §5.7 carries ES10: every STORE DATA a short APDU of at
// most 255 data bytes, P1 '11' for more blocks and '91' for the last, P2 counting each command's blocks from 0.
Outcome block_size(IpaTarget& target) {
  IpaRun run = target.download({});
  size_t store_data = 0, largest = 0;
  int next_block = 0;
  for (size_t i = 0; i < run.timeline.size(); ++i) {
    const Exchange& e = run.timeline[i];
    if (e.kind != "apdu") continue;
    auto command = rsp::apdu::Command::parse(e.sent);
    if (!command || command->ins != 0xE2) continue;
    ++store_data;
    largest = std::max(largest, command->data.size());
    std::string where = "STORE DATA #" + std::to_string(store_data) + " (" +
                        rsp::to_hex(ByteView(e.sent).first(std::min<size_t>(e.sent.size(), 5))) + "...)";
    if (command->extended || command->data.size() > 255)
      return fail(where + " carries " + std::to_string(command->data.size()) + " data bytes" +
                  (command->extended ? " in an extended APDU" : "") + "; expected short APDUs of at most 255");
    if (command->p1 != 0x11 && command->p1 != 0x91)
      return fail(where + ": P1 " + rsp::to_hex(Bytes{command->p1}) + ", expected 11 or 91");
    if (command->p2 != next_block)
      return fail(where + ": P2 " + rsp::to_hex(Bytes{command->p2}) + ", expected block number " +
                  std::to_string(next_block));
    next_block = command->p1 == 0x91 ? 0 : next_block + 1;
  }
  if (store_data == 0) return fail("expected STORE DATA commands; the IPA sent none" + ending(run));
  return pass(std::to_string(store_data) + " STORE DATA blocks, the largest " + std::to_string(largest) + " bytes");
}

// SGP.22 v2.5 §2.5.5: the BPP reaches the card as the SM-DP+ sent it, cut at the TLV boundaries:
// BF36 header with BF23, A0 whole, A1 header, each 88, A2 whole, A3 header, each 86.
Outcome segmentation(const Timeline& t, const Steps& s) {
  auto bpp = bound_profile_package(t[s.get_bpp].received);
  if (!bpp) return fail("the SM-DP+'s getBoundProfilePackage answer holds no BPP the harness can read");
  auto expected = rsp::bpp::split_for_loading(*bpp);
  if (!expected) return fail("the SM-DP+'s BPP cannot be cut: " + expected.error().message);
  std::vector<Bytes> got;
  for (size_t i = s.load; i < t.size() && got.size() < expected->size(); ++i) {
    if (t[i].kind != "es10") continue;
    got.push_back(t[i].sent);
    if (!t[i].received.empty()) break;  // the card's ProfileInstallationResult ends the load
  }
  for (size_t i = 0; i < std::min(got.size(), expected->size()); ++i)
    if (got[i] != (*expected)[i])
      return fail("ES10 command " + std::to_string(i + 1) + " of the BPP: expected " +
                  rsp::to_hex(tlv::encode_tag(top_tag((*expected)[i]))) + " of " +
                  std::to_string((*expected)[i].size()) + " bytes as the SM-DP+ sent it, got " +
                  rsp::to_hex(tlv::encode_tag(top_tag(got[i]))) + " of " + std::to_string(got[i].size()) + " bytes");
  if (got.size() != expected->size())
    return fail("expected " + std::to_string(expected->size()) + " ES10 commands for the BPP, got " +
                std::to_string(got.size()));
  return pass(std::to_string(got.size()) + " segments");
}

Outcome bpp_segmentation(IpaTarget& target) { return with_steps(target, segmentation); }

std::vector<Bytes> members_except(ByteView der, std::set<tlv::Tag> left_out) {
  auto all = members(der);
  std::erase_if(all, [&](const Bytes& m) { return left_out.count(top_tag(m)) != 0; });
  return all;
}

// SGP.22 v2.5 §3.1.3.1, §5.7.13: serverSigned1, serverSignature1, euiccCiPKIdToBeUsed and
// serverCertificate reach the card as the SM-DP+ sent them (ctxParams1 is the IPA's own).
Outcome authenticate_server_relayed(IpaTarget& target) {
  return with_steps(target, [](const Timeline& t, const Steps& s) {
    return relayed(members_except(t[s.authenticate_server].sent, {0xA0}), t[s.initiate].received,
                   "initiateAuthentication's answer", "AuthenticateServer");
  });
}

// SGP.22 v2.5 §3.1.3.2, §5.6.2: the card's AuthenticateServerResponse reaches the SM-DP+ unchanged.
Outcome authenticate_client_relayed(IpaTarget& target) {
  return with_steps(target, [](const Timeline& t, const Steps& s) {
    return relayed({t[s.authenticate_server].received}, t[s.authenticate_client].sent,
                   "the card's AuthenticateServerResponse", "authenticateClient");
  });
}

// SGP.22 v2.5 §3.1.3.2, §5.7.5: smdpSigned2, smdpSignature2 and smdpCertificate reach the card as
// the SM-DP+ sent them (hashCc is the IPA's own).
Outcome prepare_download_relayed(IpaTarget& target) {
  return with_steps(target, [](const Timeline& t, const Steps& s) {
    return relayed(members_except(t[s.prepare].sent, {0x04}), t[s.authenticate_client].received,
                   "authenticateClient's answer", "PrepareDownload");
  });
}

// SGP.22 v2.5 §3.1.3.3, §5.6.3: the card's PrepareDownloadResponse reaches the SM-DP+ unchanged.
Outcome get_bound_profile_package_relayed(IpaTarget& target) {
  return with_steps(target, [](const Timeline& t, const Steps& s) {
    return relayed({t[s.prepare].received}, t[s.get_bpp].sent, "the card's PrepareDownloadResponse",
                   "getBoundProfilePackage");
  });
}

// SGP.22 v2.5 §3.1.3.4, §5.6.4: the card's ProfileInstallationResult reaches the SM-DP+ unchanged.
Outcome handle_notification_relayed(IpaTarget& target) {
  IpaRun run = target.download({});
  const Timeline& t = run.timeline;
  auto result = installation_result(t);
  if (!result) return fail("expected a ProfileInstallationResult from the card; got " + steps(t) + ending(run));
  auto sent = first_http(t, "handleNotification", *result);
  if (!sent)
    return fail("expected handleNotification after the card's ProfileInstallationResult; got " + steps(t) +
                ending(run));
  return relayed({t[*result].received}, t[*sent].sent, "the card's ProfileInstallationResult", "handleNotification");
}

// Flips the last byte of the `inner` member of a command tagged `outer`, so the card refuses it.
std::function<std::optional<uint16_t>(Bytes&)> corrupt_member(tlv::Tag outer, tlv::Tag inner) {
  return [outer, inner](Bytes& command) -> std::optional<uint16_t> {
    if (top_tag(command) != outer) return std::nullopt;
    auto top = tlv::read(command);
    auto member = top ? tlv::find(top->value, inner) : std::nullopt;
    if (member && !member->value.empty())
      command[static_cast<size_t>(member->whole.data() - command.data()) + member->whole.size() - 1] ^= 0x01;
    return std::nullopt;
  };
}

// The card's refusal of `command_tag` (the harness corrupted the SM-DP+'s signature in it) goes to
// the SM-DP+ unchanged in `function`, which ends the session there (SGP.22 v2.5 §3.1.3.2, §3.1.3.3).
Outcome euicc_error_relayed(IpaTarget& target, tlv::Tag command_tag, const std::string& function) {
  IpaScenario scenario;
  scenario.card = corrupt_member(command_tag, 0x5F37);
  IpaRun run = target.download(scenario);
  const Timeline& t = run.timeline;
  auto refused = first_es10(t, command_tag);
  if (!refused)
    return fail("expected " + step_name(Exchange{"es10", {}, tlv::encode_header(command_tag, 0), {}}) + "; got " +
                steps(t) + ending(run));
  auto answer = tlv::read(t[*refused].received);
  if (!answer || !tlv::find(answer->value, 0xA1))
    return not_applicable("the harness's card did not refuse the corrupted signature: " +
                          rsp::to_hex(t[*refused].received));
  auto sent = first_http(t, function, *refused);
  if (!sent) return fail("expected " + function + " with the card's refusal; got " + steps(t) + ending(run));
  return relayed({t[*refused].received}, t[*sent].sent, "the card's refusal", function);
}

// SGP.22 v2.5 §5.7.14 CancelSessionReason.
const std::set<long> kNotLoading = {0, 1, 2, 3, 4, 127};  // every reason but loadBppExecutionError
const std::set<long> kLoading = {5, 127};                 // loadBppExecutionError, undefinedReason

// After `failure` (the event where the download had to stop): ES10b.CancelSession for the
// session's transactionId with a reason in `reasons`, answered by the card; its signed answer in an
// ES9+ cancelSession unchanged (required when `smdp_session_open`, checked whenever one is sent);
// and no later download step.
Outcome cancelled(const IpaRun& run, std::optional<size_t> failure, const std::set<long>& reasons,
                  bool smdp_session_open) {
  const Timeline& t = run.timeline;
  if (!failure) return fail("the download did not get to the step the case fails; got " + steps(t) + ending(run));
  auto authenticate = first_es10(t, 0xBF38);
  auto signed1 = authenticate ? tlv::read(t[*authenticate].sent) : rsp::Expected<tlv::Tlv>(rsp::fail("none"));
  auto server_signed1 = signed1 ? tlv::find(signed1->value, 0x30) : std::nullopt;
  auto transaction_id = server_signed1 ? tlv::find(server_signed1->value, 0x80) : std::nullopt;
  if (!transaction_id) return fail("expected AuthenticateServer with serverSigned1; got " + steps(t) + ending(run));
  auto cancel = first_es10(t, 0xBF41, *failure + 1);
  if (!cancel)
    return fail("expected ES10b.CancelSession after " + step_name(t[*failure]) + "; got " + steps(t) + ending(run));
  auto went_on = first(
      t,
      [](const Exchange& e) {
        std::string name = step_name(e);
        return name == "PrepareDownload" || name == "LoadBoundProfilePackage" || name == "getBoundProfilePackage";
      },
      *failure + 1);
  if (went_on)
    return fail("expected the download to stop after " + step_name(t[*failure]) + "; the IPA went on to " +
                step_name(t[*went_on]));
  auto request = tlv::read(t[*cancel].sent);
  auto id = request ? tlv::find(request->value, 0x80) : std::nullopt;
  if (!id ||
      !std::equal(id->value.begin(), id->value.end(), transaction_id->value.begin(), transaction_id->value.end()))
    return fail("expected CancelSession for transactionId " + rsp::to_hex(transaction_id->value) + ", got " +
                rsp::to_hex(t[*cancel].sent));
  std::optional<long> reason;
  if (auto member = tlv::find(request->value, 0x81)) reason = integer(member->value);
  std::string allowed;
  for (long r : reasons) allowed += (allowed.empty() ? "" : ", ") + std::to_string(r);
  if (!reason || !reasons.count(*reason))
    return fail("expected a CancelSessionReason in {" + allowed + "}, got " +
                (reason ? std::to_string(*reason) : "none"));
  auto answer = tlv::read(t[*cancel].received);
  if (!answer || !tlv::find(answer->value, 0xA0))
    return not_applicable("the harness's card refused the CancelSession: " + rsp::to_hex(t[*cancel].received));
  auto relay = first_http(t, "cancelSession", *cancel);
  if (!relay)
    return smdp_session_open
               ? fail("expected ES9+ cancelSession with the card's signed answer; got " + steps(t) + ending(run))
               : pass("reason " + std::to_string(*reason));
  Outcome carried = relayed({t[*cancel].received}, t[*relay].sent, "the card's CancelSessionResponse", "cancelSession");
  if (carried.verdict != Verdict::pass) return carried;
  return pass("reason " + std::to_string(*reason));
}

// SGP.22 v2.5 §3.1.3.2: the SM-DP+ refuses authenticateClient (no order for the matchingId) after the
// card authenticated it; the card's session must be ended.
Outcome cancel_after_server_error(IpaTarget& target) {
  IpaScenario scenario;
  scenario.unknown_matching_id = true;
  IpaRun run = target.download(scenario);
  return cancelled(run, first_http(run.timeline, "authenticateClient"), kNotLoading, false);
}

// The card answers the first ES10 command tagged `tag` with `status_word` instead of running it;
// the session must be cancelled after it, with a reason in `reasons`, and the SM-DP+ told.
Outcome cancel_after_card_failure(IpaTarget& target, tlv::Tag tag, uint16_t status_word,
                                  const std::set<long>& reasons) {
  IpaScenario scenario;
  scenario.card = [tag, status_word](Bytes& command) -> std::optional<uint16_t> {
    if (top_tag(command) == tag) return status_word;
    return std::nullopt;
  };
  IpaRun run = target.download(scenario);
  return cancelled(run, first_es10(run.timeline, tag), reasons, true);
}

// SGP.22 v2.5 §3.1.3.4, §5.7.10: the installation result is removed from the card
// (RemoveNotificationFromList with its seqNumber) only after the SM-DP+ acknowledged it (HTTP 204).
Outcome removed_after_acknowledgement(IpaTarget& target) {
  IpaRun run = target.download({});
  const Timeline& t = run.timeline;
  auto result = installation_result(t);
  auto seq = result ? sequence_number(t[*result].received) : std::nullopt;
  if (!seq)
    return fail("expected a ProfileInstallationResult with a seqNumber from the card; got " + steps(t) + ending(run));
  auto sent = first_http(t, "handleNotification", *result);
  if (!sent) return fail("expected handleNotification with the installation result; got " + steps(t) + ending(run));
  auto removal = first(t, [&](const Exchange& e) { return removed_sequence_number(e) == seq; });
  if (!removal)
    return fail("expected RemoveNotificationFromList for seqNumber " + std::to_string(*seq) +
                " once the SM-DP+ answered " + std::to_string(t[*sent].status) + "; got " + steps(t) + ending(run));
  if (*removal < *sent)
    return fail("RemoveNotificationFromList for seqNumber " + std::to_string(*seq) +
                " came before handleNotification; expected it after the SM-DP+'s acknowledgement");
  if (t[*sent].status != 204)
    return not_applicable("the harness SM-DP+ answered handleNotification " + std::to_string(t[*sent].status));
  return pass();
}

// SGP.22 v2.5 §3.1.3.4, §3.5: the SM-DP+ does not acknowledge the installation result (HTTP 500); it
// stays on the card for a later attempt.
Outcome kept_when_not_acknowledged(IpaTarget& target) {
  IpaScenario scenario;
  scenario.smdp = [](const std::string& function) -> std::optional<rsp::http::Response> {
    if (function != "handleNotification") return std::nullopt;
    rsp::http::Response refused;
    refused.status = 500;
    return refused;
  };
  IpaRun run = target.download(scenario);
  const Timeline& t = run.timeline;
  auto result = installation_result(t);
  auto seq = result ? sequence_number(t[*result].received) : std::nullopt;
  if (!seq)
    return fail("expected a ProfileInstallationResult with a seqNumber from the card; got " + steps(t) + ending(run));
  if (!first_http(t, "handleNotification", *result))
    return fail("expected handleNotification with the installation result; got " + steps(t) + ending(run));
  if (auto removal = first(t, [&](const Exchange& e) { return removed_sequence_number(e) == seq; }))
    return fail("expected the installation result kept on the card; the IPA removed seqNumber " + std::to_string(*seq) +
                " though the SM-DP+ answered handleNotification with HTTP 500");
  return pass();
}

}  // namespace

std::vector<Case> ipa_download_cases() {
  const std::string nominal = "a download of a released order (activation code), the harness's card and SM-DP+ nominal";
  return {
      ipa_case(
          "ES10b.ProfileDownload.Sequence", "SGP.22 v2.5 §3.1.3", nominal,
          "GetEUICCInfo1 and GetEUICCChallenge (either order) before initiateAuthentication, then AuthenticateServer, "
          "authenticateClient, PrepareDownload, getBoundProfilePackage, LoadBoundProfilePackage; the profile installed "
          "and the IPA exits 0 (other ES10 calls anywhere)",
          sequence),
      ipa_case(
          "ES10.StoreData.BlockSize", "SGP.22 v2.5 §5.7; GPCS v2.3 §11.11", nominal,
          "every STORE DATA a short APDU of at most 255 data bytes, P1 11 or 91 (last), P2 counting each command's blocks from 00",
          block_size),
      ipa_case(
          "ES10b.LoadBoundProfilePackage.Segmentation", "SGP.22 v2.5 §2.5.5, §5.7.6", nominal,
          "the BPP as the SM-DP+ sent it, one ES10 command per part: BF36 header with BF23, A0, A1 header, each 88, A2, "
          "A3 header, each 86",
          bpp_segmentation),
      ipa_case(
          "ES10b.AuthenticateServer.RelayedUnchanged", "SGP.22 v2.5 §3.1.3.1, §5.7.13", nominal,
          "serverSigned1, serverSignature1, euiccCiPKIdToBeUsed, serverCertificate in AuthenticateServer byte for byte "
          "as initiateAuthentication returned them",
          authenticate_server_relayed),
      ipa_case("ES9p.AuthenticateClient.RelayedUnchanged", "SGP.22 v2.5 §3.1.3.2, §5.6.2", nominal,
               "the card's AuthenticateServerResponse in authenticateClient byte for byte",
               authenticate_client_relayed),
      ipa_case(
          "ES10b.PrepareDownload.RelayedUnchanged", "SGP.22 v2.5 §3.1.3.2, §5.7.5", nominal,
          "smdpSigned2, smdpSignature2, smdpCertificate in PrepareDownload byte for byte as authenticateClient returned them",
          prepare_download_relayed),
      ipa_case("ES9p.GetBoundProfilePackage.RelayedUnchanged", "SGP.22 v2.5 §3.1.3.3, §5.6.3", nominal,
               "the card's PrepareDownloadResponse in getBoundProfilePackage byte for byte",
               get_bound_profile_package_relayed),
      ipa_case("ES9p.HandleNotification.RelayedUnchanged", "SGP.22 v2.5 §3.1.3.4, §5.6.4", nominal,
               "the card's ProfileInstallationResult in handleNotification byte for byte", handle_notification_relayed),
      ipa_case(
          "ES9p.AuthenticateClient.RelaysEuiccError", "SGP.22 v2.5 §3.1.3.2, §5.6.2",
          "a download where the harness's card gets serverSignature1 with one bit flipped and refuses AuthenticateServer",
          "the card's AuthenticateServerResponse error in authenticateClient byte for byte",
          [](IpaTarget& t) { return euicc_error_relayed(t, 0xBF38, "authenticateClient"); }),
      ipa_case(
          "ES9p.GetBoundProfilePackage.RelaysEuiccError", "SGP.22 v2.5 §3.1.3.3, §5.6.3",
          "a download where the harness's card gets smdpSignature2 with one bit flipped and refuses PrepareDownload",
          "the card's PrepareDownloadResponse error in getBoundProfilePackage byte for byte",
          [](IpaTarget& t) { return euicc_error_relayed(t, 0xBF21, "getBoundProfilePackage"); }),
      ipa_case(
          "ES10b.CancelSession.AfterServerError", "SGP.22 v2.5 §3.1.3.2, §5.7.14",
          "a download with a matchingId the SM-DP+ has no order for: authenticateClient answers Failed after the card "
          "authenticated the SM-DP+",
          "ES10b.CancelSession for the session's transactionId with a reason other than loadBppExecutionError, no "
          "PrepareDownload; an ES9+ cancelSession, if sent, with the card's answer byte for byte",
          cancel_after_server_error),
      ipa_case(
          "ES10b.CancelSession.AfterPrepareDownloadFailure", "SGP.22 v2.5 §3.1.3.2, §5.7.14",
          "a download where the harness's card answers PrepareDownload with status word 6F00",
          "ES10b.CancelSession for the session's transactionId with a reason other than loadBppExecutionError, then "
          "ES9+ cancelSession with the card's answer byte for byte; no getBoundProfilePackage",
          // SGP.22 v2.5 §3.1.3.2: PrepareDownload fails at APDU level (no answer from the card).
          [](IpaTarget& t) { return cancel_after_card_failure(t, 0xBF21, 0x6F00, kNotLoading); }),
      ipa_case(
          "ES10b.CancelSession.AfterLoadFailure", "SGP.22 v2.5 §3.1.3.3, §5.7.6, §5.7.14",
          "a download where the harness's card answers the BPP's first ES10 command (BF36, InitialiseSecureChannel) with status word 6A80",
          "ES10b.CancelSession for the session's transactionId with loadBppExecutionError or undefinedReason, then ES9+ "
          "cancelSession with the card's answer byte for byte; no more BPP commands",
          // SGP.22 v2.5 §3.1.3.3, §5.7.6: the BPP's first ES10 command fails at APDU level.
          [](IpaTarget& t) { return cancel_after_card_failure(t, 0xBF36, 0x6A80, kLoading); }),
      ipa_case(
          "ES10b.RemoveNotificationFromList.AfterAcknowledgement", "SGP.22 v2.5 §3.1.3.4, §5.7.10", nominal,
          "handleNotification with the installation result, then RemoveNotificationFromList with its seqNumber after "
          "the SM-DP+'s HTTP 204, not before",
          removed_after_acknowledgement),
      ipa_case(
          "ES9p.HandleNotification.NotAcknowledged", "SGP.22 v2.5 §3.1.3.4, §3.5",
          "a download where the harness SM-DP+ answers handleNotification with HTTP 500",
          "handleNotification sent, and no RemoveNotificationFromList for its seqNumber: the result stays on the card",
          kept_when_not_acknowledged),
  };
}

}  // namespace conformance
