#include "smdp/smdp_server.hpp"

#include <ctime>
#include <set>

#include "http_front.hpp"
#include "log.hpp"
#include "metrics.hpp"
#include "rsp/confirmation_code.hpp"
#include "rsp/http/client.hpp"
#include "rsp/pki/pki_layout.hpp"
#include "rsp/server/limits_config.hpp"
#include "rsp/server/listener.hpp"
#include "rsp/server/periodic.hpp"
#include "rsp/server/pinned_clients.hpp"
#include "rsp/server/reload.hpp"
#include "rsp/server/server_runtime.hpp"
#include "smdp/callback_https.hpp"
#include "smdp/callback_sender.hpp"
#include "smdp/download_progress_info.hpp"
#include "smdp/dp_credentials.hpp"
#include "smdp/es12_https.hpp"
#include "smdp/profile_key.hpp"

namespace smdp {

namespace {

rsp::Expected<rsp::http::ListenerOptions> listener_options(const ListenerConfig& l, const std::filesystem::path& pki) {
  return rsp::server::listener_options(l, pki, rsp::crypto::Role::dp_tls);
}

class RunningSmdp final : public SmdpServer {
 public:
  static rsp::Expected<std::unique_ptr<SmdpServer>> start(const SmdpConfig& config) {
    auto self = std::unique_ptr<RunningSmdp>(new RunningSmdp());
    if (auto started = self->open(config); !started) return rsp::Unexpected{started.error()};
    return std::unique_ptr<SmdpServer>(std::move(self));
  }
  ~RunningSmdp() override { stop(); }

  const std::string& smdp_address() const override { return address_; }
  uint16_t es9_port(size_t index) const override { return runtime_.port(index); }
  std::optional<uint16_t> es2_port() const override { return runtime_.port(es2_index_); }
  std::optional<uint16_t> metrics_port() const override { return runtime_.port(metrics_index_); }
  void stop() override { runtime_.stop(); }

  rsp::Status<> reload(const SmdpConfig& config) override {
    auto shared = shared_es2_listener(config);
    if (!shared) return rsp::Unexpected{shared.error()};
    bool separate_es2 = config.es2 && !*shared;
    if (config.es9.size() != es9_listeners_ || separate_es2 != (es2_index_ && *es2_index_ >= es9_listeners_))
      return rsp::fail("listeners added or removed take effect at a restart");
    rsp::server::Reload pending;
    for (size_t i = 0; i < config.es9.size(); ++i)
      pending.listener(runtime_.server(), i, config.es9[i], config.pki, rsp::crypto::Role::dp_tls);
    if (separate_es2)
      pending.listener(runtime_.server(), *es2_index_, *config.es2, config.pki, rsp::crypto::Role::dp_tls);
    rsp::server::PinFiles operators;
    for (const auto& o : config.operators) {
      if (!operator_ids_.contains(o.id))
        return rsp::fail("operator " + o.id + " is new: operators are added at a restart");
      operators.emplace_back(o.id, o.client_certificate);
    }
    pending.pins(pinned_, operators, "operator");
    return pending.apply();
  }

 private:
  RunningSmdp() = default;

