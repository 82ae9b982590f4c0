#pragma once
// JSON that came from outside (a request body, a peer's answer), parsed within bounds. nlohmann's
// parser builds a value per container: a body of 4 MB of '[' cost an SM-DP+ about 143 MiB before it
// could say the body was wrong (issue 13, finding 1). A scan of the text first refuses containers
// nested deeper than kMaxJsonDepth and more than kMaxJsonElements values in constant memory; only
// a body within both is parsed, so what parsing costs is bounded by the body's size.
#include <nlohmann/json.hpp>

#include <string>
#include <string_view>

#include "rsp/expected.hpp"
#include "rsp/refusals.hpp"

namespace rsp {

// Deeper than any message of SGP.22 or SGP.32 (header.functionExecutionStatus.statusCodeData is 4).
inline constexpr int kMaxJsonDepth = 16;
// Values, containers included: far above any request here (an owner's batch of devices included).
inline constexpr size_t kMaxJsonElements = 100'000;

// Why `text` is outside the bounds, or nothing when it is within them (it may still not be JSON).
std::optional<std::string> json_out_of_bounds(std::string_view text, int max_depth = kMaxJsonDepth,
                                              size_t max_elements = kMaxJsonElements);

// The bounds parse_untrusted_json() holds request bodies to, for the whole process: a server sets
// them from its configuration's "limits" (json_depth, json_values) before it serves.
struct JsonBounds {
  int depth = kMaxJsonDepth;
  size_t values = kMaxJsonElements;
};
void set_json_bounds(JsonBounds bounds);
JsonBounds json_bounds();

// `text` (a request body) parsed, or why not: beyond json_bounds() (counted and logged as a
// Refusal::json), or not JSON.
template <class Json = nlohmann::json>
Expected<Json> parse_untrusted_json(std::string_view text) {
  auto bounds = json_bounds();
  if (auto why = json_out_of_bounds(text, bounds.depth, bounds.values)) {
    count_refusal(Refusal::json, {}, *why);
    return fail(*why);
  }
  Json parsed = Json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded()) return fail("not valid JSON");
  return parsed;
}

}  // namespace rsp
