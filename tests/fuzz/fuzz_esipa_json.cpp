// ESipa requests in the JSON binding (SGP.32 v1.2 §6.4) as the eIM's HTTP layer takes them: the
// body translated by rsp::esipa::request_from_json for the function its path names, handled by
// eim::Esipa::handle, the answer translated back by response_to_json. Input: the function name
// (the path's last segment, "getEimPackage"), a line feed, the body.
#include "eim_under_fuzz.hpp"
#include "fuzz_target.hpp"
#include "rsp/esipa/esipa.hpp"
#include "rsp/esipa/esipa_json.hpp"

namespace esipa_json_target {

using Server = rsp::fuzz::EimUnderFuzz;

void run(const uint8_t* data, size_t size) {
  auto& server = rsp::fuzz::the<Server>();
  auto [name, body] = rsp::fuzz::split_named_body(data, size);
  auto function = rsp::esipa::function_named(name);
  if (!function) return;  // the HTTP layer answers 404
  auto der = rsp::esipa::request_from_json(*function, body);
  if (!der) return;
  auto reply = server.esipa->handle(*der);
  if (reply.http_status == 200) (void)rsp::esipa::response_to_json(*function, reply.der_response);
}

}  // namespace esipa_json_target

RSP_FUZZ_TARGET(esipa_json, rsp::fuzz::make<esipa_json_target::Server>, esipa_json_target::run);
