#include "rsp/http/client.hpp"

#include <curl/curl.h>
#include <linux/tcp.h>  // struct tcp_info with tcpi_bytes_acked and tcpi_bytes_received
#include <netinet/in.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <mutex>
#include <optional>
#include <unordered_map>
#include <vector>

#include "tls_policy.hpp"

namespace rsp::http {
namespace {

using CurlPtr = std::unique_ptr<CURL, decltype(&curl_easy_cleanup)>;
using HeaderListPtr = std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)>;
using Clock = std::chrono::steady_clock;

// Easy handles kept between exchanges: curl keeps each handle's open connections with it, so a
// handle given back holds its kept-alive connection for the next exchange. An exchange takes one
// (or makes one when none is idle) and gives it back, so exchanges on many threads at once each
// have their own. Destroying a handle closes its connections.
class HandlePool {
 public:
  CurlPtr take() {
    std::vector<CurlPtr> expired;  // closed after the lock is let go
    CurlPtr handle(nullptr, curl_easy_cleanup);
    {
      std::lock_guard lock(mutex_);
      auto now = Clock::now();
      std::erase_if(idle_, [&](Idle& i) {
        if (now < i.reusable_until) return false;
        expired.push_back(std::move(i.handle));
        return true;
      });
      if (!idle_.empty()) {
        handle = std::move(idle_.back().handle);  // the most recently used
        idle_.pop_back();
      }
    }
    if (!handle) handle.reset(curl_easy_init());
    return handle;
  }

  // `reusable_until`: when its connections are no longer to be counted on.
  void give_back(CurlPtr handle, Clock::time_point reusable_until) {
    if (reusable_until <= Clock::now()) return;
    curl_easy_reset(handle.get());  // options only: connections and TLS sessions stay
    CurlPtr surplus(nullptr, curl_easy_cleanup);
    std::lock_guard lock(mutex_);
    idle_.push_back({std::move(handle), reusable_until});
    if (idle_.size() > kMostIdle) {
      surplus = std::move(idle_.front().handle);
      idle_.erase(idle_.begin());
    }
  }

 private:
  static constexpr size_t kMostIdle = 8;
  struct Idle {
    CurlPtr handle;
    Clock::time_point reusable_until;
  };
  std::mutex mutex_;
  std::vector<Idle> idle_;  // oldest first
};

// Keep-Alive: timeout=N (seconds), how long the server keeps an idle connection; none when not said.
std::optional<std::chrono::seconds> keep_alive_timeout(const Headers& headers) {
  auto value = headers.get("Keep-Alive");
  if (!value) return std::nullopt;
  std::string_view v = *value;
  auto at = v.find("timeout=");
  if (at == std::string_view::npos) return std::nullopt;
  v.remove_prefix(at + 8);
  long seconds = 0;
  auto [end, error] = std::from_chars(v.data(), v.data() + v.size(), seconds);
  if (error != std::errc() || seconds < 0) return std::nullopt;
  return std::chrono::seconds(seconds);
}

void global_init() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

// TCP payload bytes of a connection so far, sent (and acknowledged) and received; for TLS, the records.
struct TcpCounts {
  uint64_t sent = 0;
  uint64_t received = 0;
};

std::optional<TcpCounts> tcp_counts(curl_socket_t socket) {
  tcp_info info{};
  socklen_t size = sizeof info;
  if (socket == CURL_SOCKET_BAD || getsockopt(socket, IPPROTO_TCP, TCP_INFO, &info, &size) != 0) return std::nullopt;
  return TcpCounts{info.tcpi_bytes_acked, info.tcpi_bytes_received};
}

// Each connection's counts at the end of its last exchange, so an exchange is charged only its own.
class WireCounter {
 public:
  void opened(curl_socket_t socket) {
    std::lock_guard lock(mutex_);
    seen_[socket] = {1, 0};  // tcpi_bytes_acked counts the SYN once the server acknowledges it
  }
  // What the connection on `socket` carried since its last exchange (or since it opened).
  void charge(curl_socket_t socket, WireBytes& wire) {
    auto now = tcp_counts(socket);
    if (!now) return;
    std::lock_guard lock(mutex_);
    TcpCounts& last = seen_[socket];
    wire.tls_bytes_sent += now->sent - std::min(now->sent, last.sent);
    wire.tls_bytes_received += now->received - std::min(now->received, last.received);
    last = *now;
  }
  void closed(curl_socket_t socket) {
    std::lock_guard lock(mutex_);
    seen_.erase(socket);
  }

