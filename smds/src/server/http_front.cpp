#include "server/http_front.hpp"

#include "rsp/server/function_status_json.hpp"
#include "rsp/server/http_json.hpp"
#include "rsp/server/log.hpp"
#include "smds/es11_bindings.hpp"

namespace smds {

namespace {

using rsp::http::Request;
using rsp::http::Response;
using namespace rsp::server;

constexpr std::string_view kEs12Prefix = "/gsma/rsp2/es12/";
constexpr std::string_view kEs11Prefixes[] = {"/gsma/rsp2/es9plus/", "/gsma/rsp2/es11/"};
constexpr std::string_view kAsn1Path = "/gsma/rsp2/asn1";

void log_es11(std::string_view interface, const Es11Reply& reply, double took, const Request& request) {
  log_line({{"interface", std::string(interface)},
            {"function", reply.function.empty() ? "unknown" : reply.function},
            {"transactionId", reply.transaction_id},
            {"outcome", outcome(reply.status)},
            {"message", reply.status.ok() ? "" : reply.status.message},
            {"ms", std::to_string(static_cast<int>(took * 1000))},
            {"peer", request.peer_address}});
}

// SGP.22 v2.5 §6.6: the ASN.1 binding, one path for both functions.
Response es11_asn1_response(Es11& es11, Metrics& metrics, const Request& request,
                            std::chrono::steady_clock::time_point start) {
  if (request.method != "POST") return plain_response(405, "ES11 functions are POST");
  if (!admin_protocol_ok(request)) return plain_response(400, "X-Admin-Protocol must be gsma/rsp/v2.x.y");
  if (!content_type_is(request, kAsn1ContentType))
    return plain_response(415, "Content-Type must be application/x-gsma-rsp-asn1");
  auto reply =
      es11_asn1(es11, rsp::ByteView(reinterpret_cast<const uint8_t*>(request.body.data()), request.body.size()));
  double took = seconds_since(start);
  metrics.observe("es11-asn1", reply.function.empty() ? "unknown" : reply.function, outcome(reply.status), took);
  log_es11("es11-asn1", reply, took, request);
  Response r;
  r.status = reply.http_status;
  r.headers.set("X-Admin-Protocol", kAdminProtocol);
  if (!reply.body.empty()) r.headers.set("Content-Type", std::string(kAsn1ContentType));
  r.body = std::move(reply.body);
  return r;
}

}  // namespace

rsp::http::Handler es11_handler(Es11& es11, Metrics& metrics) {
  return [&es11, &metrics](const Request& request) -> Response {
    auto start = std::chrono::steady_clock::now();
    std::string_view target = request.target;
    if (target == kAsn1Path) return es11_asn1_response(es11, metrics, request, start);
    std::string function;
    for (auto prefix : kEs11Prefixes)
      if (target.starts_with(prefix)) function = target.substr(prefix.size());
    if (function.empty()) return plain_response(404, "not an SM-DS function");
    if (request.method != "POST") return plain_response(405, "ES11 functions are POST");
    if (!admin_protocol_ok(request)) return refused_request("X-Admin-Protocol must be gsma/rsp/v2.x.y");
    if (!json_content(request)) return refused_request("Content-Type must be application/json");
    auto reply = es11_json(es11, function, request.body);
    if (!reply) return plain_response(404, "no ES11 function " + function);
    double took = seconds_since(start);
    metrics.observe("es11", function, outcome(reply->status), took);
    log_es11("es11", *reply, took, request);
    return json_response(reply->http_status, std::move(reply->body));
  };
}

rsp::http::Handler es12_handler(Es12& es12, Metrics& metrics,
                                std::function<std::string(const rsp::crypto::Certificate&)> smdp_of) {
  return [&es12, &metrics, smdp_of](const Request& request) -> Response {
    auto start = std::chrono::steady_clock::now();
    std::string smdp = request.client_certificate ? smdp_of(*request.client_certificate) : "";
    if (smdp.empty()) return plain_response(403, "ES12 needs the TLS client certificate of a configured SM-DP+");
    std::string_view target = request.target;
    if (target.rfind(kEs12Prefix, 0) != 0) return plain_response(404, "not an ES12 function");
    std::string function(target.substr(kEs12Prefix.size()));
    if (request.method != "POST") return plain_response(405, "ES12 functions are POST");
    if (!admin_protocol_ok(request)) return refused_request("X-Admin-Protocol must be gsma/rsp/v2.x.y");
    if (!json_content(request)) return refused_request("Content-Type must be application/json");
    auto status = es12.dispatch(function, smdp, request.body);
    if (!status) return plain_response(404, "no ES12 function " + function);
    double took = seconds_since(start);
    metrics.observe("es12", function, outcome(*status), took);
    log_line({{"interface", "es12"},
              {"function", function},
              {"smdp", smdp},
              {"outcome", outcome(*status)},
              {"message", status->ok() ? "" : status->message},
              {"ms", std::to_string(static_cast<int>(took * 1000))}});
    return json_response(200, response_json(*status).dump());
  };
}

rsp::http::Handler es11_and_es12_handler(rsp::http::Handler es11, rsp::http::Handler es12) {
  return [es11 = std::move(es11), es12 = std::move(es12)](const Request& request) -> Response {
    return std::string_view(request.target).rfind(kEs12Prefix, 0) == 0 ? es12(request) : es11(request);
  };
}

}  // namespace smds
