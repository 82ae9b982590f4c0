#pragma once
// The eIM's ESipa service (eim::Esipa over an SQLite store) behind a real HTTPS listener with both
// ESipa bindings, presenting the PKI's eim-tls: what the indirect download tests talk to. A test
// front; the eIM server's own front is eim_server's.
#include <catch2/catch.hpp>

#include <filesystem>
#include <functional>
#include <mutex>

#include "eim/esipa.hpp"
#include "rsp/esipa/esipa_json.hpp"
#include "rsp/http/server.hpp"
#include "rsp/pki/pki_layout.hpp"
#include "support/tls_server.hpp"

namespace eim::test {

struct EsipaHttps {
  std::unique_ptr<eim::EimStore> store;
  std::unique_ptr<eim::Esipa> esipa;
  std::unique_ptr<rsp::http::Server> server;
  std::mutex mutex;
  std::vector<eim::EsipaReply> replies;  // what Esipa answered, in order

  // Under the PKI at `pki` (its CI for the SM-DP+s' TLS, its eim-tls to present); SM-DP+s on `smdp_port`.
  // `adjust` changes the settings before the service starts (clock, relay sessions).
  EsipaHttps(const std::filesystem::path& pki, rsp::crypto::Curve curve, uint16_t smdp_port,
             const std::filesystem::path& database, const std::function<void(eim::EsipaSettings&)>& adjust = {}) {
    store = eim::open_eim_store("sqlite:" + database.string()).value();
    eim::EsipaSettings settings;
    settings.eim_id = "eim.test";
    settings.cis.add(rsp::pki::load_certificate(pki, curve, rsp::crypto::Role::ci).value());
    settings.indirect_download.smdp_port = smdp_port;
    settings.indirect_download.connect_timeout = std::chrono::milliseconds(2000);
    settings.indirect_download.total_timeout = std::chrono::milliseconds(10000);
    if (adjust) adjust(settings);
    esipa = std::make_unique<eim::Esipa>(*store, std::move(settings));

    server = rsp::test::start_tls_server(
        rsp::http::TlsIdentity::from_pki(pki, curve, rsp::crypto::Role::eim_tls).value(),
        [this](const rsp::http::Request& r) { return serve(r); }, 2);
  }

  rsp::http::Response serve(const rsp::http::Request& r) {
    namespace wire = rsp::esipa;
    std::optional<wire::Function> f;
    rsp::Bytes der(r.body.begin(), r.body.end());
    if (r.target != wire::kAsn1Path) {
      if (!r.target.starts_with(wire::kJsonPathPrefix)) return {404, {}, "no such path"};
      f = wire::function_named(std::string_view(r.target).substr(wire::kJsonPathPrefix.size()));
      auto translated =
          f ? wire::request_from_json(*f, r.body) : rsp::Expected<rsp::Bytes>(rsp::fail("unknown function"));
      if (!translated) return {400, {}, translated.error().message};
      der = std::move(*translated);
    }
    eim::EsipaReply reply = esipa->handle(der);
    {
      std::lock_guard lock(mutex);
      replies.push_back(reply);
    }
    if (reply.http_status != 200) return {reply.http_status, {}, reply.http_status == 204 ? "" : reply.message};
    rsp::http::Response response;
    response.headers = {{"X-Admin-Protocol", std::string(wire::kAdminProtocol)}};
    if (!f) {
      response.headers.add("Content-Type", std::string(wire::kAsn1ContentType));
      response.body.assign(reply.der_response.begin(), reply.der_response.end());
      return response;
    }
    auto body = wire::response_to_json(*f, reply.der_response);
    if (!body) return {500, {}, body.error().message};
    response.headers.add("Content-Type", std::string(wire::kJsonContentType));
    response.body = std::move(*body);
    return response;
  }

  std::string address() const { return "localhost:" + std::to_string(server->port(0)); }
  std::vector<eim::EsipaReply> seen() {
    std::lock_guard lock(mutex);
    return replies;
  }
  std::optional<eim::EsipaReply> last(const std::string& function) {
    auto all = seen();
    for (auto it = all.rbegin(); it != all.rend(); ++it)
      if (it->function == function) return *it;
    return std::nullopt;
  }
};

}  // namespace eim::test
