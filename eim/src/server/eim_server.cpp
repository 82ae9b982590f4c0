#include "eim/eim_server.hpp"

#include <ctime>

#include "eim/esipa.hpp"
#include "eim/owner_service.hpp"
#include "eim/store.hpp"
#include "rsp/pki/pki_layout.hpp"
#include "rsp/server/limits_config.hpp"
#include "rsp/server/listener.hpp"
#include "rsp/server/log.hpp"
#include "rsp/server/metrics.hpp"
#include "rsp/server/periodic.hpp"
#include "rsp/server/reload.hpp"
#include "rsp/server/server_runtime.hpp"
#include "server/http_front.hpp"

namespace eim {

namespace {

using rsp::server::log_line;

int64_t now_seconds() { return static_cast<int64_t>(std::time(nullptr)); }

// The CIs results are verified under: each curve's ci of the PKI.
rsp::Expected<rsp::crypto::TrustedCis> pki_cis(const std::filesystem::path& pki) {
  rsp::crypto::TrustedCis cis;
  auto curves = rsp::pki::curves_present(pki);
  if (curves.empty()) return rsp::fail(pki.string() + ": no PKI curve folder");
  for (auto curve : curves) {
    auto ci = rsp::pki::load_certificate(pki, curve, rsp::crypto::Role::ci);
    if (!ci) return rsp::fail("CI: " + ci.error().message);
    cis.add(std::move(*ci));
  }
  return cis;
}

class RunningEim final : public EimServer {
 public:
  static rsp::Expected<std::unique_ptr<EimServer>> start(const EimConfig& config) {
    auto self = std::unique_ptr<RunningEim>(new RunningEim());
    if (auto started = self->open(config); !started) return rsp::Unexpected{started.error()};
    return std::unique_ptr<EimServer>(std::move(self));
  }
  ~RunningEim() override { stop(); }

  const std::string& eim_id() const override { return eim_id_; }
  uint16_t port(size_t index) const override { return runtime_.port(index); }
  std::optional<uint16_t> metrics_port() const override { return runtime_.port(metrics_index_); }
  std::optional<uint16_t> owner_port(size_t index) const override {
    return owners_ ? std::optional<uint16_t>(owners_->port(index)) : std::nullopt;
  }
  void stop() override {
    if (owners_) owners_->stop();
    runtime_.stop();
  }

  rsp::Status<> reload(const EimConfig& config) override {
    if (config.listen.size() != tls_listeners_ || config.owner_listen.empty() != !owners_)
      return rsp::fail("listeners added or removed take effect at a restart");
    rsp::server::Reload pending;
    for (size_t i = 0; i < config.listen.size(); ++i)
      pending.listener(runtime_.server(), i, config.listen[i], config.pki, rsp::crypto::Role::eim_tls);
    if (owners_)
      if (auto prepared = owners_->prepare_reload(pending, config.owner_listen, config.owners, config.pki); !prepared)
        return prepared;
    return pending.apply();
  }

 private:
  RunningEim() = default;

  rsp::Status<> open(const EimConfig& config) {
    auto eim_id = resolve_eim_id(config);
    if (!eim_id) return rsp::Unexpected{eim_id.error()};
    eim_id_ = std::move(*eim_id);
    if (config.package_lifetime <= 0) return rsp::fail("package_lifetime must be positive");
    rsp::server::apply_json_limits(config.limits);  // for the owner API and ESipa alike
    auto cis = pki_cis(config.pki);
    if (!cis) return rsp::Unexpected{cis.error()};
    auto store = open_eim_store(config.database);
    if (!store) return rsp::fail("database: " + store.error().message);
    store_ = std::move(*store);
    if (!config.owner_listen.empty()) {
      // The owner API: its own HTTPS server with the owners' pinned certificates.
      auto owners = OwnerService::start(
          *store_, {config.owner_listen, config.owners, config.pki, eim_id_, config.package_lifetime, *cis,
                    config.handler_threads, config.faults, config.owner_limits});
      if (!owners) return rsp::Unexpected{owners.error()};
      owners_ = std::move(*owners);
    }
    EsipaSettings settings;
    settings.eim_id = eim_id_;
    settings.cis = std::move(*cis);
    settings.indirect_download.enabled = config.indirect_download;
    settings.faults = config.faults;
    if (config.smdp_port) settings.indirect_download.smdp_port = config.smdp_port;
    esipa_ = std::make_unique<Esipa>(*store_, std::move(settings));

    rsp::http::ServerOptions options;
    options.handler_threads = config.handler_threads;
    // Requests are DER of a few KiB; a result with a profile list, or with the notification list
    // beside it, is the largest: twice the largest result the store keeps (64 KiB) leaves room.
    options.body_limit = 2 * kMaxPackageResultLength;
    if (config.listen.empty()) return rsp::fail("no listener (listen)");
    tls_listeners_ = config.listen.size();
    for (const auto& l : config.listen) {
      auto listener = rsp::server::listener_options(l, config.pki, rsp::crypto::Role::eim_tls);
      if (!listener) return rsp::fail("listen " + listener.error().message);
      listener->handler = esipa_handler(*esipa_, metrics_, results_);
      options.listeners.push_back(std::move(*listener));
    }
    if (!config.metrics_listen.empty()) {
      auto listener = rsp::server::plain_listener_options(config.metrics_listen);
      if (!listener) return rsp::fail("metrics_listen " + listener.error().message);
      listener->handler = eim_metrics_handler(metrics_, results_);
      metrics_index_ = options.listeners.size();
      options.listeners.push_back(std::move(*listener));
    }
    rsp::server::apply_limits(config.limits, options);
    auto server = rsp::http::Server::start(std::move(options));
    if (!server) return rsp::Unexpected{server.error()};
    runtime_.start(std::move(*server), [this](std::stop_token stop) { background(stop); });
    return rsp::Ok{};
  }

  // Packages past their expiry, queued or delivered, end as expired, every few seconds.
  void background(std::stop_token stop) {
    rsp::server::run_every(stop, std::chrono::seconds(2), [this] {
      auto expired = store_->expire(now_seconds());
      if (!expired)
        log_line({{"event", "packages-expired"}, {"outcome", "store-error"}, {"message", expired.error().message}});
      else if (*expired > 0)
        log_line({{"event", "packages-expired"}, {"count", std::to_string(*expired)}});
    });
  }

  std::string eim_id_;
  std::unique_ptr<EimStore> store_;
  std::unique_ptr<Esipa> esipa_;
  rsp::server::Metrics metrics_{"eim"};
  ResultCounters results_;
  std::optional<size_t> metrics_index_;
  size_t tls_listeners_ = 0;              // listeners 0..n-1 serve ESipa (config.listen); the metrics listener follows
  std::unique_ptr<OwnerService> owners_;  // the owner API, when owner_listen is configured
  rsp::server::ServerRuntime runtime_;    // last: stopped first
};

}  // namespace

rsp::Expected<std::unique_ptr<EimServer>> EimServer::start(const EimConfig& config) {
  return RunningEim::start(config);
}

}  // namespace eim
