// The eIM checks an EuiccPackageResult (SGP.32 v1.2 §2.11, FACTS §5.3): schema, the eUICC's chain
// CI -> EUM -> eUICC, euiccSignEPR / euiccSignEPE over the signed data as received ||
// associationToken, then that it answers the request (eimId, counter, transaction id). An
// EuiccPackageErrorUnsigned never counts: nothing vouches for it.
#include <EuiccPackageResult.h>

#include <ctime>
#include <utility>
#include <vector>

#include "der.hpp"
#include "eim/euicc_package.hpp"
#include "rsp/asn1/codec.hpp"
#include "rsp/asn1/primitives.hpp"
#include "rsp/crypto/ecdsa.hpp"

namespace eim {
namespace {

using Names = std::vector<std::pair<long, const char*>>;

struct ResultKind {
  rsp::tlv::Tag tag;
  const char* operation;
  Names names;  // empty: the entry carries data, not a code
};

// EuiccResultData's alternatives, tagged by operation, with their result codes' names.
const ResultKind kResultKinds[] = {
    {0x83,
     "enable",
     {{0, "ok"},
      {1, "iccidOrAidNotFound"},
      {2, "profileNotInDisabledState"},
      {3, "disallowedByPolicy"},
      {5, "catBusy"},
      {20, "rollbackNotAvailable"},
      {127, "undefinedError"}}},
    {0x84,
     "disable",
     {{0, "ok"},
      {1, "iccidOrAidNotFound"},
      {2, "profileNotInEnabledState"},
      {3, "disallowedByPolicy"},
      {5, "catBusy"},
      {127, "undefinedError"}}},
    {0x85,
     "delete",
     {{0, "ok"},
      {1, "iccidOrAidNotFound"},
      {2, "profileNotInDisabledState"},
      {3, "disallowedByPolicy"},
      {20, "rollbackNotAvailable"},
      {21, "returnFallbackProfile"},
      {127, "undefinedError"}}},
    {0xBF2D, "listProfileInfo", {}},
    {0xA6, "getRAT", {}},
    {0x87,
     "configureImmediateEnable",
     {{0, "ok"}, {1, "insufficientMemory"}, {7, "commandError"}, {127, "undefinedError"}}},
    {0xA8,
     "addEim",
     {{0, "ok"},
      {1, "insufficientMemory"},
      {2, "associatedEimAlreadyExists"},
      {3, "ciPKUnknown"},
      {5, "invalidAssociationToken"},
      {6, "counterValueOutOfRange"},
      {7, "commandError"},
      {127, "undefinedError"}}},
    {0x89,
     "deleteEim",
     {{0, "ok"}, {1, "eimNotFound"}, {2, "lastEimDeleted"}, {7, "commandError"}, {127, "undefinedError"}}},
    {0x8A,
     "updateEim",
     {{0, "ok"},
      {1, "eimNotFound"},
      {3, "ciPKUnknown"},
      {6, "counterValueOutOfRange"},
      {7, "commandError"},
      {127, "undefinedError"}}},
    {0xAB, "listEim", {}},
    {0x8C, "rollback", {{0, "ok"}, {127, "undefinedError"}}},
    {0x8D,
     "setFallbackAttribute",
     {{0, "ok"},
      {1, "iccidOrAidNotFound"},
      {2, "fallbackNotAllowed"},
      {3, "fallbackProfileEnabled"},
      {127, "undefinedError"}}},
    {0x8E,
     "unsetFallbackAttribute",
     {{0, "ok"},
      {2, "noFallbackAttribute"},
      {3, "fallbackProfileEnabled"},
      {7, "commandError"},
      {127, "undefinedError"}}},
    {0x02,
     "processingTerminated",
     {{1, "resultSizeOverflow"}, {2, "unknownOrDamagedCommand"}, {3, "interruption"}, {127, "undefinedError"}}},
    {0xBF65, "setDefaultDpAddress", {{0, "ok"}, {127, "undefinedError"}}},
};

const Names kPackageErrors = {{3, "invalidEid"},    {4, "replayError"},   {6, "counterValueOutOfRange"},
                              {15, "sizeOverflow"}, {104, "ecallActive"}, {127, "undefinedError"}};

// SGP.32 v1.2 §2.11 result codes by their names in the schema
std::string name_of(const Names& names, long code) {
  for (const auto& [value, name] : names)
    if (value == code) return name;
  return std::to_string(code);
}

// SGP.32 v1.2 §2.11 INTEGER members (counterValue, codes, associationToken): two's-complement contents
std::optional<int64_t> integer_value(ByteView v) {
  if (v.empty() || v.size() > 8) return std::nullopt;
  int64_t x = (v[0] & 0x80) ? -1 : 0;
  for (uint8_t b : v) x = static_cast<int64_t>((static_cast<uint64_t>(x) << 8) | b);
  return x;
}

// SGP.32 v1.2 §2.11 a result the eIM cannot accept
PackageOutcome failed(VerifyFailure f, std::string message) {
  PackageOutcome o;
  o.kind = PackageOutcome::Kind::failed;
  o.failure = f;
  o.message = std::move(message);
  return o;
}

// SGP.32 v1.2 §2.11 EuiccResultData: one entry per operation run, by its tag
std::optional<OperationResult> operation_result(const rsp::tlv::Tlv& entry) {
  for (const auto& kind : kResultKinds) {
    if (kind.tag != entry.tag) continue;
    OperationResult r;
    r.operation = kind.operation;
    r.der.assign(entry.whole.begin(), entry.whole.end());
    ByteView code_contents = entry.value;
    if (kind.tag == 0xA8 || kind.tag == 0xBF65) {  // addEim: 84 token | 02 code; setDefaultDpAddress: 80 code
      auto inner = rsp::tlv::read(entry.value);
      if (!inner) return std::nullopt;
      if (inner->tag == 0x84) {
        r.association_token = integer_value(inner->value);
        r.code = 0;
        r.code_name = "ok";
        return r;
      }
      code_contents = inner->value;
    } else if (kind.names.size() == 0) {
      return r;
    }
    auto code = integer_value(code_contents);
    if (!code) return std::nullopt;
    r.code = static_cast<long>(*code);
    r.code_name = name_of(kind.names, *r.code);
    return r;
  }
  return std::nullopt;
}

}  // namespace

// SGP.32 v1.2 §2.11 names of the eIM's verification failures
std::string_view verify_failure_name(VerifyFailure f) {
  switch (f) {
    case VerifyFailure::malformed: return "malformed";
    case VerifyFailure::unsigned_error: return "unsigned_error";
    case VerifyFailure::certificate_chain: return "certificate_chain";
    case VerifyFailure::eid_mismatch: return "eid_mismatch";
    case VerifyFailure::bad_signature: return "bad_signature";
    case VerifyFailure::eim_id_mismatch: return "eim_id_mismatch";
    case VerifyFailure::counter_mismatch: return "counter_mismatch";
    case VerifyFailure::transaction_id_mismatch: return "transaction_id_mismatch";
  }
  return "unknown";
}

// SGP.32 v1.2 §2.11 a package succeeded when it was verified and every operation answered ok
bool PackageOutcome::all_ok() const {
  if (kind != Kind::results || results.empty()) return false;
  for (const auto& r : results)
    if (r.code && *r.code != 0) return false;
  return true;
}

// SGP.32 v1.2 §2.11 EuiccPackageResult: signed result, signed error or unsigned error
PackageOutcome verify_euicc_package_result(ByteView response, const PackageRequest& request, const EuiccTrust& trust) {
  auto decoded = rsp::asn1::decode_as<EuiccPackageResult_t>(asn_DEF_EuiccPackageResult, response);
  if (!decoded) return failed(VerifyFailure::malformed, decoded.error().message());
  // The signed data exactly as received: the signature covers these bytes, not a re-encoding.
  auto outer = rsp::tlv::read(response);
  auto choice = outer ? rsp::tlv::read(outer->value) : rsp::Expected<rsp::tlv::Tlv>(rsp::fail("empty"));
  if (!choice) return failed(VerifyFailure::malformed, "EuiccPackageResult without a choice");
  if ((*decoded)->present == EuiccPackageResult_PR_euiccPackageErrorUnsigned)
    return failed(VerifyFailure::unsigned_error, "EuiccPackageErrorUnsigned: the eUICC did not sign it");
  auto parts = rsp::tlv::read_all(choice->value);
  if (!parts || parts->size() != 2 || (*parts)[0].tag != 0x30 || (*parts)[1].tag != 0x5F37)
    return failed(VerifyFailure::malformed, "signed data and signature expected");

  time_t now = trust.now ? trust.now : time(nullptr);
  auto chain = rsp::crypto::verify_chain(trust.euicc_certificate, rsp::crypto::Role::euicc, {trust.eum_certificate},
                                         trust.cis, now);
  if (!chain) return failed(VerifyFailure::certificate_chain, chain.error().message);
  auto key = trust.euicc_certificate.public_key();
  if (!key) return failed(VerifyFailure::certificate_chain, "CERT.EUICC has no usable key");
  ByteView signature = (*parts)[1].value;
  if (trust.check_signature &&
      (signature.size() != rsp::crypto::kPlainSignatureSize ||
       !rsp::crypto::verify(*key, rsp::concat({(*parts)[0].whole, association_token_tlv(request.association_token)}),
                            signature)))
    return failed(VerifyFailure::bad_signature, "euiccSignEPR/EPE does not verify with CERT.EUICC");

  // Signed by this eUICC: it must be the request's, unless it says just that (invalidEid).
  auto eid = trust.euicc_certificate.subject_serial_number();
  bool eid_matches = eid && *eid == rsp::to_hex(request.eid);
  auto eid_mismatch = [&] {
    return failed(VerifyFailure::eid_mismatch,
                  "CERT.EUICC names EID " + eid.value_or("(none)") + ", not " + rsp::to_hex(request.eid));
  };
  // Now it must answer this request.
  auto check_echo = [&](const UTF8String_t& eim_id, const INTEGER_t& counter,
                        const OCTET_STRING_t* transaction_id) -> std::optional<PackageOutcome> {
    if (rsp::asn1::text(eim_id) != request.eim_id)
      return failed(VerifyFailure::eim_id_mismatch, "result for eIM " + rsp::asn1::text(eim_id));
    auto c = rsp::asn1::to_long(counter);
    if (!c || *c < 0 || static_cast<uint64_t>(*c) != request.counter_value)
      return failed(VerifyFailure::counter_mismatch, "result for another counterValue");
    bool same = transaction_id
                    ? request.eim_transaction_id && rsp::asn1::octets(*transaction_id) == *request.eim_transaction_id
                    : !request.eim_transaction_id;
    if (!same) return failed(VerifyFailure::transaction_id_mismatch, "result for another eimTransactionId");
    return std::nullopt;
  };

  PackageOutcome o;
  if ((*decoded)->present == EuiccPackageResult_PR_euiccPackageErrorSigned) {
    const auto& data = (*decoded)->choice.euiccPackageErrorSigned.euiccPackageErrorDataSigned;
    if (auto bad = check_echo(data.eimId, data.counterValue, data.eimTransactionId)) return *bad;
    o.kind = PackageOutcome::Kind::signed_error;
    if (!eid_matches && rsp::asn1::to_long(data.euiccPackageErrorCode) != 3L) return eid_mismatch();
    o.error_code = rsp::asn1::to_long(data.euiccPackageErrorCode);
    o.error_name = o.error_code ? name_of(kPackageErrors, *o.error_code) : "?";
    o.message = "EuiccPackageErrorSigned " + o.error_name;
    return o;
  }
  if ((*decoded)->present != EuiccPackageResult_PR_euiccPackageResultSigned)
    return failed(VerifyFailure::malformed, "unknown EuiccPackageResult alternative");
  const auto& data = (*decoded)->choice.euiccPackageResultSigned.euiccPackageResultDataSigned;
  if (auto bad = check_echo(data.eimId, data.counterValue, data.eimTransactionId)) return *bad;
  if (!eid_matches) return eid_mismatch();
  o.kind = PackageOutcome::Kind::results;
  if (auto seq = rsp::asn1::to_long(data.seqNumber)) o.seq_number = *seq;
  auto members = rsp::tlv::read_all((*parts)[0].value);
  if (!members || members->empty() || members->back().tag != 0x30)
    return failed(VerifyFailure::malformed, "euiccResult missing");
  auto entries = rsp::tlv::read_all(members->back().value);
  if (!entries) return failed(VerifyFailure::malformed, "euiccResult unreadable");
  for (const auto& entry : *entries) {
    auto r = operation_result(entry);
    if (!r) return failed(VerifyFailure::malformed, "unreadable EuiccResultData");
    o.results.push_back(std::move(*r));
  }
  return o;
}

}  // namespace eim
