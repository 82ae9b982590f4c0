// SGP.22 v2.5 §3.1.3 Profile Download and Installation, the IPA's part: relaying between the
// eUICC (ES10b) and the SM-DP+ (ES9+), the checks the LPA makes on the way, and the session's
// end on both sides when a step fails after the eUICC authenticated the server.
#include "ipa/download.hpp"

#include "common_mutual_authentication.hpp"
#include "rsp/bound_profile_package.hpp"
#include "rsp/confirmation_code.hpp"
#include "rsp/crypto/certificate.hpp"
#include "rsp/tlv.hpp"

namespace ipa {

namespace {

using es10b::CancelSessionReason;

std::optional<Bytes> member(ByteView der, rsp::tlv::Tag tag) {
  auto outer = rsp::tlv::read(der);
  if (!outer) return std::nullopt;
  auto found = rsp::tlv::find(outer->value, tag);
  if (!found) return std::nullopt;
  return Bytes(found->value.begin(), found->value.end());
}

// notificationMetadata.seqNumber of a ProfileInstallationResult (BF37 { BF27 { .. BF2F { 80 } } }).
std::optional<long> sequence_number(ByteView result) {
  auto data = member(result, 0xBF27);
  if (!data) return std::nullopt;
  auto metadata = rsp::tlv::find(*data, 0xBF2F);
  auto number = metadata ? rsp::tlv::find(metadata->value, 0x80) : std::nullopt;
  if (!number || number->value.empty() || number->value.size() > 4) return std::nullopt;
  long n = 0;
  for (uint8_t b : number->value) n = n * 256 + b;
  return n;
}

class Download {
 public:
  Download(Es10Channel& channel, const DownloadRequest& request, const DownloadOptions& options)
      : channel_(channel), request_(request), options_(options), start_(channel.transport().stats()) {}

  DownloadResult run() {
    steps();
    const TransportStats& now = channel_.transport().stats();
    result_.apdus = now.command_apdus - start_.command_apdus;
    result_.apdu_bytes = now.bytes_sent + now.bytes_received - start_.bytes_sent - start_.bytes_received;
    if (client_) result_.es9 = client_->traffic();
    if (options_.progress) options_.progress({DownloadPhase::finished, &result_});
    return result_;
  }

 private:
  void steps() {
    const std::string& address = request_.activation_code.smdp_address;
    enter(DownloadPhase::get_euicc_info);
    if (request_.activation_code.confirmation_code_required && !request_.confirmation_code)
      return failed("the activation code asks for a confirmation code and none was given");
    auto info1 = es10b::get_euicc_info1(channel_);
    if (!info1) return card_failed(info1.error());
    auto challenge = es10b::get_euicc_challenge(channel_);
    if (!challenge) return card_failed(challenge.error());

    enter(DownloadPhase::initiate_authentication);
    auto client = Es9PlusClient::create(address, options_.es9);
    if (!client) return failed(client.error().message);
    client_.emplace(std::move(*client));
    auto initiated = client_->initiate_authentication({*challenge, *info1, address});
    if (!initiated) return server_failed(initiated.error());
    transaction_id_ = initiated->transaction_id;
    result_.transaction_id = rsp::to_hex(transaction_id_);
    // SGP.22 v2.5 §3.1.3.1: the serverAddress the SM-DP+ signed must be the address the IPA called.
    if (signed_server_address(initiated->server_signed1) != address)
      return failed("the SM-DP+ signed another address than " + address + " (serverSigned1.serverAddress)");
    if (auto server = rsp::crypto::Certificate::from_der(initiated->server_certificate);
        server && server->role() == rsp::crypto::Role::ds_auth) {
      result_.server_is_smds = true;
      return failed(address + " is an SM-DS (its serverCertificate is a CERT.DSauth), not an SM-DP+");
    }

    enter(DownloadPhase::authenticate_server);
    // An empty matchingId is none at all: the default SM-DP+ serves the order bound to the EID.
    const std::string& matching_id = request_.activation_code.matching_id;
    auto card_authenticated = es10b::authenticate_server(
        channel_,
        authenticate_server_input(*initiated, options_.device,
                                  matching_id.empty() ? std::nullopt : std::optional<std::string>(matching_id)));
    if (!card_authenticated) return card_failed(card_authenticated.error());
    if (!card_authenticated->ok()) {
      // The eUICC's refusal goes to the SM-DP+ as its authenticateClient (§3.1.3.2), which ends the session there.
      result_.euicc_error_code = card_authenticated->error_code;
      auto relayed = client_->authenticate_client(transaction_id_, relay(card_authenticated->tlv));
      if (!relayed) result_.es9_error = relayed.error();
      return failed("the eUICC refused the SM-DP+: AuthenticateErrorCode " +
                    std::to_string(*card_authenticated->error_code));
    }
    card_session_ = true;  // from here on, a failure cancels the session

    enter(DownloadPhase::authenticate_client);
    auto authenticated = client_->authenticate_client(transaction_id_, card_authenticated->tlv);
    if (!authenticated) return server_failed(authenticated.error());
    if (options_.confirm && !options_.confirm(authenticated->profile_metadata))
      return failed("the download was not accepted", CancelSessionReason::endUserRejection);
    auto cc_flag = member(authenticated->smdp_signed2, 0x01);
    bool cc_required = cc_flag && !cc_flag->empty() && cc_flag->front() != 0;
    if (cc_required && !request_.confirmation_code)
      return failed("the SM-DP+ asks for a confirmation code and none was given", CancelSessionReason::postponed);

    enter(DownloadPhase::prepare_download);
    es10b::PrepareDownloadInput prepare;
    prepare.smdp_signed2 = authenticated->smdp_signed2;
    prepare.smdp_signature2 = authenticated->smdp_signature2;
    prepare.smdp_certificate = authenticated->smdp_certificate;
    // SGP.22 v2.5 §3.1.3.3: hashCc = SHA-256(SHA-256(code) | transactionId), only when asked for.
    if (cc_required) prepare.hash_cc = rsp::hash_confirmation_code(*request_.confirmation_code, transaction_id_);
    auto prepared = es10b::prepare_download(channel_, prepare);
    if (!prepared) return card_failed(prepared.error(), CancelSessionReason::undefinedReason);
    if (!prepared->ok()) {
      // As for AuthenticateServer: the refusal is relayed, and the eUICC has closed its session.
      result_.euicc_error_code = prepared->error_code;
      auto relayed = client_->get_bound_profile_package(transaction_id_, relay(prepared->tlv));
      if (!relayed) result_.es9_error = relayed.error();
      return failed("the eUICC refused the SM-DP+: DownloadErrorCode " + std::to_string(*prepared->error_code));
    }

    enter(DownloadPhase::get_bound_profile_package);
    auto package = client_->get_bound_profile_package(transaction_id_, prepared->tlv);
    if (!package) return server_failed(package.error());

    enter(DownloadPhase::load_bound_profile_package);
    const uint64_t store_data_before = channel_.transport().stats().store_data_apdus;
    auto installed = es10b::load_bound_profile_package(channel_, package->bound_profile_package);
    result_.store_data_apdus = channel_.transport().stats().store_data_apdus - store_data_before;
    result_.store_data_minimum =
        rsp::bpp::minimum_store_data_apdus(package->bound_profile_package, channel_.options().segment_size).value_or(0);
    if (!installed) return card_failed(installed.error(), CancelSessionReason::loadBppExecutionError);
    result_.iccid = installed->iccid;
    result_.profile_installation_result = installed->tlv;
    result_.bpp_command_id = installed->bpp_command_id;
    result_.error_reason = installed->error_reason;

    // SGP.22 v2.5 §3.1.3.4: the result goes to the SM-DP+ whatever it says; the eUICC's session is over.
    enter(DownloadPhase::handle_notification);
    send_installation_result(installed->tlv);
    if (!installed->success)
      return failed("the eUICC did not install the profile: bppCommandId " +
                    std::to_string(installed->bpp_command_id.value_or(-1)) + ", errorReason " +
                    std::to_string(installed->error_reason.value_or(-1)));
    result_.success = true;
    result_.failed_phase = DownloadPhase::finished;
  }

