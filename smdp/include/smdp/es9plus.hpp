#pragma once
// ES9+ (SGP.22 v2.5 §5.6), the SM-DP+ side of a profile download, independent of the binding:
// the JSON binding (§6.5) and the ASN.1 binding (§6.6) both decode their request into these
// structures and encode the answer. Every refusal is a FunctionStatus with SGP.22's subject and
// reason codes.
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <utility>

#include "rsp/expected.hpp"
#include "smdp/dp_credentials.hpp"
#include "smdp/function_status.hpp"
#include "smdp/store.hpp"

namespace smdp {

template <class T>
using Es9Result = rsp::Expected<T, FunctionStatus>;

// SGP.22 v2.5 §5.3.5 notificationPointId values the download reports to the operator.
enum class NotificationPoint : int {
  eligibility_and_retry_limit = 1,
  confirmation_failure = 2,
  bpp_download = 3,
  bpp_installation = 4,
  profile_deleted = 5,
};

// What happened to an order, for ES2+ HandleDownloadProgressInfo. Called after the store change;
// must not block (it queues).
using DownloadProgress = std::function<void(const ProfileRecord& profile, NotificationPoint point,
                                            const FunctionStatus& status, ByteView result_data)>;

struct Es9Settings {
  std::string smdp_address;                        // the FQDN this SM-DP+ answers as
  int64_t session_lifetime = 3600;                 // seconds from initiateAuthentication
  Bytes host_id = rsp::to_bytes("open-rsp-smdp");  // InitialiseSecureChannel hostId (1..16 bytes)
  std::function<int64_t()> now;                    // unix seconds; default time()
  DownloadProgress progress;                       // optional
  std::set<std::string> faults;                    // SmdpConfig::faults (conformance harness only)
  bool fault(const std::string& name) const { return faults.count(name) != 0; }
};

struct InitiateAuthenticationRequest {
  Bytes euicc_challenge;  // 16 bytes
  Bytes euicc_info1;      // BF20
  std::string smdp_address;
};
struct InitiateAuthenticationResponse {
  std::string transaction_id;      // upper-case hex
  Bytes server_signed1;            // 30...
  Bytes server_signature1;         // 5F37 TLV
  Bytes euicc_ci_pkid_to_be_used;  // 04 TLV
  Bytes server_certificate;        // CERT.DPauth DER
};

struct AuthenticateClientRequest {
  std::string transaction_id;
  Bytes authenticate_server_response;  // BF38
};
struct AuthenticateClientResponse {
  std::string transaction_id;
  Bytes profile_metadata;  // BF25
  Bytes smdp_signed2;      // 30...
  Bytes smdp_signature2;   // 5F37 TLV
  Bytes smdp_certificate;  // CERT.DPpb DER
};

struct GetBoundProfilePackageRequest {
  std::string transaction_id;
  Bytes prepare_download_response;  // BF21
};
struct GetBoundProfilePackageResponse {
  std::string transaction_id;
  Bytes bound_profile_package;  // BF36
};

struct CancelSessionRequest {
  std::string transaction_id;
  Bytes cancel_session_response;  // BF41
};

class TransactionIds;

class Es9Plus {
 public:
  Es9Plus(Store& store, const DpIdentity& identity, Es9Settings settings);
  ~Es9Plus();

  // SGP.22 v2.5 §5.6.1
  Es9Result<InitiateAuthenticationResponse> initiate_authentication(const InitiateAuthenticationRequest& request);
  // SGP.22 v2.5 §5.6.2
  Es9Result<AuthenticateClientResponse> authenticate_client(const AuthenticateClientRequest& request);
  // SGP.22 v2.5 §5.6.3
  Es9Result<GetBoundProfilePackageResponse> get_bound_profile_package(const GetBoundProfilePackageRequest& request);
  // SGP.22 v2.5 §5.6.4: the answer carries no data; a refusal is logged, not returned to the
  // device (the binding answers 204 either way).
  FunctionStatus handle_notification(ByteView pending_notification);
  // SGP.22 v2.5 §5.6.5
  FunctionStatus cancel_session(const CancelSessionRequest& request);

  const Es9Settings& settings() const { return settings_; }

 private:
  int64_t now() const;
  Es9Result<SessionRecord> live_session(const std::string& transaction_id);
  // initiateAuthentication stores no session (transaction_id.hpp): its transactionId and serverChallenge.
  Es9Result<std::pair<Bytes, Bytes>> issue_transaction(ByteView server_ci, ByteView euicc_ci);
  // The session a transactionId this SM-DP+ issued stands for, not stored (version 0); nothing for
  // other identifiers; refused when it expired or names a CI no longer configured.
  Es9Result<std::optional<SessionRecord>> issued_session(const std::string& transaction_id);
  // The session authenticateClient goes on with: an issued one, or one stored in state initiated
  // (opened by a version that stored sessions at initiateAuthentication).
  Es9Result<SessionRecord> session_to_authenticate(const std::string& transaction_id);
  Es9Result<const TransactionIds*> transaction_ids();
  Es9Result<ProfileRecord> order_for_matching_id(const std::string& matching_id);
  Es9Result<ProfileRecord> order_for_eid(const std::string& eid);
  void report(const ProfileRecord& profile, NotificationPoint point, const FunctionStatus& status,
              ByteView result = {}) const;
  FunctionStatus handle_installation_result(ByteView notification);
  FunctionStatus handle_other_notification(ByteView notification);

  Store& store_;
  const DpIdentity& identity_;
  Es9Settings settings_;
  std::mutex transaction_ids_mutex_;
  std::unique_ptr<TransactionIds> transaction_ids_;  // made with the store's secret at first use
  // Fault reuse-otpk: the one otSK.DP per curve every binding uses.
  std::mutex reused_otsk_mutex_;
  std::map<rsp::crypto::Curve, rsp::crypto::PrivateKey> reused_otsk_;
};

}  // namespace smdp
