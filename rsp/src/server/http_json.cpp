#include "rsp/server/http_json.hpp"

#include <algorithm>
#include <cctype>

#include "rsp/server/function_status_json.hpp"

namespace rsp::server {

http::Response json_response(int status, std::string body) {
  http::Response r;
  r.status = status;
  r.headers.set("X-Admin-Protocol", kAdminProtocol);
  if (!body.empty()) r.headers.set("Content-Type", "application/json;charset=UTF-8");
  r.body = std::move(body);
  return r;
}

http::Response plain_response(int status, std::string text) {
  http::Response r;
  r.status = status;
  r.headers.set("Content-Type", "text/plain; charset=utf-8");
  r.body = std::move(text) + "\n";
  return r;
}

bool admin_protocol_ok(const http::Request& request) {
  auto value = request.headers.get("X-Admin-Protocol");
  return value && value->rfind("gsma/rsp/v2.", 0) == 0;
}

bool content_type_is(const http::Request& request, std::string_view media_type) {
  auto value = request.headers.get("Content-Type");
  if (!value) return false;
  std::string_view type(*value);
  type = type.substr(0, type.find(';'));
  while (!type.empty() && (type.front() == ' ' || type.front() == '\t')) type.remove_prefix(1);
  while (!type.empty() && (type.back() == ' ' || type.back() == '\t')) type.remove_suffix(1);
  return type.size() == media_type.size() &&
         std::equal(type.begin(), type.end(), media_type.begin(), [](char a, char b) {
           return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
         });
}

http::Response refused_request(const char* reason_message) {
  return json_response(200, response_json(FunctionStatus::failure("1.2.2", "2.1", reason_message)).dump());
}

std::string outcome(const FunctionStatus& s) {
  return s.ok() ? status_text(s.status) : s.subject_code + "/" + s.reason_code;
}

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace rsp::server
