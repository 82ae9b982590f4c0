// SGP.32 v1.2 minimizeEsipaBytes: the eIM's side of the compact forms (ASN.1 module
// sgp32-definitions l.1160-1300). Each rebuild reads the compact members strictly (known tags, in
// order, nothing after) so that what goes to the SM-DP+ is the eUICC's full form and nothing else.
#include "esipa/compact_forms.hpp"

#include <algorithm>
#include <vector>

#include "rsp/crypto/certificate.hpp"

namespace eim::esipa {

namespace {

using rsp::tlv::encode;
using rsp::tlv::Tlv;

// The members of `contents`, each one of `allowed` in that order, each at most once.
rsp::Expected<std::vector<Tlv>> members_in_order(ByteView contents, std::initializer_list<rsp::tlv::Tag> allowed,
                                                 const std::string& what) {
  auto all = rsp::tlv::read_all(contents);
  if (!all) return rsp::fail(what + ": " + all.error().message);
  auto next = allowed.begin();
  for (const Tlv& m : *all) {
    while (next != allowed.end() && *next != m.tag) ++next;
    if (next == allowed.end())
      return rsp::fail(what + ": unexpected member " + rsp::to_hex(rsp::tlv::encode_tag(m.tag)));
    ++next;
  }
  return all;
}

const Tlv* member(const std::vector<Tlv>& members, rsp::tlv::Tag tag) {
  for (const Tlv& m : members)
    if (m.tag == tag) return &m;
  return nullptr;
}

}  // namespace

std::string eid_of_certificate(ByteView certificate) {
  auto c = rsp::crypto::Certificate::from_der(certificate);
  return c ? c->subject_serial_number().value_or("") : "";
}

// SGP.32 v1.2 ESipa.GetBoundProfilePackage (CompactPrepareDownloadResponseOk)
rsp::Expected<Bytes> full_prepare_download_response(const Tlv& compact, ByteView transaction_id) {
  auto outer = members_in_order(compact.value, {0x30, 0x5F37}, "CompactPrepareDownloadResponseOk");
  if (!outer) return rsp::Unexpected{outer.error()};
  const Tlv* signed2 = member(*outer, 0x30);
  const Tlv* signature = member(*outer, 0x5F37);
  if (!signed2 || !signature)
    return rsp::fail("CompactPrepareDownloadResponseOk without compactEuiccSigned2 or euiccSignature2");
  auto inner = members_in_order(signed2->value, {0x5F49, 0x04}, "compactEuiccSigned2");
  if (!inner) return rsp::Unexpected{inner.error()};
  // euiccOtpk is mandatory in euiccSigned2; the compact form may leave it out only for a key the
  // eIM kept from an earlier attempt, and this eIM keeps none.
  if (!member(*inner, 0x5F49)) return rsp::fail("compactEuiccSigned2 without euiccOtpk (the eIM keeps no earlier one)");
  Bytes euicc_signed2 = encode(0x30, rsp::concat({encode(0x80, transaction_id), signed2->value}));
  return encode(0xBF21, encode(0xA0, rsp::concat({euicc_signed2, signature->whole})));
}

// SGP.32 v1.2 ESipa.AuthenticateClient (CompactAuthenticateResponseOk)
rsp::Expected<Bytes> full_authenticate_server_response(const Tlv& compact, const EumCertificateOf& eum_certificate_of) {
  auto m = members_in_order(compact.value, {0x30, 0xA0, 0x5F37, 0xA1, 0xA2}, "CompactAuthenticateResponseOk");
  if (!m) return rsp::Unexpected{m.error()};
  if (member(*m, 0xA0))
    return rsp::fail("compactEuiccSigned1 not supported (the eIM keeps no euiccInfo2 to rebuild euiccSigned1)");
  const Tlv* signed1 = member(*m, 0x30);
  const Tlv* signature = member(*m, 0x5F37);
  if (!signed1 || !signature) return rsp::fail("CompactAuthenticateResponseOk without euiccSigned1 or euiccSignature1");
  const Tlv* euicc_certificate = member(*m, 0xA1);
  if (!euicc_certificate)
    return rsp::fail("CompactAuthenticateResponseOk without euiccCertificate: the eIM cannot tell which device it is");
  // [1] / [2] Certificate: the implicit tag replaces the SEQUENCE's 30 around the same contents.
  Bytes certificate = encode(0x30, euicc_certificate->value);
  Bytes eum;
  if (const Tlv* sent = member(*m, 0xA2)) {
    eum = encode(0x30, sent->value);
  } else {
    std::string eid = eid_of_certificate(certificate);
    if (eid.empty()) return rsp::fail("CompactAuthenticateResponseOk: euiccCertificate names no EID");
    auto known = eum_certificate_of(eid);
    if (!known) return rsp::Unexpected{known.error()};
    eum = std::move(*known);
  }
  return encode(0xBF38, encode(0xA0, rsp::concat({signed1->whole, signature->whole, certificate, eum})));
}

// SGP.32 v1.2 ESipa.CancelSession (CompactCancelSessionResponseOk)
rsp::Expected<Bytes> full_cancel_session_response(const Tlv& compact, ByteView transaction_id, ByteView smdp_oid) {
  auto outer = members_in_order(compact.value, {0x30, 0x5F37}, "CompactCancelSessionResponseOk");
  if (!outer) return rsp::Unexpected{outer.error()};
  const Tlv* signed_part = member(*outer, 0x30);
  const Tlv* signature = member(*outer, 0x5F37);
  if (!signed_part || !signature)
    return rsp::fail("CompactCancelSessionResponseOk without its signed part or signature");
  auto inner = members_in_order(signed_part->value, {0x80}, "compactEuiccCancelSessionSigned");
  if (!inner) return rsp::Unexpected{inner.error()};
  // reason is mandatory in the signed form and has no default to put back.
  const Tlv* reason = member(*inner, 0x80);
  if (!reason)
    return rsp::fail("compactEuiccCancelSessionSigned without reason (no default to rebuild the signed one)");
  if (smdp_oid.empty())
    return rsp::fail("the session has no smdpOid (no SM-DP+ certificate seen at InitiateAuthentication)");
  Bytes signed_full =
      encode(0x30, rsp::concat({encode(0x80, transaction_id), encode(0x81, smdp_oid), encode(0x82, reason->value)}));
  return encode(0xBF41, encode(0xA0, rsp::concat({signed_full, signature->whole})));
}

// SGP.32 v1.2 ESipa.HandleNotification (CompactProfileInstallationResult)
rsp::Expected<Bytes> full_profile_installation_result(const Tlv& compact, const DownloadData& download) {
  static const Bytes kIsdpAidPrefix{0xA0, 0x00, 0x00, 0x05, 0x59, 0x10, 0x10, 0xFF, 0xFF, 0xFF, 0xFF, 0x89, 0x00, 0x00};
  static const Bytes kSimaResponseOk{0x30, 0x07, 0xA0, 0x05, 0x30, 0x03, 0x80, 0x01, 0x00};
  static const Bytes kInstall{0x07, 0x80};  // NotificationEvent BIT STRING, notificationInstall(0) alone
  auto outer = members_in_order(compact.value, {0xA0, 0x5F37}, "CompactProfileInstallationResult");
  if (!outer) return rsp::Unexpected{outer.error()};
  const Tlv* data = member(*outer, 0xA0);
  const Tlv* signature = member(*outer, 0x5F37);
  if (!data || !signature) return rsp::fail("CompactProfileInstallationResult without its data or signature");
  auto m = members_in_order(data->value, {0x80, 0x02, 0x01, 0xA2}, "compactProfileInstallationResultData");
  if (!m) return rsp::Unexpected{m.error()};
  const Tlv* transaction_id = member(*m, 0x80);
  const Tlv* seq_number = member(*m, 0x02);
  const Tlv* final_result = member(*m, 0xA2);
  if (!transaction_id || !seq_number || !final_result)
    return rsp::fail("compactProfileInstallationResultData incomplete");
  if (!std::ranges::equal(transaction_id->value, download.transaction_id))
    return rsp::fail("another session's transactionId");
  const Tlv* iccid_present = member(*m, 0x01);
  bool with_iccid = !iccid_present || (iccid_present->value.size() == 1 && iccid_present->value[0] != 0);
  if (with_iccid && download.iccid.empty())
    return rsp::fail("iccidPresent, but no ICCID was relayed in this session's profileMetaData");
  if (download.smdp_oid.empty())
    return rsp::fail("the session has no smdpOid (no CERT.DPpb relayed at AuthenticateClient)");

  auto choice = rsp::tlv::read(final_result->value);
  if (!choice || choice->whole.size() != final_result->value.size()) return rsp::fail("unreadable compactFinalResult");
  Bytes full_final;
  if (choice->tag == 0xA1) {
    full_final.assign(final_result->whole.begin(), final_result->whole.end());  // ErrorResult travels as it is
  } else if (choice->tag == 0xA0) {
    auto success = members_in_order(choice->value, {0x4F, 0x04}, "compactSuccessResult");
    if (!success) return rsp::Unexpected{success.error()};
    const Tlv* aid = member(*success, 0x4F);
    if (!aid || aid->value.size() != 2) return rsp::fail("compactAid is not two bytes");
    const Tlv* sima = member(*success, 0x04);
    Bytes sima_response = sima ? Bytes(sima->value.begin(), sima->value.end()) : kSimaResponseOk;
    full_final = encode(0xA2, encode(0xA0, rsp::concat({encode(0x4F, rsp::concat({kIsdpAidPrefix, aid->value})),
                                                        encode(0x04, sima_response)})));
  } else {
    return rsp::fail("compactFinalResult is neither a success nor an error result");
  }
  Bytes metadata = encode(0xBF2F, rsp::concat({encode(0x80, seq_number->value), encode(0x81, kInstall),
                                               encode(0x0C, rsp::to_bytes(download.notification_address)),
                                               with_iccid ? encode(0x5A, download.iccid) : Bytes{}}));
  Bytes full_data =
      encode(0xBF27, rsp::concat({transaction_id->whole, metadata, encode(0x06, download.smdp_oid), full_final}));
  return encode(0xBF37, rsp::concat({full_data, signature->whole}));
}

}  // namespace eim::esipa
