#pragma once
// What the ESipa functions share: the call's context, answers checked against the schema,
// refusals, INTEGER contents and the EID of a request.
#include <optional>
#include <string>

#include "eim/esipa.hpp"
#include "rsp/tlv.hpp"

namespace eim::esipa {

struct Context {
  EimStore& store;
  const EsipaSettings& settings;
  int64_t now;
};

// `der` as the answer, once it decodes as an EsipaMessageFromEimToIpa; else an internal error (500).
EsipaReply answer(EsipaReply reply, Bytes der);
// GetEimPackageResponse (BF4F) / ProvideEimPackageResultResponse (BF50) with its INTEGER error
// alternative: the same numbers for the same problems (1 noEimPackageAvailable, 2 eidNotFound,
// 3 invalidEid, 4 missingEid, 127 undefinedError), the name as outcome.
EsipaReply error_answer(EsipaReply reply, rsp::tlv::Tag response_tag, long code);
// Malformed input: 400, nothing answered, nothing changed.
EsipaReply refusal(std::string function, std::string message);
// The store failed: 500, so the IPA asks again later.
EsipaReply store_failure(EsipaReply reply, const std::string& what);

// INTEGER contents (two's complement, at most 8 bytes).
std::optional<int64_t> integer_value(ByteView contents);

// The 5A EID of a request, checked: its 32 digits, or the eimPackageError / provideEimPackageResultError
// code (missingEid 4, invalidEid 3).
struct EidOrError {
  std::string eid;
  long error = 0;
};
EidOrError eid_of(const std::vector<rsp::tlv::Tlv>& members);

// GetEimPackage: `request` is the whole BF4F; `schema_ok` false when the
// schema refused it (only a missing or malformed EID is answered then).
std::optional<EsipaReply> get_eim_package(const Context& c, const rsp::tlv::Tlv& request, bool schema_ok);
// ESipa.ProvideEimPackageResult: `request` is the whole BF50 (also inside HandleNotification).
EsipaReply provide_eim_package_result(const Context& c, const rsp::tlv::Tlv& request);

// What one result did: the seqNumber to acknowledge, the log's outcome and message, the counts.
struct ResultHandling {
  std::optional<int64_t> acknowledge;
  std::string outcome;
  std::string message;
  int verified = 0;
  int refused = 0;
  std::optional<std::string> store_error;  // set: answer 500, nothing acknowledged
};

inline ResultHandling failed_store(std::string what) {
  ResultHandling h;
  h.store_error = std::move(what);
  return h;
}

// record_result for `p`; a result already recorded (the IPA reporting again) or a package that
// moved on (expired) is said so, not recorded.
ResultHandling record(const Context& c, const PackageRecord& p, PackageState state, ByteView result,
                      const std::string& summary);

// The kinds of EimPackageResult, each the whole TLV, for the device the request named.
ResultHandling euicc_package_result(const Context& c, const DeviceRecord& device, const rsp::tlv::Tlv& result);
ResultHandling ipa_euicc_data_response(const Context& c, const DeviceRecord& device, const rsp::tlv::Tlv& result);
ResultHandling profile_download_trigger_result(const Context& c, const DeviceRecord& device,
                                               const rsp::tlv::Tlv& result);

}  // namespace eim::esipa
