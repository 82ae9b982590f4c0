#pragma once
// The HTTP face of ES11 and ES12 (SGP.22 v2.5 §6.5.1): paths, X-Admin-Protocol, content types,
// the SM-DP+ behind an ES12 client certificate; each request logged and counted.
#include <functional>
#include <string>

#include "rsp/http/server.hpp"
#include "rsp/server/metrics.hpp"
#include "smds/es11.hpp"
#include "smds/es12.hpp"

namespace smds {

// `smdp_of` maps the verified client certificate to a pinned SM-DP+'s name ("" when none matches).
rsp::http::Handler es12_handler(Es12& es12, rsp::server::Metrics& metrics,
                                std::function<std::string(const rsp::crypto::Certificate&)> smdp_of);
// ES11 for devices: the JSON binding on both path families real clients use
// (/gsma/rsp2/es9plus/<function> and /gsma/rsp2/es11/<function>, FACTS §7.1) and the ASN.1
// binding on /gsma/rsp2/asn1.
rsp::http::Handler es11_handler(Es11& es11, rsp::server::Metrics& metrics);
// /gsma/rsp2/es12/... to `es12`, everything else to `es11`.
rsp::http::Handler es11_and_es12_handler(rsp::http::Handler es11, rsp::http::Handler es12);

}  // namespace smds
