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

namespace rsp {

// Deeper than any message of SGP.22 or SGP.32 (header.functionExecutionStatus.statusCodeData is 4).
inline constexpr int kMaxJsonDepth = 16;
// Values, containers included: far above any request here (an owner's batch of devices included).
inline constexpr size_t kMaxJsonElements = 100'000;

// Why `text` is outside the bounds, or nothing when it is within them (it may still not be JSON).
std::optional<std::string> json_out_of_bounds(std::string_view text, int max_depth = kMaxJsonDepth,
                                              size_t max_elements = kMaxJsonElements);

// `text` parsed, or why not: beyond the bounds, or not JSON.
template <class Json = nlohmann::json>
Expected<Json> parse_untrusted_json(std::string_view text) {
  if (auto why = json_out_of_bounds(text)) return fail(*why);
  Json parsed = Json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded()) return fail("not valid JSON");
  return parsed;
}

}  // namespace rsp
