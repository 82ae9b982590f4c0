#pragma once
// SGP.32 v1.2 minimizeEsipaBytes, IPA side: the eUICC's full ES10b answers cut to the compact forms
// (ASN.1 module sgp32-definitions l.1160-1300) the eIM rebuilds before the SM-DP+ sees them. An
// answer that is not the Ok form (an error, or not readable) comes back unchanged.
#include "rsp/bytes.hpp"

namespace ipa::esipa_compact {

using rsp::Bytes;
using rsp::ByteView;

// BF38 { A0 { 30 euiccSigned1, 5F37, 30 CERT.EUICC, 30 CERT.EUM } } -> BF38 { A2 { 30, 5F37, A1 CERT.EUICC } }:
// CERT.EUM left out (the eIM has it on the device's record); CERT.EUICC stays, it names the device.
Bytes authenticate_server_response(ByteView full);
// BF21 { A0 { 30 { 80 transactionId, 5F49, 04? }, 5F37 } } -> BF21 { A2 { 30 { 5F49, 04? }, 5F37 } }.
Bytes prepare_download_response(ByteView full);
// The contents of BF41 { A0 { 30 { 80 transactionId, 81 smdpOid, 82 reason }, 5F37 } } ->
// A2 { 30 { 80 reason }, 5F37 } (what goes inside CancelSession's '[1]').
Bytes cancel_session_response_contents(ByteView full);
// A ProfileInstallationResult BF37 { BF27 { 80, BF2F { 80 seqNumber, 81, 0C, 5A? }, 06, A2 finalResult }, 5F37 }
// -> CompactProfileInstallationResult A0 { A0 { 80, 02 seqNumber, 01 00 (no ICCID)?, A2 { A0 { 4F last two
// AID bytes, 04 simaResponse unless the clean-install one } | A1 ErrorResult } }, 5F37 }. Unchanged when
// the eIM could not rebuild it: an ISD-P AID not of SGP.02's form, or anything but install metadata.
Bytes profile_installation_result(ByteView full);

}  // namespace ipa::esipa_compact
