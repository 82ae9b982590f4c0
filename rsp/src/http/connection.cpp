#include "connection.hpp"

namespace rsp::http::detail {

namespace http = beast::http;

Response call_handler(const Handler& handler, const Request& request) {
  try {
    return handler(request);
  } catch (...) {
    // The exception's text may hold anything (keys, profile data): the client gets none of it.
    return error_response(500);
  }
}

Request to_request(http::request<http::string_body>&& message, std::string peer,
                   std::optional<crypto::Certificate> client_certificate) {
  Request request;
  request.method = std::string(message.method_string());
  request.target = std::string(message.target());
  for (const auto& field : message) request.headers.add(std::string(field.name_string()), std::string(field.value()));
  request.body = std::move(message.body());
  request.peer_address = std::move(peer);
  request.client_certificate = std::move(client_certificate);
  return request;
}

http::response<http::string_body> to_message(Response&& response, bool keep_alive,
                                             std::chrono::milliseconds idle_timeout) {
  http::response<http::string_body> message;
  message.version(11);
  bool valid_status = response.status >= 100 && response.status <= 599;
  message.result(static_cast<unsigned>(valid_status ? response.status : 500));
  for (auto& [name, value] : response.headers.fields()) {
    // Framing is the server's: a handler's own length or connection fields would contradict it.
    if (same_header_name(name, "Content-Length") || same_header_name(name, "Transfer-Encoding") ||
        same_header_name(name, "Connection") || same_header_name(name, "Keep-Alive"))
      continue;
    message.insert(name, value);
  }
  message.body() = std::move(response.body);
  message.keep_alive(keep_alive);
  // Whole seconds, rounded down: under a second, 0 tells the client not to count on the connection.
  if (keep_alive)
    message.set(http::field::keep_alive,
                "timeout=" + std::to_string(std::chrono::duration_cast<std::chrono::seconds>(idle_timeout).count()));
  message.prepare_payload();
  return message;
}

Response error_response(int status) {
  Response response;
  response.status = status;
  response.headers.set("Content-Type", "text/plain");
  response.body = std::string(http::obsolete_reason(static_cast<http::status>(status))) + "\n";
  return response;
}

}  // namespace rsp::http::detail
