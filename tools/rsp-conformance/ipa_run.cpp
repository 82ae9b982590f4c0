// run --role ipa: the harness's eUICC and SM-DP+ for the IPA under test, and the IPA started from
// its command line once per download (ipa_target.hpp).
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <ctime>
#include <future>
#include <iostream>
#include <mutex>
#include <thread>

#include "case_loop.hpp"
#include "eim/euicc_package.hpp"
#include "euicc/card.hpp"
#include "euicc/euicc.hpp"
#include "euicc/vpcd_link.hpp"
#include "ipa/esipa_messages.hpp"
#include "ipa/transport.hpp"
#include "ipa_target.hpp"
#include "rsp/der_integer.hpp"
#include "rsp/esipa/esipa.hpp"
#include "rsp/esipa/esipa_json.hpp"
#include "rsp/http/client.hpp"
#include "rsp/http/tls_identity.hpp"
#include "rsp/pki/pki_layout.hpp"
#include "rsp/profile_maker.hpp"
#include "rsp/tlv.hpp"
#include "smdp/smdp_server.hpp"
#include "smdp/store.hpp"

namespace conformance {
namespace fs = std::filesystem;

const char* const kIpaPlaceholders =
    "{euicc}: tcp:127.0.0.1:PORT, the harness's eUICC (vpcd framing, as euicc-sim --listen), or pcsc:READER with --ipa-vpcd; "
    "{smdp}: the harness SM-DP+'s address, localhost:PORT; {activation_code}: LPA:1${smdp}$MATCHINGID; "
    "{matching_id}: that matchingId; {ca}: the PEM file of the CI the SM-DP+'s TLS certificate chains to. "
    "Each value is filled in single-quoted for sh";
const char* const kIpaPollPlaceholders =
    "{euicc}: as above, a card that has the harness eIM (AddInitialEim, its address as eimFqdn); {eim}: the harness "
    "eIM's address, localhost:PORT (ESipa, both bindings); {eim_id}: its eimId; {ca}: the PEM file of the CI its TLS "
    "certificate chains to";

std::optional<rsp::Bytes> esipa_request(const Exchange& e) {
  std::string path = e.label.substr(e.label.find(' ') + 1);
  if (path == rsp::esipa::kAsn1Path) return e.sent;
  if (!path.starts_with(rsp::esipa::kJsonPathPrefix)) return std::nullopt;
  auto function = rsp::esipa::function_named(path.substr(rsp::esipa::kJsonPathPrefix.size()));
  if (!function) return std::nullopt;
  auto der = rsp::esipa::request_from_json(*function, std::string(e.sent.begin(), e.sent.end()));
  if (!der) return std::nullopt;
  return std::move(*der);
}

std::string es9_function(const Exchange& e) {
  static const std::string json_path = "/gsma/rsp2/es9plus/";
  std::string path = e.label.substr(e.label.find(' ') + 1);
  if (path.starts_with(json_path)) return path.substr(json_path.size());
  auto outer = rsp::tlv::read(e.sent);
  if (!outer || outer->tag != 0xA2) return {};
  auto inner = rsp::tlv::read(outer->value);
  if (!inner) return {};
  switch (inner->tag) {
    case 0xBF39: return "initiateAuthentication";
    case 0xBF3B: return "authenticateClient";
    case 0xBF3A: return "getBoundProfilePackage";
    case 0xBF3D: return "handleNotification";
    case 0xBF41: return "cancelSession";
    default: return {};
  }
}

namespace {

// The timeline, appended to from the card's thread and the SM-DP+ front's threads.
class SharedTimeline {
 public:
  void add(Exchange e) {
    std::lock_guard lock(mutex_);
    events_.push_back(std::move(e));
  }
  Timeline take() {
    std::lock_guard lock(mutex_);
    return std::exchange(events_, {});
  }

 private:
  std::mutex mutex_;
  Timeline events_;
};

// The ISD-R as the IPA reaches it: each complete ES10 command recorded with the answer the IPA
// gets, the scenario's change applied on the way in.
class RecordingIsdr final : public euicc::IsdrApplication {
 public:
  RecordingIsdr(euicc::IsdrApplication& inner, SharedTimeline& timeline, const IpaScenario& scenario)
      : inner_(inner), timeline_(timeline), scenario_(scenario) {}

