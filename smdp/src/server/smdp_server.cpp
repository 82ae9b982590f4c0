#include "smdp/smdp_server.hpp"

#include <condition_variable>
#include <ctime>
#include <mutex>
#include <thread>

#include "http_front.hpp"
#include "log.hpp"
#include "metrics.hpp"
#include "rsp/confirmation_code.hpp"
#include "rsp/http/client.hpp"
#include "rsp/pki/pki_layout.hpp"
#include "smdp/callback_https.hpp"
#include "smdp/callback_sender.hpp"
#include "smdp/download_progress_info.hpp"
#include "smdp/dp_credentials.hpp"

namespace smdp {

namespace {

struct PinnedOperator {
  std::string id;
  rsp::Bytes fingerprint;  // SHA-256 of the certificate's DER
};

rsp::Expected<rsp::http::TlsIdentity> listener_identity(const ListenerConfig& l, const std::filesystem::path& pki) {
  if (l.tls_certificate || l.tls_key) {
    if (!l.tls_certificate || !l.tls_key) return rsp::fail(l.listen + ": give both tls_certificate and tls_key");
    return rsp::http::TlsIdentity::from_pem_files(*l.tls_certificate, *l.tls_key);
  }
  auto curves = rsp::pki::curves_present(pki);
  if (curves.empty()) return rsp::fail(pki.string() + ": no PKI curve folder for the TLS certificate");
  rsp::crypto::Curve curve = curves.front();
  if (!l.curve.empty()) {
    auto named = rsp::crypto::curve_from_name(l.curve);
    if (!named) return rsp::fail(l.listen + ": " + named.error().message);
    curve = *named;
  }
  return rsp::http::TlsIdentity::from_pki(pki, curve, rsp::crypto::Role::dp_tls);
}

rsp::Expected<rsp::http::ListenerOptions> listener_options(const ListenerConfig& l, const std::filesystem::path& pki) {
  auto address = split_host_port(l.listen);
  if (!address) return rsp::Unexpected{address.error()};
  auto identity = listener_identity(l, pki);
  if (!identity) return rsp::Unexpected{identity.error()};
  rsp::http::ListenerOptions options;
  options.host = address->first;
  options.port = address->second;
  options.tls = std::move(*identity);
  return options;
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
  uint16_t es9_port(size_t index) const override { return server_->port(index); }
  std::optional<uint16_t> es2_port() const override {
    return es2_index_ ? std::optional<uint16_t>(server_->port(*es2_index_)) : std::nullopt;
  }
  std::optional<uint16_t> metrics_port() const override {
    return metrics_index_ ? std::optional<uint16_t>(server_->port(*metrics_index_)) : std::nullopt;
  }
  void stop() override {
    if (server_) server_->stop();
    if (background_.joinable()) {
      background_.request_stop();
      background_.join();
    }
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
    auto store = open_store(config.database);
    if (!store) return rsp::fail("database: " + store.error().message);
    store_ = std::move(*store);

    std::vector<Operator> operators;
    for (const auto& o : config.operators) {
      auto certificates = rsp::http::read_certificates(o.client_certificate);
      if (!certificates || certificates->empty())
        return rsp::fail("operator " + o.id + ": " + (certificates ? "no certificate in " + o.client_certificate.string()
                                                                   : certificates.error().message));
      pinned_.push_back({o.id, rsp::sha256(certificates->front().der())});
      operators.push_back({o.id, o.callback_url});
    }
    reporter_ = std::make_unique<DownloadProgressReporter>(*store_, operators, address_);

    Es9Settings es9;
    es9.smdp_address = address_;
    es9.session_lifetime = config.session_lifetime;
    es9.progress = [this](const ProfileRecord& p, NotificationPoint point, const FunctionStatus& s, rsp::ByteView data) {
      if (auto queued = reporter_->report(p, static_cast<int>(point), s, data); !queued)
        log_line({{"event", "callback-not-queued"}, {"iccid", p.iccid}, {"error", queued.error().message}});
    };
    es9_ = std::make_unique<Es9Plus>(*store_, identity_, std::move(es9));
    Es2PlusSettings es2;
    es2.smdp_address = address_;
    es2.order_lifetime = config.order_lifetime;
    es2.confirmation_code_attempts = config.confirmation_code_attempts;
    es2_ = std::make_unique<Es2Plus>(*store_, std::move(es2));

    if (auto sender = callback_sender(config); !sender) return rsp::Unexpected{sender.error()};

    rsp::http::ServerOptions options;
    options.handler_threads = config.handler_threads;
    if (config.es9.empty()) return rsp::fail("no ES9+ listener (es9_listen)");
    auto shared = shared_es2_listener(config);
    if (!shared) return rsp::Unexpected{shared.error()};
    auto operator_certificate = [this](const rsp::crypto::Certificate& c) { return !operator_of(c).empty(); };
    auto es2_front = [this] { return es2_handler(*es2_, metrics_, [this](const rsp::crypto::Certificate& c) { return operator_of(c); }); };
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
      auto metrics_address = split_host_port(config.metrics_listen);
      if (!metrics_address) return rsp::fail("metrics_listen " + metrics_address.error().message);
      rsp::http::ListenerOptions listener;
      listener.host = metrics_address->first;
      listener.port = metrics_address->second;
      listener.handler = metrics_handler(metrics_);
      metrics_index_ = options.listeners.size();
      options.listeners.push_back(std::move(listener));
    }
    auto server = rsp::http::Server::start(std::move(options));
    if (!server) return rsp::Unexpected{server.error()};
    server_ = std::move(*server);
    background_ = std::jthread([this](std::stop_token stop) { background(stop); });
    return rsp::Ok{};
  }

