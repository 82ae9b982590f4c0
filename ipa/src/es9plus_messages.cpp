#include "ipa/es9plus_messages.hpp"

namespace ipa {

const char* es9_function_name(Es9Function function) {
  switch (function) {
    case Es9Function::initiate_authentication: return "initiateAuthentication";
    case Es9Function::authenticate_client: return "authenticateClient";
    case Es9Function::get_bound_profile_package: return "getBoundProfilePackage";
    case Es9Function::handle_notification: return "handleNotification";
    case Es9Function::cancel_session: return "cancelSession";
  }
  return "?";
}

std::string Es9Error::describe() const {
  std::string line = std::string(es9_function_name(function)) + ": ";
  switch (kind) {
    case Kind::transport: line += es11 ? "no answer from the SM-DS" : "no answer from the SM-DP+"; break;
    case Kind::protocol: line += es11 ? "not an ES11 answer" : "not an ES9+ answer"; break;
    case Kind::function:
      line += status.empty() ? "Failed" : status;
      if (!subject_code.empty() || !reason_code.empty()) line += " " + subject_code + "/" + reason_code;
      break;
  }
  if (http_status != 0 && kind != Kind::function) line += " (HTTP " + std::to_string(http_status) + ")";
  if (!message.empty()) line += kind == Kind::function ? " (" + message + ")" : ": " + message;
  if (attempts > 1) line += " after " + std::to_string(attempts) + " attempts";
  return line;
}

}  // namespace ipa