  rsp::Status<> open(const SmdpConfig& config) {
    auto identity = load_dp_identity(config.pki);
    if (!identity) return rsp::Unexpected{identity.error()};
    identity_ = std::move(*identity);
    auto address = resolve_smdp_address(config);
    if (!address) return rsp::Unexpected{address.error()};
    address_ = std::move(*address);
    // Profiles sealed at rest under the profile key (issue 13, finding 10); the line names where the
    // key came from and its id, never the key.
    auto sealed = open_sealed_store(config);
    if (!sealed) return rsp::Unexpected{sealed.error()};
    store_ = std::move(sealed->store);
    log_line({{"event", "profile-key"},
              {"origin", sealed->key.origin},
              {"key_id", sealed->key.key.id_hex()},
              {"created", sealed->key.created ? "true" : "false"}});

    std::vector<Operator> operators;
    for (const auto& o : config.operators) {
      if (auto pinned = pinned_.add(o.id, o.client_certificate); !pinned)
        return rsp::fail("operator " + pinned.error().message);
      operators.push_back({o.id, o.callback_url});
      operator_ids_.insert(o.id);
    }
    reporter_ = std::make_unique<DownloadProgressReporter>(*store_, operators, address_);

    notification_retention_ = config.notification_retention;
    Es9Settings es9;
    es9.smdp_address = address_;
    es9.session_lifetime = config.session_lifetime;
    es9.faults = config.faults;
    es9.progress = [this](const ProfileRecord& p, NotificationPoint point, const FunctionStatus& s,
                          rsp::ByteView data) {
      if (auto queued = reporter_->report(p, static_cast<int>(point), s, data); !queued)
        log_line({{"event", "callback-not-queued"}, {"iccid", p.iccid}, {"error", queued.error().message}});
      // Installed: the order's SM-DS Event Record has done its job (SGP.22 v2.5 §5.9.2).
      if (point == NotificationPoint::bpp_installation && s.ok())
        if (auto event = smds_event_of(p))
          if (auto queued = queue_delete_event(*store_, *event, address_, system_clock_seconds()); !queued)
            log_line({{"event", "delete-event-not-queued"}, {"iccid", p.iccid}, {"error", queued.error().message}});
    };
    es9_ = std::make_unique<Es9Plus>(*store_, identity_, std::move(es9));
    auto smds_client = es12_client(config);
    if (!smds_client) return rsp::Unexpected{smds_client.error()};
    auto log = [](const std::string& line) { log_line({{"event", "es12"}, {"message", line}}); };
    Es2PlusSettings es2;
    es2.smdp_address = address_;
    es2.register_event = https_register_event(*smds_client, address_, log);
    es2.order_lifetime = config.order_lifetime;
    es2.confirmation_code_attempts = config.confirmation_code_attempts;
    for (const auto& o : config.operators) es2.operator_ids.push_back(o.id);
    es2.skip_operator_check = config.faults.count("skip-operator-check") != 0;
    es2.skip_order_state_check = config.faults.count("skip-order-state-check") != 0;
    es2_ = std::make_unique<Es2Plus>(*store_, std::move(es2));

    if (auto sender = callback_sender(config, https_delete_event_transport(std::move(*smds_client), log)); !sender)
      return rsp::Unexpected{sender.error()};

    rsp::http::ServerOptions options;
    options.handler_threads = config.handler_threads;
    if (config.es9.empty()) return rsp::fail("no ES9+ listener (es9_listen)");
    es9_listeners_ = config.es9.size();
    auto shared = shared_es2_listener(config);
    if (!shared) return rsp::Unexpected{shared.error()};
    auto operator_certificate = [this](const rsp::crypto::Certificate& c) { return !operator_of(c).empty(); };
    auto es2_front = [this] {
      return es2_handler(*es2_, metrics_, [this](const rsp::crypto::Certificate& c) { return operator_of(c); });
    };
    for (size_t i = 0; i < config.es9.size(); ++i) {
      auto listener = listener_options(config.es9[i], config.pki);
      if (!listener) return rsp::fail("es9_listen " + listener.error().message);
      listener->handler = es9_handler(*es9_, metrics_);
      if (*shared == i) {
        // Devices send no client certificate; operators send theirs, and only theirs get in.
        listener->client_certificates = rsp::http::ClientCertificates::optional;
        listener->accept_client_certificate = operator_certificate;
        listener->handler = es9_and_es2_handler(std::move(listener->handler), es2_front());
        es2_index_ = i;
      }
      options.listeners.push_back(std::move(*listener));
    }
    if (config.es2 && !*shared) {
      auto listener = listener_options(*config.es2, config.pki);
      if (!listener) return rsp::fail("es2_listen " + listener.error().message);
      listener->client_certificates = rsp::http::ClientCertificates::required;
      listener->accept_client_certificate = operator_certificate;
      listener->handler = es2_front();
      es2_index_ = options.listeners.size();
      options.listeners.push_back(std::move(*listener));
    }
    if (!config.metrics_listen.empty()) {
      auto listener = rsp::server::plain_listener_options(config.metrics_listen);
      if (!listener) return rsp::fail("metrics_listen " + listener.error().message);
      listener->handler = metrics_handler(metrics_);
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

  // The operator whose pinned certificate this is, if it is valid now; "" otherwise.
  std::string operator_of(const rsp::crypto::Certificate& c) const { return pinned_.name_of(c); }

  // The client of ES12 calls to SM-DSs: our dp-tls identity, SM-DS certificates under the PKI's CIs.
  rsp::Expected<rsp::http::Client> es12_client(const SmdpConfig& config) const {
    rsp::http::ClientOptions client;
    for (const auto& credentials : identity_.credentials) client.trusted_cas.push_back(credentials.ci);
    client.trusted_ca_files = config.smds_trusted_cas;
    // Without a dp-tls certificate (a PKI of other origin) the SM-DP+ still serves; SM-DSs then
    // refuse it, and ConfirmOrder with an smdsAddress answers 8.9/5.1.
    auto curves = rsp::pki::curves_present(config.pki);
    auto identity = curves.empty()
                        ? rsp::Expected<rsp::http::TlsIdentity>(rsp::fail("no curve folder"))
                        : rsp::http::TlsIdentity::from_pki(config.pki, curves.front(), rsp::crypto::Role::dp_tls);
    if (identity)
      client.client_identity = std::move(*identity);
    else
      log_line({{"event", "es12-client"}, {"message", "no dp-tls client certificate: " + identity.error().message}});
    client.connect_timeout = std::chrono::seconds(5);
    client.total_timeout = std::chrono::seconds(10);  // ConfirmOrder waits for RegisterEvent
    auto created = rsp::http::Client::create(std::move(client));
    if (!created) return rsp::fail("ES12 client: " + created.error().message);
    return created;
  }

  rsp::Status<> callback_sender(const SmdpConfig& config, CallbackSender::Send es12_transport) {
    rsp::http::ClientOptions client;
    client.trusted_ca_files = config.callback_trusted_cas;
    if (config.callback_client_certificate || config.callback_client_key) {
      if (!config.callback_client_certificate || !config.callback_client_key)
        return rsp::fail("give both callback_client_certificate and callback_client_key");
      auto identity =
          rsp::http::TlsIdentity::from_pem_files(*config.callback_client_certificate, *config.callback_client_key);
      if (!identity) return rsp::fail("callback client identity: " + identity.error().message);
      client.client_identity = std::move(*identity);
    }
    auto created = rsp::http::Client::create(std::move(client));
    if (!created) return rsp::fail("callback client: " + created.error().message);
    auto log = [](const std::string& line) { log_line({{"event", "callback"}, {"message", line}}); };
    CallbackRetryPolicy policy;
    policy.first_delay = std::max<int64_t>(1, config.callback_retry_delay);
    // One outbox: ES2+ callbacks to operators, ES12 DeleteEvent calls to SM-DSs.
    sender_ = std::make_unique<CallbackSender>(
        *store_, route_outbox(https_callback_transport(std::move(*created), log), std::move(es12_transport)),
        system_clock_seconds, policy, log);
    return rsp::Ok{};
  }

  // The outbox (ES2+ callbacks, ES12 DeleteEvent), expired sessions and notifications past their
  // retention, every few seconds, off the request threads. A session's row goes a minute after it expired: the row is
  // what refuses its transactionId a second time, and another instance whose clock lags ours still takes it until its
  // own clock says it expired.
  void background(std::stop_token stop) {
    rsp::server::run_every(stop, std::chrono::seconds(2), [this] {
      sender_->deliver_due();
      constexpr int64_t kSessionRowGrace = 60;  // seconds
      if (auto removed = store_->remove_expired_sessions(system_clock_seconds() - kSessionRowGrace);
          removed && *removed > 0)
        log_line({{"event", "sessions-expired"}, {"count", std::to_string(*removed)}});
      if (auto removed = store_->remove_notifications_received_before(system_clock_seconds() - notification_retention_);
          removed && *removed > 0)
        log_line({{"event", "notifications-expired"}, {"count", std::to_string(*removed)}});
    });
  }

  DpIdentity identity_;
  std::string address_;
  std::unique_ptr<Store> store_;
  rsp::server::PinnedClients pinned_;
  std::set<std::string> operator_ids_;  // as started: callbacks and ES2+'s requester check know these
  size_t es9_listeners_ = 0;
  std::unique_ptr<DownloadProgressReporter> reporter_;
  std::unique_ptr<Es9Plus> es9_;
  std::unique_ptr<Es2Plus> es2_;
  std::unique_ptr<CallbackSender> sender_;
  Metrics metrics_{"smdp"};
  std::optional<size_t> es2_index_, metrics_index_;
  int64_t notification_retention_ = 0;  // seconds
  rsp::server::ServerRuntime runtime_;  // last: stopped first
};

}  // namespace

rsp::Expected<std::unique_ptr<SmdpServer>> SmdpServer::start(const SmdpConfig& config) {
  return RunningSmdp::start(config);
}

}  // namespace smdp
