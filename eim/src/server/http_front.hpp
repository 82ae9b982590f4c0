#pragma once
// The HTTP face of ESipa (SGP.32 v1.2; FACTS §5.1, §8): the ASN.1 binding on one path, the
// JSON binding on one path per function (translated to the same DER by rsp_esipa), content types
// and X-Admin-Protocol; each call logged and counted, with the results verified and refused.
#include <atomic>
#include <cstdint>

#include "eim/esipa.hpp"
#include "rsp/http/server.hpp"
#include "rsp/server/metrics.hpp"

namespace eim {

// eUICC-signed results over the server's life: verified, and refused (unsigned, forged, unknown).
struct ResultCounters {
  std::atomic<uint64_t> verified{0};
  std::atomic<uint64_t> refused{0};
};

// POST /gsma/rsp2/asn1 (application/x-gsma-rsp-asn1) and /gsma/rsp2/esipa/<function>
// (application/json) to `esipa`.
rsp::http::Handler esipa_handler(Esipa& esipa, rsp::server::Metrics& metrics, ResultCounters& results);
// GET /metrics: `metrics` and the result counters, Prometheus text.
rsp::http::Handler eim_metrics_handler(rsp::server::Metrics& metrics, const ResultCounters& results);

}  // namespace eim
