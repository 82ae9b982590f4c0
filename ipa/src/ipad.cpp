// SGP.32 v1.2 §3.1.1 the IPAd's poll round: ESipa.GetEimPackage, the package run, and
// ESipa.ProvideEimPackageResult, results kept on the card reported first, the card's profile
// notifications sent last (ipad.hpp).
#include "ipa/ipad.hpp"

#include "ipa/es10b.hpp"
#include "ipa/es10c.hpp"
#include "ipa/esipa_messages.hpp"
#include "ipa/sgp32_es10b.hpp"
#include "ipa/sgp32_notifications.hpp"
#include "ipad_steps.hpp"
#include "rsp/crypto/certificate.hpp"
#include "rsp/eid.hpp"
#include "rsp/server/log.hpp"
#include "rsp/tlv.hpp"

namespace ipa {
namespace {

using esipa::EimPackage;

constexpr long kUndefinedError = 127;  // EimPackageResultErrorCode

// trustedPublicKeyDataTls: A6 { A1 certificate } is the eIM's TLS certificate or its CA; A6 { A0 key }
// (a bare public key) cannot anchor the HTTPS client's verification, so the configured CAs stay.
struct TlsTrust {
  std::optional<rsp::crypto::Certificate> certificate;
  bool public_key_only = false;
};
TlsTrust tls_trust(const sgp32::EimConfiguration& eim) {
  TlsTrust t;
  auto data = rsp::tlv::read(eim.tlv);
  auto trust = data ? rsp::tlv::find(data->value, 0xA6) : std::nullopt;
  if (!trust) return t;
  auto certificate = rsp::tlv::find(trust->value, 0xA1);
  t.public_key_only = !certificate;
  if (!certificate) return t;
  auto parsed = rsp::crypto::Certificate::from_der(rsp::tlv::encode(0x30, certificate->value));
  if (parsed) t.certificate = std::move(*parsed);
  return t;
}

class Round {
 public:
  Round(Es10Channel& channel, const IpadOptions& options) : channel_(channel), options_(options) {
    summary_.binding = options.esipa.binding;
  }

  PollSummary run() {
    if (!start()) return finish();
    report_kept_results();
    for (int n = 0; n < options_.max_packages && summary_.errors.empty(); ++n) {
      if (stopping()) break;
      if (!next_package()) break;
    }
    // A card gone away (a REFRESH after a profile switch) keeps its notifications for the next round.
    if (!summary_.card_unreachable && !stopping()) send_notifications();
    return finish();
  }

 private:
  using Field = std::pair<const char*, std::string>;
  // One logfmt line (rsp/server/log.hpp): the round's identifiers, then at most six fields.
  void log(std::vector<Field> fields) {
    if (!options_.log) return;
    fields.resize(6, Field{"", ""});
    rsp::server::log_line({{"event", "esipa"},
                           {"eimId", summary_.eim_id},
                           {"eid", summary_.eid},
                           fields[0],
                           fields[1],
                           fields[2],
                           fields[3],
                           fields[4],
                           fields[5]});
  }
  bool error(std::string message) {
    summary_.errors.push_back(std::move(message));
    return false;
  }
  // An ES10 failure; a transport failure tells the caller to reconnect the card before the next round.
  bool card_error(std::string message, const Es10Error& e) {
    if (e.kind == Es10Error::Kind::transport) summary_.card_unreachable = true;
    return error(std::move(message) + e.message);
  }
  bool stopping() const { return options_.stop_requested && options_.stop_requested(); }

