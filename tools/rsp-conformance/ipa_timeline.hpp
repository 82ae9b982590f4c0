#pragma once
// What the IPA role's cases read the timeline of one IPA run with (ipa_target.hpp): the ES10
// function or ES9+/ESipa step of an event, where a step first happens, whether a body carries
// bytes unchanged in either binding, and the lines a failure shows.
#include <optional>
#include <string>
#include <vector>

#include "ipa_target.hpp"
#include "rsp/tlv.hpp"

namespace conformance {

// The tag of a DER TLV's outermost element (0 when it does not parse).
rsp::tlv::Tag top_tag(rsp::ByteView der);
// The ES10 function (by its tag, BPP parts as LoadBoundProfilePackage) or the ES9+ function.
std::string step_name(const Exchange& e);
// "GetEUICCInfo1, GetEUICCChallenge, initiateAuthentication, ..., LoadBoundProfilePackage x9, ..."
std::string steps(const Timeline& t);

bool is_es10(const Exchange& e, rsp::tlv::Tag tag);
bool is_http(const Exchange& e, const std::string& function);
// The first event from `from` on that `match` accepts.
template <class Match>
std::optional<size_t> first(const Timeline& t, Match match, size_t from = 0) {
  for (size_t i = from; i < t.size(); ++i)
    if (match(t[i])) return i;
  return std::nullopt;
}
std::optional<size_t> first_es10(const Timeline& t, rsp::tlv::Tag tag, size_t from = 0);
std::optional<size_t> first_http(const Timeline& t, const std::string& function, size_t from = 0);

// Whether an ES9+ or ESipa body carries the TLV `value` unchanged: in the JSON binding as the base64
// of one of its members; in the ASN.1 binding as a part of its bytes, or its contents under another
// tag where the binding's automatic tagging retags it (CancelSessionRequestEs9 carries the card's
// BF41 as A1).
bool carries(rsp::ByteView body, rsp::ByteView value);
// A relay: each of `values` (what one side produced) carried unchanged by `body` (what reached the other side).
Outcome relayed(const std::vector<rsp::Bytes>& values, rsp::ByteView body, const std::string& from,
                const std::string& to);

// A DER INTEGER's contents as a number (small non-negative values: seqNumbers, reasons).
long integer(rsp::ByteView contents);
// The seqNumber a RemoveNotificationFromList (BF30 { 80 }) names.
std::optional<long> removed_sequence_number(const Exchange& e);
// "; the IPA exited N saying: <its last line>", for a failure's detail.
std::string ending(const IpaRun& run);

// An IPA-role case.
Case ipa_case(std::string id, std::string section, std::string sends, std::string expects,
              std::function<Outcome(IpaTarget&)> run);

}  // namespace conformance