 private:
  std::mutex mutex_;
  std::unordered_map<curl_socket_t, TcpCounts> seen_;
};

struct Received {
  ClientResponse response;
  size_t limit = 0;
  bool too_large = false;
};

// The exchange curl_easy_perform() runs on this thread now, if any.
thread_local Received* performing = nullptr;

int on_socket_open(void* counter, curl_socket_t socket, curlsocktype) {
  static_cast<WireCounter*>(counter)->opened(socket);
  return CURL_SOCKOPT_OK;
}

// A connection closed during an exchange (the server's Connection: close) is charged to it before it
// goes; one closed later (an idle handle let go) has nothing more to charge.
int on_socket_close(void* counter, curl_socket_t socket) {
  auto* wire = static_cast<WireCounter*>(counter);
  if (performing) wire->charge(socket, performing->response.wire);
  wire->closed(socket);
  return close(socket);
}

// Every HTTPS connection gets SGP.22's TLS versions, suites, groups and signature algorithms (tls_policy.hpp),
// set after libcurl's own choices so that they replace them.
CURLcode on_ssl_context(CURL*, void* ssl_ctx, void*) {
  if (detail::apply_tls_policy(static_cast<SSL_CTX*>(ssl_ctx))) return CURLE_OK;
  ERR_clear_error();
  return CURLE_SSL_CIPHER;
}

int on_debug(CURL*, curl_infotype type, char*, size_t size, void* user) {
  auto* r = static_cast<Received*>(user);
  if (type == CURLINFO_HEADER_OUT) r->response.wire.header_bytes_sent += size;
  if (type == CURLINFO_HEADER_IN) r->response.wire.header_bytes_received += size;
  return 0;
}

size_t on_body(char* data, size_t size, size_t count, void* user) {
  auto* r = static_cast<Received*>(user);
  size_t n = size * count;
  if (r->response.body.size() + n > r->limit) {
    r->too_large = true;
    return 0;  // curl stops with CURLE_WRITE_ERROR
  }
  r->response.body.append(data, n);
  return n;
}

// One header line a call; a status line starts a new response (after a 100 Continue, say).
size_t on_header(char* data, size_t size, size_t count, void* user) {
  auto* r = static_cast<Received*>(user);
  size_t n = size * count;
  std::string_view line(data, n);
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.remove_suffix(1);
  if (line.starts_with("HTTP/")) {
    r->response.headers = {};
  } else if (auto colon = line.find(':'); colon != std::string_view::npos) {
    std::string_view value = line.substr(colon + 1);
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
    r->response.headers.add(std::string(line.substr(0, colon)), std::string(value));
  }
  return n;
}

std::string error_text(CURLcode code, const char* detail, const std::string& url) {
  std::string prefix;
  switch (code) {
    case CURLE_PEER_FAILED_VERIFICATION: prefix = "TLS certificate verification failed: "; break;
    case CURLE_SSL_CONNECT_ERROR: prefix = "TLS handshake failed: "; break;
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_CONNECT: prefix = "cannot connect: "; break;
    case CURLE_OPERATION_TIMEDOUT: prefix = "timed out: "; break;
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CACERT_BADFILE: prefix = "TLS set-up failed: "; break;
    default: prefix = "HTTP exchange failed: ";
  }
  return prefix + (detail && *detail ? detail : curl_easy_strerror(code)) + " (" + url + ")";
}

}  // namespace

// What create() prepared once, in the forms curl takes; shared by every call.
struct Client::Settings {
  ClientOptions options;
  std::string ca_pem;        // all trusted CAs; empty: the system store
  std::string identity_pem;  // client certificate chain
  std::string identity_key_pem;
  mutable WireCounter wire;    // before the handles: their connections' close callbacks use it
  mutable HandlePool handles;  // with their kept-alive connections
  ~Settings() { OPENSSL_cleanse(identity_key_pem.data(), identity_key_pem.size()); }
};

Expected<Client> Client::create(ClientOptions options) {
  global_init();
  auto settings = std::make_shared<Settings>();
  for (const auto& file : options.trusted_ca_files) {
    auto certs = read_certificates(file);
    if (!certs) return Unexpected{certs.error()};
    for (const auto& c : *certs) settings->ca_pem += c.pem();
  }
  for (const auto& c : options.trusted_cas) settings->ca_pem += c.pem();
  if (options.client_identity) {
    const auto& id = *options.client_identity;
    if (id.chain.empty() || !id.key) return fail("the client TLS identity has no certificate or no key");
    for (const auto& c : id.chain) settings->identity_pem += c.pem();
    settings->identity_key_pem = id.key->to_pem();
  }
  settings->options = std::move(options);
  return Client(std::move(settings));
}

Expected<ClientResponse> Client::post(std::string url, std::string body, Headers headers) const {
  return send({"POST", std::move(url), std::move(headers), std::move(body), std::nullopt});
}

Expected<ClientResponse> Client::get(std::string url, Headers headers) const {
  return send({"GET", std::move(url), std::move(headers), {}, std::nullopt});
}

Expected<ClientResponse> Client::send(const ClientRequest& request) const {
  auto response = perform(request);
  if (settings_->options.on_exchange) settings_->options.on_exchange(request, response);
  return response;
}