  bool start() {
    auto eid = es10c::get_eid(channel_);
    if (!eid) return card_error("cannot read the EID: ", eid.error());
    summary_.eid = *eid;
    eid_ = rsp::eid::to_bytes(*eid).value_or(Bytes{});
    auto eims = sgp32::get_eim_configuration_data(channel_, options_.eim_id);
    if (!eims) return card_error("cannot read the eIM configuration: ", eims.error());
    if (eims->empty())
      return error(options_.eim_id ? "the eUICC has no eIM " + *options_.eim_id : "the eUICC has no eIM");
    eim_ = eims->front();
    summary_.eim_id = eim_.eim_id;
    summary_.eim_address = options_.eim_address.value_or(eim_.eim_fqdn);
    if (summary_.eim_address.empty()) return error("the eIM " + eim_.eim_id + " has no eimFqdn; give its address");
    EsipaClientOptions client_options = options_.esipa;
    auto trust = tls_trust(eim_);
    if (trust.certificate) {
      client_options.http.trusted_cas = {std::move(*trust.certificate)};
      client_options.http.trusted_ca_files.clear();
    } else if (trust.public_key_only) {
      log({{"step", "tlsTrust"},
           {"outcome", "ignored"},
           {"detail", "trustedEimPkTls is a bare key; the configured CAs decide"}});
    }
    esipa_http_ = client_options.http;
    auto client = EsipaClient::create(summary_.eim_address, std::move(client_options));
    if (!client) return error("eIM " + summary_.eim_address + ": " + client.error().message);
    client_.emplace(std::move(*client));
    return true;
  }

  // One ESipa exchange: the answer, or the failure recorded and logged.
  std::optional<Bytes> exchange(const char* function, const rsp::Expected<Bytes>& request) {
    if (!request) {
      error(request.error().message);
      return std::nullopt;
    }
    auto answer = client_->call(*request);
    if (!answer) {
      log({{"function", function}, {"outcome", "failed"}, {"error", answer.error().message}});
      error(std::string(function) + " at " + summary_.eim_address + ": " + answer.error().message);
      return std::nullopt;
    }
    return std::move(*answer);
  }

  // ProvideEimPackageResult with one result; each acknowledged seqNumber removed from the card.
  bool provide(ByteView result, const char* kind) {
    auto answer = exchange("provideEimPackageResult", esipa::provide_eim_package_result(eid_, relay(result)));
    if (!answer) return false;
    auto read = esipa::read_provide_eim_package_result_response(*answer);
    if (!read) {
      log({{"function", "provideEimPackageResult"}, {"outcome", "malformed"}, {"error", read.error().message}});
      return error(read.error().message);
    }
    if (read->error) {
      std::string name = esipa::provide_eim_package_result_error_name(*read->error);
      log({{"function", "provideEimPackageResult"}, {"result", kind}, {"outcome", name}});
      return error("provideEimPackageResult: the eIM answered " + name);
    }
    ++summary_.results_reported;
    std::string acknowledged;
    for (long seq : read->acknowledged) {
      acknowledged += (acknowledged.empty() ? "" : ",") + std::to_string(seq);
      auto removed = es10b::remove_notification_from_list(channel_, seq);
      if (removed)
        ++summary_.results_removed;
      else if (removed.error().kind != Es10Error::Kind::result)
        return card_error("cannot remove seqNumber " + std::to_string(seq) + ": ", removed.error());
    }
    log({{"function", "provideEimPackageResult"}, {"result", kind}, {"outcome", "ok"}, {"acknowledged", acknowledged}});
    return true;
  }

  // Results the card still keeps for this eIM: reported once more, each in its own call.
  void report_kept_results() {
    auto kept = sgp32::retrieve_euicc_package_results(channel_);
    if (!kept) {
      card_error("cannot read the eUICC Package Results kept on the card: ", kept.error());
      return;
    }
    for (const auto& result : *kept) {
      if (stopping()) return;
      auto data = rsp::tlv::read(result.tlv);
      auto signed_data = data ? rsp::tlv::find(data->value, 0xA0) : std::nullopt;
      auto members = signed_data ? rsp::tlv::find(signed_data->value, 0x30) : std::nullopt;
      auto eim_id = members ? rsp::tlv::find(members->value, 0x80) : std::nullopt;
      if (!eim_id || std::string(eim_id->value.begin(), eim_id->value.end()) != eim_.eim_id) continue;  // another eIM's
      log({{"step", "keptResult"}, {"seqNumber", result.seq_number ? std::to_string(*result.seq_number) : ""}});
      if (!provide(result.tlv, "euiccPackageResult")) return;
    }
  }

