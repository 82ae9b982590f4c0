#include "smds/smds_server.hpp"

#include <ctime>

#include "rsp/pki/pki_layout.hpp"
#include "rsp/server/http_json.hpp"
#include "rsp/server/limits_config.hpp"
#include "rsp/server/listener.hpp"
#include "rsp/server/log.hpp"
#include "rsp/server/metrics.hpp"
#include "rsp/server/periodic.hpp"
#include "rsp/server/pinned_clients.hpp"
#include "rsp/server/reload.hpp"
#include "rsp/server/server_address.hpp"
#include "rsp/server/server_runtime.hpp"
#include "server/http_front.hpp"
#include "server/root_smds_client.hpp"
#include "smds/ds_credentials.hpp"
#include "smds/es11.hpp"
#include "smds/es12.hpp"
#include "smds/event_store.hpp"

namespace smds {

namespace {

using rsp::server::log_line;

int64_t now_seconds() { return static_cast<int64_t>(std::time(nullptr)); }

class RunningSmds final : public SmdsServer {
 public:
  static rsp::Expected<std::unique_ptr<SmdsServer>> start(const SmdsConfig& config) {
    auto self = std::unique_ptr<RunningSmds>(new RunningSmds());
    if (auto started = self->open(config); !started) return rsp::Unexpected{started.error()};
    return std::unique_ptr<SmdsServer>(std::move(self));
  }
  ~RunningSmds() override { stop(); }

  const std::string& smds_address() const override { return address_; }
  uint16_t port(size_t index) const override { return runtime_.port(index); }
  std::optional<uint16_t> metrics_port() const override { return runtime_.port(metrics_index_); }
  void stop() override { runtime_.stop(); }

  rsp::Status<> reload(const SmdsConfig& config) override {
    if (config.listen.size() != tls_listeners_) return rsp::fail("listeners added or removed take effect at a restart");
    if (auto named = check_smdp_names(config); !named) return named;
    rsp::server::Reload pending;
    for (size_t i = 0; i < config.listen.size(); ++i)
      pending.listener(runtime_.server(), i, config.listen[i], config.pki, rsp::crypto::Role::ds_tls);
    rsp::server::PinFiles smdps;
    for (const auto& s : config.smdps) smdps.emplace_back(s.name, s.client_certificate);
    pending.pins(pinned_, smdps, "SM-DP+");
    return pending.apply();
  }

 private:
  RunningSmds() = default;

  static rsp::Status<> check_smdp_names(const SmdsConfig& config) {
    for (const auto& s : config.smdps)
      if (s.name.empty() || s.name.size() > kMaxSmdpNameLength) return rsp::fail("SM-DP+ names are 1 to 64 characters");
    return rsp::Ok{};
  }