  // handleNotification, then NotificationSent (RemoveNotificationFromList) once the SM-DP+ has it.
  void send_installation_result(const Bytes& result) {
    auto seq = sequence_number(result);
    if (fault("remove-notification-early") && seq) (void)es10b::remove_notification_from_list(channel_, *seq);
    if (!client_->handle_notification(relay(result))) return;  // kept on the card, sent by a later run
    result_.notification_sent = seq && es10b::remove_notification_from_list(channel_, *seq);
  }

  bool fault(const char* name) const { return options_.faults.count(name) != 0; }
  // What goes from the eUICC to the SM-DP+ where the download goes on whatever it says; under the
  // harness's fault alter-relay, with one bit of its last byte flipped.
  Bytes relay(Bytes from_card) const {
    if (fault("alter-relay") && !from_card.empty()) from_card.back() ^= 0x01;
    return from_card;
  }

  void enter(DownloadPhase phase) {
    phase_ = phase;
    if (options_.progress) options_.progress({phase, nullptr});
  }

  void failed(std::string message, std::optional<CancelSessionReason> reason = std::nullopt) {
    result_.failed_phase = phase_;
    result_.message = std::move(message);
    if (card_session_ && reason) cancel(*reason);
  }
  void server_failed(const Es9Error& e) {
    result_.es9_error = e;
    failed(e.describe(), CancelSessionReason::undefinedReason);
  }
  void card_failed(const Es10Error& e, std::optional<CancelSessionReason> reason = std::nullopt) {
    result_.es10_error = e;
    failed(e.message, reason);
  }

  // SGP.22 v2.5 §3.1.3 (and §5.7.14, §5.6.5): ES10b.CancelSession, and its signed answer to the SM-DP+.
  void cancel(CancelSessionReason reason) {
    if (fault("skip-cancel-session")) return;
    DownloadPhase stopped = phase_;
    enter(DownloadPhase::cancel_session);
    phase_ = stopped;
    result_.cancel_reason = reason;
    auto answer = es10b::cancel_session(channel_, transaction_id_, reason);
    if (answer && answer->ok()) result_.session_cancelled = bool(client_->cancel_session(transaction_id_, answer->tlv));
  }

  Es10Channel& channel_;
  const DownloadRequest& request_;
  const DownloadOptions& options_;
  TransportStats start_;
  std::optional<Es9PlusClient> client_;
  Bytes transaction_id_;
  bool card_session_ = false;
  DownloadPhase phase_ = DownloadPhase::get_euicc_info;
  DownloadResult result_;
};

}  // namespace

DownloadResult download_profile(Es10Channel& channel, const DownloadRequest& request, const DownloadOptions& options) {
  return Download(channel, request, options).run();
}

}  // namespace ipa
