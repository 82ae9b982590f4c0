#include "rsp/http/server.hpp"

#include <sys/resource.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

#include <mutex>
#include <thread>

#include "connection.hpp"

namespace rsp::http {

using namespace detail;

namespace detail {

// One listening socket and its accept loop. The listener may be replaced while connections are
// accepted (a new TLS identity): each accepted connection takes the one current then and keeps it.
// Not in the anonymous namespace: Server::Impl, a member of an exported class, holds it.
struct Acceptor {
  Acceptor(asio::io_context& io, std::shared_ptr<const Listener> l, ClientCertificates policy)
      : socket(io), retry(io), client_certificates(policy), listener_(std::move(l)) {}

  std::shared_ptr<const Listener> listener() const {
    std::lock_guard lock(mutex_);
    return listener_;
  }
  void replace(std::shared_ptr<const Listener> l) {
    std::lock_guard lock(mutex_);
    listener_ = std::move(l);
  }

  tcp::acceptor socket;
  asio::steady_timer retry;
  ClientCertificates client_certificates;
  uint16_t port = 0;

 private:
  mutable std::mutex mutex_;
  std::shared_ptr<const Listener> listener_;
};

}  // namespace detail

namespace {

constexpr auto kAcceptRetry = std::chrono::milliseconds(100);

Expected<tcp::endpoint> resolve(asio::io_context& io, const ListenerOptions& options) {
  boost::system::error_code ec;
  tcp::resolver resolver(io);
  auto results = resolver.resolve(options.host, std::to_string(options.port),
                                  tcp::resolver::passive | tcp::resolver::numeric_service, ec);
  if (ec || results.empty()) return fail("cannot resolve " + options.host + ": " + ec.message());
  return results.begin()->endpoint();
}

Expected<std::shared_ptr<const Listener>> make_listener(ListenerOptions& options) {
  if (!options.handler) return fail("no handler");
  auto listener = std::make_shared<Listener>();
  listener->handler = std::move(options.handler);
  listener->accept_client_certificate = std::move(options.accept_client_certificate);
  if (options.tls) {
    auto tls = make_server_context(*options.tls, options.client_certificates, &listener->accept_client_certificate);
    if (!tls) return Unexpected{tls.error()};
    listener->tls = std::move(*tls);
  } else if (options.client_certificates != ClientCertificates::off) {
    return fail("client certificates need a TLS identity");
  }
  return std::shared_ptr<const Listener>(std::move(listener));
}

}  // namespace

std::string peer_key(const std::string& address) {
  boost::system::error_code ec;
  auto parsed = asio::ip::make_address(address, ec);
  if (ec) return address;
  if (parsed.is_v4()) return parsed.to_string();
  auto v6 = parsed.to_v6();
  if (v6.is_v4_mapped()) return asio::ip::make_address_v4(asio::ip::v4_mapped, v6).to_string();
  auto bytes = v6.to_bytes();
  std::fill(bytes.begin() + 8, bytes.end(), 0);
  return asio::ip::address_v6(bytes).to_string() + "/64";
}

namespace {

// `wanted`, but no more than the descriptor limit leaves room for.
size_t connection_cap(size_t wanted) {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur != RLIM_INFINITY)
    wanted = std::min<size_t>(wanted, limit.rlim_cur > 128 ? limit.rlim_cur - 64 : limit.rlim_cur / 2);
  return std::max<size_t>(wanted, 1);
}

}  // namespace

struct Server::Impl {
  explicit Impl(const ServerOptions& options)
      : pool(std::max<size_t>(options.handler_threads, 1)),
        shared{{options.body_limit, options.header_limit, options.first_byte_timeout, options.read_timeout,
                options.idle_timeout},
               pool.get_executor(),
               std::make_shared<Registry>()},
        stop_timeout(options.stop_timeout),
        max_connections(connection_cap(options.max_connections)),
        max_connections_per_peer(std::max<size_t>(options.max_connections_per_peer, 1)) {}

