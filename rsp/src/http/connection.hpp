#pragma once
// One accepted connection of the server: TLS handshake, then requests read one after another
// (HTTP/1.1 keep-alive), each handed to the handler pool, its response written back. All IO runs
// on the connection's strand; only the handler runs elsewhere. Before each request (and the TLS
// handshake) one byte is awaited alone, so that the time to first byte or idle time and the time
// the request itself takes are limited apart.
#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include <algorithm>
#include <memory>
#include <type_traits>

#include "connection_registry.hpp"
#include "server_tls.hpp"

namespace rsp::http::detail {

namespace beast = boost::beast;
namespace asio = boost::asio;
using tcp = asio::ip::tcp;

// What every connection of one listener shares.
struct Listener {
  Handler handler;
  CertificateCheck accept_client_certificate;
  std::unique_ptr<asio::ssl::context> tls;  // null: plain HTTP
};

struct Limits {
  size_t body_limit;
  size_t header_limit;
  std::chrono::milliseconds first_byte_timeout;
  std::chrono::milliseconds read_timeout;
  std::chrono::milliseconds idle_timeout;
};

struct Shared {
  Limits limits;
  asio::thread_pool::executor_type handlers;
  std::shared_ptr<Registry> registry;
};

Response call_handler(const Handler& handler, const Request& request);
Request to_request(beast::http::request<beast::http::string_body>&& message, std::string peer,
                   std::optional<crypto::Certificate> client_certificate);
// The response as it goes on the wire; `keep_alive` false adds Connection: close, true tells the
// client how long the connection may stay idle (Keep-Alive: timeout=whole seconds of idle_timeout).
beast::http::response<beast::http::string_body> to_message(Response&& response, bool keep_alive,
                                                           std::chrono::milliseconds idle_timeout);
Response error_response(int status);

template <class Stream>
class Connection : public ConnectionBase {
  static constexpr bool kTls = !std::is_same_v<Stream, beast::tcp_stream>;
  enum class Phase { handshake, waiting, reading, handling, writing, closing, closed };

 public:
  // `address` (the peer's key) holds a place admitted in the registry, released when the connection ends.
  Connection(tcp::socket&& socket, std::shared_ptr<const Listener> listener, Shared shared, std::string address)
      : tcp_(std::move(socket)),
        executor_(tcp_.get_executor()),
        listener_(std::move(listener)),
        shared_(std::move(shared)),
        address_(std::move(address)) {
    boost::system::error_code ec;
    auto peer = tcp_.socket().remote_endpoint(ec);
    if (!ec)
      peer_ = (peer.address().is_v6() ? "[" + peer.address().to_string() + "]" : peer.address().to_string()) + ":" +
              std::to_string(peer.port());
  }
  ~Connection() override {
    shared_.registry->remove(this);
    shared_.registry->release(address_);
  }

  void start() {
    shared_.registry->add(shared_from_this());
    asio::dispatch(executor_, [self = self()] {
      if (self->shared_.registry->stopping()) return self->close();  // accepted as the server stopped
      self->await_request();
    });
  }

  void stop() override {
    asio::post(executor_, [self = self()] {
      self->stopping_ = true;
      bool part_received = self->buffer_.size() > 0 || (self->parser_ && self->parser_->got_some());
      if (self->phase_ == Phase::handshake || (self->phase_ == Phase::waiting && !part_received)) self->close();
    });
  }
  void force_close() override {
    asio::post(executor_, [self = self()] { self->close(); });
  }

 private:
  // The stream requests are read from: the TLS one once made (at the first byte), else the TCP one.
  Stream& stream() {
    if constexpr (kTls)
      return *tls_;
    else
      return tcp_;
  }
  beast::tcp_stream& lowest() {
    if constexpr (kTls) {
      if (tls_) return beast::get_lowest_layer(*tls_);
    }
    return tcp_;
  }
  std::shared_ptr<Connection> self() { return std::static_pointer_cast<Connection>(shared_from_this()); }
  void expire(std::chrono::milliseconds timeout) { lowest().expires_after(timeout); }

  // The first byte of the next request (of the TLS handshake on a new TLS connection): within
  // first_byte_timeout on a new connection, idle_timeout on a kept-alive one.
  void await_request() {
    if (stopping_ || shared_.registry->stopping()) return close();
    phase_ = Phase::waiting;
    parser_.reset();                                 // the last request's: stop() asks whether a new one has begun
    if (buffer_.size() > 0) return begin_request();  // pipelined: already here
    expire(first_request_ ? shared_.limits.first_byte_timeout : shared_.limits.idle_timeout);
    auto on_byte = [self = self()](beast::error_code ec, size_t n) {
      if (ec) return self->on_wait_error(ec);
      self->buffer_.commit(n);
      self->begin_request();
    };
    if (kTls && !tls_)
      tcp_.async_read_some(buffer_.prepare(1), std::move(on_byte));
    else
      stream().async_read_some(buffer_.prepare(1), std::move(on_byte));
  }

  void on_wait_error(beast::error_code ec) {
    if (ec == beast::error::timeout) count(first_request_ ? Refusal::first_byte : Refusal::idle);
    close();  // timed out, or the peer left
  }

