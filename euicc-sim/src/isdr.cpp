#include "isdr.hpp"

#include <functional>
#include <map>
#include <set>

#include "es10b_info.hpp"
#include "es10b_notifications.hpp"
#include "es10c.hpp"
#include "sgp32_eim_configuration.hpp"
#include "sgp32_euicc_package.hpp"
#include "sgp32_profile_functions.hpp"

namespace euicc {
namespace {

using rsp::apdu::sw::kIncorrectData;
using rsp::apdu::sw::kInsNotSupported;

using Function = std::function<Es10Result(CardContext&, DownloadSession&, const Tlv&)>;

Function plain(Es10Result (*f)(CardContext&, const Tlv&)) {
  return [f](CardContext& c, DownloadSession&, const Tlv& t) { return f(c, t); };
}
Function session(Es10Result (DownloadSession::*f)(const Tlv&)) {
  return [f](CardContext&, DownloadSession& d, const Tlv& t) { return (d.*f)(t); };
}

// Every ES10 function the card serves, by the tag of its request.
const std::map<rsp::tlv::Tag, Function>& functions() {
  static const std::map<rsp::tlv::Tag, Function> table{
      // ES10b: card information
      {0xBF20, plain(get_euicc_info1)},
      {0xBF22, plain(get_euicc_info2)},
      {0xBF43, plain(get_rat)},
      // ES10c: EID
      {0xBF3E, plain(get_eid)},
      // ES10b: profile download
      {0xBF2E, session(&DownloadSession::get_euicc_challenge)},
      {0xBF38, session(&DownloadSession::authenticate_server)},
      {0xBF21, session(&DownloadSession::prepare_download)},
      {0xBF41, session(&DownloadSession::cancel_session)},
      // ES10b: notifications, ES10c: profile management, ES10a: addresses -- see es10c.hpp
      {0xBF28, plain(list_notification)},
      {0xBF2B, plain(retrieve_notifications_list)},
      {0xBF30, plain(remove_notification_from_list)},
      {0xBF2D, plain(get_profiles_info)},
      {0xBF31, plain(enable_profile)},
      {0xBF32, plain(disable_profile)},
      {0xBF33, plain(delete_profile)},
      {0xBF34, plain(euicc_memory_reset)},
      {0xBF29, plain(set_nickname)},
      {0xBF3C, plain(get_euicc_configured_addresses)},
      {0xBF3F, plain(set_default_dp_address)},
      // SGP.32 v1.2 additions -- see sgp32_*.hpp
      {0xBF51, plain(load_euicc_package)},
      {0xBF55, plain(get_eim_configuration_data)},
      {0xBF56, plain(get_certs)},
      {0xBF57, plain(add_initial_eim)},
      {0xBF58, plain(profile_rollback)},
      {0xBF59, plain(configure_immediate_profile_enabling)},
      {0xBF5A, plain(immediate_enable)},
      {0xBF5B, plain(enable_emergency_profile)},
      {0xBF5C, plain(disable_emergency_profile)},
      {0xBF5D, plain(execute_fallback_mechanism)},
      {0xBF5E, plain(return_from_fallback)},
      {0xBF5F, plain(get_connectivity_parameters)},
      {0xBF64, plain(sgp32_euicc_memory_reset)},
      {0xBF65, plain(sgp32_set_default_dp_address)},
  };
  return table;
}

}  // namespace

namespace {

// Conformance fault undefined-error-codes: an ES10c / notification function's error result
// (EnableProfile, DisableProfile, DeleteProfile, eUICCMemoryReset, SetNickname,
// RemoveNotificationFromList: `tag { 80 01 code }`) becomes undefinedError (127).
void undefined_error_code(Bytes& response) {
  static const std::set<rsp::tlv::Tag> kResults{0xBF31, 0xBF32, 0xBF33, 0xBF34, 0xBF29, 0xBF30};
  auto top = rsp::tlv::read(response);
  if (!top || !kResults.count(top->tag) || top->value.size() != 3 || top->value[0] != 0x80 || top->value[1] != 0x01)
    return;
  if (top->value[2] != 0) response.back() = 0x7F;
}

}  // namespace

rsp::Expected<Bytes, uint16_t> Isdr::store_data(ByteView command) {
  auto response = process(command);
  if (response && context_.fault("undefined-error-codes")) undefined_error_code(*response);
  // Conformance fault: the command is carried out, but the card answers with a status word that
  // says it failed, as a misbehaving card would.
  if (response && context_.fault("wrong-status-word")) return rsp::Unexpected{rsp::apdu::sw::kNoPreciseDiagnosis};
  return response;
}

rsp::Expected<Bytes, uint16_t> Isdr::process(ByteView command) {
  // A bound profile package arrives as a sequence of commands (BF36 first, then A0..A3 groups and
  // their 86/87/88 segments, some of them only a TLV header). Any other ES10 function (all of
  // them BFxx) in between ends the package: nothing of it is installed.
  bool bpp_start = command.size() >= 2 && command[0] == 0xBF && command[1] == 0x36;
  bool bpp_part = !command.empty() && command[0] != 0xBF;
  if (bpp_start || (download_.loading() && bpp_part)) return download_.load_bound_profile_package(command);
  if (download_.loading()) download_.abandon();
  auto request = rsp::tlv::read(command);
  if (!request || request->whole.size() != command.size()) return rsp::Unexpected{kIncorrectData};
  auto f = functions().find(request->tag);
  if (f == functions().end()) return rsp::Unexpected{kInsNotSupported};
  return f->second(context_, download_, *request);
}

Bytes Isdr::select_response() {
  // FCI: 84 DF name, A5 proprietary data (empty).
  return tlv(0x6F, {tlv(0x84, rsp::apdu::kIsdrAid), tlv(0xA5, Bytes{})});
}

void Isdr::channel_closed() { download_.abandon(); }

}  // namespace euicc
