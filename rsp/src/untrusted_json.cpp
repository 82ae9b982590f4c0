#include "rsp/untrusted_json.hpp"

#include <atomic>

namespace rsp {

namespace {
std::atomic<int> configured_depth{kMaxJsonDepth};
std::atomic<size_t> configured_values{kMaxJsonElements};
}  // namespace

void set_json_bounds(JsonBounds bounds) {
  configured_depth = bounds.depth;
  configured_values = bounds.values;
}

JsonBounds json_bounds() { return {configured_depth.load(), configured_values.load()}; }

std::optional<std::string> json_out_of_bounds(std::string_view text, int max_depth, size_t max_elements) {
  int depth = 0;
  size_t elements = 1;  // the top value; each comma or container adds one
  bool in_string = false, escaped = false;
  for (char c : text) {
    if (in_string) {
      if (escaped)
        escaped = false;
      else if (c == '\\')
        escaped = true;
      else if (c == '"')
        in_string = false;
      continue;
    }
    switch (c) {
      case '"': in_string = true; break;
      case '[':
      case '{':
        if (++depth > max_depth) return "JSON nested deeper than " + std::to_string(max_depth) + " levels";
        ++elements;
        break;
      case ']':
      case '}': --depth; break;
      case ',': ++elements; break;
      default: continue;
    }
    if (elements > max_elements) return "JSON with more than " + std::to_string(max_elements) + " values";
  }
  return std::nullopt;
}

}  // namespace rsp