  // The operator whose pinned certificate this is, if it is valid now; "" otherwise.
  std::string operator_of(const rsp::crypto::Certificate& c) const {
    time_t now = time(nullptr);
    if (c.not_before() > now || c.not_after() < now) return {};
    rsp::Bytes fingerprint = rsp::sha256(c.der());
    for (const auto& p : pinned_)
      if (p.fingerprint == fingerprint) return p.id;
    return {};
  }

  rsp::Status<> callback_sender(const SmdpConfig& config) {
    rsp::http::ClientOptions client;
    client.trusted_ca_files = config.callback_trusted_cas;
    if (config.callback_client_certificate || config.callback_client_key) {
      if (!config.callback_client_certificate || !config.callback_client_key)
        return rsp::fail("give both callback_client_certificate and callback_client_key");
      auto identity = rsp::http::TlsIdentity::from_pem_files(*config.callback_client_certificate, *config.callback_client_key);
      if (!identity) return rsp::fail("callback client identity: " + identity.error().message);
      client.client_identity = std::move(*identity);
    }
    auto created = rsp::http::Client::create(std::move(client));
    if (!created) return rsp::fail("callback client: " + created.error().message);
    auto log = [](const std::string& line) { log_line({{"event", "callback"}, {"message", line}}); };
    sender_ = std::make_unique<CallbackSender>(*store_, https_callback_transport(std::move(*created), log), system_clock_seconds,
                                               CallbackRetryPolicy{}, log);
    return rsp::Ok{};
  }

  // ES2+ callbacks and expired sessions, every few seconds, off the request threads.
  void background(std::stop_token stop) {
    std::mutex mutex;
    std::condition_variable_any wake;
    while (!stop.stop_requested()) {
      sender_->deliver_due();
      if (auto removed = store_->remove_expired_sessions(system_clock_seconds()); removed && *removed > 0)
        log_line({{"event", "sessions-expired"}, {"count", std::to_string(*removed)}});
      std::unique_lock lock(mutex);
      wake.wait_for(lock, stop, std::chrono::seconds(2), [] { return false; });
    }
  }

  DpIdentity identity_;
  std::string address_;
  std::unique_ptr<Store> store_;
  std::vector<PinnedOperator> pinned_;
  std::unique_ptr<DownloadProgressReporter> reporter_;
  std::unique_ptr<Es9Plus> es9_;
  std::unique_ptr<Es2Plus> es2_;
  std::unique_ptr<CallbackSender> sender_;
  Metrics metrics_;
  std::unique_ptr<rsp::http::Server> server_;
  std::optional<size_t> es2_index_, metrics_index_;
  std::jthread background_;
};

}  // namespace

rsp::Expected<std::unique_ptr<SmdpServer>> SmdpServer::start(const SmdpConfig& config) { return RunningSmdp::start(config); }

}  // namespace smdp