  // GetEimPackage and what it brings; false ends the round.
  bool next_package() {
    auto answer =
        exchange("getEimPackage", esipa::get_eim_package_request(fault("wrong-eid") ? relay_altered(eid_) : eid_));
    if (!answer) return false;
    auto package = esipa::read_get_eim_package_response(*answer);
    if (!package) {
      log({{"function", "getEimPackage"}, {"outcome", "malformed"}, {"error", package.error().message}});
      return error(package.error().message);
    }
    if (package->kind == EimPackage::Kind::eim_package_error) {
      summary_.eim_package_error = package->eim_package_error;
      std::string name = esipa::eim_package_error_name(package->eim_package_error);
      log({{"function", "getEimPackage"}, {"outcome", name}});
      if (package->eim_package_error == esipa::kNoEimPackageAvailable) return false;
      return error("getEimPackage: the eIM answered " + name);
    }
    log({{"function", "getEimPackage"}, {"outcome", "ok"}, {"package", esipa::eim_package_kind_name(package->kind)}});
    ++summary_.packages;
    switch (package->kind) {
      case EimPackage::Kind::euicc_package_request: return euicc_package(package->tlv);
      case EimPackage::Kind::ipa_euicc_data_request: return ipa_euicc_data(package->tlv);
      case EimPackage::Kind::profile_download_trigger_request: return download_trigger(package->tlv);
      case EimPackage::Kind::eim_package_error: break;
    }
    return false;
  }

  // SGP.32 v1.2 ES10b.LoadEuiccPackage, the card's result passed on as it is.
  bool euicc_package(const Bytes& request) {
    ++summary_.euicc_packages;
    auto about = esipa::read_euicc_package_request(request);
    auto result = sgp32::load_euicc_package(channel_, request);
    log({{"function", "loadEuiccPackage"},
         {"counterValue", about ? std::to_string(about->counter_value) : ""},
         {"eimTransactionId", about && about->eim_transaction_id ? rsp::to_hex(*about->eim_transaction_id) : ""},
         {"outcome", result ? "ok" : "failed"},
         {"error", result ? "" : result.error().message}});
    if (!result) {
      card_error("LoadEuiccPackage: ", result.error());
      // The card refused the command or answered nonsense: the eIM hears undefinedError for this
      // package. After a transport failure nobody knows whether it ran; a result it left on the
      // card is reported by a later round.
      if (result.error().kind != Es10Error::Kind::transport)
        provide(esipa::eim_package_result_error(about ? about->eim_transaction_id : std::nullopt, kUndefinedError),
                "eimPackageResultResponseError");
      return false;
    }
    if (fault("remove-notification-early"))
      if (auto seq = esipa::euicc_package_result_seq_number(*result))
        (void)es10b::remove_notification_from_list(channel_, *seq);
    return provide(*result, "euiccPackageResult");
  }

  // The conformance harness's faults (DownloadOptions::faults), here on the ESipa side: under
  // alter-relay a result goes to the eIM with one bit of its last byte flipped; under
  // remove-notification-early it is removed from the card before the eIM acknowledged it; under
  // wrong-eid GetEimPackage names another EID than the card's.
  bool fault(const char* name) const { return options_.download.faults.count(name) != 0; }
  Bytes relay(ByteView from_card) const {
    return fault("alter-relay") ? relay_altered(from_card) : Bytes(from_card.begin(), from_card.end());
  }
  // `bytes` with one bit of the last byte flipped (wrong-eid: the EID GetEimPackage names).
  static Bytes relay_altered(ByteView bytes) {
    Bytes out(bytes.begin(), bytes.end());
    if (!out.empty()) out.back() ^= 0x01;
    return out;
  }

  bool ipa_euicc_data(const Bytes& request) {
    ++summary_.ipa_euicc_data;
    auto read = esipa::read_ipa_euicc_data_request(request);
    if (!read) return error(read.error().message);
    auto outcome = detail::answer_ipa_euicc_data_request(channel_, *read, eim_, options_.download.device);
    log({{"step", "ipaEuiccData"}, {"outcome", outcome.problem.empty() ? "ok" : "error"}, {"error", outcome.problem}});
    return provide(outcome.response, "ipaEuiccDataResponse");
  }

