#include "rsp/server/server_address.hpp"

#include <cctype>

namespace rsp::server {

bool valid_server_address(std::string_view text) {
  if (text.empty() || text.size() > 255) return false;
  auto colon = text.rfind(':');
  std::string_view host = text.substr(0, colon);
  if (colon != std::string_view::npos) {
    std::string_view port = text.substr(colon + 1);
    if (port.empty() || port.size() > 5 || port.find_first_not_of("0123456789") != std::string_view::npos) return false;
  }
  if (host.empty() || host.front() == '.' || host.front() == '-') return false;
  for (char c : host)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '.') return false;
  return true;
}

}  // namespace rsp::server