  rsp::Expected<rsp::Bytes, uint16_t> store_data(rsp::ByteView command) override {
    rsp::Bytes given(command.begin(), command.end());
    std::optional<uint16_t> refused = scenario_.card ? scenario_.card(given) : std::nullopt;
    rsp::Expected<rsp::Bytes, uint16_t> answer =
        refused ? rsp::Expected<rsp::Bytes, uint16_t>(rsp::Unexpected{*refused}) : inner_.store_data(given);
    Exchange e{"es10", {}, rsp::Bytes(command.begin(), command.end()), answer ? *answer : rsp::Bytes{}};
    e.status = answer ? 0x9000 : answer.error();
    timeline_.add(std::move(e));
    return answer;
  }
  rsp::Bytes select_response() override { return inner_.select_response(); }
  void channel_closed() override { inner_.channel_closed(); }

 private:
  euicc::IsdrApplication& inner_;
  SharedTimeline& timeline_;
  const IpaScenario& scenario_;
};

// `text` single-quoted for sh.
std::string quoted(const std::string& text) {
  std::string out = "'";
  for (char c : text) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

void fill(std::string& command, const std::string& placeholder, const std::string& value) {
  const std::string q = quoted(value);
  for (size_t at = command.find(placeholder); at != std::string::npos; at = command.find(placeholder, at + q.size()))
    command.replace(at, placeholder.size(), q);
}

// The IPA's command line through sh, its output (stdout and stderr) and exit status; killed after a minute.
void run_command(const std::string& command, IpaRun& run) {
  FILE* pipe = popen(("timeout 60 sh -c " + quoted(command) + " 2>&1").c_str(), "r");
  if (!pipe) {
    run.output = "cannot start sh";
    return;
  }
  char buffer[4096];
  for (size_t n; (n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0;) run.output.append(buffer, n);
  int status = pclose(pipe);
  run.exit_status = WIFEXITED(status) && WEXITSTATUS(status) != 124 ? WEXITSTATUS(status) : -1;
}

class HarnessIpaTarget final : public IpaTarget {
 public:
  HarnessIpaTarget(const IpaRunOptions& options, fs::path work_dir, ExchangeLog& log)
      : command_(options.command),
        poll_command_(options.poll_command),
        pki_(options.pki),
        work_dir_(std::move(work_dir)),
        log_(log) {
    if (!options.vpcd.empty()) vpcd_ = euicc::parse_endpoint(options.vpcd);
    reader_ = options.reader;
  }
  ~HarnessIpaTarget() override {
    if (front_) front_->stop();
    if (smdp_) smdp_->stop();
  }

  rsp::Expected<rsp::Ok> start() {
    auto curves = rsp::pki::curves_present(pki_);
    if (curves.empty()) return rsp::fail(pki_.string() + " is not an rsp-pki directory");
    auto identity = rsp::http::TlsIdentity::from_pki(pki_, curves.front());
    if (!identity) return rsp::fail("the SM-DP+'s TLS identity: " + identity.error().message);
    curve_ = curves.front();
    ca_ = rsp::pki::curve_dir(pki_, curve_) / "ci.pem";
    rsp::http::ServerOptions front;
    front.listeners.push_back({});
    front.listeners.back().tls = std::move(*identity);
    front.listeners.back().handler = [this](const rsp::http::Request& r) { return answer(r); };
    if (!poll_command_.empty()) {  // the harness eIM, on a listener of its own with the eIM's TLS identity
      auto eim_identity = rsp::http::TlsIdentity::from_pki(pki_, curve_, rsp::crypto::Role::eim_tls);
      auto eim_key = rsp::pki::load_key(pki_, curve_, rsp::crypto::Role::eim);
      auto eim_certificate = rsp::pki::load_certificate(pki_, curve_, rsp::crypto::Role::eim);
      if (!eim_identity || !eim_key || !eim_certificate)
        return rsp::fail(pki_.string() + " has no eIM credentials (eim, eim-tls)");
      eim_key_.emplace(std::move(*eim_key));
      eim_certificate_ = eim_certificate->der();
      front.listeners.push_back({});
      front.listeners.back().tls = std::move(*eim_identity);
      front.listeners.back().handler = [this](const rsp::http::Request& r) { return answer_eim(r); };
    }
    front.handler_threads = 2;
    auto started = rsp::http::Server::start(std::move(front));
    if (!started) return rsp::fail("the harness's HTTPS front (SM-DP+, eIM): " + started.error().message);
    front_ = std::move(*started);
    address_ = "localhost:" + std::to_string(front_->port(0));
    if (!poll_command_.empty()) eim_address_ = "localhost:" + std::to_string(front_->port(1));

    smdp::SmdpConfig config;
    config.pki = pki_;
    config.smdp_address = address_;  // what it signs, and what the IPA is given
    config.es9.push_back(smdp::ListenerConfig{"127.0.0.1:0", {}, {}, {}});
    config.database = "sqlite:" + (work_dir_ / "smdp.db").string();
    config.handler_threads = 2;
    auto smdp = smdp::SmdpServer::start(config);
    if (!smdp) return rsp::fail("the harness SM-DP+: " + smdp.error().message);
    smdp_ = std::move(*smdp);
    auto store = smdp::open_store(config.database);
    if (!store) return rsp::fail("the harness SM-DP+'s store: " + store.error().message);
    store_ = std::move(*store);
    rsp::http::ClientOptions client;
    client.trusted_ca_files.push_back(ca_);
    client.connect_timeout = std::chrono::seconds(5);
    auto made = rsp::http::Client::create(client);
    if (!made) return rsp::fail(made.error().message);
    upstream_.emplace(std::move(*made));
    upstream_url_ = "https://localhost:" + std::to_string(smdp_->es9_port());
    return rsp::Ok{};
  }

  IpaRun download(const IpaScenario& scenario) override {
    const bool nominal = !scenario.card && !scenario.smdp && !scenario.unknown_matching_id;
    if (nominal && nominal_) return logged(*nominal_);
    IpaRun run = start_ipa(scenario);
    if (nominal) nominal_ = run;
    return logged(std::move(run));
  }

  std::optional<IpaRun> poll(const EsipaScenario& scenario) override {
    if (poll_command_.empty()) return std::nullopt;
    if (scenario.acknowledge && nominal_poll_) return logged(*nominal_poll_);
    {
      std::lock_guard lock(eim_mutex_);
      eim_ = EimState{{}, false, scenario.acknowledge};
    }
    IpaRun run = with_fresh_card({}, poll_command_, {{"{eim}", eim_address_}, {"{eim_id}", kEimId}},
                                 [this](euicc::Euicc& card, IpaRun& r) -> rsp::Expected<rsp::Ok> {
                                   if (auto added = add_initial_eim(card); !added) return added;
                                   eim::PackageRequest request;
                                   request.eim_id = kEimId;
                                   request.eid = r.eid;
                                   request.counter_value = 1;
                                   request.eim_transaction_id = rsp::Bytes{0x49, 0x50, 0x41};
                                   request.operations = {eim::psmo::get_rat()};
                                   auto package = eim::build_euicc_package_request(request, *eim_key_);
                                   if (!package)
                                     return rsp::fail("the harness eIM's package: " + package.error().message);
                                   r.eim_package = *package;
                                   std::lock_guard lock(eim_mutex_);
                                   eim_.package = std::move(*package);
                                   return rsp::Ok{};
                                 });
    if (scenario.acknowledge) nominal_poll_ = run;
    return logged(std::move(run));
  }

 private:
  static constexpr const char* kEimId = "rsp-conformance-eim";

  // What the harness eIM hands out in the running poll round.
  struct EimState {
    rsp::Bytes package;  // the EuiccPackageRequest, until delivered
    bool delivered = false;
    bool acknowledge = true;
  };

  // The run's APDUs and ES9+/ESipa exchanges go into the case's exchange log too.
  IpaRun logged(IpaRun run) {
    for (const Exchange& e : run.timeline)
      if (e.kind != "es10") log_.push_back(e);
    return run;
  }

  IpaRun start_ipa(const IpaScenario& scenario) {
    const int serial = serial_ + 1;
    std::string matching_id = "IPA-CONFORMANCE-" + std::to_string(serial);
    if (!scenario.unknown_matching_id) {
      if (auto added = add_order(serial, matching_id); !added) {
        IpaRun run;
        run.output = "the harness SM-DP+ took no order: " + added.error().message;
        return run;
      }
    }
    return with_fresh_card(scenario, command_,
                           {{"{smdp}", address_},
                            {"{activation_code}", "LPA:1$" + address_ + "$" + matching_id},
                            {"{matching_id}", matching_id}},
                           {});
  }

  // SGP.32 v1.2 ES10b.AddInitialEim on a fresh card, straight to its ISD-R (not the IPA's doing):
  // EimConfigurationData { eimId, eimFqdn, eimPublicKeyData eimCertificate }.
  rsp::Expected<rsp::Ok> add_initial_eim(euicc::Euicc& card) {
    auto certificate = rsp::tlv::read(eim_certificate_);
    if (!certificate) return rsp::fail("the eIM certificate does not parse");
    rsp::Bytes members = rsp::tlv::encode(0x80, rsp::to_bytes(kEimId));
    for (const rsp::Bytes& m : {rsp::tlv::encode(0x81, rsp::to_bytes(eim_address_)),
                                rsp::tlv::encode(0xA5, rsp::tlv::encode(0xA1, certificate->value))})
      members.insert(members.end(), m.begin(), m.end());
    auto answer =
        card.isdr().store_data(rsp::tlv::encode(0xBF57, rsp::tlv::encode(0xA0, rsp::tlv::encode(0x30, members))));
    auto top = answer ? rsp::tlv::read(*answer) : rsp::Expected<rsp::tlv::Tlv>(rsp::fail("refused"));
    auto list = top ? rsp::tlv::find(top->value, 0xA0) : std::nullopt;
    if (!list)
      return rsp::fail("the harness eUICC refused AddInitialEim: " +
                       (answer ? rsp::to_hex(*answer) : std::string("status word")));
    return rsp::Ok{};
  }

  // A fresh card, `prepare`d on its ISD-R, served on 127.0.0.1 while `command` (with {euicc}, {ca}
  // and `fills`) runs.
  IpaRun with_fresh_card(const IpaScenario& scenario, std::string command,
                         const std::vector<std::pair<std::string, std::string>>& fills,
                         const std::function<rsp::Expected<rsp::Ok>(euicc::Euicc&, IpaRun&)>& prepare) {
    IpaRun run;
    const int serial = ++serial_;
    euicc::Options card_options;
    card_options.state_dir = work_dir_ / ("euicc-" + std::to_string(serial));
    card_options.pki_dir = pki_;
    auto card = euicc::Euicc::open(card_options);
    if (!card) {
      run.output = "the harness eUICC: " + card.error().message;
      return run;
    }
    run.eid = rsp::from_hex((*card)->eid()).value_or(rsp::Bytes{});
    if (prepare)
      if (auto prepared = prepare(**card, run); !prepared) {
        run.output = prepared.error().message;
        return run;
      }
    timeline_.take();
    RecordingIsdr isdr((*card)->isdr(), timeline_, scenario);
    euicc::Card apdu_layer(isdr, (*card)->usim());
    euicc::StopSignal stop;
    std::promise<uint16_t> listening;
    bool announced = false;  // serve_tcp throws only before it listens; the promise is kept once either way
    euicc::LinkOptions link;
    link.on_listening = [&listening, &announced](uint16_t port) {
      announced = true;
      listening.set_value(port);
    };
    link.on_apdu = [this](rsp::ByteView c, rsp::ByteView r) {
      timeline_.add({"apdu", {}, rsp::Bytes(c.begin(), c.end()), rsp::Bytes(r.begin(), r.end())});
    };
    std::thread server([&] {
      try {
        if (vpcd_) {
          announced = true;
          listening.set_value(1);  // connect_vpcd retries until the reader is there
          euicc::connect_vpcd(apdu_layer, vpcd_->host, vpcd_->port, stop, link);
        } else {
          euicc::serve_tcp(apdu_layer, "127.0.0.1", 0, stop, link);
        }
      } catch (const std::exception&) {
        if (!announced) listening.set_value(0);
      }
    });
    uint16_t port = listening.get_future().get();
    std::string euicc = vpcd_ ? "pcsc:" + reader_ : "tcp:127.0.0.1:" + std::to_string(port);
    if (port == 0) {
      run.output = "the harness eUICC cannot listen on 127.0.0.1";
    } else if (vpcd_ && !reader_has_card(true)) {
      run.output = "the harness eUICC did not appear in the PC/SC reader " + reader_ + " (vpcd at " + vpcd_->host +
                   ":" + std::to_string(vpcd_->port) + ")";
    } else {
      scenario_.store(&scenario);
      fill(command, "{euicc}", euicc);
      fill(command, "{ca}", ca_.string());
      for (const auto& [placeholder, value] : fills) fill(command, placeholder, value);
      run_command(command, run);
      scenario_.store(nullptr);
    }
    stop.request();
    server.join();
    if (vpcd_ && !reader_has_card(false))
      run.output += "\n(pcscd still shows a card in " + reader_ + " after the harness took it out)";
    run.timeline = timeline_.take();
    return run;
  }

  // Whether pcscd sees a card in --ipa-reader (`present`) or none, within ten seconds: it notices a
  // card vpcd got or lost only after a moment, and an IPA that came in between would talk to the
  // card before. Probed with a PC/SC connect, released again.
  bool reader_has_card(bool present) const {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (std::chrono::steady_clock::now() < deadline) {
      bool connected = false;
      if (auto transport = ipa::open_transport("pcsc:" + reader_))
        if ((*transport)->connect()) {
          (*transport)->close();
          connected = true;
        }
      if (connected == present) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return false;
  }

  // A released order for a fresh test profile, written into the SM-DP+'s store as ES2+ ConfirmOrder leaves it.
  rsp::Expected<rsp::Ok> add_order(int serial, const std::string& matching_id) {
    char digits[8];
    std::snprintf(digits, sizeof digits, "%04d", serial % 10000);
    rsp::ProfileSpec spec;
    spec.iccid = "894944999999999" + std::string(digits);
    spec.imsi = "00101000000" + std::string(digits);
    spec.ki = rsp::Bytes(16, 0x5A);
    spec.opc = rsp::Bytes(16, 0xA5);
    spec.service_provider_name = "rsp-conformance";
    spec.notification_address = address_;
    auto package = rsp::make_profile_package(spec);
    auto metadata = rsp::make_store_metadata(spec);
    if (!package || !metadata) return rsp::fail("cannot make the test profile");
    smdp::ProfileRecord p;
    p.iccid = spec.iccid;
    p.operator_id = "rsp-conformance";
    p.profile_type = "ipa-conformance";
    p.state = smdp::ProfileState::released;
    p.package = std::move(*package);
    p.metadata = std::move(*metadata);
    p.matching_id = matching_id;
    p.released = true;
    p.order_expires = std::time(nullptr) + 3600;
    if (auto added = store_->add_profile(p); !added) return rsp::fail("add_profile failed");
    return rsp::Ok{};
  }

  // The front of the SM-DP+: each request recorded with the answer the IPA gets, which is the
  // scenario's or the SM-DP+'s.
  rsp::http::Response answer(const rsp::http::Request& request) {
    Exchange e{"http", request.method + " " + request.target, rsp::Bytes(request.body.begin(), request.body.end()), {}};
    e.headers.assign(request.headers.fields().begin(), request.headers.fields().end());
    const IpaScenario* scenario = scenario_.load();
    std::optional<rsp::http::Response> given;
    if (scenario && scenario->smdp) given = scenario->smdp(es9_function(e));
    if (!given) given = forward(request);
    e.received.assign(given->body.begin(), given->body.end());
    e.status = given->status;
    timeline_.add(std::move(e));
    return *given;
  }

  // The harness eIM (SGP.32 v1.2 §6.3.2, ESipa in either binding): GetEimPackage gets the round's
  // package once, then noEimPackageAvailable; ProvideEimPackageResult gets its seqNumber acknowledged
  // (or emptyResponse); HandleNotification 204. Each exchange recorded as the IPA saw it.
  rsp::http::Response answer_eim(const rsp::http::Request& request) {
    Exchange e{"http", request.method + " " + request.target, rsp::Bytes(request.body.begin(), request.body.end()), {}};
    e.headers.assign(request.headers.fields().begin(), request.headers.fields().end());
    std::optional<rsp::esipa::Function> json;
    if (request.target.starts_with(rsp::esipa::kJsonPathPrefix))
      json = rsp::esipa::function_named(request.target.substr(rsp::esipa::kJsonPathPrefix.size()));
    auto der = esipa_request(e);
    rsp::http::Response out;
    out.headers.set("Content-Type", std::string(json ? rsp::esipa::kJsonContentType : rsp::esipa::kAsn1ContentType));
    rsp::Bytes answer;
    auto top = der ? rsp::tlv::read(*der) : rsp::Expected<rsp::tlv::Tlv>(rsp::fail("no request"));
    if (!top) {
      out.status = 400;
    } else if (top->tag == 0xBF4F) {  // GetEimPackageRequest
      std::lock_guard lock(eim_mutex_);
      answer = !eim_.delivered && !eim_.package.empty()
                   ? rsp::tlv::encode(0xBF4F, eim_.package)
                   : rsp::tlv::encode(0xBF4F, rsp::der::integer(0x02, 1));  // noEimPackageAvailable
      eim_.delivered = true;
    } else if (top->tag == 0xBF50) {  // ProvideEimPackageResult: the result is its last member
      auto all = rsp::tlv::read_all(top->value);
      auto seq = all && !all->empty() ? ipa::esipa::euicc_package_result_seq_number(all->back().whole) : std::nullopt;
      std::lock_guard lock(eim_mutex_);
      answer = rsp::tlv::encode(0xBF50, eim_.acknowledge && seq
                                            ? rsp::tlv::encode(0xBF53, rsp::der::integer(0x80, *seq))
                                            : rsp::tlv::encode(0x30, {}));  // eimAcknowledgements / emptyResponse
    } else if (top->tag == 0xBF3D) {                                        // HandleNotificationEsipa
      out.status = 204;
    } else {
      out.status = 400;
    }
    if (!answer.empty()) {
      auto body = json ? rsp::esipa::response_to_json(*json, answer)
                       : rsp::Expected<std::string>(std::string(answer.begin(), answer.end()));
      out.body = body ? *body : std::string();
    }
    e.received.assign(out.body.begin(), out.body.end());
    e.status = out.status;
    timeline_.add(std::move(e));
    return out;
  }

  rsp::http::Response forward(const rsp::http::Request& request) {
    rsp::http::Headers headers;
    for (const char* name : {"Content-Type", "X-Admin-Protocol", "User-Agent"})
      if (auto value = request.headers.get(name)) headers.set(name, std::string(*value));
    auto upstream = upstream_->post(upstream_url_ + request.target, request.body, headers);
    rsp::http::Response out;
    if (!upstream) {
      out.status = 502;
      return out;
    }
    out.status = upstream->status;
    out.body = upstream->body;
    for (const char* name : {"Content-Type", "X-Admin-Protocol"})
      if (auto value = upstream->headers.get(name)) out.headers.set(name, std::string(*value));
    return out;
  }

  std::string command_, poll_command_;
  std::optional<euicc::Endpoint> vpcd_;  // --ipa-vpcd; none: the card is served on TCP
  std::string reader_;
  fs::path pki_, work_dir_, ca_;
  rsp::crypto::Curve curve_ = rsp::crypto::Curve::nist_p256;
  ExchangeLog& log_;
  std::string address_;
  SharedTimeline timeline_;
  std::atomic<const IpaScenario*> scenario_{nullptr};
  std::unique_ptr<rsp::http::Server> front_;
  std::unique_ptr<smdp::SmdpServer> smdp_;
  std::unique_ptr<smdp::Store> store_;
  std::optional<rsp::http::Client> upstream_;
  std::string upstream_url_;
  int serial_ = 0;
  std::optional<IpaRun> nominal_;       // the plain download, which many cases judge
  std::optional<IpaRun> nominal_poll_;  // the plain poll round, likewise
  std::string eim_address_;             // the harness eIM, with --ipa-poll-command
  std::optional<rsp::crypto::PrivateKey> eim_key_;
  rsp::Bytes eim_certificate_;
  std::mutex eim_mutex_;
  EimState eim_;
};

}  // namespace

int run_ipa(const IpaRunOptions& options, const std::vector<const Case*>& chosen, RunSettings reports) {
  if (options.command.empty()) {
    std::cerr << "rsp-conformance: run --role ipa needs --ipa-command 'CMDLINE' (placeholders: " << kIpaPlaceholders
              << ")\n";
    return 2;
  }
  if (options.pki.empty() || rsp::pki::curves_present(options.pki).empty()) {
    std::cerr
        << "rsp-conformance: run --role ipa needs --pki DIR (an rsp-pki directory: the eUICC's and the SM-DP+'s credentials)\n";
    return 2;
  }
  if (!options.vpcd.empty() && !euicc::parse_endpoint(options.vpcd)) {
    std::cerr << "rsp-conformance: --ipa-vpcd must be HOST:PORT\n";
    return 2;
  }
  ScratchDir scratch(fs::temp_directory_path() / ("rsp-conformance-ipa-" + std::to_string(::getpid())));
  ExchangeLog log;
  HarnessIpaTarget target(options, scratch.path(), log);
  if (auto started = target.start(); !started) {
    std::cerr << "rsp-conformance: " << started.error().message << "\n";
    return 1;
  }
  reports.target = options.command;
  return run_cases(reports, chosen, log, [&](const Case& c) { return c.run_ipa(target); });
}

}  // namespace conformance
