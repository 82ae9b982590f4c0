#pragma once
// The indirect profile download inside the eIM: the ESipa functions esipa.cpp hands over, the
// relay sessions, and the ES9+ call to an SM-DP+.
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "esipa/esipa_internal.hpp"
#include "rsp/http/client.hpp"

namespace eim {

class RelaySessions {
 public:
  struct Session {
    std::string smdp_address;  // as the IPA named it (and the SM-DP+ signed it)
    std::string eid;           // 32 digits once the eUICC's certificate named it, else ""
    rsp::Bytes smdp_oid;       // CERT.DPauth's registeredID (OID contents): compact CancelSession
    // From AuthenticateClient's answer, for a CompactProfileInstallationResult: CERT.DPpb's
    // registeredID and the profile's ICCID ('5A' contents of profileMetaData).
    rsp::Bytes dp_pb_oid;
    rsp::Bytes iccid;
    int64_t created_at = 0;  // unix seconds
  };
  explicit RelaySessions(size_t max_sessions) : max_(max_sessions) {}

  // Keeps `s` under the SM-DP+'s transactionId (hex); the oldest goes when full.
  void open(const std::string& transaction_id, Session s);
  // The live session, if any; an expired one is dropped.
  std::optional<Session> find(const std::string& transaction_id, int64_t now, int64_t lifetime);
  void set_eid(const std::string& transaction_id, const std::string& eid);
  void set_download_data(const std::string& transaction_id, const rsp::Bytes& dp_pb_oid, const rsp::Bytes& iccid);
  void close(const std::string& transaction_id);
  size_t size();

 private:
  std::mutex mutex_;
  std::map<std::string, Session> sessions_;
  size_t max_;
};

namespace esipa {

// ESipa.InitiateAuthentication, AuthenticateClient, GetBoundProfilePackage, CancelSession:
// `request` is the whole BF39 / BF3B / BF3A / BF41, already checked against the schema.
EsipaReply indirect_download(const Context& c, const rsp::tlv::Tlv& request, std::string function);
// ESipa.HandleNotification with a PendingNotification (`wrapped` is the A0 around it): forwarded to
// the SM-DP+ its notificationAddress names; 204 for the IPA whatever the SM-DP+ answers.
EsipaReply relay_profile_notification(const Context& c, const rsp::tlv::Tlv& wrapped);

// The SM-DP+'s answer to one ES9+ call over the JSON binding.
struct Es9Answer {
  int http_status = 0;
  std::string body;
};
// POST https://<smdp_address>[:lab port]/gsma/rsp2/es9plus/<function> with `request`; an error
// when no exchange happened (the address, connection, TLS, timeout, an answer past the limit).
rsp::Expected<Es9Answer> call_es9(const Context& c, const std::string& smdp_address, std::string_view function,
                                  const nlohmann::json& request);
// A host name with an optional ":port", nothing else (no scheme, path or user).
bool valid_smdp_address(std::string_view address);

}  // namespace esipa

}  // namespace eim
