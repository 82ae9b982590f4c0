// The fleet owner's HTTPS + JSON API: authentication by pinned client certificate, dispatch by
// path, errors as {error, message}, one logfmt line per call.
#include "eim/owner_api.hpp"

#include <string_view>

#include "owner_call.hpp"
#include "rsp/server/log.hpp"
#include "rsp/untrusted_json.hpp"

namespace eim {
namespace {

using owner::Answer;
using owner::ApiError;
using owner::json;

constexpr std::string_view kPrefix = "/eim/v1/";

struct Route {
  const char* function;
  Answer<owner::Reply> (*call)(owner::Context&, const json&);
};
constexpr Route kRoutes[] = {
    {"devices/add", owner::devices_add},
    {"devices/list", owner::devices_list},
    {"devices/show", owner::devices_show},
    {"download", owner::download},
    {"psmo", owner::psmo},
    {"eco", owner::eco},
    {"data-request", owner::data_request},
    {"status", owner::status},
};

rsp::http::Response json_answer(int status, const json& body) {
  rsp::http::Response r;
  r.status = status;
  r.headers.set("Content-Type", "application/json");
  r.body = body.dump();
  return r;
}

rsp::http::Response error_answer(const ApiError& e) {
  return json_answer(e.status, {{"error", e.error}, {"message", e.message}});
}

void log_call(const std::string& owner, const std::string& function, const std::string& target,
              const std::string& outcome) {
  rsp::server::log_line(
      {{"interface", "owner"}, {"owner", owner}, {"function", function}, {"target", target}, {"outcome", outcome}});
}

// The target of a failed call for the log: a well-formed EID or fleet name only, never other input.
std::string target_label(const json& body) {
  auto target = body.find("target");
  if (target == body.end() || !target->is_object()) return "";
  auto eid = owner::eid_member(*target, "eid");
  if (eid) return *eid;
  auto fleet = owner::optional_string(*target, "fleet");
  return fleet && *fleet && (*fleet)->size() <= kMaxFleetLength ? "fleet:" + **fleet : "";
}

const Route* route_of(std::string_view path) {
  if (path.substr(0, kPrefix.size()) != kPrefix) return nullptr;
  path.remove_prefix(kPrefix.size());
  for (const auto& r : kRoutes)
    if (path == r.function) return &r;
  return nullptr;
}

}  // namespace

OwnerApi::OwnerApi(EimStore& store, PackageQueue& queue, const rsp::server::PinnedClients& owners,
                   OwnerApiSettings settings)
    : store_(store), queue_(queue), owners_(owners), settings_(std::move(settings)) {}

rsp::http::Response OwnerApi::handle(const rsp::http::Request& request) {
  std::string owner = request.client_certificate ? owners_.name_of(*request.client_certificate) : "";
  std::string path = request.target.substr(0, request.target.find('?'));
  if (owner.empty()) {
    log_call("", path.substr(0, 64), "", "forbidden");
    return error_answer({403, "forbidden", "a pinned client certificate is required"});
  }
  if (request.method != "POST") {
    log_call(owner, path, "", "method_not_allowed");
    return error_answer({405, "method_not_allowed", "every call is a POST"});
  }
  return call(owner, path, request.body);
}

rsp::http::Response OwnerApi::call(const std::string& owner, const std::string& path, const std::string& body) {
  const Route* route = route_of(path);
  std::string function = route ? route->function : "unknown";
  auto refuse = [&](const ApiError& e) {
    log_call(owner, function, "", e.error);
    return error_answer(e);
  };
  if (!route) return refuse({404, "not_found", "no such call; see /eim/v1/ in owner_api.hpp"});
  if (body.size() > settings_.body_limit)
    return refuse(
        {413, "payload_too_large", "the body is larger than " + std::to_string(settings_.body_limit) + " bytes"});
  auto untrusted = rsp::parse_untrusted_json(body);
  if (!untrusted || !untrusted->is_object())
    return refuse(owner::bad_request("the body is not a JSON object" +
                                     (untrusted ? std::string() : ": " + untrusted.error().message))
                      .error);
  const json& parsed = *untrusted;

  owner::Context context{store_, queue_, settings_, owner};
  auto reply = route->call(context, parsed);
  if (!reply) {
    log_call(owner, function, target_label(parsed), reply.error().error);
    return error_answer(reply.error());
  }
  log_call(owner, function, reply->target, "ok");
  return json_answer(reply->status, reply->body);
}

rsp::http::Handler owner_api_handler(OwnerApi& api) {
  return [&api](const rsp::http::Request& request) { return api.handle(request); };
}

}  // namespace eim
