#include "server/http_front.hpp"

#include <cctype>

#include "rsp/esipa/esipa.hpp"
#include "rsp/esipa/esipa_json.hpp"
#include "rsp/server/http_json.hpp"
#include "rsp/server/log.hpp"

namespace eim {

namespace {

using rsp::http::Request;
using rsp::http::Response;
using namespace rsp::server;
namespace binding = rsp::esipa;

ByteView bytes_of(std::string_view s) { return {reinterpret_cast<const uint8_t*>(s.data()), s.size()}; }

// Counted, logged, and the answer's common headers.
Response finish(const EsipaReply& reply, const char* interface, Metrics& metrics, ResultCounters& results,
                const Request& request, std::chrono::steady_clock::time_point start) {
  results.verified += static_cast<uint64_t>(reply.results_verified);
  results.refused += static_cast<uint64_t>(reply.results_refused);
  double took = seconds_since(start);
  metrics.observe(interface, reply.function, reply.outcome, took);
  log_line({{"interface", interface},
            {"function", reply.function},
            {"eid", reply.eid},
            {"outcome", reply.outcome},
            {"message", reply.message},
            {"ms", std::to_string(static_cast<int>(took * 1000))},
            {"peer", request.peer_address}});
  Response r;
  r.status = reply.http_status;
  r.headers.set("X-Admin-Protocol", std::string(binding::kAdminProtocol));
  return r;
}

// The ASN.1 binding of ESipa: every function on one path, the DER as it is.
Response asn1_call(Esipa& esipa, Metrics& metrics, ResultCounters& results, const Request& request,
                   std::chrono::steady_clock::time_point start) {
  if (!content_type_is(request, binding::kAsn1ContentType))
    return plain_response(415, "Content-Type must be application/x-gsma-rsp-asn1");
  auto reply = esipa.handle(bytes_of(request.body));
  Response r = finish(reply, "esipa", metrics, results, request, start);
  if (!reply.der_response.empty()) r.headers.set("Content-Type", std::string(binding::kAsn1ContentType));
  r.body.assign(reply.der_response.begin(), reply.der_response.end());
  return r;
}

// The JSON binding of ESipa: one path per function, translated to and from the DER
// messages by rsp_esipa, so both bindings run the same service.
Response json_call(Esipa& esipa, Metrics& metrics, ResultCounters& results, const Request& request,
                   std::chrono::steady_clock::time_point start, binding::Function function) {
  if (!json_content(request)) return plain_response(415, "Content-Type must be application/json");
  auto der = binding::request_from_json(function, request.body);
  if (!der) {
    EsipaReply refused;
    refused.function = std::string(binding::function_name(function));
    refused.function[0] =
        static_cast<char>(std::toupper(static_cast<unsigned char>(refused.function[0])));  // as the spec names it
    refused.outcome = "malformed";
    refused.message = der.error().message;
    refused.http_status = 400;
    finish(refused, "esipa-json", metrics, results, request, start);
    return plain_response(400, "not a " + refused.function + " request: " + der.error().message);
  }
  auto reply = esipa.handle(*der);
  Response r = finish(reply, "esipa-json", metrics, results, request, start);
  if (reply.http_status != 200) return r;
  auto body = binding::response_to_json(function, reply.der_response);
  if (!body) {
    log_line({{"interface", "esipa-json"},
              {"function", reply.function},
              {"outcome", "internal-error"},
              {"message", "answer not translated: " + body.error().message}});
    r.status = 500;
    return r;
  }
  r.headers.set("Content-Type", std::string(binding::kJsonContentType));
  r.body = std::move(*body);
  return r;
}

}  // namespace

rsp::http::Handler esipa_handler(Esipa& esipa, Metrics& metrics, ResultCounters& results) {
  return [&esipa, &metrics, &results](const Request& request) -> Response {
    auto start = std::chrono::steady_clock::now();
    std::string_view target = request.target;
    std::optional<binding::Function> function;
    if (target.starts_with(binding::kJsonPathPrefix)) {
      function = binding::function_named(target.substr(binding::kJsonPathPrefix.size()));
      if (!function)
        return plain_response(404, "no ESipa function " + std::string(target.substr(binding::kJsonPathPrefix.size())));
    } else if (target != binding::kAsn1Path) {
      return plain_response(404, "not an ESipa path");
    }
    if (request.method != "POST") return plain_response(405, "ESipa functions are POST");
    if (!admin_protocol_ok(request)) return plain_response(400, "X-Admin-Protocol must be gsma/rsp/v2.x.y");
    return function ? json_call(esipa, metrics, results, request, start, *function)
                    : asn1_call(esipa, metrics, results, request, start);
  };
}

rsp::http::Handler eim_metrics_handler(Metrics& metrics, const ResultCounters& results) {
  return [&results, inner = metrics_handler(metrics)](const Request& request) -> Response {
    Response r = inner(request);
    if (r.status != 200) return r;
    r.body +=
        "# HELP eim_esipa_results_total eUICC Package results received, by verdict\n"
        "# TYPE eim_esipa_results_total counter\n"
        "eim_esipa_results_total{verdict=\"verified\"} " +
        std::to_string(results.verified.load()) +
        "\n"
        "eim_esipa_results_total{verdict=\"refused\"} " +
        std::to_string(results.refused.load()) + "\n";
    return r;
  };
}

}  // namespace eim