  bool download_trigger(const Bytes& request) {
    ++summary_.download_triggers;
    auto read = esipa::read_profile_download_trigger_request(request);
    if (!read) return error(read.error().message);
    IpadOptions trigger_options = options_;
    bool indirect = through_eim();
    if (indirect) {
      trigger_options.download.es9 = es9_options();
      ++summary_.indirect_downloads;
    }
    auto outcome = detail::run_profile_download_trigger(channel_, *read, trigger_options);
    detail::add_traffic(summary_.es9, outcome.es9);
    log({{"step", "profileDownload"},
         {"outcome", outcome.installed ? "installed" : "failed"},
         {"path", indirect ? "indirect" : "direct"},
         {"detail", outcome.line}});
    if (outcome.result.empty()) return error("profile download trigger: " + outcome.line);
    return provide(outcome.result, "profileDownloadTriggerResult");
  }

  // ES9+ through the eIM (the indirect profile download) when the round asks for it and the eIM offers it.
  bool through_eim() const { return options_.indirect_download && eim_.indirect_profile_download; }
  // The ES9+ client's options: as given, or the same steps as ESipa messages to the eIM.
  Es9ClientOptions es9_options() const {
    Es9ClientOptions es9 = options_.download.es9;
    if (!through_eim()) return es9;
    es9.binding = options_.esipa.binding == EsipaBinding::json ? Es9Binding::esipa_json : Es9Binding::esipa_asn1;
    es9.relay = summary_.eim_address;
    es9.http = esipa_http_;  // the eIM's TLS trust, as for the round's own ESipa calls
    es9.minimize_esipa_bytes = options_.minimize_esipa_bytes;
    return es9;
  }

  // The card's pending profile notifications (not the eUICC Package Results, reported above), at
  // most max_notifications tried; each removed once delivered, a failed one kept for a later round.
  // A receiver's failure does not fail the round: the notification waits on the card.
  void send_notifications() {
    auto pending = es10b::retrieve_notifications_list(channel_);
    if (!pending) {
      card_error("cannot read the pending notifications: ", pending.error());
      return;
    }
    Es9ClientOptions es9 = es9_options();
    int tried = 0;
    for (const auto& n : *pending) {
      if (tried >= options_.max_notifications || stopping() || summary_.card_unreachable) {
        ++summary_.notifications_kept;
        continue;
      }
      ++tried;
      auto d = deliver_notification(channel_, n, es9);
      detail::add_traffic(summary_.es9, d.es9);
      log({{"step", "handleNotification"},
           {"seqNumber", std::to_string(n.metadata.seq_number)},
           {"operation", notification_operation_name(n.metadata.event)},
           {"path", through_eim() ? "indirect" : "direct"},
           {"outcome", d.removed ? "sent" : "kept"},
           {"error", d.error}});
      if (d.removed)
        ++summary_.notifications_sent;
      else
        ++summary_.notifications_kept;
      if (d.card_error && d.card_error->kind == Es10Error::Kind::transport)
        card_error("notification " + std::to_string(n.metadata.seq_number) + ": ", *d.card_error);
    }
  }

  PollSummary finish() {
    if (client_) summary_.esipa = client_->traffic();
    summary_.success = summary_.errors.empty();
    log({{"step", "round"},
         {"outcome", summary_.success ? "ok" : "failed"},
         {"packages", std::to_string(summary_.packages)},
         {"bytesSent", std::to_string(summary_.esipa.bytes_sent)},
         {"bytesReceived", std::to_string(summary_.esipa.bytes_received)}});
    return std::move(summary_);
  }

  Es10Channel& channel_;
  const IpadOptions& options_;
  rsp::http::ClientOptions esipa_http_;  // the eIM's TLS trust
  PollSummary summary_;
  Bytes eid_;
  sgp32::EimConfiguration eim_;
  std::optional<EsipaClient> client_;
};

}  // namespace

std::string PollSummary::line() const {
  if (!success) return errors.empty() ? "failed" : errors.front();
  return std::to_string(packages) + (packages == 1 ? " package" : " packages") + " from " + eim_address + " (" +
         std::to_string(results_reported) + " results reported; ESipa " + esipa_binding_name(binding) + " " +
         std::to_string(esipa.bytes_sent) + " bytes out / " + std::to_string(esipa.bytes_received) + " in)";
}

// SGP.32 v1.2 §3.1.1 the IPAd's poll of its eIM
PollSummary poll_eim(Es10Channel& channel, const IpadOptions& options) { return Round(channel, options).run(); }

}  // namespace ipa
