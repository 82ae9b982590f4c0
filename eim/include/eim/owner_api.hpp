#pragma once
// The fleet owner's API of the eIM: HTTPS + JSON, each owner known by its pinned TLS client
// certificate (as operators on the SM-DP+'s ES2+). Not a GSMA interface: SGP.32 v1.2 leaves the
// eIM's northbound side to the eIM; this one queues what the spec's packages can do.
//
// Every call is POST with a JSON object body and answers JSON. Errors: {"error", "message"} with
// 400 bad_request, 403 forbidden (no pinned client certificate), 404 not_found (unknown path, EID or
// fleet; another owner's EID answers exactly as an unknown one), 405 method_not_allowed,
// 409 conflict, 413 payload_too_large, 500 internal.
//
// A target is {"eid": "<32 digits>"} or {"fleet": "<name>"}: one call queues for every device of
// the caller's fleet and answers per EID. With one EID the device's own failure is the call's
// status; with a fleet the call answers 200 and each entry says what was queued or why not.
//
//   /eim/v1/devices/add     {"devices": [DEVICE, ...]} or one DEVICE, where DEVICE is
//                           {eid, fleet?, eimId?, associationToken?, counterValue?,
//                            euiccCertificate?, eumCertificate? (base64 DER, both or neither)}.
//                           counterValue is the one the eUICC holds for this eIM (default 0): the
//                           first package gets counterValue + 1. Certificates must chain to the
//                           eIM's CIs and carry the EID; without them the device's first package is
//                           an IpaEuiccDataRequest for them (tags A5 A6). Every entry is checked
//                           before any is stored. An EID already registered (by anyone) is 409.
//                           -> {"results": [{eid, added, queued?} | {eid, error, message}]}
//   /eim/v1/devices/list    {fleet?, limit?} -> {"devices": [DEVICE_INFO]}
//   /eim/v1/devices/show    {eid} -> DEVICE_INFO with "packages"
//   /eim/v1/download        {target, activationCode | contactDefaultSmdp: true | smdsAddress | contactSmds: true}
//                           or {downloads: [{eid, activationCode | contactDefaultSmdp | ...}, ...]}: a trigger
//                           of its own per device in one call (every entry checked before any is queued)
//   /eim/v1/psmo            {target, operations: [{enable: {iccid, rollback?}} | {disable: {iccid}} |
//                            {delete: {iccid}} | {listProfileInfo: {}} | {getRAT: {}} |
//                            {configureImmediateEnable: {immediateEnable?, smdpOid?, smdpAddress?}} |
//                            {setFallbackAttribute: {iccid}} | {unsetFallbackAttribute: {}} |
//                            {setDefaultDpAddress: {address}}]}
//   /eim/v1/eco             {target, operations: [{addEim: {eimConfigurationData}} | {updateEim:
//   {eimConfigurationData}} |
//                            {deleteEim: {eimId}} | {listEim: {}}]}   (eimConfigurationData: base64 DER)
//   /eim/v1/data-request    {target, tags: ["A5", "BF20", ...]}  (IpaEuiccData members by tag, hex)
//     these four -> {"results": [{eid, queued: PACKAGE} | {eid, error, message}]}
//   /eim/v1/status          {target} -> {"devices": [{eid, packages: [PACKAGE]}]}
//
// PACKAGE: {id, kind, counterValue, eimTransactionId (hex), state, created, delivered?, finished?,
// expires, result?} with result the stored summary (JSON when it is JSON). ICCIDs are the 19 or 20
// printed digits. One logfmt line per call: interface=owner owner function target outcome.
#include <cstddef>
#include <cstdint>
#include <functional>

#include "eim/package_queue.hpp"
#include "eim/store.hpp"
#include "rsp/crypto/certificate_chain.hpp"
#include "rsp/http/server.hpp"
#include "rsp/server/pinned_clients.hpp"

namespace eim {

struct OwnerApiSettings {
  rsp::crypto::TrustedCis cis;           // CERT.EUM of added devices must chain to one of them
  size_t body_limit = 16 * 1024 * 1024;  // larger bodies: 413
  size_t max_devices_per_call = 10'000;  // EIDs one call may add or target
  size_t max_operations = 32;            // PSMOs or eCOs in one package
  size_t max_packages_listed = 1'000;    // per device in status and show
  std::function<int64_t()> clock;        // unix seconds; empty: the system clock
};

class OwnerApi {
 public:
  OwnerApi(EimStore& store, PackageQueue& queue, const rsp::server::PinnedClients& owners, OwnerApiSettings settings);

  // The HTTP face: the owner from the request's client certificate (none or unpinned: 403).
  rsp::http::Response handle(const rsp::http::Request& request);
  // One call of `owner` (already authenticated): `path` as "/eim/v1/...", `body` JSON text.
  rsp::http::Response call(const std::string& owner, const std::string& path, const std::string& body);

 private:
  struct Impl;
  EimStore& store_;
  PackageQueue& queue_;
  const rsp::server::PinnedClients& owners_;
  OwnerApiSettings settings_;
};

// The handler for the owner listeners (client certificates asked for; every certificate accepted at
// the TLS layer, so the handler can answer 403 in JSON).
rsp::http::Handler owner_api_handler(OwnerApi& api);

}  // namespace eim