  rsp::Status<> open(const SmdsConfig& config) {
    auto address = resolve_smds_address(config);
    if (!address) return rsp::Unexpected{address.error()};
    address_ = std::move(*address);
    event_lifetime_ = config.event_lifetime;
    auto identity = load_ds_identity(config.pki);
    if (!identity) return rsp::Unexpected{identity.error()};
    identity_ = std::move(*identity);
    auto store = open_event_store(config.database);
    if (!store) return rsp::fail("database: " + store.error().message);
    store_ = std::move(*store);
    if (auto named = check_smdp_names(config); !named) return named;
    for (const auto& s : config.smdps)
      if (auto pinned = pinned_.add(s.name, s.client_certificate); !pinned)
        return rsp::fail("SM-DP+ " + pinned.error().message);

    Es12Settings es12;
    es12.root_smds = config.root_smds;
    es12.max_events_per_eid = config.max_events_per_eid;
    es12.faults = config.faults;
    if (!config.root_smds.empty()) {
      auto client = root_client(config);
      if (!client) return rsp::Unexpected{client.error()};
      es12.forward_register = forward_register_to_root(*client, address_);
      es12.forward_delete = forward_delete_to_root(std::move(*client), address_);
    }
    es12_ = std::make_unique<Es12>(*store_, std::move(es12));
    Es11Settings es11;
    es11.smds_address = address_;
    es11.session_lifetime = config.session_lifetime;
    es11.max_pending_sessions = config.max_pending_sessions;
    es11.faults = config.faults;
    es11_ = std::make_unique<Es11>(*store_, identity_, std::move(es11));

    rsp::http::ServerOptions options;
    options.handler_threads = config.handler_threads;
    // ES11 and ES12 messages are a few KiB (an AuthenticateServerResponse with two certificates).
    options.body_limit = 64 * 1024;
    if (config.listen.empty()) return rsp::fail("no listener (listen)");
    tls_listeners_ = config.listen.size();
    for (const auto& l : config.listen) {
      auto listener = rsp::server::listener_options(l, config.pki, rsp::crypto::Role::ds_tls);
      if (!listener) return rsp::fail("listen " + listener.error().message);
      // Devices send no client certificate; SM-DP+s send theirs, and only pinned ones get in.
      listener->client_certificates = rsp::http::ClientCertificates::optional;
      listener->accept_client_certificate = [this](const rsp::crypto::Certificate& c) {
        return !pinned_.name_of(c).empty();
      };
      listener->handler = es11_and_es12_handler(
          es11_handler(*es11_, metrics_),
          es12_handler(*es12_, metrics_, [this](const rsp::crypto::Certificate& c) { return pinned_.name_of(c); }));
      options.listeners.push_back(std::move(*listener));
    }
    if (!config.metrics_listen.empty()) {
      auto listener = rsp::server::plain_listener_options(config.metrics_listen);
      if (!listener) return rsp::fail("metrics_listen " + listener.error().message);
      listener->handler = rsp::server::metrics_handler(metrics_);
      metrics_index_ = options.listeners.size();
      options.listeners.push_back(std::move(*listener));
    }
    rsp::server::apply_limits(config.limits, options);
    rsp::server::apply_json_limits(config.limits);
    auto server = rsp::http::Server::start(std::move(options));
    if (!server) return rsp::Unexpected{server.error()};
    runtime_.start(std::move(*server), [this](std::stop_token stop) { background(stop); });
    return rsp::Ok{};
  }

  // The cascade's client: our ds-tls as client certificate, the root's TLS certificate under our CIs.
  rsp::Expected<rsp::http::Client> root_client(const SmdsConfig& config) const {
    if (!rsp::server::valid_server_address(config.root_smds))
      return rsp::fail("root_smds " + config.root_smds + " is not an address");
    rsp::http::ClientOptions options;
    for (const auto& c : identity_.credentials) options.trusted_cas.push_back(c.ci);
    auto curves = rsp::pki::curves_present(config.pki);
    if (curves.empty())
      return rsp::fail(config.pki.string() + ": no PKI curve folder for the ds-tls client certificate");
    auto tls = rsp::http::TlsIdentity::from_pki(config.pki, curves.front(), rsp::crypto::Role::ds_tls);
    if (!tls) return rsp::fail("root_smds client identity: " + tls.error().message);
    options.client_identity = std::move(*tls);
    options.connect_timeout = std::chrono::seconds(5);
    options.total_timeout = std::chrono::seconds(10);  // the SM-DP+ waits for the cascade
    return rsp::http::Client::create(std::move(options));
  }

  // Expired ES11 sessions and Event Records past their lifetime, every few seconds.
  void background(std::stop_token stop) {
    rsp::server::run_every(stop, std::chrono::seconds(2), [this] {
      int64_t now = now_seconds();
      if (auto removed = store_->remove_expired_sessions(now); removed && *removed > 0)
        log_line({{"event", "sessions-expired"}, {"count", std::to_string(*removed)}});
      if (auto removed = store_->remove_events_before(now - event_lifetime_); removed && *removed > 0)
        log_line({{"event", "events-expired"}, {"count", std::to_string(*removed)}});
    });
  }

  std::string address_;
  int64_t event_lifetime_ = 0;
  std::unique_ptr<EventStore> store_;
  rsp::server::PinnedClients pinned_;
  size_t tls_listeners_ = 0;  // listeners 0..n-1 serve TLS (config.listen); the metrics listener follows
  DsIdentity identity_;
  std::unique_ptr<Es11> es11_;
  std::unique_ptr<Es12> es12_;
  rsp::server::Metrics metrics_{"smds"};
  std::optional<size_t> metrics_index_;
  rsp::server::ServerRuntime runtime_;  // last: stopped first
};

}  // namespace

rsp::Expected<std::unique_ptr<SmdsServer>> SmdsServer::start(const SmdsConfig& config) {
  return RunningSmds::start(config);
}

}  // namespace smds
