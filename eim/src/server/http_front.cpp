#include "server/http_front.hpp"

#include "rsp/server/http_json.hpp"
#include "rsp/server/log.hpp"

namespace eim {

namespace {

using rsp::http::Request;
using rsp::http::Response;
using namespace rsp::server;

constexpr std::string_view kAsn1Path = "/gsma/rsp2/asn1";
constexpr std::string_view kAsn1ContentType = "application/x-gsma-rsp-asn1";
// SGP.32 v1.2 ESipa speaks the v2.1 admin protocol (FACTS §5.1).
constexpr const char* kEsipaAdminProtocol = "gsma/rsp/v2.1.0";

void log_call(const EsipaReply& reply, double took, const Request& request) {
  log_line({{"interface", "esipa"},
            {"function", reply.function},
            {"eid", reply.eid},
            {"outcome", reply.outcome},
            {"message", reply.message},
            {"ms", std::to_string(static_cast<int>(took * 1000))},
            {"peer", request.peer_address}});
}

}  // namespace

rsp::http::Handler esipa_handler(Esipa& esipa, Metrics& metrics, ResultCounters& results) {
  return [&esipa, &metrics, &results](const Request& request) -> Response {
    auto start = std::chrono::steady_clock::now();
    if (request.target != kAsn1Path) return plain_response(404, "not an ESipa path");
    if (request.method != "POST") return plain_response(405, "ESipa functions are POST");
    if (!admin_protocol_ok(request)) return plain_response(400, "X-Admin-Protocol must be gsma/rsp/v2.x.y");
    auto type = request.headers.get("Content-Type");
    if (!type || type->substr(0, type->find(';')) != kAsn1ContentType)
      return plain_response(415, "Content-Type must be application/x-gsma-rsp-asn1");
    auto reply = esipa.handle(rsp::ByteView(reinterpret_cast<const uint8_t*>(request.body.data()), request.body.size()));
    results.verified += static_cast<uint64_t>(reply.results_verified);
    results.refused += static_cast<uint64_t>(reply.results_refused);
    double took = seconds_since(start);
    metrics.observe("esipa", reply.function, reply.outcome, took);
    log_call(reply, took, request);
    Response r;
    r.status = reply.http_status;
    r.headers.set("X-Admin-Protocol", kEsipaAdminProtocol);
    if (!reply.der_response.empty()) r.headers.set("Content-Type", std::string(kAsn1ContentType));
    r.body.assign(reply.der_response.begin(), reply.der_response.end());
    return r;
  };
}

rsp::http::Handler eim_metrics_handler(Metrics& metrics, const ResultCounters& results) {
  return [&results, inner = metrics_handler(metrics)](const Request& request) -> Response {
    Response r = inner(request);
    if (r.status != 200) return r;
    r.body += "# HELP eim_esipa_results_total eUICC Package results received, by verdict\n"
              "# TYPE eim_esipa_results_total counter\n"
              "eim_esipa_results_total{verdict=\"verified\"} " + std::to_string(results.verified.load()) + "\n"
              "eim_esipa_results_total{verdict=\"refused\"} " + std::to_string(results.refused.load()) + "\n";
    return r;
  };
}

}  // namespace eim