  Status<> listen(ListenerOptions& options, size_t index) {
    auto where = "listener " + std::to_string(index) + " (" + options.host + ":" + std::to_string(options.port) + "): ";
    auto listener = make_listener(options);
    if (!listener) return fail(where + listener.error().message);
    auto endpoint = resolve(io, options);
    if (!endpoint) return fail(where + endpoint.error().message);
    auto acceptor = std::make_unique<Acceptor>(io, *listener, options.client_certificates);
    boost::system::error_code ec;
    acceptor->socket.open(endpoint->protocol(), ec);
    if (!ec) acceptor->socket.set_option(tcp::acceptor::reuse_address(true), ec);
    if (!ec) acceptor->socket.bind(*endpoint, ec);
    if (!ec) acceptor->socket.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) return fail(where + "cannot listen: " + ec.message());
    acceptor->port = acceptor->socket.local_endpoint().port();
    acceptors.push_back(std::move(acceptor));
    return Ok{};
  }

  void accept(Acceptor& a) {
    a.socket.async_accept(asio::make_strand(io), [this, &a](boost::system::error_code ec, tcp::socket socket) {
      if (ec == asio::error::operation_aborted || !a.socket.is_open()) return;
      if (ec) {  // e.g. out of file descriptors: try again a little later rather than spin
        a.retry.expires_after(kAcceptRetry);
        return a.retry.async_wait([this, &a](boost::system::error_code e) {
          if (!e) accept(a);
        });
      }
      boost::system::error_code ignored;
      auto peer = socket.remote_endpoint(ignored);
      std::string address = ignored ? std::string("?") : peer_key(peer.address().to_string());
      // Full, in all or for this peer: closed at once, not left to hang.
      if (auto refusal = shared.registry->admit(address, max_connections, max_connections_per_peer)) {
        refused.fetch_add(1, std::memory_order_relaxed);
        count_refusal(*refusal, address);
        socket.close(ignored);
        return accept(a);
      }
      // Without it a response's last segment waits for the peer's delayed ACK (Nagle): ~40 ms a call.
      socket.set_option(tcp::no_delay(true), ignored);
      auto listener = a.listener();
      if (listener->tls)
        std::make_shared<Connection<beast::ssl_stream<beast::tcp_stream>>>(std::move(socket), std::move(listener),
                                                                           shared, address)
            ->start();
      else
        std::make_shared<Connection<beast::tcp_stream>>(std::move(socket), std::move(listener), shared, address)
            ->start();
      accept(a);
    });
  }

  void run() {
    for (auto& a : acceptors) accept(*a);
    io_thread = std::thread([this] { io.run(); });
  }

  void stop() {
    if (stopped.exchange(true)) return;
    asio::post(io, [this] {
      for (auto& a : acceptors) {
        boost::system::error_code ignored;
        a->socket.close(ignored);
        a->retry.cancel();
      }
    });
    shared.registry->begin_stop();
    if (!shared.registry->wait_empty_until(std::chrono::steady_clock::now() + stop_timeout))
      shared.registry->force_close_all();
    work.reset();
    // Force-closed connections end within a loop turn or two; what a stuck handler still holds is
    // released when the io_context goes.
    shared.registry->wait_empty_until(std::chrono::steady_clock::now() + std::chrono::milliseconds(200));
    io.stop();
    if (io_thread.joinable()) io_thread.join();
    pool.join();  // handlers still running finish; their responses go nowhere
  }

  // Declaration order is destruction order in reverse: the io_context goes last, after the pool.
  asio::io_context io{1};
  asio::executor_work_guard<asio::io_context::executor_type> work{io.get_executor()};
  std::vector<std::unique_ptr<Acceptor>> acceptors;
  asio::thread_pool pool;
  Shared shared;
  std::chrono::milliseconds stop_timeout;
  size_t max_connections;
  size_t max_connections_per_peer;
  std::atomic<uint64_t> refused{0};
  std::thread io_thread;
  std::atomic<bool> stopped{false};
};

Server::Server(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Server::~Server() { stop(); }

Expected<std::unique_ptr<Server>> Server::start(ServerOptions options) {
  if (options.listeners.empty()) return fail("the server has no listener");
  auto impl = std::make_unique<Impl>(options);
  for (size_t i = 0; i < options.listeners.size(); ++i)
    if (auto s = impl->listen(options.listeners[i], i); !s) return Unexpected{s.error()};
  impl->run();
  return std::unique_ptr<Server>(new Server(std::move(impl)));
}

uint16_t Server::port(size_t index) const { return impl_->acceptors.at(index)->port; }

uint64_t Server::refused_connections() const { return impl_->refused.load(std::memory_order_relaxed); }

Expected<std::function<void()>> Server::prepare_tls_identity(size_t index, const TlsIdentity& identity) {
  auto where = "listener " + std::to_string(index) + ": ";
  if (index >= impl_->acceptors.size()) return fail(where + "no such listener");
  Acceptor* acceptor = impl_->acceptors[index].get();
  auto current = acceptor->listener();
  if (!current->tls) return fail(where + "plain HTTP, no TLS identity to replace");
  auto next = std::make_shared<Listener>();
  next->handler = current->handler;
  next->accept_client_certificate = current->accept_client_certificate;
  auto tls = make_server_context(identity, acceptor->client_certificates, &next->accept_client_certificate);
  if (!tls) return fail(where + tls.error().message);
  next->tls = std::move(*tls);
  return std::function<void()>(
      [acceptor, ready = std::shared_ptr<const Listener>(std::move(next))] { acceptor->replace(ready); });
}

void Server::stop() { impl_->stop(); }

}  // namespace rsp::http