  // From the first byte the whole request, TLS handshake included, has read_timeout. The TLS state
  // (some 50 KB with its record buffers) is made only now: a connection that never sends costs
  // little more than its socket.
  void begin_request() {
    phase_ = Phase::reading;
    if constexpr (kTls) {
      if (!tls_) {
        phase_ = Phase::handshake;
        tls_.emplace(std::move(tcp_), *listener_->tls);
        expire(shared_.limits.read_timeout);
        return tls_->async_handshake(asio::ssl::stream_base::server, buffer_.data(),
                                     [self = self()](beast::error_code ec, size_t used) {
                                       self->buffer_.consume(used);
                                       self->on_handshake(ec);
                                     });
      }
    }
    expire(shared_.limits.read_timeout);
    read_header();
  }

  void on_handshake(beast::error_code ec) {
    if (ec == beast::error::timeout) count(Refusal::request_time);
    if (ec) return close();  // includes a refused or missing client certificate
    if constexpr (kTls) client_certificate_ = peer_certificate(tls_->native_handle());
    // The request's first byte may still be to come.
    if (buffer_.size() == 0) return await_request();
    read_header();
  }

  void read_header() {
    phase_ = Phase::reading;
    parser_.emplace();
    parser_->header_limit(static_cast<uint32_t>(std::min<size_t>(shared_.limits.header_limit, UINT32_MAX)));
    parser_->body_limit(shared_.limits.body_limit);
    beast::http::async_read_header(stream(), buffer_, *parser_,
                                   [self = self()](beast::error_code ec, size_t) { self->on_header(ec); });
  }

  void on_header(beast::error_code ec) {
    if (ec) return on_read_error(ec);
    const auto& header = parser_->get();
    auto expect = header[beast::http::field::expect];
    if (beast::iequals(expect, "100-continue") && !parser_->is_done()) {
      // curl and others wait for this before sending a large body.
      continue_.emplace(beast::http::status::continue_, header.version());
      return beast::http::async_write(stream(), *continue_, [self = self()](beast::error_code e, size_t) {
        if (e) return self->close();
        self->read_body();
      });
    }
    read_body();
  }

  void read_body() {
    beast::http::async_read(stream(), buffer_, *parser_, [self = self()](beast::error_code ec, size_t) {
      if (ec) return self->on_read_error(ec);
      self->dispatch_request();
    });
  }

  void on_read_error(beast::error_code ec) {
    using e = beast::http::error;
    if (ec == e::end_of_stream) return shutdown();
    if (ec == e::body_limit) {
      count(Refusal::body);
      return write(error_response(413), false);
    }
    if (ec == e::header_limit) {
      count(Refusal::header);
      return write(error_response(431), false);
    }
    if (ec == beast::error::timeout) count(Refusal::request_time);
    bool malformed =
        ec.category() == beast::http::make_error_code(e::bad_target).category() && ec != e::partial_message;
    if (malformed) return write(error_response(400), false);
    close();  // timeout, reset, cancelled, or the peer left mid-request
  }

  void dispatch_request() {
    phase_ = Phase::handling;
    first_request_ = false;
    bool keep_alive = parser_->get().keep_alive();
    auto request = std::make_shared<Request>(to_request(parser_->release(), peer_, client_certificate_));
    lowest().expires_never();  // the handler may take its time
    asio::post(shared_.handlers, [self = self(), request, keep_alive] {
      Response response = call_handler(self->listener_->handler, *request);
      asio::post(self->executor_, [self, response = std::move(response), keep_alive]() mutable {
        self->write(std::move(response), keep_alive);
      });
    });
  }

  void write(Response&& response, bool keep_alive) {
    if (phase_ == Phase::closed) return;  // closed by force meanwhile
    phase_ = Phase::writing;
    keep_alive = keep_alive && !stopping_;
    message_ = to_message(std::move(response), keep_alive, shared_.limits.idle_timeout);
    expire(shared_.limits.read_timeout);
    beast::http::async_write(stream(), message_, [self = self(), keep_alive](beast::error_code ec, size_t) {
      if (ec) return self->close();
      if (!keep_alive) return self->shutdown();
      self->await_request();
    });
  }

  // Orderly end: TLS close_notify (not waiting long for the peer's), then the socket.
  void shutdown() {
    phase_ = Phase::closing;
    if constexpr (kTls) {
      expire(std::min<std::chrono::milliseconds>(shared_.limits.read_timeout, std::chrono::seconds(2)));
      if (!tls_) return close();
      tls_->async_shutdown([self = self()](beast::error_code) { self->close(); });
    } else {
      beast::error_code ignored;
      tcp_.socket().shutdown(tcp::socket::shutdown_send, ignored);
      close();
    }
  }

  void close() {
    phase_ = Phase::closed;
    lowest().close();
  }

  void count(Refusal reason) { count_refusal(reason, address_); }

  beast::tcp_stream tcp_;                // the connection; moved into tls_ when that is made
  std::optional<Stream> tls_;            // TLS listeners only: made at the first byte
  tcp::socket::executor_type executor_;  // the connection's strand
  std::shared_ptr<const Listener> listener_;
  Shared shared_;
  std::string address_;  // the peer's key (peer_key()), as the registry counts it and the log names it
  std::string peer_;     // address and port, as handlers see it
  std::optional<crypto::Certificate> client_certificate_;
  beast::flat_buffer buffer_;
  std::optional<beast::http::request_parser<beast::http::string_body>> parser_;
  std::optional<beast::http::response<beast::http::empty_body>> continue_;
  beast::http::response<beast::http::string_body> message_;
  Phase phase_ = Phase::waiting;
  bool first_request_ = true;
  bool stopping_ = false;
};

}  // namespace rsp::http::detail
