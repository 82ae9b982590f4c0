// The owner API's own HTTPS server, made from the eIM's configuration.
#include "eim/owner_service.hpp"

#include "rsp/pki/pki_layout.hpp"

namespace eim {

OwnerService::~OwnerService() {
  if (server_) server_->stop();
}

namespace {

rsp::Status<> check_owner_names(const rsp::server::PinFiles& owners) {
  if (owners.empty()) return rsp::fail("owner_listen without owners: nobody could call the owner API");
  for (const auto& owner : owners)
    if (owner.first.empty() || owner.first.size() > kMaxOwnerLength) return rsp::fail("owner name: 1 to 64 characters");
  return rsp::Ok{};
}

}  // namespace

rsp::Status<> OwnerService::prepare_reload(rsp::server::Reload& reload,
                                           const std::vector<rsp::server::ListenerConfig>& listen,
                                           const rsp::server::PinFiles& owners, const std::filesystem::path& pki) {
  if (listen.size() != listeners_) return rsp::fail("owner listeners added or removed take effect at a restart");
  if (auto named = check_owner_names(owners); !named) return named;
  for (size_t i = 0; i < listen.size(); ++i) reload.listener(*server_, i, listen[i], pki, rsp::crypto::Role::eim_tls);
  reload.pins(owners_, owners, "owner");
  return rsp::Ok{};
}

rsp::Expected<std::unique_ptr<OwnerService>> OwnerService::start(EimStore& store, OwnerServiceOptions options) {
  auto self = std::unique_ptr<OwnerService>(new OwnerService());
  if (auto named = check_owner_names(options.owners); !named) return rsp::Unexpected{named.error()};
  for (const auto& [name, file] : options.owners)
    if (auto pinned = self->owners_.add(name, file); !pinned)
      return rsp::fail("owner " + name + ": " + pinned.error().message);
  auto curves = rsp::pki::curves_present(options.pki);
  if (curves.empty()) return rsp::fail(options.pki.string() + ": no PKI curve folder");
  auto key = rsp::pki::load_key(options.pki, curves.front(), rsp::crypto::Role::eim);
  if (!key) return rsp::fail("the eIM's signing key: " + key.error().message);
  PackageQueueSettings queue_settings;
  queue_settings.package_lifetime = options.package_lifetime;
  queue_settings.faults = options.faults;
  self->queue_ =
      std::make_unique<PackageQueue>(store, EimSigner{options.eim_id, std::move(*key)}, std::move(queue_settings));
  OwnerApiSettings api_settings;
  api_settings.cis = std::move(options.cis);
  if (options.limits.body_bytes) api_settings.body_limit = *options.limits.body_bytes;
  self->api_ = std::make_unique<OwnerApi>(store, *self->queue_, self->owners_, std::move(api_settings));

  rsp::http::ServerOptions server;
  server.handler_threads = options.handler_threads;
  server.body_limit = OwnerApiSettings{}.body_limit;
  self->listeners_ = options.listen.size();
  for (const auto& l : options.listen) {
    auto listener = rsp::server::listener_options(l, options.pki, rsp::crypto::Role::eim_tls);
    if (!listener) return rsp::fail("owner_listen " + listener.error().message);
    listener->client_certificates = rsp::http::ClientCertificates::required;
    // Any certificate gets a TLS session; the API answers an unpinned one 403 in JSON.
    listener->accept_client_certificate = [](const rsp::crypto::Certificate&) { return true; };
    listener->handler = owner_api_handler(*self->api_);
    server.listeners.push_back(std::move(*listener));
  }
  rsp::server::apply_limits(options.limits, server);
  auto started = rsp::http::Server::start(std::move(server));
  if (!started) return rsp::fail("owner API: " + started.error().message);
  self->server_ = std::move(*started);
  return self;
}

}  // namespace eim
