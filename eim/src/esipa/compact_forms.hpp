#pragma once
// The compact forms an IPA with minimizeEsipaBytes (SGP.32 v1.2 IpaCapabilities) sends in the
// indirect profile download, rebuilt into the eUICC's full ES10b answers byte for byte: the
// eUICC's signatures cover the full forms, so the SM-DP+ verifies them only if no byte differs.
// Each takes the whole 'A2' alternative; an error says why it cannot be rebuilt (nothing guessed).
#include <functional>
#include <string>

#include "rsp/bytes.hpp"
#include "rsp/expected.hpp"
#include "rsp/tlv.hpp"

namespace eim::esipa {

using rsp::Bytes;
using rsp::ByteView;

// CompactPrepareDownloadResponseOk A2 { 30 { 5F49 euiccOtpk, 04 hashCc? }, 5F37 } ->
// BF21 { A0 { 30 euiccSigned2 { 80 transactionId, 5F49, 04? }, 5F37 } }.
rsp::Expected<Bytes> full_prepare_download_response(const rsp::tlv::Tlv& compact, ByteView transaction_id);

// CompactAuthenticateResponseOk A2 { 30 euiccSigned1, 5F37, A1 euiccCertificate?, A2 eumCertificate? } ->
// BF38 { A0 { 30 euiccSigned1, 5F37, 30 CERT.EUICC, 30 CERT.EUM } }. A left-out CERT.EUM comes from
// `eum_certificate_of(eid)` for the EID CERT.EUICC names. CERT.EUICC itself must be there: before
// AuthenticateClient nothing the eIM can trust names the device (InitiateAuthentication carries no
// EID, ESipa's TLS does not authenticate the IPA, a CLI download has no eimTransactionId), and a
// device guessed wrong would get another card's certificates. compactEuiccSigned1 is refused: its
// rebuild needs the card's exact euiccInfo2 bytes, which the eIM does not keep.
using EumCertificateOf = std::function<rsp::Expected<Bytes>(const std::string& eid)>;
rsp::Expected<Bytes> full_authenticate_server_response(const rsp::tlv::Tlv& compact,
                                                       const EumCertificateOf& eum_certificate_of);

// CompactCancelSessionResponseOk A2 { 30 { 80 reason }, 5F37 } -> BF41 { A0 { 30 euiccCancelSessionSigned
// { 80 transactionId, 81 smdpOid, 82 reason }, 5F37 } }; `smdp_oid` the OID's contents from CERT.DPauth.
rsp::Expected<Bytes> full_cancel_session_response(const rsp::tlv::Tlv& compact, ByteView transaction_id,
                                                  ByteView smdp_oid);

// What the eIM's relay session knows of a download, for its installation result.
struct DownloadData {
  Bytes transaction_id;
  std::string notification_address;  // the SM-DP+ address of the session
  Bytes iccid;                       // '5A' contents of the relayed profileMetaData; empty: none
  Bytes smdp_oid;                    // CERT.DPpb's registeredID (OID contents)
};
// CompactProfileInstallationResult A0 { A0 { 80 transactionId, 02 seqNumber, 01 iccidPresent?,
// A2 { A0 { 4F last two ISD-P AID bytes, 04 simaResponse? } | A1 ErrorResult } }, 5F37 } ->
// BF37 { BF27 { 80, BF2F { 80 seqNumber, 81 install, 0C address, 5A iccid? }, 06 smdpOid, A2 finalResult }, 5F37 }.
// The ISD-P AID is SGP.02's form (A0000005591010FFFFFFFF890000 + the two bytes); a left-out
// simaResponse is the SAIP EUICCResponse of a clean install (one peStatus ok).
rsp::Expected<Bytes> full_profile_installation_result(const rsp::tlv::Tlv& compact, const DownloadData& download);

// The EID (32 digits) CERT.EUICC's subject names, "" when `certificate` is not one.
std::string eid_of_certificate(ByteView certificate);

}  // namespace eim::esipa
