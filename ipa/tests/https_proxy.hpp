#pragma once
// A man in the middle for tests of the IPA's HTTPS peers (SM-DP+, eIM): an HTTPS server presenting
// the peer's own TLS identity (so the IPA trusts it) that forwards each request to the peer, and
// lets a test answer in its place or change the request on the way.
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "rsp/http/client.hpp"
#include "rsp/http/server.hpp"
#include "support/tls_server.hpp"

namespace ipa::test {

class HttpsProxy {
 public:
  // Sees each request before it is forwarded; may change it, or return the answer to give instead.
  using Intercept = std::function<std::optional<rsp::http::Response>(rsp::http::Request&)>;

  // `upstream`: https://HOST:PORT of the peer, reached with `client`.
  HttpsProxy(rsp::http::TlsIdentity identity, std::string upstream, const rsp::http::ClientOptions& client,
             Intercept intercept)
      : intercept_(std::move(intercept)),
        upstream_(std::move(upstream)),
        client_(rsp::http::Client::create(client).value()) {
    server_ =
        rsp::test::start_tls_server(std::move(identity), [this](const rsp::http::Request& r) { return forward(r); });
  }

  uint16_t port() const { return server_->port(0); }
  // The targets and bodies seen, in order.
  std::vector<std::pair<std::string, std::string>> requests() {
    std::lock_guard lock(mutex_);
    return requests_;
  }

 private:
  rsp::http::Response forward(rsp::http::Request request) {
    {
      std::lock_guard lock(mutex_);
      requests_.emplace_back(request.target, request.body);
    }
    if (intercept_)
      if (auto answer = intercept_(request)) return *answer;
    rsp::http::Headers headers;
    for (const char* name : {"Content-Type", "X-Admin-Protocol", "User-Agent"})
      if (auto value = request.headers.get(name)) headers.set(name, std::string(*value));
    auto upstream = client_.post(upstream_ + request.target, request.body, headers);
    rsp::http::Response out;
    if (!upstream) {
      out.status = 502;
      return out;
    }
    out.status = upstream->status;
    out.body = upstream->body;
    if (auto type = upstream->headers.get("Content-Type")) out.headers.set("Content-Type", std::string(*type));
    return out;
  }

  Intercept intercept_;
  std::string upstream_;
  rsp::http::Client client_;
  std::mutex mutex_;
  std::vector<std::pair<std::string, std::string>> requests_;
  std::unique_ptr<rsp::http::Server> server_;
};

}  // namespace ipa::test
