#pragma once
// The address of an RSP server as the JSON functions carry it (smdsAddress, rspServerAddress): an
// FQDN of letters, digits, '-' and '.', optionally ":port" for test set-ups, at most 255 characters.
#include <string_view>

namespace rsp::server {

bool valid_server_address(std::string_view address);

}  // namespace rsp::server
