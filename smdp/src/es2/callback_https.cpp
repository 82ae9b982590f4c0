// ES2+ callbacks over HTTPS (SGP.22 v2.5 §6.5.2.5 HandleDownloadProgressInfo on the operator's server).
#include "smdp/callback_https.hpp"

namespace smdp {

CallbackSender::Send https_callback_transport(rsp::http::Client client, std::function<void(const std::string&)> log) {
  return [client = std::move(client), log = std::move(log)](const std::string& url, const std::string& body) {
    rsp::http::Headers headers{{"Content-Type", "application/json;charset=UTF-8"},
                               {"X-Admin-Protocol", "gsma/rsp/v2.5.0"}};
    auto response = client.post(url, body, std::move(headers));
    if (!response) {
      if (log) log("ES2+ handleDownloadProgressInfo to " + url + ": " + response.error().message);
      return false;
    }
    if (response->status == 204 || response->status == 200) return true;
    if (log) log("ES2+ handleDownloadProgressInfo to " + url + ": HTTP " + std::to_string(response->status));
    return false;
  };
}

}  // namespace smdp
