#include "http_front.hpp"

#include <chrono>

#include "log.hpp"
#include "rsp/server/http_json.hpp"
#include "smdp/es9plus_asn1.hpp"
#include "smdp/es9plus_json.hpp"
#include "smdp/function_status_json.hpp"

namespace smdp {

namespace {

using rsp::http::Request;
using rsp::http::Response;
using rsp::server::admin_protocol_ok;
using rsp::server::content_type_is;
using rsp::server::json_content;
using rsp::server::json_response;
using rsp::server::outcome;
using rsp::server::refused_request;
using rsp::server::seconds_since;

Response plain(int status, std::string text) { return rsp::server::plain_response(status, std::move(text)); }

constexpr std::string_view kEs9Prefix = "/gsma/rsp2/es9plus/";
constexpr std::string_view kEs2Prefix = "/gsma/rsp2/es2plus/";

// SGP.22 v2.5 §6.6: the ASN.1 binding, one path for every function.
Response es9_asn1(Es9Plus& es9, Metrics& metrics, const Request& request, std::chrono::steady_clock::time_point start) {
  if (request.method != "POST") return plain(405, "ES9+ functions are POST");
  if (!admin_protocol_ok(request)) return plain(400, "X-Admin-Protocol must be gsma/rsp/v2.x.y");
  if (!content_type_is(request, kEs9Asn1ContentType))
    return plain(415, "Content-Type must be application/x-gsma-rsp-asn1");
  auto body = reinterpret_cast<const uint8_t*>(request.body.data());
  auto reply = es9plus_asn1(es9, rsp::ByteView(body, request.body.size()));
  double took = seconds_since(start);
  std::string function = reply.function.empty() ? "unknown" : reply.function;
  metrics.observe("es9-asn1", function, outcome(reply.status), took);
  log_line({{"interface", "es9-asn1"},
            {"function", function},
            {"transactionId", reply.transaction_id},
            {"outcome", outcome(reply.status)},
            {"message", reply.status.ok() ? "" : reply.status.message},
            {"ms", std::to_string(static_cast<int>(took * 1000))},
            {"peer", request.peer_address}});
  Response r;
  r.status = reply.http_status;
  r.headers.set("X-Admin-Protocol", kAdminProtocol);
  if (!reply.body.empty()) r.headers.set("Content-Type", std::string(kEs9Asn1ContentType));
  r.body.assign(reply.body.begin(), reply.body.end());
  return r;
}

}  // namespace

rsp::http::Handler es9_handler(Es9Plus& es9, Metrics& metrics) {
  return [&es9, &metrics](const Request& request) -> Response {
    auto start = std::chrono::steady_clock::now();
    std::string_view target = request.target;
    if (target == kEs9Asn1Path) return es9_asn1(es9, metrics, request, start);
    if (target.rfind(kEs9Prefix, 0) != 0) return plain(404, "not an ES9+ function");
    std::string function(target.substr(kEs9Prefix.size()));
    if (request.method != "POST") return plain(405, "ES9+ functions are POST");
    if (!admin_protocol_ok(request)) return refused_request("X-Admin-Protocol must be gsma/rsp/v2.x.y");
    if (!json_content(request)) return refused_request("Content-Type must be application/json");
    auto reply = es9plus_json(es9, function, request.body);
    if (!reply) return plain(404, "no ES9+ function " + function);
    double took = seconds_since(start);
    metrics.observe("es9", function, outcome(reply->status), took);
    log_line({{"interface", "es9"},
              {"function", function},
              {"transactionId", reply->transaction_id},
              {"outcome", outcome(reply->status)},
              {"message", reply->status.ok() ? "" : reply->status.message},
              {"ms", std::to_string(static_cast<int>(took * 1000))},
              {"peer", request.peer_address}});
    return json_response(reply->http_status, std::move(reply->body));
  };
}

rsp::http::Handler es2_handler(Es2Plus& es2, Metrics& metrics,
                               std::function<std::string(const rsp::crypto::Certificate&)> operator_of) {
  return [&es2, &metrics, operator_of](const Request& request) -> Response {
    auto start = std::chrono::steady_clock::now();
    std::string operator_id = request.client_certificate ? operator_of(*request.client_certificate) : "";
    if (operator_id.empty()) return plain(403, "ES2+ needs the client certificate of a configured operator");
    std::string_view target = request.target;
    if (target.rfind(kEs2Prefix, 0) != 0) return plain(404, "not an ES2+ function");
    std::string function(target.substr(kEs2Prefix.size()));
    if (request.method != "POST") return plain(405, "ES2+ functions are POST");
    if (!admin_protocol_ok(request)) return refused_request("X-Admin-Protocol must be gsma/rsp/v2.x.y");
    if (!json_content(request)) return refused_request("Content-Type must be application/json");
    auto answer = es2.dispatch(function, operator_id, std::string_view(request.body));
    if (!answer) return plain(404, "no ES2+ function " + function);
    const auto& status = (*answer)["header"]["functionExecutionStatus"];
    std::string result = status.value("status", "");
    if (status.contains("statusCodeData"))
      result =
          status["statusCodeData"].value("subjectCode", "") + "/" + status["statusCodeData"].value("reasonCode", "");
    double took = seconds_since(start);
    metrics.observe("es2", function, result, took);
    log_line({{"interface", "es2"},
              {"function", function},
              {"operator", operator_id},
              {"outcome", result},
              {"ms", std::to_string(static_cast<int>(took * 1000))}});
    return json_response(200, answer->dump());
  };
}

rsp::http::Handler es9_and_es2_handler(rsp::http::Handler es9, rsp::http::Handler es2) {
  return [es9 = std::move(es9), es2 = std::move(es2)](const Request& request) -> Response {
    return std::string_view(request.target).rfind(kEs2Prefix, 0) == 0 ? es2(request) : es9(request);
  };
}

}  // namespace smdp
