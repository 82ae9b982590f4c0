#pragma once
// run --role ipa: the harness is the eUICC and the SM-DP+ of the IPA under test. The eUICC is the
// software eUICC library with --pki's credentials, served over TCP in the vpcd framing `ipa --euicc
// tcp:` speaks (as `euicc-sim --listen` serves it), a fresh card per case; the SM-DP+ is the smdp
// library in-process over HTTPS with --pki's dp-tls, behind a front that records every request and
// may answer in its place. Each case starts the IPA once from --ipa-command with its placeholders
// filled, and judges what the IPA did from the timeline of APDUs, ES10 commands and ES9+ exchanges.
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "case.hpp"
#include "reports.hpp"
#include "rsp/http/server.hpp"

namespace conformance {

// What happened in one case, in order: each APDU (kind "apdu"); each complete ES10 command as the
// IPA sent it with the answer the IPA got (kind "es10", status: the status word); each ES9+
// exchange (kind "http", label "POST <path>", status: the HTTP status the IPA got).
using Timeline = ExchangeLog;

// How a case bends the download so that the IPA has something to handle.
struct IpaScenario {
  // The activation code names a matchingId the SM-DP+ has no order for.
  bool unknown_matching_id = false;
  // Sees each complete ES10 command before the ISD-R: may change what the ISD-R gets (the timeline
  // keeps what the IPA sent), or return a status word to answer in the ISD-R's place.
  std::function<std::optional<uint16_t>(rsp::Bytes& command)> card;
  // Sees each ES9+ request ("initiateAuthentication", ..., "handleNotification", "cancelSession")
  // before the SM-DP+: an answer here is given in its place.
  std::function<std::optional<rsp::http::Response>(const std::string& function)> smdp;
};

// How a case bends an ESipa poll round (SGP.32 v1.2 §3.1.1): the harness eIM hands out one signed
// EuiccPackageRequest (getRAT) for the card, then noEimPackageAvailable.
struct EsipaScenario {
  // The eIM acknowledges the provided result's seqNumber; false: it answers ProvideEimPackageResult
  // with emptyResponse, acknowledging nothing.
  bool acknowledge = true;
};

struct IpaRun {
  int exit_status = -1;  // the IPA command's; -1 when it did not end by itself (timeout, signal)
  std::string output;    // its stdout and stderr, the end of which goes into a failure's detail
  Timeline timeline;
  rsp::Bytes eid;          // the card's EID, 16 bytes
  rsp::Bytes eim_package;  // poll rounds: the EuiccPackageRequest (BF51) the harness eIM handed out
};

// What an IPA-role case talks to: the IPA under test, started once per download.
class IpaTarget {
 public:
  virtual ~IpaTarget() = default;
  // A fresh card and a fresh order, the IPA started with them; returns when the IPA has ended.
  virtual IpaRun download(const IpaScenario& scenario) = 0;
  // A fresh card that has the harness eIM (AddInitialEim: its eimId, its address as eimFqdn, --pki's
  // eIM certificate) and one package queued for it, the IPA's poll command started; nullopt without
  // --ipa-poll-command.
  virtual std::optional<IpaRun> poll(const EsipaScenario& scenario) = 0;
};

// An ESipa request as DER in either binding (a JSON body translated back), or nullopt.
std::optional<rsp::Bytes> esipa_request(const Exchange& e);

// The ES9+ function of an exchange: the last part of a JSON binding path, or the request's tag in
// the ASN.1 binding (A2 { BF39 | BF3B | BF3A | BF3D | BF41 }). Empty when neither.
std::string es9_function(const Exchange& e);

// The IPA role's download cases (ipa_download_cases.cpp) and ESipa cases (ipa_esipa_cases.cpp).
std::vector<Case> ipa_download_cases();
std::vector<Case> ipa_esipa_cases();

struct IpaRunOptions {
  std::string command;       // --ipa-command, with the placeholders of kIpaPlaceholders
  std::string poll_command;  // --ipa-poll-command, with those of kIpaPollPlaceholders
  // --ipa-vpcd HOST:PORT: each card goes into pcscd's vpcd reader there (the IPA reaches it through
  // PC/SC as it would a real card, {euicc} = pcsc:READER) instead of being served on TCP.
  std::string vpcd;
  std::string reader = "Virtual PCD 00 00";  // --ipa-reader: that reader's PC/SC name
  std::string pki;                           // --pki
};

// --help and list: what --ipa-command's placeholders become.
extern const char* const kIpaPlaceholders;
extern const char* const kIpaPollPlaceholders;

// Exit status as the runner's: 0 nothing failed, 1 a case failed, 2 usage.
int run_ipa(const IpaRunOptions& options, const std::vector<const Case*>& chosen, RunSettings reports);

}  // namespace conformance
