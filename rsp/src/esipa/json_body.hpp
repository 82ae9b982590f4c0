#pragma once
// The JSON side of the ESipa translation: bounded parsing of a body, its text, and the
// functionExecutionStatus header of an eIM's answer (SGP.22 v2.5 §6.5.1.4 as SGP.32 §6.1.2 binds it).
#include <exception>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "rsp/expected.hpp"
#include "rsp/server/function_status.hpp"

namespace rsp::esipa::detail {

// `body` as a JSON object: refused over kMaxBodySize bytes or with containers nested deeper than
// kMaxJsonDepth, before anything of it is kept. `what` names the body in errors. A request the eIM
// received (`from_peer`) refused for its nesting is counted and logged as Refusal::json too.
Expected<nlohmann::json> parse_object(std::string_view body, std::string_view what, bool from_peer = false);

// The text of `j`; an error (not an exception) when a string in it is not UTF-8.
Expected<std::string> dump(const nlohmann::json& j);

// header.functionExecutionStatus, mandatory in every eIM answer: Executed-Success and
// Executed-WithWarning as success, Failed and Expired as failure with statusCodeData's codes
// (empty when absent, i.e. undefinedError).
Expected<server::FunctionStatus> read_status(const nlohmann::json& body);

// Runs `f`, turning an exception (memory exhausted, a bug) into an error value: nothing thrown
// leaves the library.
template <class F>
auto guarded(std::string_view what, F&& f) -> decltype(f()) {
  try {
    return f();
  } catch (const std::exception& e) {
    return fail(std::string(what) + ": internal error: " + e.what());
  }
}

}  // namespace rsp::esipa::detail