Expected<ClientResponse> Client::perform(const ClientRequest& request) const {
  const ClientOptions& o = settings_->options;
  auto started = Clock::now();  // the server's idle clock starts later, after its response
  CurlPtr curl = settings_->handles.take();
  if (!curl) return fail("cannot create a curl handle");
  CURL* c = curl.get();
  char error[CURL_ERROR_SIZE] = {};
  Received received;
  received.limit = o.response_limit;

  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, error);
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);  // no SIGALRM for timeouts: other threads run
  curl_easy_setopt(c, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
  if (request.method == "GET") {
    curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
  } else {
    if (request.method != "POST") curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, request.method.c_str());
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, request.body.data());
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
  }

  HeaderListPtr header_list(nullptr, curl_slist_free_all);
  auto add_header = [&](const std::string& line) {
    if (auto* l = curl_slist_append(header_list.get(), line.c_str())) {
      (void)header_list.release();
      header_list.reset(l);
    }
  };
  for (const auto& [name, value] : request.headers.fields()) add_header(name + ": " + value);
  if (!request.headers.contains("Expect")) add_header("Expect:");  // no 1 s wait on large bodies
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, header_list.get());

  if (curl_easy_setopt(c, CURLOPT_SSL_CTX_FUNCTION, on_ssl_context) != CURLE_OK)
    return fail("this libcurl cannot be held to SGP.22's TLS suites: it is not built with OpenSSL");
  if (o.insecure_lab_only) {
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 0L);
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 0L);
  } else {
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
    if (!settings_->ca_pem.empty()) {
      // Only these CAs: the system bundle and directory are switched off.
      curl_blob ca{const_cast<char*>(settings_->ca_pem.data()), settings_->ca_pem.size(), CURL_BLOB_COPY};
      curl_easy_setopt(c, CURLOPT_CAINFO_BLOB, &ca);
      curl_easy_setopt(c, CURLOPT_CAINFO, nullptr);
      curl_easy_setopt(c, CURLOPT_CAPATH, nullptr);
    }
  }
  if (!settings_->identity_pem.empty()) {
    curl_blob cert{const_cast<char*>(settings_->identity_pem.data()), settings_->identity_pem.size(), CURL_BLOB_COPY};
    curl_blob key{const_cast<char*>(settings_->identity_key_pem.data()), settings_->identity_key_pem.size(),
                  CURL_BLOB_NOCOPY};
    curl_easy_setopt(c, CURLOPT_SSLCERT_BLOB, &cert);
    curl_easy_setopt(c, CURLOPT_SSLCERTTYPE, "PEM");
    curl_easy_setopt(c, CURLOPT_SSLKEY_BLOB, &key);
    curl_easy_setopt(c, CURLOPT_SSLKEYTYPE, "PEM");
  }
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(o.connect_timeout.count()));
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(request.total_timeout.value_or(o.total_timeout).count()));
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &received);
  curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(c, CURLOPT_HEADERDATA, &received);
  curl_easy_setopt(c, CURLOPT_DEBUGFUNCTION, on_debug);  // header bytes; nothing is printed
  curl_easy_setopt(c, CURLOPT_DEBUGDATA, &received);
  curl_easy_setopt(c, CURLOPT_VERBOSE, 1L);
  curl_easy_setopt(c, CURLOPT_SOCKOPTFUNCTION, on_socket_open);
  curl_easy_setopt(c, CURLOPT_SOCKOPTDATA, &settings_->wire);
  curl_easy_setopt(c, CURLOPT_CLOSESOCKETFUNCTION, on_socket_close);
  curl_easy_setopt(c, CURLOPT_CLOSESOCKETDATA, &settings_->wire);

  performing = &received;
  CURLcode code = curl_easy_perform(c);
  performing = nullptr;
  curl_socket_t socket = CURL_SOCKET_BAD;
  if (curl_easy_getinfo(c, CURLINFO_ACTIVESOCKET, &socket) == CURLE_OK)
    settings_->wire.charge(socket, received.response.wire);
  if (received.too_large)
    return fail("HTTP exchange failed: the response is larger than " + std::to_string(o.response_limit) + " bytes (" +
                request.url + ")");
  if (code != CURLE_OK) return fail(error_text(code, error, request.url));
  long status = 0, connects = 0;
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
  curl_easy_getinfo(c, CURLINFO_NUM_CONNECTS, &connects);
  received.response.status = static_cast<int>(status);
  received.response.new_connection = connects > 0;
  // curl itself closes a connection the server said it closes (Connection: close), and checks a
  // kept one is still open before reusing it; a server that closes it meanwhile costs a new one.
  auto idle = std::chrono::duration_cast<Clock::duration>(o.keep_alive_idle);
  if (auto announced = keep_alive_timeout(received.response.headers))
    idle = std::min<Clock::duration>(idle, *announced);
  settings_->handles.give_back(std::move(curl), started + idle);
  return std::move(received.response);
}

}  // namespace rsp::http
