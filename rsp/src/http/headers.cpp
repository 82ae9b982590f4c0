#include "rsp/http/headers.hpp"

#include <algorithm>

namespace rsp::http {

bool same_header_name(std::string_view a, std::string_view b) {
  auto lower = [](char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; };
  return a.size() == b.size() &&
         std::equal(a.begin(), a.end(), b.begin(), [&](char x, char y) { return lower(x) == lower(y); });
}

std::optional<std::string_view> Headers::get(std::string_view name) const {
  for (const auto& [n, v] : fields_)
    if (same_header_name(n, name)) return std::string_view(v);
  return std::nullopt;
}

void Headers::set(std::string name, std::string value) {
  remove(name);
  fields_.emplace_back(std::move(name), std::move(value));
}

void Headers::remove(std::string_view name) {
  std::erase_if(fields_, [&](const Field& f) { return same_header_name(f.first, name); });
}

}  // namespace rsp::http
